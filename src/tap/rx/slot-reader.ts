// Turns one slot of the native struct-of-arrays layout into the public objects.
import { Buffer } from 'node:buffer';
import { formatAddress } from '../../sys/address.js';
import { MSG_CTRUNC, MSG_TRUNC } from '../../sys/constants.js';
import { ifNameOf } from '../../netif/ifname-cache.js';
import { ADDR, ADDR_STRIDE, I32, I64, PRESENT } from './layout.js';
import type { ExtendedError, RxMessage, RxMeta, RxTimestamps } from './rx-types.js';

/** Field-major arrays of `cap` slots, as the native side writes them. */
export interface SlotArrays {
  cap: number;
  i32: Int32Array;
  i64: BigInt64Array;
  addr: Uint8Array;
}

const f32 = (a: SlotArrays, f: number, i: number): number => a.i32[f * a.cap + i]!;

/** The last IPv4 address text made from one field, and the address it was made from. */
class LastText {
  key = -1;
  text = '';

  of(family: 4 | 6, b: Uint8Array, off: number): string {
    if (family === 6) return formatAddress(6, b, off);
    const key = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
    if (key !== this.key) {
      this.key = key;
      this.text = formatAddress(4, b, off);
    }
    return this.text;
  }
}

/**
 * The last IPv4 source and destination texts an arena produced: consecutive datagrams mostly share
 * them, so the string is reused. One per arena (never shared between taps).
 */
export class AddressTexts {
  readonly src = new LastText();
  readonly dst = new LastText();
}

/** Slot arrays that messages are read from. */
export interface MessageSlots extends SlotArrays {
  readonly texts: AddressTexts;
}

const f64 = (a: SlotArrays, f: number, i: number): bigint => a.i64[f * a.cap + i]!;

export function timestampsAt(a: SlotArrays, i: number): RxTimestamps {
  const p = f32(a, I32.present, i);
  const ts: RxTimestamps = {};
  if (p & PRESENT.softwareTs) ts.software = f64(a, I64.software, i);
  else if (p & PRESENT.timestampNs) ts.software = f64(a, I64.timestampNs, i);
  else if (p & PRESENT.timestampUs) ts.software = f64(a, I64.timestampUs, i);
  if (p & PRESENT.hardwareTs) ts.hardware = f64(a, I64.hardware, i);
  return ts;
}

export function metaAt(a: SlotArrays, i: number): RxMeta {
  const p = f32(a, I32.present, i);
  const ao = i * ADDR_STRIDE;
  const meta: RxMeta = {
    timestamps: timestampsAt(a, i),
    unknownControlMessages: f32(a, I32.unknown, i),
    defectiveControlMessages: f32(a, I32.defective, i),
  };
  if (p & PRESENT.legacyTs) meta.legacyHardware = f64(a, I64.legacy, i);
  if (p & PRESENT.dst) {
    const fam = f32(a, I32.dstFamily, i) === 4 ? 4 : 6;
    meta.dst = { family: fam, address: formatAddress(fam, a.addr, ao + ADDR.dst), ifIndex: f32(a, I32.ifIndex, i) };
    if (fam === 4) meta.dst.specDst = formatAddress(4, a.addr, ao + ADDR.specDst);
  }
  if (p & PRESENT.ttl) meta.ttl = f32(a, I32.ttl, i);
  if (p & PRESENT.tos) meta.tos = f32(a, I32.tos, i);
  if (p & PRESENT.drops) meta.drops = f32(a, I32.drops, i) >>> 0;
  if (p & PRESENT.tsPktinfo) {
    meta.hwIfIndex = f32(a, I32.hwIfIndex, i) >>> 0;
    meta.l2Length = f32(a, I32.l2Len, i) >>> 0;
  }
  if (p & PRESENT.extErr) meta.extendedError = extendedErrorAt(a, i);
  return meta;
}

