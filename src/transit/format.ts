// Human-readable and NDJSON forms of transit events and summaries, shared by the CLI and scripts.
import type { CaptureRecord } from '../capture/record.js';
import type { LatencySummary } from './latency-stats.js';
import type { TransitSummary } from './pairer.js';
import type { TransitEvent, TransitRecord } from './types.js';

/** A duration for people: `850 ns`, `12.3 µs`, `1.234 ms`, `2.000 s`; `-` for undefined. */
export function formatNs(ns: bigint | undefined): string {
  if (ns === undefined) return '-';
  const n = Number(ns);
  if (n < 1_000) return `${n} ns`;
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} µs`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(3)} ms`;
  return `${(n / 1_000_000_000).toFixed(3)} s`;
}

function isCapture(r: TransitRecord): r is CaptureRecord {
  return 'src' in r && 'dst' in r && typeof (r as CaptureRecord).src?.port === 'number';
}

const ep = (e: { address: string; port: number }) => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

function flow(r: TransitRecord): string {
  return isCapture(r) ? `${ep(r.src)} → ${ep(r.dst)}` : `${r.data.length} B`;
}

/** One text line for a transit pair or unmatched record, as `disptap transit` prints it. */
export function formatTransitEvent(e: TransitEvent): string {
  if (e.kind === 'pair') return `${formatNs(e.transitNs).padStart(12)}  ${e.matcher.padEnd(9)} ${flow(e.in)}  ⇒  ${flow(e.out)}  (${e.in.data.length} B)`;
  return `${'unmatched'.padStart(12)}  ${e.side.padEnd(9)} ${flow(e.record)}  (${e.reason}, ${e.record.data.length} B)`;
}

const s = (v: bigint | undefined) => (v === undefined ? null : v.toString());

/** The JSON form of a transit event (bigints as strings), as `disptap transit --json` writes it. */
export function transitEventToJSON(e: TransitEvent): Record<string, unknown> {
  const rec = (r: TransitRecord) => ({
    ts: s(r.timestamps.software),
    hwTs: s(r.timestamps.hardware),
    ...(isCapture(r) ? { src: ep(r.src), dst: ep(r.dst), direction: r.direction, ifName: r.ifName } : {}),
    length: r.data.length,
  });
  if (e.kind === 'pair')
    return { type: 'pair', transitNs: e.transitNs.toString(), matcher: e.matcher, clock: e.clock, in: rec(e.in), out: rec(e.out) };
  return { type: 'unmatched', side: e.side, reason: e.reason, record: rec(e.record) };
}

function latencyJSON(l: LatencySummary): Record<string, unknown> {
  return { count: l.count, min: s(l.min), p50: s(l.p50), p90: s(l.p90), p99: s(l.p99), max: s(l.max), mean: s(l.mean), exact: l.exact };
}

/** The JSON form of a transit summary (bigints as strings). */
export function transitSummaryToJSON(t: TransitSummary): Record<string, unknown> {
  const byMatcher: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t.byMatcher)) byMatcher[k] = latencyJSON(v);
  return { type: 'summary', pairs: t.pairs, all: latencyJSON(t.all), byMatcher, unmatched: t.unmatched, pending: t.pending };
}

/** The transit summary as text: pairs, p50/p99/max/min per matcher, unmatched counts by reason. */
export function formatTransitSummary(t: TransitSummary): string {
  const lines = [`pairs: ${t.pairs}`];
  const row = (name: string, l: LatencySummary) =>
    `  ${name.padEnd(10)} n=${l.count}  p50 ${formatNs(l.p50)}  p99 ${formatNs(l.p99)}  max ${formatNs(l.max)}  min ${formatNs(l.min)}${l.exact ? '' : '  (±0.8%)'}`;
  lines.push(row('all', t.all));
  for (const [k, v] of Object.entries(t.byMatcher)) lines.push(row(k, v));
  const u = (r: Record<string, number>) => Object.entries(r).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '0';
  lines.push(`unmatched in: ${u(t.unmatched.in)}`);
  lines.push(`unmatched out: ${u(t.unmatched.out)}`);
  return lines.join('\n');
}
