// disptap watch: bind UDP addresses/ports and show every datagram with its kernel metadata.
import { openUdp, clock, type UdpTap, type TimestampMode } from '../../index.js';
import { formatEndpoint, parseBindSpecs, type Endpoint } from '../bind-spec.js';
import { CliError, UsageError, errorCode, oneLine } from '../errors.js';
import { inodeOfFd, udpSockets } from '../commands/procnet.js';
import type { SocketJson } from '../pipeline/record.js';
import { Session, type SessionOptions } from '../pipeline/session.js';

export interface TapOptions {
  timestamps: TimestampMode;
  recvBuffer?: number;
  maxSize?: number;
  reusePort?: boolean;
  /** Where notices go (a capped receive buffer). */
  warn?: (line: string) => void;
}

/** The output side every live command shares (watch, relay, relay --unix-*, demo): liveOpts(). */
export interface LiveOutputOptions {
  json?: boolean;
  color?: boolean;
  count?: number;
  duration?: number;
  filter?: string[];
  write?: string;
  metrics?: string | true;
  quiet?: boolean;
  queueSize?: number;
}

export interface WatchOptions extends TapOptions, LiveOutputOptions {
  bind: string[];
}

export interface OpenTap {
  tap: UdpTap;
  label: string;
  local: { address: string; port: number };
  json: SocketJson;
}

/**
 * SO_RCVBUF asked for when --rcvbuf is not given: a burst is taken by the kernel while user space
 * catches up, and a 64-byte datagram costs about 1 KiB of buffer. The kernel charges only what is
 * queued; without CAP_NET_ADMIN it grants up to net.core.rmem_max, and we say so.
 */
export const DEFAULT_RCVBUF = 128 * 1024 * 1024;

export function checkTimestampMode(v: string): TimestampMode {
  if (v !== 'none' && v !== 'software' && v !== 'hardware') throw new UsageError(`--timestamps must be none, software or hardware, not '${v}'`);
  return v;
}

/** Opens one tap per endpoint; on any failure closes what was opened and throws one clear line. */
export async function openTaps(eps: readonly Endpoint[], o: TapOptions): Promise<OpenTap[]> {
  const taps: OpenTap[] = [];
  try {
    for (const ep of eps) {
      let tap: UdpTap;
      try {
        tap = await openUdp({
          address: ep.address,
          port: ep.port,
          timestamps: o.timestamps,
          recvBufferSize: o.recvBuffer ?? DEFAULT_RCVBUF,
          ...(o.maxSize !== undefined ? { maxMessageSize: o.maxSize } : {}),
          ...(o.reusePort ? { reusePort: true } : {}),
        });
      } catch (e) {
        const code = errorCode(e);
        const hint =
          code === 'EADDRINUSE' ? ' — another socket has it; `disptap doctor --port ' + ep.port + '` shows which process' :
          code === 'EACCES' ? ' — ports below 1024 need root or CAP_NET_BIND_SERVICE' :
          code === 'EADDRNOTAVAIL' ? ' — no interface has that address' : '';
        throw new CliError(`cannot bind ${formatEndpoint(ep)}: ${oneLine(e)}${hint}`, code, { cause: e });
      }
      // The kernel doubles what it grants (bookkeeping overhead): less than twice the request
      // means it was capped.
      const asked = o.recvBuffer ?? DEFAULT_RCVBUF;
      if (tap.recvBufferSize < 2 * asked) o.warn?.(`${formatEndpoint(ep)}: the kernel granted a receive buffer of ${tap.recvBufferSize} bytes, less than the ${2 * asked} asked (--rcvbuf ${asked}; net.core.rmem_max caps it without CAP_NET_ADMIN): bursts may be dropped`);
      const a = tap.address();
      // Keep the zone the user gave (fe80::1%eth0); the kernel reports the numeric scope.
      const local = { address: ep.address, port: a.port };
      const label = formatEndpoint(local);
      taps.push({
        tap,
        label,
        local,
        json: { bind: label, address: ep.address, port: a.port, family: a.family, recvBufferSize: tap.recvBufferSize, timestamps: o.timestamps },
      });
    }
  } catch (e) {
    for (const t of taps) t.tap.close();
    throw e;
  }
  return taps;
}