export function extendedErrorAt(a: SlotArrays, i: number): ExtendedError {
  const otc = f32(a, I32.eeOriginTypeCode, i);
  const e: ExtendedError = {
    errno: f32(a, I32.eeErrno, i) >>> 0,
    origin: otc & 0xff,
    type: (otc >> 8) & 0xff,
    code: (otc >> 16) & 0xff,
    info: f32(a, I32.eeInfo, i) >>> 0,
    data: f32(a, I32.eeData, i) >>> 0,
  };
  if (f32(a, I32.present, i) & PRESENT.offender) {
    const fam = f32(a, I32.offenderFamily, i) === 4 ? 4 : 6;
    e.offender = {
      family: fam,
      address: formatAddress(fam, a.addr, i * ADDR_STRIDE + ADDR.offender),
      port: f32(a, I32.offenderPort, i),
    };
  }
  return e;
}

// Message payloads are cut from 64 KiB chunks, as Buffer.allocUnsafe cuts small buffers from its
// 8 KiB pool: at 1200 B that pool is a new ArrayBuffer every 6 datagrams, a visible share of the
// message API's cost. A kept message keeps its chunk alive, as a pooled Buffer keeps its pool.
// allocUnsafeSlow, not `new ArrayBuffer`: every byte is overwritten by a payload before anyone sees
// it, and zeroing 64 KiB per chunk was ~3 % of a 1200 B message drain.
const CHUNK = 64 * 1024;
const freshChunk = (): ArrayBuffer => Buffer.allocUnsafeSlow(CHUNK).buffer as ArrayBuffer;
let chunk = freshChunk();
let chunkUsed = 0;

function payloadCopy(src: Uint8Array, start: number, len: number): Buffer {
  if (len > CHUNK >>> 3) {
    const own = Buffer.allocUnsafe(len);
    own.set(src.subarray(start, start + len));
    return own;
  }
  if (chunkUsed + len > CHUNK) {
    chunk = freshChunk();
    chunkUsed = 0;
  }
  const b = Buffer.from(chunk, chunkUsed, len);
  b.set(src.subarray(start, start + len));
  chunkUsed = (chunkUsed + len + 7) & ~7; // 8-byte aligned, as Node's pool keeps them
  return b;
}

/** Materialises the RxMessage of slot i; data is copied (the arena is reused). */
export function messageAt(a: MessageSlots, i: number, payload: Uint8Array, readAt: bigint): RxMessage {
  const p = f32(a, I32.present, i);
  const flags = f32(a, I32.flags, i);
  const capLen = f32(a, I32.capLen, i);
  const start = f32(a, I32.payloadOffset, i);
  const data = payloadCopy(payload, start, capLen);
  const fam = f32(a, I32.srcFamily, i) === 4 ? 4 : 6;
  const ao = i * ADDR_STRIDE;
  const msg: RxMessage = {
    data,
    length: f32(a, I32.origLen, i),
    src: { family: fam, address: a.texts.src.of(fam, a.addr, ao + ADDR.src), port: f32(a, I32.srcPort, i) },
    timestamps: timestampsAt(a, i),
    readAt,
    truncated: (flags & MSG_TRUNC) !== 0,
    controlTruncated: (flags & MSG_CTRUNC) !== 0,
    flags,
  };
  const scope = f32(a, I32.srcScope, i);
  if (scope) msg.src.scopeId = scope;
  if (msg.timestamps.software !== undefined) msg.readDelayNs = readAt - msg.timestamps.software;
  if (p & PRESENT.dst) {
    const dfam = f32(a, I32.dstFamily, i) === 4 ? 4 : 6;
    const ifIndex = f32(a, I32.ifIndex, i);
    msg.dst = { address: a.texts.dst.of(dfam, a.addr, ao + ADDR.dst), ifIndex };
    const name = ifNameOf(ifIndex);
    if (name !== undefined) msg.ifName = name;
  }
  if (p & PRESENT.ttl) msg.ttl = f32(a, I32.ttl, i);
  if (p & PRESENT.tos) msg.tos = f32(a, I32.tos, i);
  if (p & PRESENT.drops) msg.drops = f32(a, I32.drops, i) >>> 0;
  if (p & PRESENT.tsPktinfo) {
    msg.hwIfIndex = f32(a, I32.hwIfIndex, i) >>> 0;
    msg.l2Length = f32(a, I32.l2Len, i) >>> 0;
  }
  return msg;
}
