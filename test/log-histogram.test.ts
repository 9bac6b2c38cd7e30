// The log-linear histogram behind the read-delay summary and the transit latency stats: every
// value lands in a bucket that contains it, a bucket's midpoint is within 0.4 % of it, and the
// nearest-rank answer matches a sort to that precision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogHistogram, bucketOf, bucketRange } from '../src/sys/log-histogram.js';

describe('LogHistogram', () => {
  it('puts every value in a bucket holding it, buckets in value order, midpoints within 0.4 %', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 62, noNaN: true }), (v) => {
        const i = bucketOf(v);
        const [lo, hi] = bucketRange(i);
        expect(v >= lo && v < hi).toBe(true);
        if (v >= 256) expect(Math.abs((lo + hi) / 2 - v) / v).toBeLessThan(0.004);
      }),
      { numRuns: 20_000 },
    );
    // around powers of two, where the exponent changes
    for (let e = 8; e < 62; e++) {
      const p = 2 ** e;
      expect(bucketOf(p)).toBe(bucketOf(p - p / 1024) + 1);
      expect(bucketRange(bucketOf(p))[0]).toBe(p);
    }
    expect([bucketOf(0), bucketOf(255.9), bucketOf(256), bucketOf(-5)]).toEqual([0, 255, 256, 0]);
    expect(bucketOf(2 ** 70)).toBe(bucketOf(2 ** 63 - 2 ** 52)); // beyond the range: the last bucket
  });

  it('answers a nearest-rank quantile within 0.4 % of the sorted answer; merged histograms add up', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { minLength: 1, maxLength: 2000 }), fc.double({ min: 0.001, max: 1, noNaN: true }), (xs, q) => {
        const a = new LogHistogram(), b = new LogHistogram();
        xs.forEach((x, i) => (i % 2 ? a : b).add(x));
        a.merge(b);
        expect(a.count).toBe(xs.length);
        const sorted = [...xs].sort((x, y) => x - y);
        const rank = Math.max(1, Math.ceil(q * xs.length));
        const want = sorted[rank - 1]!;
        const got = a.valueAtRank(rank, sorted[0]!, sorted[sorted.length - 1]!)!;
        expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(0.5, want * 0.004));
      }),
      { numRuns: 300 },
    );
    expect(new LogHistogram().valueAtRank(1, 0, 0)).toBeUndefined();
  });
});
