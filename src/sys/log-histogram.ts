// A log-linear histogram of non-negative values (HdrHistogram's layout): values below 256 are their
// own bucket, larger ones fall into 128 sub-buckets per power of two, so a bucket's midpoint is
// within 0.4 % of any value in it. Fixed size (~7 200 counters), O(1) to add, and histograms of
// several sources merge by adding counts. Shared by the transit latency stats and the command's
// read-delay summary, which see hundreds of thousands of values a second.

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB; // values below this are their own bucket
const MAX_EXP = 62;
const BUCKETS = LINEAR + (MAX_EXP - SUB_BITS) * SUB;

// The exponent and top mantissa bits of a double, read through its bytes: Math.log2 and a division
// per value made adding cost ~70 ns.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: the high word is [1]

/** The bucket of a value (a negative one counts in the first bucket; 2^63 and more in the last). */
export function bucketOf(v: number): number {
  if (v < LINEAR) return v > 0 ? Math.floor(v) : 0;
  f64[0] = v;
  const hi = u32[HI]!;
  const e = (hi >>> 20) - 1023; // v in [2^e, 2^(e+1))
  if (e > MAX_EXP) return BUCKETS - 1;
  return LINEAR + (e - SUB_BITS - 1) * SUB + ((hi >>> (20 - SUB_BITS)) & (SUB - 1));
}

/** [low, high) of a bucket. */
export function bucketRange(i: number): [number, number] {
  if (i < LINEAR) return [i, i + 1];
  const e = Math.floor((i - LINEAR) / SUB) + SUB_BITS + 1;
  const sub = (i - LINEAR) % SUB;
  const scale = 2 ** (e - SUB_BITS);
  return [(SUB + sub) * scale, (SUB + sub + 1) * scale];
}

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;

  add(v: number): void {
    this.counts[bucketOf(v)]!++;
    this.count++;
  }

  /** Adds another histogram's counts to this one. */
  merge(h: LogHistogram): void {
    const a = this.counts, b = h.counts;
    for (let i = 0; i < BUCKETS; i++) a[i]! += b[i]!;
    this.count += h.count;
  }

  /**
   * The midpoint of the bucket holding the value of nearest rank `rank` (1-based), clamped to
   * [min, max] (the true value lies in the bucket and within them); undefined when empty.
   */
  valueAtRank(rank: number, min: number, max: number): number | undefined {
    if (this.count === 0) return undefined;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const [lo, hi] = bucketRange(i);
        const mid = Math.floor((lo + hi - 1) / 2);
        return mid < min ? min : mid > max ? max : mid;
      }
    }
    return max;
  }
}
