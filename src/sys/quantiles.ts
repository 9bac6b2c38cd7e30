// Quantiles of a stream of non-negative numbers in bounded memory, shared by the command's
// read-delay summary (cli/pipeline/stats.ts) and the transit latency stats (transit/latency-stats.ts).
import { LogHistogram } from './log-histogram.js';

/**
 * p50/p99/max of a stream of non-negative values. Exact for the first `exactLimit` values (sorted
 * when asked); past that a log-linear histogram (log-histogram.ts: within 0.4 % of the true
 * value), so that adding stays O(1) at line rate and the summary costs nothing; the max stays exact.
 * (A 100 000-sample reservoir sorted at the end cost ~0.3 µs per datagram of a 300 000 burst.)
 * Every value goes into the histogram from the first one: switching to it mid-stream made V8 throw
 * away the optimized code of add() and of the ingest loop it is inlined into, in every burst.
 */
export class Quantiles {
  private readonly exact: number[] = [];
  private readonly hist = new LogHistogram();
  private seen = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;
  // Sorted copy of the exact values, made once per summary (p50, p99 and the per-socket lines ask in turn).
  private sorted: Float64Array | null = null;

  constructor(private readonly exactLimit = 4096) {}

  /** The union of several (the total line of the summary). */
  static merge(qs: readonly Quantiles[]): Quantiles {
    const allExact = qs.every((q) => q.isExact);
    const m = new Quantiles(allExact ? qs.reduce((n, q) => n + q.seen, 0) : 0);
    for (const q of qs) {
      if (q.seen === 0) continue;
      if (q.minValue < m.minValue) m.minValue = q.minValue;
      if (q.maxValue > m.maxValue) m.maxValue = q.maxValue;
      m.seen += q.seen;
      m.hist.merge(q.hist);
      if (allExact) for (const v of q.exact) m.exact.push(v);
    }
    return m;
  }

  add(v: number): void {
    this.seen++;
    // Stores on every call: a store only a new extreme reaches has no type feedback when V8
    // optimizes this (the first values come before feedback is collected), and the first new
    // minimum mid-burst would throw the optimized code away.
    this.maxValue = Math.max(this.maxValue, v);
    this.minValue = Math.min(this.minValue, v);
    this.hist.add(v);
    if (this.exact.length < this.exactLimit) {
      this.exact.push(v);
      this.sorted = null;
    }
  }

  get count(): number {
    return this.seen;
  }

  /** Whether quantile() is exact (false once the histogram took over). */
  get isExact(): boolean {
    return this.seen <= this.exactLimit;
  }

  get max(): number | undefined {
    return this.seen === 0 ? undefined : this.maxValue;
  }

  /** Nearest-rank quantile, q in (0, 1]. */
  quantile(q: number): number | undefined {
    if (this.seen === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.seen));
    if (!this.isExact) return this.hist.valueAtRank(rank, this.minValue, this.maxValue);
    const sorted = (this.sorted ??= Float64Array.from(this.exact).sort());
    return sorted[rank - 1];
  }
}
