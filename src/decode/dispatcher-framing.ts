/**
 * The historic SCION dispatcher ⇄ application unix stream socket ("reliable" framing, removed
 * upstream in 2024): cookie, address type, BE u32 length, optional next/previous-hop address and
 * port, then a SCION packet, a registration request, or a registration confirmation.
 * DispatcherStreamDecoder re-assembles frames from arbitrary chunks and resynchronises on the
 * cookie after garbage.
 */

import ipaddr from '../sys/ipaddr.js';
import { asBytes, copy, u16, u32, ByteWriter, type BytesLike } from './bytes.js';
import { decodeError, EncodeError, type DecodeError } from './errors.js';
import { formatIPv4, formatIPv6, svcName } from './scion/address.js';
import { decodeScion, type ScionDecodeResult } from './scion/decode.js';
import { readIA, writeIA, type IA, type IAInput } from './scion/ia.js';

/** The 8 bytes that open every frame on the dispatcher's unix socket (0xdeadbeef interleaved with 0x00-0x03). */
export const DISPATCHER_COOKIE: Readonly<Uint8Array> = Uint8Array.from([0xde, 0x00, 0xad, 0x01, 0xbe, 0x02, 0xef, 0x03]);
export const FRAME_HEADER_LEN = 13;
/** Go's ReadPacketizer buffer is 64 KiB: no real frame payload is larger. */
export const DEFAULT_MAX_FRAME_PAYLOAD = 1 << 16;

const ADDRESS_TYPES = ['NONE', 'IPv4', 'IPv6'] as const;
export type FrameAddressTypeName = (typeof ADDRESS_TYPES)[number];
const ADDRESS_LEN = [0, 4, 16] as const;

/** Scion Time fork: timestamp mode requested through the registration's SVC field. */
export const SCION_TIME_MODES = {
  0x4242: 'RxKernel',
  0x4243: 'RxKernelHw',
  0x4244: 'TxKernelRxKernel',
  0x4245: 'TxKernelHwRxKernelHw',
} as const;
/** A Scion Time timestamp mode name ({@link SCION_TIME_MODES}). */
export type ScionTimeModeName = (typeof SCION_TIME_MODES)[keyof typeof SCION_TIME_MODES];

/** A Scion Time timestamp mode asked for in a registration's SVC field, decoded. */
export interface ScionTimeMode {
  value: number;
  name: ScionTimeModeName;
  /** TX timestamps requested too. */
  tx: boolean;
  /** Hardware timestamps requested. */
  hardware: boolean;
}

/** The Scion Time timestamp mode an SVC value asks for; `undefined` for any other value. */
export function scionTimeMode(value: number): ScionTimeMode | undefined {
  const name = (SCION_TIME_MODES as Readonly<Record<number, ScionTimeModeName>>)[value];
  if (!name) return undefined;
  return { value, name, tx: name.startsWith('Tx'), hardware: name.includes('Hw') };
}

/** An underlay host address in a frame or registration. */
export interface FrameHostAddress {
  type: 'IPv4' | 'IPv6';
  ip: string;
}

/** A decoded registration request: the first app→dispatcher frame, binding an IA, address and port. */
export interface Registration {
  ok: true;
  command: number;
  /** Command bit 0x02. */
  scmp: boolean;
  /** Command bit 0x04. */
  bindPresent: boolean;
  l4Protocol: number;
  ia: IA;
  /** 0 = let the dispatcher choose. */
  publicPort: number;
  publicAddress: FrameHostAddress;
  bind?: { port: number; address: FrameHostAddress };
  /** The trailing SVC value; with the Scion Time fork, 0x4242-0x4245 request timestamps instead. */
  svc?: { value: number; name: string; timestampMode?: ScionTimeMode };
}

/** {@link decodeRegistration}'s result: the registration, or the fault that stopped it. */
export type RegistrationDecodeResult = Registration | { ok: false; error: DecodeError };

/** What a frame's payload was decoded as: a SCION packet, a registration, or a port confirmation. */
export type FrameContent =
  | { kind: 'scion'; packet: ScionDecodeResult }
  | { kind: 'registration'; registration: RegistrationDecodeResult }
  | { kind: 'confirmation'; port: number };

