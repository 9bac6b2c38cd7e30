// sockaddr_in / sockaddr_in6 bytes ⇄ objects, and htons/ntohs/htonl/ntohl, in pure TypeScript.
// The layout is Linux's (family in host order; port, IPv4 address and flowinfo in network order);
// native/sockaddr/sockaddr_codec.cc is the C reference these are tested against.
//
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is handled deliberately, never silently:
// * encode family 4 accepts 'a.b.c.d' or '::ffff:a.b.c.d' (unmapped to a sockaddr_in, as Go's To4 does);
// * encode family 6 accepts IPv6 text or 'a.b.c.d', which becomes ::ffff:a.b.c.d (what a dual-stack
//   socket needs to reach an IPv4 peer);
// * decode never converts: a sockaddr_in6 holding a mapped address stays family 6 with address
//   '::ffff:a.b.c.d'; call unmapSockaddr() to get the sockaddr_in view.
import os from 'node:os';
import { formatIPv4, formatIPv6, parseAddress, validatePort } from './address.js';
import { AF_INET, AF_INET6 } from './constants.js';
import { invalidArg } from './errors.js';
import { native } from './native.js';

/** sizeof(struct sockaddr_in) */
export const SOCKADDR_IN_LEN = 16;
/** sizeof(struct sockaddr_in6) */
export const SOCKADDR_IN6_LEN = 28;

/** What {@link encodeSockaddr} turns into sockaddr bytes. */
export interface SockaddrInput {
  family: 4 | 6;
  /** IPv4 or IPv6 text; IPv6 may carry a zone ('fe80::1%eth0' or '%2') instead of scopeId. */
  address: string;
  port: number;
  /** IPv6 only: sin6_flowinfo in host order (written in network order). */
  flowinfo?: number;
  /** IPv6 only: sin6_scope_id (interface index). */
  scopeId?: number;
}

/** A decoded `struct sockaddr_in`. */
export interface SockaddrIn {
  family: 4;
  address: string;
  port: number;
}

/** A decoded `struct sockaddr_in6`: flowinfo in host order, scopeId the interface index. */
export interface SockaddrIn6 {
  family: 6;
  address: string;
  port: number;
  flowinfo: number;
  scopeId: number;
}

/** What {@link decodeSockaddr} returns: IPv4 or IPv6 by `family`. */
export type Sockaddr = SockaddrIn | SockaddrIn6;

const LITTLE_ENDIAN = os.endianness() === 'LE';

