// A whole read round of a capture as arrays: what `'batch'` listeners get instead of one
// CaptureRecord per packet. Views of the capture's arena, made once per arena and reused every
// round: nothing is allocated per packet, and nothing may be kept past the listener.
import { HALF_HI, HALF_LO, delayBase, int64Halves } from '../tap/rx/layout.js';
import { invalidArg } from '../sys/errors.js';
import type { CaptureArena } from './arena.js';
import { L3_STATUS, P32, P64 } from './layout.js';

/**
 * Packets 0..count-1 of one read round. Column `x[i]` is packet i's field; only packets with
 * `status[i] === L3_STATUS.udp` are parsed UDP datagrams (the rest were counted in the capture's
 * `stats().skipped`). Valid only inside the listener: the next round overwrites it.
 */
export interface CaptureBatch {
  /** Packets read in this round (UDP datagrams and the skipped rest). */
  readonly count: number;
  /** CLOCK_REALTIME ns when user space got the round. */
  readonly readAt: bigint;
  /** L3_STATUS of each packet (0 = a parsed UDP datagram). */
  readonly status: Int32Array;
  /** 4 or 6. */
  readonly family: Int32Array;
  readonly srcPort: Int32Array;
  readonly dstPort: Int32Array;
  readonly ttl: Int32Array;
  readonly tos: Int32Array;
  readonly ifIndex: Int32Array;
  /** sll_pkttype: 4 (PACKET_OUTGOING) = sent by this host ('out'), else 'in'. */
  readonly pktType: Int32Array;
  /** msg_flags (MSG_TRUNC when the slot or snap length cut the packet). */
  readonly flags: Int32Array;
  /** IP packet bytes captured, at `data[i * slotSize]`. */
  readonly capLen: Int32Array;
  /** IP packet length as read (see packetLength() for the length on the wire). */
  readonly origLen: Int32Array;
  /** IPv4 total length / IPv6 40 + payload length, from the header. */
  readonly ipLength: Int32Array;
  /** The UDP header's length field (payload + 8). */
  readonly udpLength: Int32Array;
  /** Where the UDP payload starts, from the start of the packet's slot. */
  readonly payloadOffset: Int32Array;
  /** UDP payload bytes captured. */
  readonly payloadLen: Int32Array;
  /** Kernel software RX timestamp, ns since the epoch; 0 = none. */
  readonly software: BigInt64Array;
  /** Hardware RX timestamp (NIC clock); 0 = none. */
  readonly hardware: BigInt64Array;
  /** 32 bytes per packet: source address at 0, destination at 16 (IPv4: the first 4 bytes). */
  readonly addresses: Uint8Array;
  /** The packets from the IP header on, packet i at `i * slotSize`. */
  readonly data: Uint8Array;
  readonly slotSize: number;
}

/** The view a capture reuses every round: its `count` and `readAt` change, the columns do not. */
export interface CaptureBatchView extends CaptureBatch {
  count: number;
  readAt: bigint;
  /** @internal the whole arena, for native code that reads it (src/pcapng/bulk-capture.ts) */
  readonly arena: { readonly i32: Int32Array; readonly i64: BigInt64Array; readonly cap: number };
}

/** The arena's columns, named: views made once for the capture's lifetime. */
export function captureBatchView(a: CaptureArena): CaptureBatchView {
  const cap = a.cap;
  const col = (f: number): Int32Array => a.i32.subarray(f * cap, (f + 1) * cap);
  const col64 = (f: number): BigInt64Array => a.i64.subarray(f * cap, (f + 1) * cap);
  return {
    count: 0,
    readAt: 0n,
    status: col(P32.status),
    family: col(P32.family),
    srcPort: col(P32.srcPort),
    dstPort: col(P32.dstPort),
    ttl: col(P32.ttl),
    tos: col(P32.tos),
    ifIndex: col(P32.ifIndex),
    pktType: col(P32.pktType),
    flags: col(P32.flags),
    capLen: col(P32.capLen),
    origLen: col(P32.origLen),
    ipLength: col(P32.ipLength),
    udpLength: col(P32.udpLength),
    payloadOffset: col(P32.payloadOffset),
    payloadLen: col(P32.payloadLen),
    software: col64(P64.software),
    hardware: col64(P64.hardware),
    addresses: a.addr,
    data: a.data,
    slotSize: a.slotSize,
    arena: a,
  };
}

// The columns are as long as the arena, so an index past `count` would read an earlier round's
// packet (or undefined → NaN) instead of failing: say so as RxBatch does.
function checkIndex(b: CaptureBatch, i: number, fn: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= b.count) {
    throw invalidArg('ERR_OUT_OF_RANGE', `${fn}: index ${i} outside 0..${b.count - 1}`, RangeError);
  }
}

/** Whether packet i of `b` is a parsed UDP datagram. Throws a RangeError for i outside 0..count-1. */
export function isDatagram(b: CaptureBatch, i: number): boolean {
  checkIndex(b, i, 'isDatagram');
  return b.status[i] === L3_STATUS.udp;
}

/**
 * The IP packet's length on the wire: a snap length trims what was read, the header still says.
 * Throws a RangeError for i outside 0..count-1.
 */
export function packetLength(b: CaptureBatch, i: number): number {
  checkIndex(b, i, 'packetLength');
  return Math.max(b.origLen[i]!, b.ipLength[i]!, b.capLen[i]!);
}

/**
 * readAt − software stamp per packet in ns, as numbers (NaN without a stamp): no BigInt per packet.
 * Into `out` (at least `count` elements; reuse one across rounds) or a new array.
 */
export function captureReadDelays(b: CaptureBatch, out?: Float64Array): Float64Array {
  const n = b.count;
  if (out !== undefined && !(out instanceof Float64Array)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'captureReadDelays: out must be a Float64Array', TypeError);
  }
  if (out !== undefined && out.length < n) {
    throw invalidArg('ERR_OUT_OF_RANGE', `captureReadDelays: out has ${out.length} elements, the round ${n}`, RangeError);
  }
  out ??= new Float64Array(n);
  const half = int64Halves(b.software, n);
  const { hi: readHi, lo: readLo } = delayBase(b.readAt);
  for (let i = 0; i < n; i++) {
    const lo = half[2 * i + HALF_LO]!;
    const hi = half[2 * i + HALF_HI]!;
    // (lo | hi): a bitwise test takes any 32-bit half as it is; `lo === 0` is specialised like a
    // subtraction (see delayBase)
    out[i] = (lo | hi) === 0 ? NaN : (readHi - hi) * 0x1_0000_0000 + (readLo - lo);
  }
  return out;
}
