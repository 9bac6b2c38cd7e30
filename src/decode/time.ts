/** Nanosecond timestamps as ISO-8601 strings with all nine fraction digits. */

/** ISO string for ns since the Unix epoch; null when outside Date's range. */
export function isoFromNs(ns: bigint): string | null {
  const sec = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const frac = ns - sec * 1_000_000_000n;
  const ms = Number(sec) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac.toString().padStart(9, '0')}Z`);
}