/**
 * SO_RXQ_OVFL only reaches us on a later datagram; drops after the last one are in
 * /proc/net/udp. Read them before closing so the summary counts every drop.
 */
export function finalDrops(session: Session, taps: readonly OpenTap[]): void {
  const byInode = new Map(udpSockets().map((s) => [s.inode, s]));
  for (const t of taps) {
    const inode = t.tap.closed ? undefined : inodeOfFd(t.tap.fd);
    const s = inode === undefined ? undefined : byInode.get(inode);
    if (s === undefined) continue;
    const d = session.stats.socket(t.label).dropsDelta(s.drops);
    if (d > 0 && session.metrics) session.metrics.drops.inc({ bind: t.label }, d);
  }
}

/** Bytes the kernel holds for the taps' sockets (/proc/net/udp rx_queue), 0 when none is open. */
function kernelQueued(taps: readonly OpenTap[]): number {
  const byInode = new Map(udpSockets().map((s) => [s.inode, s.rxQueue]));
  let bytes = 0;
  for (const t of taps) {
    const inode = t.tap.closed ? undefined : inodeOfFd(t.tap.fd);
    bytes += (inode === undefined ? undefined : byInode.get(inode)) ?? 0;
  }
  return bytes;
}

/**
 * At a stop by signal or --duration: lets the taps go on reading until the kernel holds nothing
 * for them (what arrived before the stop), or the session ends the reading.
 */
export function drainTaps(session: Session, taps: readonly OpenTap[]): void {
  session.onDrain(async (signal) => {
    for (;;) {
      const queued = kernelQueued(taps);
      if (queued === 0) return;
      if (signal.aborted) {
        // Cut short (a second signal, or a sender faster than the reader): lost with the sockets,
        // but not silently.
        session.out.warn(`stopped with datagrams still queued in the kernel (${queued} bytes of socket memory): they were not read`);
        return;
      }
      await pause(5, signal);
    }
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export function sessionOptions(command: string, o: LiveOutputOptions & { timestamps?: string }): SessionOptions {
  return {
    command,
    json: o.json ?? false,
    color: o.color,
    filter: o.filter ?? [],
    count: o.count,
    durationMs: o.duration,
    write: o.write,
    metrics: o.metrics,
    quiet: o.quiet,
    queueBytes: o.queueSize,
    expectHardware: o.timestamps === 'hardware',
    now: () => clock.realtimeNs(),
  };
}

/** Wires taps into a session: every batch of every tap goes to session.ingestBatch. */
export function attachTaps(session: Session, taps: readonly OpenTap[]): void {
  for (const t of taps) {
    session.stats.socket(t.label);
    const sock = { label: t.label, local: t.local };
    t.tap.on('error', (e: Error) => session.problem(`${t.label}: ${oneLine(e)}`, errorCode(e)));
    void (async () => {
      try {
        for await (const b of t.tap.batches()) session.ingestBatch(b, sock);
      } catch (e) {
        if (!t.tap.closed) session.problem(`${t.label}: ${oneLine(e)}`, errorCode(e));
      }
    })();
  }
  drainTaps(session, taps);
  session.onStop(() => {
    finalDrops(session, taps);
    for (const t of taps) t.tap.close();
  });
}

export async function runWatch(o: WatchOptions): Promise<number> {
  if (o.bind.length === 0) throw new UsageError('watch needs at least one --bind ADDR:PORT (e.g. --bind 127.0.0.1:30041)');
  const eps = parseBindSpecs(o.bind);
  const session = new Session(sessionOptions('watch', o));
  const taps = await openTaps(eps, { ...o, warn: (l) => session.out.warn(l) });
  try {
    await session.start();
  } catch (e) {
    for (const t of taps) t.tap.close();
    throw e;
  }
  attachTaps(session, taps);
  session.listening({ sockets: taps.map((t) => t.json) }, `disptap watch: listening on ${taps.map((t) => t.label).join(', ')} (Ctrl-C for the summary)`);
  return session.done;
}
