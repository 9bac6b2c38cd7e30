// Kernel clocks read with clock_gettime, the same clocks the RX/TX timestamps come from.
import { native } from './native.js';

/** The kernel clocks, read natively with clock_gettime(2): bigint nanoseconds, comparable with RX/TX timestamps. */
export const clock = {
  /** CLOCK_REALTIME ns: the clock of software RX/TX timestamps. */
  realtimeNs: (): bigint => native.clock.realtimeNs(),
  /** CLOCK_MONOTONIC ns. */
  monotonicNs: (): bigint => native.clock.monotonicNs(),
  /** CLOCK_MONOTONIC_RAW ns (not slewed by NTP). */
  monotonicRawNs: (): bigint => native.clock.monotonicRawNs(),
  /** CLOCK_TAI ns. */
  taiNs: (): bigint => native.clock.taiNs(),
};
