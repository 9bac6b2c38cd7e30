// Where a datagram goes: { address, port } checked and turned into the bytes sendmsg takes.
import { parseAddress, toMappedIPv6, validatePort, type Family, type ParsedAddress } from '../../sys/address.js';
import { invalidArg } from '../../sys/errors.js';
import { zoneResolver } from '../options.js';

/** Where to send: an address (IPv6 may carry a zone) and a port. */
export interface Destination {
  address: string;
  port: number;
}

export interface ResolvedDestination {
  addr: ParsedAddress;
  port: number;
  /** The address as the caller wrote it, for error messages. */
  text: string;
}

/**
 * Checks `to` for a socket of `family`. An IPv4 destination on a dual-stack IPv6 socket becomes its
 * IPv4-mapped form, as the kernel expects it there.
 */
export function resolveDestination(to: unknown, fn: string, family: Family, ipv6Only: boolean): ResolvedDestination {
  if (to === null || typeof to !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: destination must be { address, port }`);
  const d = to as Record<string, unknown>;
  const port = validatePort(d.port, `${fn}: port`);
  if (port === 0) throw invalidArg('ERR_SOCKET_BAD_PORT', `${fn}: port 0 is not a destination`, RangeError);
  if (typeof d.address !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: address must be a string`);
  const addr = parseAddress(d.address, `${fn}: address`, zoneResolver(fn));
  if (addr.family === family) return { addr, port, text: d.address };
  if (family === 6 && !ipv6Only) return { addr: toMappedIPv6(addr), port, text: d.address };
  throw invalidArg('ERR_INVALID_ARG_VALUE', `${fn}: ${d.address} is not reachable from an IPv${family} tap`);
}

/** A datagram's bytes: a string is sent as UTF-8. */
export function toPayload(data: unknown, fn: string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof Uint8Array) return data;
  throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: data must be a Uint8Array, Buffer or string`);
}
