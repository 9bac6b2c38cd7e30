// disptap relay --unix-listen/--unix-to, --unix-takeover, --unix-restore: a tap on the historic
// dispatcher's unix stream socket. Bytes go on unchanged (src/unix-relay/stream-relay.ts); what
// they decode to goes through the session like any datagram (src/cli/unix-frames.ts).
import { clock } from '../../index.js';
import { UnixStreamRelay, listeningOn, type RelayConnection, type RelayFrameEvent } from '../../unix-relay/stream-relay.js';
import { installTakeover, prepareTakeover, readTakeoverState, restoreTakeover, takeoverNames, type TakeoverState } from '../../unix-relay/takeover.js';
import { CliError, UsageError, errorCode, oneLine } from '../errors.js';
import { base, type ConnectionRecord } from '../pipeline/record.js';
import { Session } from '../pipeline/session.js';
import { FrameReporter } from './unix-frames.js';
import { sessionOptions, type LiveOutputOptions } from './watch.js';
import { nsToIso } from '../../sys/time.js';

export interface UnixRelayOptions extends LiveOutputOptions {
  unixListen?: string;
  unixTo?: string;
  unixTakeover?: string;
  unixRestore?: string;
}

/** Usage check for the --unix-* options alone and mixed with the UDP relay's. */
export function checkUnixOptions(o: UnixRelayOptions & { listen?: string; to?: string }): void {
  const unix = [o.unixListen && '--unix-listen', o.unixTo && '--unix-to', o.unixTakeover && '--unix-takeover', o.unixRestore && '--unix-restore'].filter(Boolean);
  const udp = [o.listen && '--listen', o.to && '--to'].filter(Boolean);
  if (unix.length && udp.length) throw new UsageError(`${udp.join(' and ')} (UDP relay) cannot be combined with ${unix.join(' and ')} (unix-socket relay)`);
  if (o.unixRestore && unix.length > 1) throw new UsageError('--unix-restore runs alone: it repairs what a killed --unix-takeover left');
  if (o.unixTakeover && (o.unixListen || o.unixTo)) throw new UsageError('--unix-takeover listens on the taken-over path itself: drop --unix-listen/--unix-to');
  if (!o.unixTakeover && !o.unixRestore && (!o.unixListen || !o.unixTo)) throw new UsageError('--unix-listen and --unix-to go together: --unix-listen /tmp/tap.sock --unix-to /run/shm/dispatcher/default.sock');
}

