/** SCION host addresses (IPv4 / IPv6 / SVC) and the address header that carries them. */

import ipaddr, { type IPv4, type IPv6 } from '../../sys/ipaddr.js';
import { copy, u16, ByteWriter } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { readIA, type IA, type IAInput } from './ia.js';

/** A SCION host address: IPv4, IPv6, an SVC (service) address, or an address type this decoder does not know. */
export type HostAddr =
  | { type: 'ipv4'; ip: string }
  | { type: 'ipv6'; ip: string }
  | {
      type: 'svc';
      /** 16-bit service value (multicast flag 0x8000 included). */
      svc: number;
      name: string;
      multicast: boolean;
      /** The two bytes after the SVC value; 0 on the wire, kept for exact re-encoding. */
      pad: number;
    }
  | {
      /** A type/length combination SCION does not define: kept raw. */
      type: 'unknown';
      addrType: number;
      addrLen: number;
      raw: Uint8Array;
    };

/** The SCION address header: destination and source ISD-AS and host addresses. */
export interface AddressHeader {
  dstIA: IA;
  srcIA: IA;
  dst: HostAddr;
  src: HostAddr;
}

/** Host address for the encoders: an IP or SVC name as text, or a HostAddr-like object. */
export type HostAddrInput =
  | string
  | { type: 'ipv4' | 'ipv6'; ip: string }
  | { type: 'svc'; svc: number; pad?: number }
  | { type: 'unknown'; addrType: number; addrLen: number; raw: Uint8Array };

/** The address header for the encoders: IAs and host addresses as text or objects. */
export interface AddressHeaderInput {
  dstIA: IAInput;
  srcIA: IAInput;
  dst: HostAddrInput;
  src: HostAddrInput;
}

/** SVC address of the discovery service. */
export const SVC_DS = 0x0001;
/** SVC address of the control service. */
export const SVC_CS = 0x0002;
/** SVC wildcard address. */
export const SVC_WILDCARD = 0x0010;
/** SVC "no service" value. */
export const SVC_NONE = 0xffff;
/** Flag bit of a multicast SVC address. */
export const SVC_MULTICAST = 0x8000;

// SB/SIG/HPS only existed in the dispatcher era; the Wireshark dissector still names them.
const SVC_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'DS',
  0x0002: 'CS',
  0x0003: 'SB',
  0x0004: 'SIG',
  0x0005: 'HPS',
  0x0010: 'Wildcard',
};

/** The name of an SVC value ('CS', 'DS_M', 'NONE', 'UNKNOWN(0x7)'). */
export function svcName(svc: number): string {
  if (svc === SVC_NONE) return 'NONE';
  const base = SVC_NAMES[svc & 0x7fff] ?? `UNKNOWN(0x${(svc & 0x7fff).toString(16)})`;
  return svc & SVC_MULTICAST ? `${base}_M` : base;
}

/** The SVC value of a name as {@link svcName} writes it (case-insensitive); `undefined` for an unknown name. */
export function svcFromName(name: string): number | undefined {
  if (name.toUpperCase() === 'NONE') return SVC_NONE;
  const multicast = /_M$/i.test(name);
  const base = multicast ? name.slice(0, -2) : name;
  for (const [value, n] of Object.entries(SVC_NAMES)) {
    if (n.toLowerCase() === base.toLowerCase()) {
      return Number(value) | (multicast ? SVC_MULTICAST : 0);
    }
  }
  return undefined;
}

/** Byte length of a host address from its 2-bit length code: (L+1)*4. */
export function hostAddrBytes(addrLen: number): number {
  return (addrLen + 1) * 4;
}

export function formatIPv6(raw: Uint8Array): string {
  const a = ipaddr.fromByteArray(Array.from(raw));
  // RFC 5952 §5: mapped IPv4 keeps its dotted tail.
  if (a.kind() === 'ipv6' && (a as IPv6).isIPv4MappedAddress()) {
    return `::ffff:${(a as IPv6).toIPv4Address().toString()}`;
  }
  return a.toString();
}

export function formatIPv4(raw: Uint8Array): string {
  return `${raw[0]}.${raw[1]}.${raw[2]}.${raw[3]}`;
}