function uint(n: unknown, max: number, what: string): number {
  if (typeof n !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `${what} must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw invalidArg('ERR_OUT_OF_RANGE', `${what} must be an integer in 0..${max}, got ${n}`, RangeError);
  return n;
}

function swap16(n: number): number {
  return ((n & 0xff) << 8) | (n >>> 8);
}
function swap32(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** Host to network order, 16 bits (a byte swap on little-endian hosts). */
export function htons(n: number): number {
  uint(n, 0xffff, 'htons: value');
  return LITTLE_ENDIAN ? swap16(n) : n;
}
/** Network to host order, 16 bits. */
export function ntohs(n: number): number {
  uint(n, 0xffff, 'ntohs: value');
  return LITTLE_ENDIAN ? swap16(n) : n;
}
/** Host to network order, 32 bits (unsigned result). */
export function htonl(n: number): number {
  uint(n, 0xffffffff, 'htonl: value');
  return LITTLE_ENDIAN ? swap32(n) : n;
}
/** Network to host order, 32 bits (unsigned result). */
export function ntohl(n: number): number {
  uint(n, 0xffffffff, 'ntohl: value');
  return LITTLE_ENDIAN ? swap32(n) : n;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isMapped(b: Uint8Array): boolean {
  return b.length === 16 && MAPPED_PREFIX.every((v, i) => b[i] === v);
}

function resolveZone(name: string): number {
  const index = native.ifNameToIndex(name);
  if (index === 0) throw invalidArg('ERR_INVALID_ADDRESS', `encodeSockaddr: no interface named '${name}' for the zone`);
  return index;
}

/** The exact bytes of a sockaddr_in (16) or sockaddr_in6 (28) for sendmsg/bind/connect. */
export function encodeSockaddr(sa: SockaddrInput): Buffer {
  if (sa === null || typeof sa !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'encodeSockaddr: expected { family, address, port }');
  const { family } = sa;
  if (family !== 4 && family !== 6)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `encodeSockaddr: family must be 4 or 6, got ${String(family)}`);
  const port = validatePort(sa.port, 'encodeSockaddr: port');
  const parsed = parseAddress(sa.address, 'encodeSockaddr: address', resolveZone);
  const hasZone = sa.address.includes('%');
  const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength);

  if (family === 4) {
    for (const k of ['flowinfo', 'scopeId'] as const)
      if (sa[k] !== undefined && sa[k] !== 0)
        throw invalidArg('ERR_INVALID_ARG_VALUE', `encodeSockaddr: ${k} has no place in a sockaddr_in (family 4)`);
    if (hasZone) throw invalidArg('ERR_INVALID_ADDRESS', `encodeSockaddr: '${sa.address}': a zone needs family 6`);
    let addr: Uint8Array;
    if (parsed.family === 4) addr = parsed.bytes;
    else if (isMapped(parsed.bytes)) addr = parsed.bytes.subarray(12);
    else throw invalidArg('ERR_INVALID_ADDRESS', `encodeSockaddr: '${sa.address}' is not an IPv4 (or IPv4-mapped) address`);
    const out = Buffer.alloc(SOCKADDR_IN_LEN);
    view(out).setUint16(0, AF_INET, LITTLE_ENDIAN);
    out.writeUInt16BE(port, 2);
    out.set(addr, 4);
    return out;
  }

  const flowinfo = sa.flowinfo === undefined ? 0 : uint(sa.flowinfo, 0xffffffff, 'encodeSockaddr: flowinfo');
  let scopeId = sa.scopeId === undefined ? 0 : uint(sa.scopeId, 0xffffffff, 'encodeSockaddr: scopeId');
  if (hasZone) {
    if (parsed.family === 4) throw invalidArg('ERR_INVALID_ADDRESS', `encodeSockaddr: '${sa.address}': IPv4 text takes no zone`);
    if (sa.scopeId !== undefined && sa.scopeId !== parsed.scopeId)
      throw invalidArg('ERR_INVALID_ARG_VALUE', `encodeSockaddr: scopeId ${sa.scopeId} contradicts the zone of '${sa.address}' (${parsed.scopeId})`);
    scopeId = parsed.scopeId;
  }
  const addr = new Uint8Array(16);
  if (parsed.family === 4) {
    addr.set(MAPPED_PREFIX);
    addr.set(parsed.bytes, 12);
  } else addr.set(parsed.bytes);
  const out = Buffer.alloc(SOCKADDR_IN6_LEN);
  const dv = view(out);
  dv.setUint16(0, AF_INET6, LITTLE_ENDIAN);
  dv.setUint16(2, port, false);
  dv.setUint32(4, flowinfo, false);
  out.set(addr, 8);
  dv.setUint32(24, scopeId, LITTLE_ENDIAN);
  return out;
}

function tooShort(len: number, what: string, need: number): Error {
  return invalidArg('ERR_SOCKADDR_TOO_SHORT', `sockaddr too short: ${len} bytes, ${what} needs ${need}`, RangeError);
}

/**
 * A sockaddr_in / sockaddr_in6 as the kernel writes it (getsockname, recvmsg's msg_name). Bytes past
 * the struct (e.g. the rest of a sockaddr_storage) are ignored. Rejects short buffers
 * (ERR_SOCKADDR_TOO_SHORT) and other families (ERR_SOCKADDR_UNKNOWN_FAMILY), both RangeErrors.
 */
export function decodeSockaddr(bytes: Uint8Array): Sockaddr {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'sockaddr bytes must be a Uint8Array');
  if (bytes.length < 2) throw tooShort(bytes.length, 'the family field', 2);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = dv.getUint16(0, LITTLE_ENDIAN);
  if (family === AF_INET) {
    if (bytes.length < SOCKADDR_IN_LEN) throw tooShort(bytes.length, 'sockaddr_in', SOCKADDR_IN_LEN);
    return { family: 4, address: formatIPv4(bytes, 4), port: dv.getUint16(2, false) };
  }
  if (family === AF_INET6) {
    if (bytes.length < SOCKADDR_IN6_LEN) throw tooShort(bytes.length, 'sockaddr_in6', SOCKADDR_IN6_LEN);
    return {
      family: 6,
      address: formatIPv6(bytes, 8),
      port: dv.getUint16(2, false),
      flowinfo: dv.getUint32(4, false),
      scopeId: dv.getUint32(24, LITTLE_ENDIAN),
    };
  }
  throw invalidArg(
    'ERR_SOCKADDR_UNKNOWN_FAMILY',
    `unknown sockaddr family ${family}: only AF_INET (2) and AF_INET6 (10) are supported`,
    RangeError,
  );
}

/** True for a family-6 sockaddr whose address is IPv4-mapped (::ffff:a.b.c.d). */
export function isIPv4MappedSockaddr(sa: Sockaddr): sa is SockaddrIn6 {
  if (sa.family !== 6) return false;
  const p = parseAddress(sa.address, 'address', () => 0);
  return p.family === 6 && isMapped(p.bytes);
}

/** The sockaddr_in view of an IPv4-mapped sockaddr_in6 (flowinfo/scopeId dropped); others unchanged. */
export function unmapSockaddr(sa: Sockaddr): Sockaddr {
  if (!isIPv4MappedSockaddr(sa)) return sa;
  return { family: 4, address: formatIPv4(parseAddress(sa.address, 'address', () => 0).bytes, 12), port: sa.port };
}
