// Struct-of-arrays layout written by the native side (native/cmsg/meta_layout.h). Field-major:
// field f of slot i is at [f * capacity + i]; addresses are ADDR_STRIDE bytes per slot.
import { native } from '../../sys/native.js';

export const I32 = {
  capLen: 0,
  origLen: 1,
  flags: 2,
  ctrlLen: 3,
  srcFamily: 4,
  srcPort: 5,
  srcScope: 6,
  present: 7,
  dstFamily: 8,
  ifIndex: 9,
  ttl: 10,
  tos: 11,
  drops: 12,
  hwIfIndex: 13,
  l2Len: 14,
  unknown: 15,
  defective: 16,
  eeErrno: 17,
  eeOriginTypeCode: 18,
  eeInfo: 19,
  eeData: 20,
  offenderFamily: 21,
  offenderPort: 22,
  srcFlowinfo: 23,
  payloadOffset: 24,
} as const;
export const I32_FIELDS = 25;

export const I64 = { software: 0, hardware: 1, legacy: 2, timestampNs: 3, timestampUs: 4 } as const;
export const I64_FIELDS = 5;

export const ADDR = { src: 0, dst: 16, specDst: 32, offender: 36 } as const;
export const ADDR_STRIDE = 64;

/** Presence bits (native cmsg::Present). */
export const PRESENT = {
  softwareTs: 1 << 0,
  hardwareTs: 1 << 1,
  legacyTs: 1 << 2,
  timestampNs: 1 << 3,
  timestampUs: 1 << 4,
  dst: 1 << 5,
  ttl: 1 << 6,
  tos: 1 << 7,
  drops: 1 << 8,
  tsPktinfo: 1 << 9,
  extErr: 1 << 10,
  offender: 1 << 11,
} as const;

/**
 * Names of the fields whose index differs between this table and the native one (either side
 * missing counts): the contract is checked name by name, so a reordered or renamed field is caught.
 */
export function layoutMismatches(ts: Readonly<Record<string, number>>, nat: Readonly<Record<string, number>>): string[] {
  const names = new Set([...Object.keys(ts), ...Object.keys(nat)]);
  return [...names].filter((n) => ts[n] !== nat[n]).map((n) => `${n} (ts ${ts[n] ?? '-'}, native ${nat[n] ?? '-'})`);
}

const f = native.layoutFields;
const mismatches = [
  ...layoutMismatches(I32, f.i32).map((m) => `i32 ${m}`),
  ...layoutMismatches(I64, f.i64).map((m) => `i64 ${m}`),
  ...layoutMismatches(ADDR, f.addr).map((m) => `addr ${m}`),
  ...layoutMismatches(PRESENT, f.present).map((m) => `present ${m}`),
];
if (native.layout.i32Fields !== I32_FIELDS) mismatches.push(`i32 count (ts ${I32_FIELDS}, native ${native.layout.i32Fields})`);
if (native.layout.i64Fields !== I64_FIELDS) mismatches.push(`i64 count (ts ${I64_FIELDS}, native ${native.layout.i64Fields})`);
if (native.layout.addrStride !== ADDR_STRIDE) mismatches.push(`address stride (ts ${ADDR_STRIDE}, native ${native.layout.addrStride})`);
if (mismatches.length)
  throw new Error(`disptap: the native layout does not match src/tap/rx/layout.ts (${mismatches.join('; ')}); rebuild the addon`);

/**
 * The 32-bit halves of a BigInt64Array's elements, so timestamps can be subtracted without a BigInt
 * per element: element i's low half is at [2i + HALF_LO], its high half at [2i + HALF_HI].
 */
export function int64Halves(a: BigInt64Array, count = a.length): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, count * 2);
}
export const HALF_LO = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
export const HALF_HI = 1 - HALF_LO;

/**
 * `readAt` split for read delays from int64Halves(): `(hi - stampHi) * 2^32 + (lo - stampLo)` is
 * readAt − stamp. `lo` is the low half plus 2^32 (and `hi` one less), a number that is never a
 * small integer. Why: the optimizing compiler specialises a subtraction on the operands it has
 * seen; while every low half of a run happened to be below 2^31 it compiles small-integer
 * arithmetic, and the first stamp above that deoptimizes the function mid-burst (recompiling the
 * pcapng encoder took 80 ms of a 300 000-datagram burst).
 */
export function delayBase(readAt: bigint): { hi: number; lo: number } {
  const u = BigInt.asUintN(64, readAt);
  return { hi: Number(u >> 32n) - 1, lo: Number(u & 0xffffffffn) + 0x1_0000_0000 };
}
