// Timestamps are bigint nanoseconds since the Unix epoch; these helpers convert for display.

/** A `Date` for nanoseconds since the epoch (millisecond precision; the rest is dropped). */
export function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/** Milliseconds as a float (loses sub-µs precision past 2^53 ns, i.e. fine for deltas). */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** Seconds as a float (sub-µs precision is lost for absolute times; fine for deltas). */
export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

let lastSec = -1n << 70n;
let lastBase = '';

/** ISO 8601 with all nine fractional digits: 2026-11-25T15:30:00.123456789Z (negative ns too). */
export function nsToIso(ns: bigint): string {
  // floor division, so times before the epoch keep a positive fraction of the second below them
  let sec = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    sec -= 1n;
  }
  // Consecutive stamps mostly share their second: format the date part once per second.
  if (sec !== lastSec) {
    lastSec = sec;
    lastBase = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  }
  return `${lastBase}.${frac.toString().padStart(9, '0')}Z`;
}

let lastSecText = '';

/**
 * nsToIso for the decimal text of the same value (`String(ns)`), for callers that print that text
 * anyway: for times after 1970-01-01T00:00:01 the split is string slicing, no bigint division.
 */
export function nsTextToIso(text: string): string {
  const cut = text.length - 9;
  if (cut < 1 || text.charCodeAt(0) === 45 /* - */) return nsToIso(BigInt(text));
  const secText = text.slice(0, cut);
  if (secText !== lastSecText) {
    lastSecText = secText;
    lastTextBase = new Date(Number(secText) * 1000).toISOString().slice(0, 19);
  }
  return `${lastTextBase}.${text.slice(cut)}Z`;
}
let lastTextBase = '';

/** Nanoseconds since the epoch for a `Date` (whole milliseconds). */
export function dateToNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}
