// Latency distribution in bounded memory: sys/quantiles.ts (exact quantiles for the first
// `exactLimit` values, a log-linear histogram under 0.4 % from the true value after), in bigint ns,
// with the exact sum, min and max.
import { Quantiles } from '../sys/quantiles.js';

/** Count, extremes, mean and quantiles of the latencies added so far. */
export interface LatencySummary {
  count: number;
  /** ns; undefined when count is 0. */
  min?: bigint;
  max?: bigint;
  mean?: bigint;
  p50?: bigint;
  p90?: bigint;
  p99?: bigint;
  /** Quantiles are exact (false once the histogram took over). */
  exact: boolean;
}

/**
 * A latency distribution in bounded memory: exact quantiles for the first `exactLimit` values,
 * then a log-linear histogram (under 0.4 % from the true value).
 */
export class LatencyStats {
  #sum = 0n;
  #min: bigint | undefined;
  #max: bigint | undefined;
  // Numbers are exact for latencies below 2^53 ns (104 days).
  readonly #q: Quantiles;

  constructor(readonly exactLimit = 4096) {
    this.#q = new Quantiles(exactLimit);
  }

  get count(): number {
    return this.#q.count;
  }

  /** Adds one latency in ns; a negative one throws a RangeError. */
  add(ns: bigint): void {
    if (ns < 0n) throw new RangeError(`latency ${ns} ns is negative`);
    this.#sum += ns;
    // stored on every add (see Quantiles.add)
    const min = this.#min, max = this.#max;
    this.#min = min === undefined || ns < min ? ns : min;
    this.#max = max === undefined || ns > max ? ns : max;
    this.#q.add(Number(ns));
  }

  /** Nearest-rank quantile (q in [0, 1]). */
  quantile(q: number): bigint | undefined {
    const v = this.#q.quantile(q);
    return v === undefined ? undefined : BigInt(v);
  }

  /** The distribution so far. */
  summary(): LatencySummary {
    const count = this.#q.count;
    if (count === 0) return { count: 0, exact: true };
    return {
      count,
      min: this.#min,
      max: this.#max,
      mean: this.#sum / BigInt(count),
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      exact: this.#q.isExact,
    };
  }
}
