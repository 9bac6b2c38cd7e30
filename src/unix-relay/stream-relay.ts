// A byte-exact tap on the historic dispatcher's unix stream socket: applications connect to the
// listen path, each gets its own connection to the dispatcher's socket, and every chunk is written
// on unchanged before it is decoded (decoding never delays, alters or drops a byte). Half-closes
// are mirrored and a closed side closes the other, so both ends see what they would see without
// the tap.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import { DispatcherStreamDecoder, type DispatcherEvent } from '../decode/dispatcher-framing.js';
import { invalidArg } from '../sys/errors.js';

/** Which side wrote the bytes: the decoder's direction names. */
export type StreamDirection = 'app-to-dispatcher' | 'dispatcher-to-app';

/** Bytes and frames per direction of one connection. */
export interface DirectionCounts {
  appToDispatcher: number;
  dispatcherToApp: number;
}

/** One application connection through the relay. */
export interface RelayConnection {
  /** 1-based, in accept order. */
  readonly id: number;
  readonly bytes: DirectionCounts;
  readonly frames: DirectionCounts;
}

/** What {@link UnixStreamRelay} emits for each decoded event of a direction. */
export interface RelayFrameEvent {
  connection: RelayConnection;
  direction: StreamDirection;
  event: DispatcherEvent;
  /** Clock reading when the chunk that completed the frame was read. */
  readAtNs: bigint;
}

/** Options of {@link UnixStreamRelay}. */
export interface UnixStreamRelayOptions {
  /** The dispatcher's socket (or its moved-aside name during a takeover). */
  targetPath: string;
  /** Read-time clock, bigint ns (CLOCK_REALTIME in the CLI). */
  now: () => bigint;
  /** Frames longer than this are taken as corruption by the decoder. Default 64 KiB. */
  maxPayloadLength?: number;
}

interface Side {
  socket: net.Socket;
  decoder: DispatcherStreamDecoder;
  direction: StreamDirection;
}

/** Events: 'frame' (RelayFrameEvent), 'open' (conn), 'close' (conn, reason), 'upstream-error' (conn, err), 'error' (err). */
export class UnixStreamRelay extends EventEmitter {
  private readonly server: net.Server;
  private readonly conns = new Set<net.Socket>();
  private nextId = 1;
  private closing = false;
  private listening = false;
  /** Bytes relayed in each direction over all connections. */
  readonly bytes: DirectionCounts = { appToDispatcher: 0, dispatcherToApp: 0 };

  constructor(private readonly o: UnixStreamRelayOptions) {
    super();
    // Checked here, not at the first connection, where a bad option would only close applications.
    if (o === null || typeof o !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'UnixStreamRelay: options must be an object');
    if (typeof o.targetPath !== 'string' || o.targetPath === '') throw invalidArg('ERR_INVALID_ARG_TYPE', 'UnixStreamRelay: targetPath must be a non-empty path string');
    if (typeof o.now !== 'function') throw invalidArg('ERR_INVALID_ARG_TYPE', 'UnixStreamRelay: now must be a function returning bigint ns (e.g. clock.realtimeNs)');
    if (o.maxPayloadLength !== undefined && (!Number.isInteger(o.maxPayloadLength) || o.maxPayloadLength < 1)) {
      throw invalidArg('ERR_OUT_OF_RANGE', `UnixStreamRelay: maxPayloadLength must be a positive integer, got ${String(o.maxPayloadLength)}`, RangeError);
    }
    // allowHalfOpen: an application's shutdown(SHUT_WR) reaches the dispatcher as just that.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (app) => this.accept(app));
    // listen() reports its own errors; later ones go to 'error' listeners, if any.
    this.server.on('error', (e) => {
      if (this.listening && this.listenerCount('error')) this.emit('error', e);
    });
  }

  /** Connections accepted so far. */
  get accepted(): number {
    return this.nextId - 1;
  }

  /** Connections open now. */
  get open(): number {
    return this.conns.size;
  }

