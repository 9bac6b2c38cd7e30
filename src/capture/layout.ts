// Struct-of-arrays layout of a capture arena (native/packet_socket/packet_layout.h). Field-major:
// field f of slot i is at [f * capacity + i]; addresses are ADDR_STRIDE bytes per slot.
import { layoutMismatches } from '../tap/rx/layout.js';
import { captureNative } from './native.js';

export const P32 = {
  capLen: 0,
  origLen: 1,
  flags: 2,
  ifIndex: 3,
  pktType: 4,
  etherType: 5,
  present: 6,
  defective: 7,
  status: 8,
  family: 9,
  protocol: 10,
  l4Offset: 11,
  ipLength: 12,
  ttl: 13,
  tos: 14,
  flowLabel: 15,
  ipId: 16,
  fragOffset: 17,
  fragFlags: 18,
  srcPort: 19,
  dstPort: 20,
  udpLength: 21,
  udpChecksum: 22,
  payloadOffset: 23,
  payloadLen: 24,
} as const;
export const P32_FIELDS = 25;

export const P64 = { software: 0, hardware: 1 } as const;
export const P64_FIELDS = 2;

export const PADDR = { src: 0, dst: 16 } as const;
export const PADDR_STRIDE = 32;

/**
 * Why the native parser (l3::Status) stopped at a captured packet: `udp` is a parsed UDP datagram
 * (a `CaptureBatch` entry with `status[i] === L3_STATUS.udp`); the rest are counted in
 * `capture.stats().skipped` under their name.
 */
export const L3_STATUS = {
  udp: 0,
  notIp: 1,
  truncatedIp: 2,
  malformedIp: 3,
  notUdp: 4,
  fragment: 5,
  truncatedUdp: 6,
  malformedUdp: 7,
} as const;
/** A name of {@link L3_STATUS}: 'udp', or why a packet is no parsed UDP datagram. */
export type L3StatusName = keyof typeof L3_STATUS;
export const L3_STATUS_NAMES = Object.keys(L3_STATUS) as L3StatusName[];

const l = captureNative.packetLayout;
const mismatches = [
  ...layoutMismatches(P32, l.fields.i32).map((m) => `i32 ${m}`),
  ...layoutMismatches(P64, l.fields.i64).map((m) => `i64 ${m}`),
  ...layoutMismatches(PADDR, l.fields.addr).map((m) => `addr ${m}`),
  ...layoutMismatches(L3_STATUS, l.fields.status).map((m) => `status ${m}`),
];
if (l.i32Fields !== P32_FIELDS || l.i64Fields !== P64_FIELDS || l.addrStride !== PADDR_STRIDE) mismatches.push('field counts or address stride');
if (mismatches.length)
  throw new Error(`disptap: the native packet layout does not match src/capture/layout.ts (${mismatches.join('; ')}); rebuild the addon`);
