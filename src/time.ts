// Timestamps are bigint nanoseconds since the Unix epoch; these helpers convert for display.

export function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/** Milliseconds as a float (loses sub-µs precision past 2^53 ns, i.e. fine for deltas). */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/** ISO 8601 with all nine fractional digits: 2026-11-25T15:30:00.123456789Z. */
export function nsToIso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) frac += 1_000_000_000n;
  const base = new Date(Number(ms - (ms % 1000n) - (ms % 1000n < 0n ? 1000n : 0n))).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

export function dateToNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}