export async function runUnixRelay(o: UnixRelayOptions): Promise<number> {
  checkUnixOptions(o);
  if (o.unixRestore) return restoreOnly(o.unixRestore);
  const session = new Session(sessionOptions('relay', o));
  const takeoverPath = o.unixTakeover;
  let listenPath = o.unixListen!;
  let targetPath = o.unixTo!;
  let state: TakeoverState | null = null;
  let restored = false;
  const restore = () => {
    if (restored || !takeoverPath) return;
    restored = true;
    try {
      const r = restoreTakeover(takeoverPath);
      session.out.notice(`disptap relay: ${r.message}`, true);
    } catch (e) {
      process.stderr.write(`disptap relay: could not restore ${takeoverPath}: ${oneLine(e)} (run disptap relay --unix-restore ${takeoverPath})\n`);
    }
  };
  // Until the session handles signals, a SIGINT/SIGTERM must still put the socket back.
  const early: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, () => {
    restore();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15));
  }]);
  if (takeoverPath) {
    for (const [sig, h] of early) process.on(sig, h);
    // What a SIGKILLed takeover left behind is repaired first.
    if (readTakeoverState(takeoverPath)) {
      const r = restoreFailing(takeoverPath);
      session.out.notice(`disptap relay: repaired a takeover left behind: ${r}`, true);
    }
    state = prepareTakeover(takeoverPath);
    listenPath = takeoverNames(takeoverPath).temp;
    targetPath = state.movedTo;
  }
  // Not fatal (the dispatcher may be about to start), but every application would be closed at once.
  if (listeningOn(takeoverPath ?? targetPath) === false) {
    session.out.warn(`no socket listens on ${takeoverPath ?? targetPath} (/proc/net/unix): is the dispatcher running? Applications are closed at once until it is`);
  }
  const reporter = new FrameReporter(session, `unix:${takeoverPath ?? listenPath}`);
  const relay = new UnixStreamRelay({ targetPath, now: () => clock.realtimeNs() });
  try {
    await relay.listen(listenPath, { replaceStale: !takeoverPath });
    if (state) state = installTakeover(state);
  } catch (e) {
    await relay.close();
    if (takeoverPath && !state?.tapIno) restoreTakeover(takeoverPath);
    throw e instanceof Error && errorCode(e) ? new CliError(listenError(e, listenPath, takeoverPath), errorCode(e), { cause: e }) : e;
  }
  if (takeoverPath) {
    // A fatal error must not leave applications pointed at a dead tap.
    process.on('exit', restore);
    process.on('uncaughtException', (e) => {
      restore();
      process.stderr.write(`disptap relay: ${oneLine(e)}\n`);
      process.exit(1);
    });
  }
  try {
    await session.start();
  } catch (e) {
    await relay.close();
    restore();
    throw e;
  } finally {
    for (const [sig, h] of early) process.off(sig, h);
  }
  // A closed terminal (SIGHUP) ends the run like Ctrl-C: its default would leave the path taken over.
  if (takeoverPath) process.on('SIGHUP', () => void session.stop('signal'));
  const label = takeoverPath ?? listenPath;
  let upstreamErrors = 0;
  const connEvent = (event: ConnectionRecord['event'], conn: RelayConnection, text: string, extra: Partial<ConnectionRecord> = {}) => {
    const r: ConnectionRecord = { ...base(nsToIso(clock.realtimeNs())), type: 'connection', event, connection: conn.id, listen: label, target: targetPath, ...extra };
    session.event(r, `${session.out.c.dim(`#${conn.id}`)} ${text}`);
  };
  relay.on('frame', (f: RelayFrameEvent) => reporter.handle(f.connection.id, f.direction, f.event, f.readAtNs));
  relay.on('open', (conn: RelayConnection) => connEvent('open', conn, `application connected; connected to ${targetPath}`));
  relay.on('close', (conn: RelayConnection, reason: string) => {
    reporter.forget(conn.id);
    const b = conn.bytes;
    connEvent('close', conn, `closed (${reason}): ${b.appToDispatcher} B / ${conn.frames.appToDispatcher} frames app→dispatcher, ${b.dispatcherToApp} B / ${conn.frames.dispatcherToApp} frames dispatcher→app`, {
      reason,
      bytes: { ...conn.bytes },
      frames: { ...conn.frames },
    });
  });
  relay.on('upstream-error', (conn: RelayConnection, e: NodeJS.ErrnoException) => {
    upstreamErrors++;
    connEvent('error', conn, session.out.c.red(`cannot reach the dispatcher at ${targetPath}: ${oneLine(e)} — closed the application's connection`), { reason: oneLine(e), code: e.code });
  });
  relay.on('error', (e: Error) => session.problem(`${label}: ${oneLine(e)}`, errorCode(e)));
  session.onStop(async () => {
    // Applications connecting from now on reach the dispatcher directly.
    restore();
    await relay.close();
  });
  session.onSummary((s) => {
    s.unixRelay = {
      listen: label,
      target: targetPath,
      ...(takeoverPath ? { takeover: takeoverPath } : {}),
      connections: relay.accepted,
      upstreamErrors,
      bytes: { ...relay.bytes },
      ...reporter.totals,
      deliveryDelay: reporter.deliveryDelay(),
    };
  });
  session.listening(
    { sockets: [], target: targetPath, unix: { listen: label, target: targetPath, ...(takeoverPath ? { takeover: takeoverPath } : {}) } },
    takeoverPath
      ? `disptap relay: took over ${takeoverPath} (the dispatcher's socket is at ${targetPath} until exit) (Ctrl-C for the summary)`
      : `disptap relay: ${listenPath} → ${targetPath} (Ctrl-C for the summary)`,
  );
  return session.done;
}

function listenError(e: Error, listenPath: string, takeoverPath: string | undefined): string {
  if (takeoverPath) return oneLine(e).startsWith('cannot take over') ? oneLine(e) : `cannot take over ${takeoverPath}: listening on ${listenPath}: ${oneLine(e)}; nothing was changed`;
  return `cannot listen on ${listenPath}: ${oneLine(e)}`;
}

function restoreFailing(p: string): string {
  try {
    return restoreTakeover(p).message;
  } catch (e) {
    throw new CliError(`cannot restore ${p}: ${oneLine(e)}`, errorCode(e), { cause: e });
  }
}

async function restoreOnly(p: string): Promise<number> {
  const msg = restoreFailing(p);
  process.stderr.write(`disptap relay: ${msg}\n`);
  return 0;
}