/** One frame of the dispatcher's unix-socket framing: cookie, address type, length, underlay hop, payload. */
export interface DispatcherFrame {
  addressType: number;
  addressTypeName: FrameAddressTypeName;
  /** Payload length field. */
  length: number;
  /** App→dispatcher: underlay next hop; dispatcher→app: underlay previous hop. */
  address?: string;
  port?: number;
  /** Whole frame, header included. */
  frameLength: number;
  payload: Uint8Array;
  content: FrameContent;
}

/** Which side wrote a stream; `unknown` guesses registration vs confirmation from the content. */
export type FrameDirection = 'app-to-dispatcher' | 'dispatcher-to-app' | 'unknown';

/** What a {@link DispatcherStreamDecoder} reports: a frame, skipped garbage, or an unfinished frame at end of stream. */
export type DispatcherEvent =
  | { layer: 'dispatcher'; kind: 'frame'; offset: number; frame: DispatcherFrame }
  | {
      layer: 'dispatcher';
      kind: 'skipped';
      /** Stream offset of the first skipped byte. */
      offset: number;
      length: number;
      /** The first skipped bytes (up to `previewBytes`). */
      preview: Uint8Array;
      /** Why skipping started. */
      error: DecodeError;
    }
  | { layer: 'dispatcher'; kind: 'incomplete'; offset: number; length: number; error: DecodeError };

function readHost(type: 1 | 2, d: Uint8Array, o: number): FrameHostAddress {
  return type === 1 ? { type: 'IPv4', ip: formatIPv4(d.subarray(o, o + 4)) } : { type: 'IPv6', ip: formatIPv6(d.subarray(o, o + 16)) };
}

/** Decode a registration request payload (the first app→dispatcher frame). */
export function decodeRegistration(input: BytesLike): RegistrationDecodeResult {
  const d = asBytes(input);
  if (!d) return { ok: false, error: decodeError('INVALID_INPUT', 'expected a Uint8Array or ArrayBuffer', 0) };
  if (d.length < 13) return { ok: false, error: decodeError('TRUNCATED', `registration needs at least 13 bytes, got ${d.length}`, 0) };
  const command = d[0]!;
  if ((command & 0x01) === 0 || (command & ~0x07) !== 0) {
    return { ok: false, error: decodeError('BAD_REGISTRATION', `command byte 0x${command.toString(16)} is not a registration`, 0) };
  }
  const type = d[12]!;
  if (type !== 1 && type !== 2) return { ok: false, error: decodeError('BAD_ADDRESS_TYPE', `public address type ${type}, expected 1 (IPv4) or 2 (IPv6)`, 12) };
  let p = 13 + ADDRESS_LEN[type];
  if (d.length < p) return { ok: false, error: decodeError('TRUNCATED', 'public address incomplete', 13) };
  const reg: Registration = {
    ok: true,
    command,
    scmp: (command & 0x02) !== 0,
    bindPresent: (command & 0x04) !== 0,
    l4Protocol: d[1]!,
    ia: readIA(d, 2),
    publicPort: u16(d, 10),
    publicAddress: readHost(type, d, 13),
  };
  if (reg.bindPresent) {
    if (d.length < p + 3) return { ok: false, error: decodeError('TRUNCATED', 'bind address header incomplete', p) };
    const port = u16(d, p);
    const bt = d[p + 2]!;
    if (bt !== 1 && bt !== 2) return { ok: false, error: decodeError('BAD_ADDRESS_TYPE', `bind address type ${bt}, expected 1 or 2`, p + 2) };
    if (d.length < p + 3 + ADDRESS_LEN[bt]) return { ok: false, error: decodeError('TRUNCATED', 'bind address incomplete', p + 3) };
    reg.bind = { port, address: readHost(bt, d, p + 3) };
    p += 3 + ADDRESS_LEN[bt];
  }
  const rest = d.length - p;
  if (rest === 2) {
    const value = u16(d, p);
    const mode = scionTimeMode(value);
    reg.svc = mode ? { value, name: mode.name, timestampMode: mode } : { value, name: svcName(value) };
  } else if (rest !== 0) {
    return { ok: false, error: decodeError('BAD_REGISTRATION', `${rest} bytes after the addresses (only a 2-byte SVC may follow)`, p) };
  }
  return reg;
}