  /** Listens on `path`; a stale socket there (nobody accepting) is replaced, anything else is EADDRINUSE. */
  async listen(path: string, opts: { replaceStale?: boolean } = {}): Promise<void> {
    if (typeof path !== 'string' || path === '') throw invalidArg('ERR_INVALID_ARG_TYPE', 'UnixStreamRelay.listen: path must be a non-empty string');
    if (opts.replaceStale !== false) await removeStaleSocket(path);
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(path, () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve();
      });
    });
  }

  /** Stops accepting and closes every connection (both sides). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const done = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.conns) s.destroy();
    await done;
  }

  private accept(app: net.Socket): void {
    if (this.closing) {
      app.destroy();
      return;
    }
    const conn: RelayConnection = { id: this.nextId++, bytes: { appToDispatcher: 0, dispatcherToApp: 0 }, frames: { appToDispatcher: 0, dispatcherToApp: 0 } };
    const disp = net.createConnection({ path: this.o.targetPath, allowHalfOpen: true });
    this.conns.add(app);
    this.conns.add(disp);
    let upstreamOk = false;
    let closedFirst: string | undefined;
    const decoder = (direction: StreamDirection) => new DispatcherStreamDecoder({ direction, ...(this.o.maxPayloadLength ? { maxPayloadLength: this.o.maxPayloadLength } : {}) });
    const a: Side = { socket: app, decoder: decoder('app-to-dispatcher'), direction: 'app-to-dispatcher' };
    const d: Side = { socket: disp, decoder: decoder('dispatcher-to-app'), direction: 'dispatcher-to-app' };
    disp.once('connect', () => {
      upstreamOk = true;
      this.emit('open', conn);
      app.resume();
    });
    disp.on('error', (e) => {
      // Without the tap the application's connect() would have failed; the nearest thing now is
      // to close its connection at once.
      if (!upstreamOk) this.emit('upstream-error', conn, e);
    });
    app.on('error', () => {
      /* reported as the close reason */
    });
    this.pipe(conn, a, d);
    this.pipe(conn, d, a);
    let closed = 0;
    const onClose = (who: string) => (hadError: boolean) => {
      closedFirst ??= hadError ? `${who} reset` : `${who} closed`;
      this.conns.delete(who === 'application' ? app : disp);
      if (++closed === 2) {
        for (const s of [a, d]) this.report(conn, s, s.decoder.end(), this.o.now());
        if (upstreamOk) this.emit('close', conn, closedFirst);
      }
    };
    app.on('close', onClose('application'));
    disp.on('close', onClose('dispatcher'));
  }

  private pipe(conn: RelayConnection, from: Side, to: Side): void {
    const key = from.direction === 'app-to-dispatcher' ? 'appToDispatcher' : 'dispatcherToApp';
    from.socket.on('data', (chunk: Buffer) => {
      const readAt = this.o.now();
      conn.bytes[key] += chunk.length;
      this.bytes[key] += chunk.length;
      // Forward first: the decoder only looks at what has already gone on.
      if (!to.socket.destroyed && !to.socket.write(chunk)) from.socket.pause();
      this.report(conn, from, from.decoder.push(chunk), readAt);
    });
    to.socket.on('drain', () => from.socket.resume());
    from.socket.on('end', () => {
      if (!to.socket.destroyed) to.socket.end();
    });
    from.socket.on('close', (hadError) => {
      // The other side is closed as it would be without the tap: pending bytes first, unless
      // this side was reset.
      if (to.socket.destroyed) return;
      // (Unix sockets have no RST: a reset side is simply closed.)
      if (hadError) to.socket.destroy();
      else to.socket.destroySoon();
    });
  }

  private report(conn: RelayConnection, side: Side, events: DispatcherEvent[], readAtNs: bigint): void {
    const key = side.direction === 'app-to-dispatcher' ? 'appToDispatcher' : 'dispatcherToApp';
    for (const event of events) {
      if (event.kind === 'frame') conn.frames[key]++;
      const ev: RelayFrameEvent = { connection: conn, direction: side.direction, event, readAtNs };
      this.emit('frame', ev);
    }
  }
}

/** Unlinks `path` if it is a unix socket nobody accepts on (left by a killed process). */
export async function removeStaleSocket(path: string): Promise<boolean> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return false;
  }
  if (!st.isSocket()) return false;
  if ((await socketAccepts(path)) !== 'refused') return false;
  fs.unlinkSync(path);
  return true;
}

/**
 * Whether a stream socket listens under the name `path`, from /proc/net/unix (no test connect: a
 * dispatcher would log a connection that never registers). Undefined when /proc cannot tell.
 */
export function listeningOn(path: string): boolean | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/proc/net/unix', 'latin1');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path; Flags 0x10000 = __SO_ACCEPTCON (listening)
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f.slice(7).join(' ') === path && (parseInt(f[3]!, 16) & 0x10000) !== 0 && f[4] === '0001') return true;
  }
  return false;
}

/** Whether someone accepts connections on the unix socket `path`: a test connect, closed at once. */
function socketAccepts(path: string): Promise<'accepts' | 'refused' | 'missing' | 'error'> {
  return new Promise((resolve) => {
    const c = net.createConnection({ path });
    c.once('connect', () => {
      c.destroy();
      resolve('accepts');
    });
    c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ENOENT' ? 'missing' : 'error'));
  });
}
