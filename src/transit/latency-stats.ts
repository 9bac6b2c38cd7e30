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
  #hist: LogHistogram | null = null;

  constructor(readonly exactLimit = 4096) {}

  get count(): number {
    return this.#count;
  }

  /** Adds one latency in ns; a negative one throws a RangeError. */
  add(ns: bigint): void {
    if (ns < 0n) throw new RangeError(`latency ${ns} ns is negative`);
    this.#count++;
    this.#sum += ns;
    if (this.#min === undefined || ns < this.#min) this.#min = ns;
    if (this.#max === undefined || ns > this.#max) this.#max = ns;
    if (this.#hist === null && this.#exact.length < this.exactLimit) {
      this.#exact.push(ns);
      return;
    }
    if (this.#hist === null) {
      this.#hist = new LogHistogram();
      for (const v of this.#exact) this.#hist.add(Number(v));
      this.#exact = [];
    }
    this.#hist.add(Number(ns));
  }

  /** Nearest-rank quantile (q in [0, 1]). */
  quantile(q: number): bigint | undefined {
    if (this.#count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    if (this.#hist === null) return [...this.#exact].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[rank - 1];
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
      exact: this.#hist === null,
    };
  }
}
