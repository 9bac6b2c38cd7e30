// Synthesizes the IPv4/IPv6 + UDP headers the kernel stripped, so a capture of socket payloads
// dissects in Wireshark as if taken on the wire (LINKTYPE_RAW).
import ipaddr, { type IPv4, type IPv6 } from '../sys/ipaddr.js';
import { invalidArg } from '../sys/errors.js';

/** An address and port, as the pcapng writer takes them. */
export interface Endpoint {
  /** Informational only: the family is taken from the address text. */
  family?: 'IPv4' | 'IPv6' | 4 | 6;
  address: string;
  port: number;
}

export interface SynthInput {
  src: Endpoint;
  dst: Endpoint;
  /** IPv4 TTL or IPv6 hop limit; 64 when unknown. */
  ttl?: number;
  /** IPv4 TOS byte or IPv6 traffic class; 0 when unknown. */
  tos?: number;
  payload: Uint8Array;
  /** Datagram length before truncation (MSG_TRUNC); defaults to payload.length. */
  origPayloadLength?: number;
}

export interface SynthPacket {
  data: Uint8Array;
  /** IP packet length the datagram had on the wire. */
  origLength: number;
  family: 4 | 6;
}

export const IPV4_HEADER = 20;
export const IPV6_HEADER = 40;
export const UDP_HEADER = 8;
const PROTO_UDP = 17;

/** Bytes of an address; v4-mapped IPv6 stays 16 bytes here (mapping is decided per pair). */
function parse(address: string, field: string): IPv4 | IPv6 {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const pct = text.indexOf('%'); // zone ids are not on the wire
  if (pct >= 0) text = text.slice(0, pct);
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  throw invalidArg('ERR_INVALID_ADDRESS', `${field}: '${address}' is not an IPv4 or IPv6 address`);
}

function asV4(a: IPv4 | IPv6): number[] | null {
  if (a.kind() === 'ipv4') return a.toByteArray();
  const v6 = a as IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toByteArray() : null;
}

function asV6(a: IPv4 | IPv6): number[] {
  return a.kind() === 'ipv4' ? (a as IPv4).toIPv4MappedAddress().toByteArray() : a.toByteArray();
}

/** Picks the wire family: IPv4 when both ends are IPv4 or v4-mapped (a dual-stack socket's view), else IPv6. */
export function resolvePair(src: string, dst: string): { family: 4 | 6; src: Uint8Array; dst: Uint8Array } {
  const s = parse(src, 'src.address');
  const d = parse(dst, 'dst.address');
  const s4 = asV4(s);
  const d4 = asV4(d);
  if (s4 && d4) return { family: 4, src: Uint8Array.from(s4), dst: Uint8Array.from(d4) };
  return { family: 6, src: Uint8Array.from(asV6(s)), dst: Uint8Array.from(asV6(d)) };
}

/** Ones'-complement sum of big-endian 16-bit words, not yet folded/inverted. */
export function sum16(bytes: Uint8Array, start: number, end: number, acc = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) acc += bytes[i]! << 8; // odd length: pad with a zero byte
  return acc;
}

/** Folds a 32-bit ones'-complement sum to 16 bits. */
export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~fold(sum16(bytes, start, end)) & 0xffff;
}

function checkByte(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} must be an integer 0..255, got ${v}`);
  return v;
}

function checkPort(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} must be an integer 0..65535, got ${v}`);
  return v;
}

export function synthesizeUdp(input: SynthInput): SynthPacket {
  const pair = resolvePair(input.src.address, input.dst.address);
  const srcPort = checkPort(input.src.port, 'src.port');
  const dstPort = checkPort(input.dst.port, 'dst.port');
  const ttl = checkByte(input.ttl, 64, 'ttl');
  const tos = checkByte(input.tos, 0, 'tos');
  const payload = input.payload;
  const origPayload = input.origPayloadLength ?? payload.length;
  if (!Number.isInteger(origPayload) || origPayload < payload.length) {
    throw new RangeError(`origPayloadLength ${origPayload} is shorter than the ${payload.length}-byte payload`);
  }
  const truncated = origPayload > payload.length;
  const udpLength = UDP_HEADER + origPayload;
  const ipHeader = pair.family === 4 ? IPV4_HEADER : IPV6_HEADER;
  const maxUdp = pair.family === 4 ? 0xffff - IPV4_HEADER : 0xffff;
  if (udpLength > maxUdp) throw new RangeError(`a ${origPayload}-byte UDP payload does not fit an IPv${pair.family} packet`);

  const data = new Uint8Array(ipHeader + UDP_HEADER + payload.length);
  const view = new DataView(data.buffer);
  if (pair.family === 4) {
    view.setUint8(0, 0x45); // version 4, IHL 5 words
    view.setUint8(1, tos);
    view.setUint16(2, IPV4_HEADER + udpLength);
    view.setUint16(4, 0); // identification
    view.setUint16(6, 0x4000); // DF, as Linux sends unfragmented UDP with PMTU discovery
    view.setUint8(8, ttl);
    view.setUint8(9, PROTO_UDP);
    data.set(pair.src, 12);
    data.set(pair.dst, 16);
    view.setUint16(10, internetChecksum(data, 0, IPV4_HEADER));
  } else {
    view.setUint32(0, (6 << 28) | (tos << 20)); // version, traffic class, flow label 0
    view.setUint16(4, udpLength);
    view.setUint8(6, PROTO_UDP);
    view.setUint8(7, ttl);
    data.set(pair.src, 8);
    data.set(pair.dst, 24);
  }
  const u = ipHeader;
  view.setUint16(u, srcPort);
  view.setUint16(u + 2, dstPort);
  view.setUint16(u + 4, udpLength);
  data.set(payload, u + UDP_HEADER);
  if (!truncated) {
    // pseudo header: addresses, protocol, UDP length (the IPv6 layout sums to the same words)
    let acc = sum16(pair.src, 0, pair.src.length);
    acc = sum16(pair.dst, 0, pair.dst.length, acc);
    acc += PROTO_UDP + udpLength;
    acc = sum16(data, u, data.length, acc);
    const ck = ~fold(acc) & 0xffff;
    view.setUint16(u + 6, ck === 0 ? 0xffff : ck); // 0 means "no checksum" on the wire
  }
  // A truncated datagram's checksum cannot be computed: leave 0 ("none" for IPv4; Wireshark
  // does not validate a checksum over bytes it does not have).
  return { data, origLength: ipHeader + udpLength, family: pair.family };
}
