// The kernel clocks for test scripts, and the offset between CLOCK_REALTIME (what software RX/TX
// timestamps are in) and CLOCK_MONOTONIC (what a script's own interval timing should use).
import { clock } from '../sys/clock.js';
import { invalidArg } from '../sys/errors.js';

export { clock };

/** The offset CLOCK_REALTIME − CLOCK_MONOTONIC and how well it is known. */
export interface ClockOffset {
  /** CLOCK_REALTIME − CLOCK_MONOTONIC in ns: realtime = monotonic + offsetNs. */
  offsetNs: bigint;
  /** The true offset lies within offsetNs ± uncertaintyNs (half the narrowest bracket, rounded up). */
  uncertaintyNs: bigint;
  /** Width of the narrowest monotonic bracket around one realtime read. */
  bracketNs: bigint;
  /** Brackets taken. */
  samples: number;
}

/** Options of {@link estimateClockOffset}. */
export interface EstimateClockOffsetOptions {
  /** Brackets to take; the narrowest wins. Default 32. */
  samples?: number;
}

/**
 * Estimates realtime − monotonic by the minimum-bracket method: read monotonic, realtime, monotonic
 * again; the realtime read happened somewhere inside that monotonic bracket, so its midpoint is off
 * by at most half the bracket. Of many brackets the narrowest is the one least disturbed by
 * preemption or interrupts, so it is kept. The offset drifts when NTP slews or steps the clock:
 * re-estimate rather than keep one for hours.
 */
export function estimateClockOffset(options: EstimateClockOffsetOptions = {}): ClockOffset {
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'estimateClockOffset(options): options must be an object');
  const samples = options.samples ?? 32;
  if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 1 || samples > 1_000_000)
    throw invalidArg('ERR_OUT_OF_RANGE', `estimateClockOffset: samples must be an integer in 1..1000000, got ${String(samples)}`, RangeError);
  let bracket = -1n;
  let offset = 0n;
  for (let i = 0; i < samples; i++) {
    const m1 = clock.monotonicNs();
    const r = clock.realtimeNs();
    const m2 = clock.monotonicNs();
    const w = m2 - m1;
    if (bracket < 0n || w < bracket) {
      bracket = w;
      offset = r - (m1 + w / 2n);
    }
  }
  // m1 + floor(w/2) sits at most ceil(w/2) from either end of the bracket.
  return { offsetNs: offset, uncertaintyNs: (bracket + 1n) / 2n, bracketNs: bracket, samples };
}

/** A CLOCK_MONOTONIC reading as CLOCK_REALTIME (to compare with RX/TX timestamps). */
export function toRealtimeNs(monotonicNs: bigint, offset: ClockOffset = estimateClockOffset()): bigint {
  return monotonicNs + offset.offsetNs;
}

/** A CLOCK_REALTIME value (e.g. msg.timestamps.software) on the CLOCK_MONOTONIC timescale. */
export function toMonotonicNs(realtimeNs: bigint, offset: ClockOffset = estimateClockOffset()): bigint {
  return realtimeNs - offset.offsetNs;
}
