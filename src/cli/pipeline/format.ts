// Human-readable output: colours (only on a terminal, never with NO_COLOR or when piped), and the
// small formatters every command shares (durations, sizes, ns timestamps).
import pc from 'picocolors';
import { toHex } from '../../decode/bytes.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface ColorChoice {
  /** --color / --no-color from the command line; undefined = decide from the stream. */
  flag?: boolean;
  stream: { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

/**
 * Decided here rather than by picocolors' own default, which also colours whenever `CI` is set,
 * even into a pipe: piped output must stay plain for grep and scripts. NO_COLOR (any non-empty
 * value, no-color.org) always wins, then --color/--no-color, then FORCE_COLOR, then "is a TTY".
 */
export function useColor(c: ColorChoice): boolean {
  const env = c.env ?? process.env;
  if (env.NO_COLOR) return false;
  if (c.flag !== undefined) return c.flag;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return c.stream.isTTY === true && env.TERM !== 'dumb';
}

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

/** 850ns, 12.3µs, 1.25ms, 2.10s: a read delay at a glance (rounded half away from zero). */
export function formatNs(ns: bigint | number): string {
  const v = typeof ns === 'bigint' ? Number(ns) : ns;
  const a = Math.abs(v);
  if (a < 1_000) return `${v}ns`;
  if (!Number.isSafeInteger(v)) {
    if (a < 1_000_000) return `${(v / 1e3).toFixed(a < 10_000 ? 2 : 1)}µs`;
    if (a < 1_000_000_000) return `${(v / 1e6).toFixed(a < 10_000_000 ? 2 : 1)}ms`;
    return `${(v / 1e9).toFixed(2)}s`;
  }
  // Integer arithmetic instead of toFixed (this runs for every text line): v / 10^k of an integer
  // is exact at the halves, so Math.round rounds the decimal value itself.
  if (a < 1_000_000) return a < 10_000 ? `${fixed(v, 10, 2)}µs` : `${fixed(v, 100, 1)}µs`;
  if (a < 1_000_000_000) return a < 10_000_000 ? `${fixed(v, 10_000, 2)}ms` : `${fixed(v, 100_000, 1)}ms`;
  return `${fixed(v, 10_000_000, 2)}s`;
}

/** v / (div · 10^digits) with `digits` decimals, from integer v. */
function fixed(v: number, div: number, digits: 1 | 2): string {
  const n = Math.round(Math.abs(v) / div);
  const scale = digits === 2 ? 100 : 10;
  const whole = Math.floor(n / scale);
  const frac = n - whole * scale;
  const f = digits === 2 && frac < 10 ? `0${frac}` : `${frac}`;
  return `${v < 0 ? '-' : ''}${whole}.${f}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/** A short printable preview of an unknown payload: text if it is text, else hex. */
export function preview(data: Uint8Array, max = 32): string {
  const n = Math.min(max, data.length);
  const more = data.length > max ? '…' : '';
  let printable = n > 0;
  for (let i = 0; i < n && printable; i++) if (data[i]! < 0x20 || data[i]! > 0x7e) printable = false;
  // No Buffer view for the common (binary) case: this runs for every line of a datagram no decoder claimed.
  if (!printable) return toHex(data.subarray(0, n)) + more;
  return JSON.stringify(Buffer.from(data.buffer, data.byteOffset, n).toString('latin1') + more);
}

/** Fixed-width table for `ifaces` and `doctor`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

// Colour escapes take no room on screen.
function visibleLength(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