function looksLikeRegistrationStart(p: Uint8Array): boolean {
  return p.length >= 13 && (p[0]! & 0x01) === 1 && (p[0]! & ~0x07) === 0;
}

function classifyContent(payload: Uint8Array, addressType: number, direction: FrameDirection): FrameContent {
  if (addressType === 0) {
    if (payload.length === 2 && direction !== 'app-to-dispatcher') return { kind: 'confirmation', port: u16(payload, 0) };
    if (direction !== 'dispatcher-to-app') {
      const registration = decodeRegistration(payload);
      if (registration.ok || (direction === 'app-to-dispatcher' && looksLikeRegistrationStart(payload))) {
        return { kind: 'registration', registration };
      }
    }
  }
  // Frames with an address, and the fork's TX-timestamp echoes (type NONE), carry SCION packets.
  return { kind: 'scion', packet: decodeScion(payload) };
}

/** Decode one frame at d[o]; the caller has checked cookie, type, and that the bytes are there. */
function frameAt(d: Uint8Array, o: number, addressType: 0 | 1 | 2, length: number, direction: FrameDirection): DispatcherFrame {
  const addrLen = ADDRESS_LEN[addressType];
  const hdr = FRAME_HEADER_LEN + addrLen + (addressType ? 2 : 0);
  const payload = copy(d, o + hdr, o + hdr + length);
  const frame: DispatcherFrame = {
    addressType,
    addressTypeName: ADDRESS_TYPES[addressType],
    length,
    frameLength: hdr + length,
    payload,
    content: classifyContent(payload, addressType, direction),
  };
  if (addressType !== 0) {
    frame.address = readHost(addressType, d, o + FRAME_HEADER_LEN).ip;
    frame.port = u16(d, o + FRAME_HEADER_LEN + addrLen);
  }
  return frame;
}

/** Options of the dispatcher stream decoder; all optional. */
export interface DispatcherStreamOptions {
  /** Which side wrote the stream; decides registration vs confirmation on ambiguous frames. */
  direction?: FrameDirection;
  /** Larger length fields are treated as corruption and resynchronised. Default 64 KiB. */
  maxPayloadLength?: number;
  /** Bytes of skipped garbage to keep in 'skipped' events. Default 64. */
  previewBytes?: number;
}

/** {@link decodeDispatcherFrame}'s result: the frame, or the fault that stopped it. */
export type FrameDecodeResult = { ok: true; frame: DispatcherFrame } | { ok: false; error: DecodeError };

/** Decode exactly one complete frame. */
export function decodeDispatcherFrame(input: BytesLike, options: DispatcherStreamOptions = {}): FrameDecodeResult {
  const d = asBytes(input);
  if (!d) return { ok: false, error: decodeError('INVALID_INPUT', 'expected a Uint8Array or ArrayBuffer', 0) };
  const dec = new DispatcherStreamDecoder(options);
  const events = [...dec.push(d), ...dec.end()];
  const first = events[0];
  if (first?.kind === 'frame' && events.length === 1) return { ok: true, frame: first.frame };
  if (first === undefined) return { ok: false, error: decodeError('TRUNCATED', 'empty input', 0) };
  if (first.kind !== 'frame') return { ok: false, error: first.error };
  return { ok: false, error: decodeError('BAD_LENGTH', `${d.length - first.frame.frameLength} bytes after the frame`, first.frame.frameLength) };
}

/** Incremental decoder of a captured dispatcher unix-socket stream: `push()` chunks as they come, `end()` at the end; resynchronises on garbage. */
export class DispatcherStreamDecoder {
  private buf = new Uint8Array(4096);
  private head = 0;
  private tail = 0;
  /** Stream offset of buf[head]. */
  private base = 0;
  private skip: { offset: number; length: number; preview: number[]; error: DecodeError } | undefined;
  private readonly direction: FrameDirection;
  private readonly maxPayload: number;
  private readonly previewBytes: number;

  constructor(options: DispatcherStreamOptions = {}) {
    this.direction = options.direction ?? 'unknown';
    this.maxPayload = options.maxPayloadLength ?? DEFAULT_MAX_FRAME_PAYLOAD;
    this.previewBytes = options.previewBytes ?? 64;
  }

