// Latency distribution in bounded memory: exact quantiles while the sample count is small (the
// first `exactLimit` values are kept), then a log-linear histogram (128 sub-buckets per power of
// two: under 0.8 % relative error) that never grows past a few thousand buckets.

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB; // values below this are their own bucket
const MAX_EXP = 62;
const BUCKETS = LINEAR + (MAX_EXP - SUB_BITS) * SUB;

function bucketOf(v: number): number {
  if (v < LINEAR) return Math.floor(v);
  const e = Math.min(MAX_EXP, Math.floor(Math.log2(v)));
  const scale = 2 ** (e - SUB_BITS);
  const sub = Math.min(SUB - 1, Math.max(0, Math.floor(v / scale) - SUB));
  return LINEAR + (e - SUB_BITS - 1) * SUB + sub;
}

/** [low, high) of a bucket. */
function bucketRange(i: number): [number, number] {
  if (i < LINEAR) return [i, i + 1];
  const e = Math.floor((i - LINEAR) / SUB) + SUB_BITS + 1;
  const sub = (i - LINEAR) % SUB;
  const scale = 2 ** (e - SUB_BITS);
  return [(SUB + sub) * scale, (SUB + sub + 1) * scale];
}

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
 * then a log-linear histogram (under 0.8 % relative error).
 */
export class LatencyStats {
  #count = 0;
  #sum = 0n;
  #min: bigint | undefined;
  #max: bigint | undefined;
  #exact: bigint[] = [];
  #hist: Float64Array | null = null;

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
      this.#hist = new Float64Array(BUCKETS);
      for (const v of this.#exact) this.#hist[bucketOf(Number(v))]!++;
      this.#exact = [];
    }
    this.#hist[bucketOf(Number(ns))]!++;
  }

  /** Nearest-rank quantile (q in [0, 1]). */
  quantile(q: number): bigint | undefined {
    if (this.#count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    if (this.#hist === null) return [...this.#exact].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[rank - 1];
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#hist[i]!;
      if (seen >= rank) {
        const [lo, hi] = bucketRange(i);
        const mid = BigInt(Math.floor((lo + hi - 1) / 2));
        // The true value lies in the bucket and within [min, max].
        return mid < this.#min! ? this.#min! : mid > this.#max! ? this.#max! : mid;
      }
    }
    return this.#max;
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