export function decodeHostAddr(
  addrType: number,
  addrLen: number,
  d: Uint8Array,
  o: number,
): HostAddr {
  if (addrLen === 0 && addrType === 0) return { type: 'ipv4', ip: formatIPv4(d.subarray(o, o + 4)) };
  if (addrLen === 3 && addrType === 0) return { type: 'ipv6', ip: formatIPv6(d.subarray(o, o + 16)) };
  if (addrLen === 0 && addrType === 1) {
    const svc = u16(d, o);
    return { type: 'svc', svc, name: svcName(svc), multicast: (svc & SVC_MULTICAST) !== 0 && svc !== SVC_NONE, pad: u16(d, o + 2) };
  }
  return { type: 'unknown', addrType, addrLen, raw: copy(d, o, o + hostAddrBytes(addrLen)) };
}

/** Decode DstIA, SrcIA, DstHost, SrcHost; the caller has checked the length. */
export function decodeAddressHeader(
  d: Uint8Array,
  o: number,
  dstType: number,
  dstLen: number,
  srcType: number,
  srcLen: number,
): AddressHeader {
  const dstAt = o + 16;
  const srcAt = dstAt + hostAddrBytes(dstLen);
  return {
    dstIA: readIA(d, o),
    srcIA: readIA(d, o + 8),
    dst: decodeHostAddr(dstType, dstLen, d, dstAt),
    src: decodeHostAddr(srcType, srcLen, d, srcAt),
  };
}

export interface EncodedHost {
  addrType: number;
  addrLen: number;
  raw: Uint8Array;
}

function ipBytes(ip: string, field: string): IPv4 | IPv6 {
  if (!ipaddr.isValid(ip)) throw new EncodeError(`${field}: not an IP address: ${JSON.stringify(ip)}`);
  return ipaddr.parse(ip);
}

export function encodeHostAddr(h: HostAddrInput, field: string): EncodedHost {
  if (typeof h === 'string') {
    const svc = svcFromName(h);
    if (svc !== undefined) return encodeHostAddr({ type: 'svc', svc }, field);
    let a = ipBytes(h, field);
    // Like Go's packAddr (IP.To4): IPv4-mapped IPv6 text goes on the wire as IPv4.
    if (a.kind() === 'ipv6' && (a as IPv6).isIPv4MappedAddress()) {
      a = (a as IPv6).toIPv4Address();
    }
    return a.kind() === 'ipv4'
      ? { addrType: 0, addrLen: 0, raw: Uint8Array.from(a.toByteArray()) }
      : { addrType: 0, addrLen: 3, raw: Uint8Array.from(a.toByteArray()) };
  }
  switch (h.type) {
    case 'ipv4': {
      const a = ipBytes(h.ip, field);
      if (a.kind() !== 'ipv4') throw new EncodeError(`${field}: ${h.ip} is not IPv4`);
      return { addrType: 0, addrLen: 0, raw: Uint8Array.from(a.toByteArray()) };
    }
    case 'ipv6': {
      const a = ipBytes(h.ip, field);
      const v6 = a.kind() === 'ipv6' ? (a as IPv6) : (a as IPv4).toIPv4MappedAddress();
      return { addrType: 0, addrLen: 3, raw: Uint8Array.from(v6.toByteArray()) };
    }
    case 'svc': {
      const w = new ByteWriter();
      w.u16(h.svc, `${field}.svc`).u16(h.pad ?? 0, `${field}.pad`);
      return { addrType: 1, addrLen: 0, raw: w.finish() };
    }
    case 'unknown': {
      if (h.addrType < 0 || h.addrType > 3 || h.addrLen < 0 || h.addrLen > 3) {
        throw new EncodeError(`${field}: address type/length must be 2-bit values`);
      }
      if (h.raw.length !== hostAddrBytes(h.addrLen)) {
        throw new EncodeError(`${field}: raw address must be ${hostAddrBytes(h.addrLen)} bytes`);
      }
      return { addrType: h.addrType, addrLen: h.addrLen, raw: copy(h.raw, 0) };
    }
    default:
      throw new EncodeError(`${field}: unknown host address type`);
  }
}

/** A host address as text: the IP (IPv6 in brackets), the SVC name, or `<type T len L>`. */
export function formatHostAddr(h: HostAddr): string {
  switch (h.type) {
    case 'ipv4':
      return h.ip;
    case 'ipv6':
      return `[${h.ip}]`;
    case 'svc':
      return h.name;
    case 'unknown':
      return `<type ${h.addrType} len ${h.addrLen}>`;
  }
}
