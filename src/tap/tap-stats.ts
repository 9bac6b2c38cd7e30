// Counters a tap keeps about what it read, for embedding code that exports metrics its own way.
import { MSG_CTRUNC, MSG_TRUNC } from '../sys/constants.js';
import { I32, PRESENT } from './rx/layout.js';
import type { SlotArrays } from './rx/slot-reader.js';

/** Counters of what a tap has read; `tap.stats()` adds its queue and TX counters. */
export interface TapStats {
  /** Datagrams read. */
  packets: number;
  /** Bytes on the wire of those datagrams (before any truncation). */
  bytes: number;
  /** Datagrams that arrived with MSG_TRUNC. */
  truncated: number;
  /** Datagrams that arrived with MSG_CTRUNC. */
  controlTruncated: number;
  /** Latest cumulative SO_RXQ_OVFL value the kernel reported (0 if it never did). */
  kernelDrops: number;
  /** recvmmsg calls that returned data. */
  batches: number;
  /** Largest number of datagrams one recvmmsg returned. */
  maxBatch: number;
}

export function emptyStats(): TapStats {
  return { packets: 0, bytes: 0, truncated: 0, controlTruncated: 0, kernelDrops: 0, batches: 0, maxBatch: 0 };
}

/** Adds one recvmmsg round of n datagrams; reads only typed arrays (no objects). */
export function accumulate(s: TapStats, a: SlotArrays, n: number): void {
  const cap = a.cap;
  const i32 = a.i32;
  s.packets += n;
  s.batches++;
  if (n > s.maxBatch) s.maxBatch = n;
  for (let i = 0; i < n; i++) {
    s.bytes += i32[I32.origLen * cap + i]!;
    const flags = i32[I32.flags * cap + i]!;
    if (flags & MSG_TRUNC) s.truncated++;
    if (flags & MSG_CTRUNC) s.controlTruncated++;
    if (i32[I32.present * cap + i]! & PRESENT.drops) s.kernelDrops = i32[I32.drops * cap + i]! >>> 0;
  }
}
