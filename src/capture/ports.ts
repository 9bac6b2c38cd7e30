// UDP port ranges as the CLI and openCapture take them: 30041, "30041", "31000-32767", [a, b].
import { invalidArg } from '../sys/errors.js';

/** An inclusive UDP port range; `from === to` for one port. */
export interface PortRange {
  from: number;
  to: number;
}

/** A port or range as the CLI and {@link openCapture} take it: 30041, '30041', '31000-32767', [a, b] or { from, to }. */
export type PortSpec = number | string | readonly [number, number] | PortRange;

function port(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw invalidArg('ERR_SOCKET_BAD_PORT', `${field}: '${String(v)}' is not a port (0..65535)`, RangeError);
  return n;
}

/** One {@link PortSpec} as a {@link PortRange}; throws a coded RangeError/TypeError naming `field` when it is not one. */
export function parsePortSpec(spec: PortSpec, field = 'ports'): PortRange {
  let from: number, to: number;
  if (typeof spec === 'number') from = to = port(spec, field);
  else if (typeof spec === 'string') {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
    if (!m) throw invalidArg('ERR_INVALID_ARG_VALUE', `${field}: '${spec}' is neither a port nor a range like 31000-32767`);
    from = port(m[1], field);
    to = m[2] === undefined ? from : port(m[2], field);
  } else if (Array.isArray(spec) && spec.length === 2) {
    from = port(spec[0], field);
    to = port(spec[1], field);
  } else if (spec !== null && typeof spec === 'object' && 'from' in spec && 'to' in spec) {
    from = port((spec as PortRange).from, field);
    to = port((spec as PortRange).to, field);
  } else throw invalidArg('ERR_INVALID_ARG_TYPE', `${field}: expected a port, 'a-b', [a, b] or { from, to }`);
  if (from > to) throw invalidArg('ERR_OUT_OF_RANGE', `${field}: range ${from}-${to} runs backwards`, RangeError);
  return { from, to };
}

/** Sorted, with overlapping and adjacent ranges merged: the smallest BPF program. */
export function normalizePorts(specs: readonly PortSpec[], field = 'ports'): PortRange[] {
  if (!Array.isArray(specs)) throw invalidArg('ERR_INVALID_ARG_TYPE', `${field} must be an array`);
  const ranges = specs.map((s, i) => parsePortSpec(s, `${field}[${i}]`)).sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Whether `port` is in one of the ranges. */
export function inRanges(port: number, ranges: readonly PortRange[]): boolean {
  for (const r of ranges) if (port >= r.from && port <= r.to) return true;
  return false;
}

/** Ranges as text, the way the CLI takes them: '30041,31000-32767'. */
export function formatRanges(ranges: readonly PortRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}