  /** Stream bytes consumed so far (frames and skipped garbage). */
  get offset(): number {
    return this.base;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.tail - this.head;
  }

  /** Feed the next chunk; returns the frames completed and garbage skipped by it. */
  push(chunk: BytesLike): DispatcherEvent[] {
    const c = asBytes(chunk);
    if (!c || c.length === 0) return [];
    this.append(c);
    return this.drain();
  }

  /** End of stream: reports skipped garbage and an unfinished frame, then resets. */
  end(): DispatcherEvent[] {
    const events: DispatcherEvent[] = [];
    const avail = this.tail - this.head;
    this.flushSkip(events);
    if (avail > 0) {
      const d = this.buf;
      let msg = `stream ended with ${avail} of the 13 frame header bytes`;
      if (avail >= FRAME_HEADER_LEN) {
        // drain() only waits on a header whose type and length it accepted.
        const t = d[this.head + 8]! as 0 | 1 | 2;
        const total = FRAME_HEADER_LEN + ADDRESS_LEN[t] + (t ? 2 : 0) + u32(d, this.head + 9);
        msg = `stream ended with ${avail} of the frame's ${total} bytes`;
      }
      events.push({ layer: 'dispatcher', kind: 'incomplete', offset: this.base, length: avail, error: decodeError('TRUNCATED', msg, this.base) });
      this.base += avail;
    }
    this.head = this.tail = 0;
    return events;
  }

  private append(c: Uint8Array): void {
    const avail = this.tail - this.head;
    if (this.tail + c.length > this.buf.length) {
      if (avail + c.length <= this.buf.length && this.head > 0) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, avail + c.length));
        next.set(this.buf.subarray(this.head, this.tail));
        this.buf = next;
      }
      this.head = 0;
      this.tail = avail;
    }
    this.buf.set(c, this.tail);
    this.tail += c.length;
  }

  private consume(n: number): void {
    this.head += n;
    this.base += n;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  private skipBytes(n: number, error: DecodeError): void {
    if (!this.skip) this.skip = { offset: this.base, length: 0, preview: [], error };
    const room = this.previewBytes - this.skip.preview.length;
    for (let i = 0; i < Math.min(room, n); i++) this.skip.preview.push(this.buf[this.head + i]!);
    this.skip.length += n;
    this.consume(n);
  }

  private flushSkip(events: DispatcherEvent[]): void {
    if (!this.skip) return;
    const s = this.skip;
    events.push({ layer: 'dispatcher', kind: 'skipped', offset: s.offset, length: s.length, preview: Uint8Array.from(s.preview), error: s.error });
    this.skip = undefined;
  }

  /** True when buf[i..] starts with the cookie, or with a prefix of it that reaches the end. */
  private cookieAt(i: number): boolean {
    const n = Math.min(8, this.tail - i);
    for (let k = 0; k < n; k++) if (this.buf[i + k] !== DISPATCHER_COOKIE[k]) return false;
    return true;
  }

  private drain(): DispatcherEvent[] {
    const events: DispatcherEvent[] = [];
    const d = this.buf;
    for (;;) {
      const s = this.head;
      const avail = this.tail - s;
      if (avail === 0) break;
      if (!this.cookieAt(s)) {
        let next = s + 1;
        while (next < this.tail && !this.cookieAt(next)) next++;
        this.skipBytes(next - s, decodeError('BAD_COOKIE', 'bytes without the frame cookie de00ad01be02ef03', this.base));
        continue;
      }
      this.flushSkip(events);
      if (avail < FRAME_HEADER_LEN) break;
      const type = d[s + 8]!;
      if (type > 2) {
        this.skipBytes(1, decodeError('BAD_ADDRESS_TYPE', `frame address type ${type} (0 NONE, 1 IPv4, 2 IPv6 allowed)`, this.base + 8));
        continue;
      }
      const length = u32(d, s + 9);
      if (length > this.maxPayload) {
        // The 2017 C dispatcher wrote lengths little-endian; say so when that reading is sane.
        const le = d[s + 9]! + d[s + 10]! * 0x100 + d[s + 11]! * 0x10000 + d[s + 12]! * 0x1000000;
        const hint = le <= this.maxPayload ? ` (read little-endian it would be ${le}: legacy 2017 framing?)` : '';
        this.skipBytes(1, decodeError('BAD_LENGTH', `frame length ${length} exceeds ${this.maxPayload}${hint}`, this.base + 9));
        continue;
      }
      const hdr = FRAME_HEADER_LEN + ADDRESS_LEN[type as 0 | 1 | 2] + (type ? 2 : 0);
      if (avail < hdr + length) break;
      events.push({ layer: 'dispatcher', kind: 'frame', offset: this.base, frame: frameAt(d, s, type as 0 | 1 | 2, length, this.direction) });
      this.consume(hdr + length);
    }
    return events;
  }
}

