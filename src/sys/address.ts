// Address strings ⇄ bytes, with the validation every entry point needs before a syscall.
import ipaddr from './ipaddr.js';
import { invalidArg } from './errors.js';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  bytes: Uint8Array;
  scopeId: number;
}

/** An IPv4 address in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), as an IPv6 socket takes it. */
export function toMappedIPv6(a: ParsedAddress): ParsedAddress {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(a.bytes, 12);
  return { family: 6, bytes, scopeId: 0 };
}

/** Parses '127.0.0.1', '::1', 'fe80::1%eth0' (scope by name needs a resolver) or '[::1]'. */
export function parseAddress(address: string, field = 'address', resolveScope?: (name: string) => number): ParsedAddress {
  if (typeof address !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `${field} must be a string, got ${typeof address}`);
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  let scopeId = 0;
  const pct = text.indexOf('%');
  if (pct >= 0) {
    const zone = text.slice(pct + 1);
    text = text.slice(0, pct);
    if (/^\d+$/.test(zone)) {
      scopeId = Number(zone);
      // sin6_scope_id is 32 bits: a larger number would wrap to another interface
      if (scopeId > 0xffffffff) throw invalidArg('ERR_INVALID_ADDRESS', `${field}: zone index ${zone} in '${address}' is out of range`);
    }
    else if (resolveScope) scopeId = resolveScope(zone);
    else throw invalidArg('ERR_INVALID_ADDRESS', `${field}: cannot resolve zone '${zone}' in '${address}'`);
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    if (pct >= 0) throw invalidArg('ERR_INVALID_ADDRESS', `${field}: '${address}': a zone (%…) only applies to IPv6 addresses`);
    return { family: 4, bytes: Uint8Array.from(ipaddr.IPv4.parse(text).toByteArray()), scopeId: 0 };
  }
  // ipaddr.js reads '::a.b.c.d' as ::ffff:a.b.c.d; RFC 4291 makes it the (deprecated) IPv4-compatible
  // address 0::a.b.c.d, and mixing the two up would send to the wrong place.
  const compat = /^::(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (compat && ipaddr.IPv4.isValidFourPartDecimal(compat[1]!)) {
    const bytes = new Uint8Array(16);
    bytes.set(ipaddr.IPv4.parse(compat[1]!).toByteArray(), 12);
    return { family: 6, bytes, scopeId };
  }
  if (ipaddr.IPv6.isValid(text) && text.includes(':')) {
    return { family: 6, bytes: Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray()), scopeId };
  }
  throw invalidArg('ERR_INVALID_ADDRESS', `${field}: '${address}' is not an IPv4 or IPv6 address`);
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text; IPv4-mapped addresses print as ::ffff:a.b.c.d, as Node's dgram does. */
export function formatIPv6(b: Uint8Array, off = 0): string {
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) mapped = false;
  if (mapped && b[off + 10] === 0xff && b[off + 11] === 0xff) return `::ffff:${formatIPv4(b, off + 12)}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  // longest run of ≥2 zero words is compressed
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export function formatAddress(family: number, b: Uint8Array, off = 0): string {
  return family === 4 ? formatIPv4(b, off) : formatIPv6(b, off);
}

export function validatePort(port: unknown, field = 'port'): number {
  if (typeof port !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `${field} must be a number, got ${typeof port}`, TypeError);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalidArg('ERR_SOCKET_BAD_PORT', `${field} must be an integer in 0..65535, got ${port}`, RangeError);
  return port;
}
