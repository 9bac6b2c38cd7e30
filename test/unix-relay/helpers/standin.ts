// A stand-in dispatcher and application for the unix-socket relay tests, written from
// ../shared/notes/scion-wire.md (§1.4 and the Scion Time trailer table), not from disptap's
// encoder: frames are cookie ‖ type ‖ BE u32 length ‖ address ‖ BE port ‖ payload; the
// registration is command ‖ l4 ‖ IA ‖ port ‖ type ‖ address [‖ bind] [‖ SVC]; the confirmation
// a BE u16 port; the trailer 52 bytes little-endian after the SCION packet.
import net from 'node:net';
import { afterEach } from 'vitest';

export const COOKIE = Buffer.from('de00ad01be02ef03', 'hex');

function ipBytes(ip: string): { type: 1 | 2; raw: Buffer } {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    const raw = Buffer.alloc(16);
    groups.forEach((g, i) => raw.writeUInt16BE(parseInt(g || '0', 16), i * 2));
    return { type: 2, raw };
  }
  return { type: 1, raw: Buffer.from(ip.split('.').map(Number)) };
}

/** One frame; no address = type NONE. */
export function frame(payload: Uint8Array, address?: string, port = 0): Buffer {
  const hdr = Buffer.alloc(13);
  COOKIE.copy(hdr, 0);
  hdr.writeUInt32BE(payload.length, 9);
  if (address === undefined) return Buffer.concat([hdr, Buffer.from(payload)]);
  const a = ipBytes(address);
  hdr[8] = a.type;
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return Buffer.concat([hdr, a.raw, p, Buffer.from(payload)]);
}

/** ISD-AS as u64: 16-bit ISD ‖ 48-bit AS. */
function ia(isd: number, as: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE((BigInt(isd) << 48n) | as);
  return b;
}

export interface RegistrationSpec {
  isd?: number;
  as?: bigint;
  address: string;
  port?: number;
  scmp?: boolean;
  bind?: { address: string; port: number };
  svc?: number;
}

export function registration(r: RegistrationSpec): Buffer {
  const pub = ipBytes(r.address);
  const head = Buffer.alloc(13);
  head[0] = 0x01 | (r.scmp === false ? 0 : 0x02) | (r.bind ? 0x04 : 0);
  head[1] = 17;
  ia(r.isd ?? 1, r.as ?? 0xff00_0000_0110n).copy(head, 2);
  head.writeUInt16BE(r.port ?? 0, 10);
  head[12] = pub.type;
  const parts = [head, pub.raw];
  if (r.bind) {
    const b = ipBytes(r.bind.address);
    const bh = Buffer.alloc(3);
    bh.writeUInt16BE(r.bind.port, 0);
    bh[2] = b.type;
    parts.push(bh, b.raw);
  }
  if (r.svc !== undefined) {
    const s = Buffer.alloc(2);
    s.writeUInt16BE(r.svc);
    parts.push(s);
  }
  return Buffer.concat(parts);
}

export function confirmation(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port);
  return b;
}

/** The 52-byte Scion Time trailer, little-endian. */
export function trailer(t: { kernelNs: bigint; hardwareNs?: bigint; interfaceId?: number; pktLengthL2?: number; ifindex?: number; specDst?: string; addr?: string }): Buffer {
  const b = Buffer.alloc(52);
  b.writeBigUInt64LE(t.kernelNs / 1_000_000_000n, 0);
  b.writeBigUInt64LE(t.kernelNs % 1_000_000_000n, 8);
  const hw = t.hardwareNs ?? 0n;
  b.writeBigUInt64LE(hw / 1_000_000_000n, 16);
  b.writeBigUInt64LE(hw % 1_000_000_000n, 24);
  b.writeUInt32LE(t.interfaceId ?? 0, 32);
  b.writeUInt32LE(t.pktLengthL2 ?? 0, 36);
  b.writeInt32LE(t.ifindex ?? 0, 40);
  Buffer.from((t.specDst ?? '0.0.0.0').split('.').map(Number)).copy(b, 44);
  Buffer.from((t.addr ?? '0.0.0.0').split('.').map(Number)).copy(b, 48);
  return b;
}

/** Splits a frame stream at the frame boundaries (the stand-in's own minimal reader). */
export function splitFrames(buf: Buffer): { frames: Array<{ type: number; address?: Buffer; port?: number; payload: Buffer }>; rest: Buffer } {
  const frames = [];
  let o = 0;
  for (;;) {
    if (buf.length - o < 13) break;
    const type = buf[o + 8]!;
    const len = buf.readUInt32BE(o + 9);
    const alen = type === 1 ? 4 : type === 2 ? 16 : 0;
    const hdr = 13 + alen + (alen ? 2 : 0);
    if (buf.length - o < hdr + len) break;
    const f: { type: number; address?: Buffer; port?: number; payload: Buffer } = { type, payload: buf.subarray(o + hdr, o + hdr + len) };
    if (alen) {
      f.address = buf.subarray(o + 13, o + 13 + alen);
      f.port = buf.readUInt16BE(o + 13 + alen);
    }
    frames.push(f);
    o += hdr + len;
  }
  return { frames, rest: buf.subarray(o) };
}

/** Bytes a socket received, with waiting. */
export class Collector {
  chunks: Buffer[] = [];
  ended = false;
  closed = false;
  private waiters: Array<() => void> = [];
  constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get length(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  until(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what} (have ${this.length} B, ended ${this.ended}, closed ${this.closed})`)), timeoutMs);
      const check = () => {
        if (pred()) {
          clearTimeout(t);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
  waitBytes(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.length >= n, timeoutMs, `${n} bytes`);
  }
  waitClosed(timeoutMs?: number): Promise<void> {
    return this.until(() => this.closed || this.ended, timeoutMs, 'close');
  }
}

/**
 * The dispatcher: accepts applications, answers a registration with a confirmation (the asked
 * port, or 40000 + n) when `confirm` is on, and keeps what each connection sent.
 */
export class StandInDispatcher {
  readonly server: net.Server;
  readonly conns: Collector[] = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly opts: { confirm?: boolean } = {}) {
    this.server = net.createServer({ allowHalfOpen: true }, (s) => {
      const c = new Collector(s);
      this.conns.push(c);
      if (this.opts.confirm) {
        let answered = false;
        s.on('data', () => {
          if (answered) return;
          const { frames } = splitFrames(c.bytes);
          const reg = frames[0];
          if (!reg) return;
          answered = true;
          const asked = reg.payload.readUInt16BE(10);
          s.write(frame(confirmation(asked || 40000 + this.conns.length)));
        });
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => resolve());
    });
  }
  waitConnections(n: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} dispatcher connections (have ${this.conns.length})`)), timeoutMs);
      const check = () => {
        if (this.conns.length >= n) {
          clearTimeout(t);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
  /** Closes every connection and stops listening (the dispatcher going away). */
  close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const live: Array<net.Socket | net.Server> = [];
afterEach(() => {
  for (const s of live.splice(0)) {
    if (s instanceof net.Socket) s.destroy();
    else s.close();
  }
});

/** Tracks a server or socket so that it is closed after the test whatever happened. */
export function track<T extends net.Socket | net.Server>(s: T): T {
  live.push(s);
  return s;
}

/** An application connecting to `path`. */
export function connectApp(path: string): Promise<Collector> {
  return new Promise((resolve, reject) => {
    const s = track(net.createConnection({ path, allowHalfOpen: true }));
    const c = new Collector(s);
    s.once('connect', () => resolve(c));
    s.once('error', reject);
  });
}
