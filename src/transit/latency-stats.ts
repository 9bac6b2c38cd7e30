// Latency distribution in bounded memory: exact quantiles while the sample count is small (the
// first `exactLimit` values are kept), then a log-linear histogram (sys/log-histogram.ts: under
// 0.4 % from the true value) that never grows.
import { LogHistogram } from '../sys/log-histogram.js';

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
  #count = 0;
  #sum = 0n;
  #min: bigint | undefined;
  #max: bigint | undefined;
  #exact: bigint[] = [];
  // Every value goes into the histogram from the first one, and the extremes are stored on every
  // add: a switch mid-stream, or a store only a new extreme reaches, throws V8's optimized code of
  // the pairing loop away in the middle of a burst (as it did in the command's read-delay counters).
  readonly #hist = new LogHistogram();

  constructor(readonly exactLimit = 4096) {}

  get count(): number {
    return this.#count;
  }

  /** Adds one latency in ns; a negative one throws a RangeError. */
  add(ns: bigint): void {
    if (ns < 0n) throw new RangeError(`latency ${ns} ns is negative`);
    this.#count++;
    this.#sum += ns;
    const min = this.#min, max = this.#max;
    this.#min = min === undefined || ns < min ? ns : min;
    this.#max = max === undefined || ns > max ? ns : max;
    this.#hist.add(Number(ns));
    if (this.#exact.length < this.exactLimit) this.#exact.push(ns);
  }

  /** Whether quantiles are exact (every value so far kept), not the histogram's. */
  get #isExact(): boolean {
    return this.#count <= this.exactLimit;
  }

  /** Nearest-rank quantile (q in [0, 1]). */
  quantile(q: number): bigint | undefined {
    if (this.#count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    if (this.#isExact) return [...this.#exact].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[rank - 1];
    return BigInt(this.#hist.valueAtRank(rank, Number(this.#min!), Number(this.#max!))!);
  }

  /** The distribution so far. */
  summary(): LatencySummary {
    if (this.#count === 0) return { count: 0, exact: true };
    return {
      count: this.#count,
      min: this.#min,
      max: this.#max,
      mean: this.#sum / BigInt(this.#count),
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      exact: this.#isExact,
    };
  }
}
