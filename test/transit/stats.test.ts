// LatencyStats: exact nearest-rank quantiles while small, bounded histogram after.
import { describe, expect, it } from 'vitest';
import { LatencyStats } from '../../src/transit/latency-stats.js';

describe('LatencyStats', () => {
  it('exact nearest-rank p50/p99/max for small runs', () => {
    const s = new LatencyStats();
    for (let i = 1; i <= 100; i++) s.add(BigInt(i * 1000));
    expect(s.summary()).toMatchObject({ count: 100, min: 1000n, max: 100_000n, p50: 50_000n, p99: 99_000n, mean: 50_500n, exact: true });
    expect(new LatencyStats().summary()).toEqual({ count: 0, exact: true });
    expect(() => s.add(-1n)).toThrow(RangeError);
  });

  it('beyond the exact limit: within 1 % of the true quantiles, max stays exact', () => {
    const s = new LatencyStats(1000);
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const v = 1_000 + (seed % 5_000_000) + (i % 1000 === 0 ? 900_000_000 : 0);
      values.push(v);
      s.add(BigInt(v));
    }
    values.sort((a, b) => a - b);
    const sum = s.summary();
    expect(sum.exact).toBe(false);
    for (const [q, got] of [[0.5, sum.p50], [0.9, sum.p90], [0.99, sum.p99]] as const) {
      const want = values[Math.ceil(q * values.length) - 1]!;
      expect(Math.abs(Number(got) - want) / want).toBeLessThan(0.01);
    }
    expect(sum.max).toBe(BigInt(values[values.length - 1]!));
    expect(sum.min).toBe(BigInt(values[0]!));
  });

  it('exact through the limit-th value, the histogram from the next', () => {
    const s = new LatencyStats(3);
    for (const v of [5_000n, 1_000n, 3_000n]) s.add(v);
    expect(s.summary()).toMatchObject({ count: 3, min: 1_000n, max: 5_000n, p50: 3_000n, exact: true });
    s.add(100_000n);
    const after = s.summary();
    expect(after).toMatchObject({ count: 4, min: 1_000n, max: 100_000n, exact: false });
    expect(Number(after.p50)).toBeCloseTo(3_000, -2); // the histogram's bucket: within 0.4 %
    expect(s.quantile(1)).toBe(100_000n);
  });

  it('small values (under 256 ns) are exact in the histogram too', () => {
    const s = new LatencyStats(0);
    for (const v of [0n, 5n, 5n, 200n]) s.add(v);
    expect(s.quantile(0.5)).toBe(5n);
    expect(s.quantile(1)).toBe(200n);
    expect(s.quantile(0)).toBe(0n);
  });
});
