// The NTP on-wire math (RFC 5905 §8) in whole nanoseconds, and percentiles over bigint samples.

/** floor(a / 2) for bigint (BigInt division truncates toward zero). */
function half(a: bigint): bigint {
  return a >= 0n ? a / 2n : -((-a + 1n) / 2n);
}

/** θ = ((T2 − T1) + (T3 − T4)) / 2, rounded toward −∞. */
export function ntpOffsetNs(t1: bigint, t2: bigint, t3: bigint, t4: bigint): bigint {
  return half(t2 - t1 + (t3 - t4));
}

/** δ = (T4 − T1) − (T3 − T2). */
export function ntpDelayNs(t1: bigint, t2: bigint, t3: bigint, t4: bigint): bigint {
  return t4 - t1 - (t3 - t2);
}

/** Nearest-rank percentile (p in 0..100) of bigint samples; null for none. */
export function percentileNs(samples: readonly bigint[], p: number): bigint | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