/** Decode a whole captured stream (all chunks, then end of stream). */
export function decodeDispatcherStream(chunks: Iterable<BytesLike>, options: DispatcherStreamOptions = {}): DispatcherEvent[] {
  const dec = new DispatcherStreamDecoder(options);
  const events: DispatcherEvent[] = [];
  for (const c of chunks) events.push(...dec.push(c));
  events.push(...dec.end());
  return events;
}

function hostBytes(ip: string, field: string): { type: 1 | 2; raw: Uint8Array } {
  if (!ipaddr.isValid(ip)) throw new EncodeError(`${field}: not an IP address: ${JSON.stringify(ip)}`);
  const a = ipaddr.parse(ip);
  return { type: a.kind() === 'ipv4' ? 1 : 2, raw: Uint8Array.from(a.toByteArray()) };
}

/** What {@link encodeDispatcherFrame} frames. */
export interface DispatcherFrameInput {
  /** Next hop (app→dispatcher) or previous hop (dispatcher→app); omit for type NONE. */
  address?: string;
  port?: number;
  payload: Uint8Array;
}

/** One dispatcher frame around `payload` (address type NONE when `address` is absent); throws an EncodeError on bad input. */
export function encodeDispatcherFrame(f: DispatcherFrameInput): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.from(DISPATCHER_COOKIE));
  if (f.address === undefined) {
    w.u8(0).u32(f.payload.length, 'payload.length');
  } else {
    const h = hostBytes(f.address, 'address');
    w.u8(h.type).u32(f.payload.length, 'payload.length').bytes(h.raw).u16(f.port ?? 0, 'port');
  }
  return w.bytes(f.payload, 'payload').finish();
}

/** What {@link encodeRegistration} encodes; `ia` and `publicAddress` are required. */
export interface RegistrationInput {
  ia: IAInput;
  publicAddress: string;
  /** Default 0 (dispatcher chooses). */
  publicPort?: number;
  /** Default true (command 0x03, as the Go client sends). */
  scmp?: boolean;
  /** Default 17. */
  l4Protocol?: number;
  bind?: { address: string; port: number };
  /** SVC value, or a Scion Time timestamp mode name. */
  svc?: number | ScionTimeModeName;
}

/** A registration request as the Go client sends it; throws an EncodeError on bad input. */
export function encodeRegistration(r: RegistrationInput): Uint8Array {
  const w = new ByteWriter();
  const pub = hostBytes(r.publicAddress, 'publicAddress');
  w.u8(0x01 | (r.scmp === false ? 0 : 0x02) | (r.bind ? 0x04 : 0)).u8(r.l4Protocol ?? 17, 'l4Protocol');
  writeIA(w, r.ia, 'ia');
  w.u16(r.publicPort ?? 0, 'publicPort').u8(pub.type).bytes(pub.raw);
  if (r.bind) {
    const b = hostBytes(r.bind.address, 'bind.address');
    w.u16(r.bind.port, 'bind.port').u8(b.type).bytes(b.raw);
  }
  if (r.svc !== undefined) {
    let svc = r.svc;
    if (typeof svc === 'string') {
      const entry = Object.entries(SCION_TIME_MODES).find(([, n]) => n === svc);
      if (!entry) throw new EncodeError(`svc: unknown timestamp mode ${JSON.stringify(svc)}`);
      svc = Number(entry[0]);
    }
    w.u16(svc, 'svc');
  }
  return w.finish();
}

/** The dispatcher's answer to a registration: the assigned port, 2 bytes big-endian. */
export function encodeConfirmation(port: number): Uint8Array {
  return new ByteWriter().u16(port, 'port').finish();
}
