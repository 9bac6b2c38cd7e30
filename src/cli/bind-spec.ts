// Address specs on the command line: `127.0.0.1:30041`, `localhost:30041` (= 127.0.0.1), `[::1]:31000`, `[fe80::1%eth0]:30041`,
// port ranges `127.0.0.1:31000-31015` (watch only), and a bare port `30041` meaning the
// dual-stack wildcard `[::]:30041` (a SCION dispatcher listens on both families).
import ipaddr from '../sys/ipaddr.js';
import { UsageError } from './errors.js';

export interface Endpoint {
  /** Address without brackets; an IPv6 zone stays attached (`fe80::1%eth0`). */
  address: string;
  port: number;
  family: 4 | 6;
}

/** Binding more sockets than this from one range is almost certainly a typo. */
export const MAX_RANGE = 4096;

/** `[::1]:31000` / `127.0.0.1:30041` — how endpoints are printed everywhere. */
export function formatEndpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/**
 * `localhost` is 127.0.0.1, as for tcpdump and Go's default dialer; no resolver is asked (an
 * /etc/hosts that maps it to ::1 first would make `--bind localhost:P` depend on the machine).
 * `[::1]` is the IPv6 loopback.
 */
export function resolveLocalhost(text: string): string {
  return text.toLowerCase() === 'localhost' ? '127.0.0.1' : text;
}

function parseHost(text: string, spec: string): { address: string; family: 4 | 6 } {
  text = resolveLocalhost(text);
  const pct = text.indexOf('%');
  const bare = pct >= 0 ? text.slice(0, pct) : text;
  const zone = pct >= 0 ? text.slice(pct + 1) : '';
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) {
    if (zone) throw new UsageError(`'${spec}': an IPv4 address has no zone`);
    return { address: bare, family: 4 };
  }
  if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) {
    if (pct >= 0 && !/^[A-Za-z0-9_.-]+$/.test(zone)) throw new UsageError(`'${spec}': bad zone '${zone}'`);
    return { address: text, family: 6 };
  }
  throw new UsageError(`'${spec}' is not an address:port (IPv4 a.b.c.d:port, IPv6 [addr]:port, localhost:port)`);
}

function parsePort(text: string, spec: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`'${spec}': port '${text}' is not a number`);
  const p = Number(text);
  if (p > 65535 || (!allowZero && p === 0)) throw new UsageError(`'${spec}': port ${p} is out of range (${allowZero ? 0 : 1}..65535)`);
  return p;
}

/** Splits `host:port` / `[v6]:port` / bare `port` into the host text (or null) and the port text. */
function split(spec: string): { host: string | null; port: string } {
  const s = spec.trim();
  if (s === '') throw new UsageError('empty address');
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new UsageError(`'${spec}': missing ']'`);
    const rest = s.slice(close + 1);
    if (!rest.startsWith(':') || rest.length === 1) throw new UsageError(`'${spec}': a port is needed after ']' ([addr]:port)`);
    return { host: s.slice(1, close), port: rest.slice(1) };
  }
  const colons = s.split(':').length - 1;
  if (colons === 0) return { host: null, port: s };
  if (colons > 1) throw new UsageError(`'${spec}': write IPv6 addresses in brackets, e.g. [${s.replace(/:\d+$/, '')}]:port`);
  const [host, port] = s.split(':') as [string, string];
  if (host === '') return { host: null, port };
  if (port === '') throw new UsageError(`'${spec}': port missing`);
  return { host, port };
}

/**
 * One endpoint. `allowZero`: port 0 asks the kernel for a free port (listening sockets).
 * `defaultHost` is used for a bare port.
 */
export function parseEndpoint(spec: string, opts: { allowZero?: boolean; defaultHost?: string } = {}): Endpoint {
  const { host, port } = split(spec);
  if (port.includes('-')) throw new UsageError(`'${spec}': a port range is not allowed here`);
  const h = parseHost(host ?? opts.defaultHost ?? '::', spec);
  return { ...h, port: parsePort(port, spec, opts.allowZero ?? false) };
}

/** An address without port (`127.0.0.1`, `::1`, `[::1]`, `fe80::1%eth0`). */
export function parseHostAddress(text: string, what: string): { address: string; family: 4 | 6 } {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1');
  try {
    return parseHost(t, t);
  } catch {
    throw new UsageError(`${what} '${text}' is not an IPv4 or IPv6 address`);
  }
}

/** `--bind` values: one endpoint, or one per port of a range `a.b.c.d:31000-31015`. */
export function parseBindSpec(spec: string): Endpoint[] {
  const { host, port } = split(spec);
  const h = parseHost(host ?? '::', spec);
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(port);
  if (!m) return [{ ...h, port: parsePort(port, spec, true) }];
  const lo = parsePort(m[1]!, spec, false);
  const hi = parsePort(m[2]!, spec, false);
  if (lo > hi) throw new UsageError(`'${spec}': range ${lo}-${hi} runs backwards`);
  if (hi - lo + 1 > MAX_RANGE) throw new UsageError(`'${spec}': ${hi - lo + 1} ports; at most ${MAX_RANGE} per range`);
  const out: Endpoint[] = [];
  for (let p = lo; p <= hi; p++) out.push({ ...h, port: p });
  return out;
}

/** All `--bind` values; the same address:port twice is a mistake (the second bind would fail). */
export function parseBindSpecs(specs: readonly string[]): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const s of specs) {
    for (const e of parseBindSpec(s)) {
      const key = formatEndpoint(e);
      if (e.port !== 0 && seen.has(key)) throw new UsageError(`${key} is given twice`);
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

export function isLoopback(address: string): boolean {
  const bare = address.split('%')[0]!;
  try {
    const a = ipaddr.process(bare);
    return a.range() === 'loopback';
  } catch {
    return false;
  }
}
