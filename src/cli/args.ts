// Option value parsers for commander. They throw InvalidArgumentError, which commander reports
// as "error: option '--x <v>' argument 'y' is invalid. <why>" and main.ts turns into exit code 2.
import { InvalidArgumentError } from 'commander';

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `10s`, `2m`, `1h`, `1.5s`; a bare number is seconds. Returns milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 2m or 1h');
  const ms = Number(m[1]) * UNITS_MS[m[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError('the duration must be greater than 0');
  if (ms > 2 ** 31 - 1) throw new InvalidArgumentError('the duration must be under 24 days');
  return Math.round(ms);
}

export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number');
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('number too large');
  return n;
}

/** A UDP port 0..65535 (0 where "any" makes sense, e.g. an unknown source port). */
export function parsePort(text: string): number {
  const n = parseCount(text);
  if (n > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return n;
}

export function parsePortNonZero(text: string): number {
  const n = parsePort(text);
  if (n === 0) throw new InvalidArgumentError('a port is 1..65535');
  return n;
}

export function parsePositive(text: string): number {
  const n = parseCount(text);
  if (n === 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

/** Packets per second; fractional rates (0.5 = one every two seconds) are fine, 0 = unpaced. */
export function parseRate(text: string): number {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) throw new InvalidArgumentError('expected packets per second, e.g. 100 or 0.5 (0 = as fast as possible)');
  return Number(t);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20 };

/** Bytes: `65536`, `64k`, `8M`. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError('expected a size in bytes, e.g. 2048, 64k or 8M');
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('the size must be at least 1 byte');
  return n;
}

export function parseByte(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]{1,2}$/i.test(t) ? parseInt(t, 16) : /^\d{1,3}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 0 && n <= 255)) throw new InvalidArgumentError('expected 0..255 (decimal or 0xNN)');
  return n;
}

export function parseHex(text: string): Uint8Array {
  const t = text.replace(/[\s:]/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) throw new InvalidArgumentError('expected hex bytes, e.g. 0a0b0c');
  return Uint8Array.from(Buffer.from(t, 'hex'));
}

/** commander's "collect" for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
