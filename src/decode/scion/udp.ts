/** UDP/SCION: a plain 8-byte UDP header whose checksum covers the SCION pseudo header. */

import { assertUint, copy, u16, ByteWriter } from '../bytes.js';
import { decodeError, decodeWarning, type DecodeError, type DecodeWarning } from '../errors.js';
import { classifyUdpDetailed, WELL_KNOWN_ONLY, type UdpLayerName } from '../classify.js';
import { decodeNtp, type NtpDecodeResult } from '../ntp.js';
import { computeScionChecksum, verifyScionChecksum, type ChecksumStatus } from './checksum.js';
import { PROTO_UDP } from './common.js';

export const UDP_HEADER_LEN = 8;

/** What the UDP payload looks like, by gopacket's well-known port table (dst port first). */
export interface UdpApplication {
  layer: UdpLayerName;
  reason: string;
  /** Decoded when the ports say NTP. */
  ntp?: NtpDecodeResult;
}

/** A decoded SCION/UDP datagram with its checksum verdict and, by its ports, what the payload is. */
export interface ScionUdp {
  type: 'udp';
  protocol: 17;
  srcPort: number;
  dstPort: number;
  /** Length field as on the wire (0 = jumbogram: the rest of the payload). */
  length: number;
  checksum: number;
  /** Absent when the datagram is truncated and the checksum cannot be verified. */
  checksumStatus?: ChecksumStatus;
  payload: Uint8Array;
  /** Bytes inside PayloadLen after the UDP Length. */
  excess?: Uint8Array;
  application: UdpApplication;
}

/** A SCION/UDP datagram for the encoders; length and checksum are computed unless given. */
export interface ScionUdpInput {
  type: 'udp';
  srcPort: number;
  dstPort: number;
  length?: number;
  checksum?: number;
  payload: Uint8Array;
  excess?: Uint8Array;
}

export type UdpDecodeResult =
  | { ok: true; udp: ScionUdp; warnings: DecodeWarning[] }
  | { ok: false; error: DecodeError; udp?: ScionUdp; warnings: DecodeWarning[] };

/**
 * Decode d[o, end) as UDP/SCION. `complete` is false when the SCION payload was cut short, in
 * which case the checksum is not verified.
 */
export function decodeScionUdp(d: Uint8Array, o: number, end: number, addressHeader: Uint8Array, complete: boolean): UdpDecodeResult {
  const warnings: DecodeWarning[] = [];
  if (end - o < UDP_HEADER_LEN) {
    return { ok: false, error: decodeError('TRUNCATED', `UDP header needs 8 bytes, ${end - o} left`, o), warnings };
  }
  const srcPort = u16(d, o);
  const dstPort = u16(d, o + 2);
  const length = u16(d, o + 4);
  const checksum = u16(d, o + 6);
  if (length > 0 && length < UDP_HEADER_LEN) {
    return { ok: false, error: decodeError('BAD_UDP_LENGTH', `UDP Length ${length} is shorter than the UDP header`, o + 4), warnings };
  }
  const available = end - o;
  const udpEnd = length === 0 ? end : o + Math.min(length, available);
  const payload = copy(d, o + UDP_HEADER_LEN, udpEnd);
  const cls = classifyUdpDetailed({ srcPort, dstPort, payload }, WELL_KNOWN_ONLY);
  const application: UdpApplication = { layer: cls.layer, reason: cls.reason };
  if (cls.layer === 'NTP') application.ntp = decodeNtp(payload);
  const udp: ScionUdp = { type: 'udp', protocol: PROTO_UDP, srcPort, dstPort, length, checksum, payload, application };
  if (length > available) {
    return { ok: false, error: decodeError('TRUNCATED', `UDP Length ${length} exceeds the ${available} bytes left`, o + 4), udp, warnings };
  }
  if (udpEnd < end) {
    udp.excess = copy(d, udpEnd, end);
    warnings.push(decodeWarning('UDP_LENGTH_SHORT', `UDP Length ${length} leaves ${end - udpEnd} bytes of the SCION payload unused`, udpEnd));
  }
  if (complete) udp.checksumStatus = verifyScionChecksum(addressHeader, d.subarray(o, udpEnd), PROTO_UDP, 6);
  return { ok: true, udp, warnings };
}

export function encodeScionUdp(u: ScionUdpInput, addressHeader: Uint8Array, recompute: boolean): Uint8Array {
  const w = new ByteWriter();
  const natural = UDP_HEADER_LEN + u.payload.length;
  // 0 is the jumbogram marker, not a length: recomputing keeps it.
  const length = u.length === 0 ? 0 : recompute || u.length === undefined ? (natural > 0xffff ? 0 : natural) : u.length;
  w.u16(u.srcPort, 'l4.srcPort').u16(u.dstPort, 'l4.dstPort').u16(length, 'l4.length').u16(0).bytes(u.payload, 'l4.payload');
  const datagram = w.finish();
  const checksum = recompute || u.checksum === undefined
    ? computeScionChecksum(addressHeader, datagram, PROTO_UDP, 6)
    : assertUint(u.checksum, 0xffff, 'l4.checksum');
  const out = new ByteWriter();
  out.bytes(datagram);
  out.patchU16(6, checksum);
  if (u.excess) out.bytes(u.excess, 'l4.excess');
  return out.finish();
}
