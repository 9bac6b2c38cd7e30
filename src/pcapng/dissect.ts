// Takes apart the raw IPv4/IPv6 + UDP packets that synth.ts builds (LINKTYPE_RAW), for
// `disptap decode` and for tests. Returns null rather than throwing on anything else.
import ipaddr from '../sys/ipaddr.js';

/** The headers and payload of a raw IPv4/IPv6 + UDP packet. */
export interface DissectedUdp {
  family: 4 | 6;
  src: { address: string; port: number };
  dst: { address: string; port: number };
  /** TTL or hop limit. */
  ttl: number;
  /** TOS byte or traffic class. */
  tos: number;
  /** UDP length field minus the header: the datagram's size before any truncation. */
  udpPayloadLength: number;
  /** The payload bytes present in the capture (may be shorter than udpPayloadLength). */
  payload: Uint8Array;
  udpChecksum: number;
}

function addr(bytes: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

/** Takes apart a raw IPv4/IPv6 + UDP packet (a pcapng packet's `data`); null when it is none. */
export function dissectUdp(data: Uint8Array): DissectedUdp | null {
  if (data.length < 1) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[0]! >> 4;
  let family: 4 | 6, hdr: number, ttl: number, tos: number, src: Uint8Array, dst: Uint8Array;
  if (version === 4) {
    hdr = (data[0]! & 0x0f) * 4;
    if (hdr < 20 || data.length < hdr + 8 || data[9] !== 17) return null;
    family = 4;
    tos = data[1]!;
    ttl = data[8]!;
    src = data.subarray(12, 16);
    dst = data.subarray(16, 20);
  } else if (version === 6) {
    hdr = 40;
    if (data.length < hdr + 8 || data[6] !== 17) return null; // extension headers: not ours
    family = 6;
    tos = (view.getUint32(0) >>> 20) & 0xff;
    ttl = data[7]!;
    src = data.subarray(8, 24);
    dst = data.subarray(24, 40);
  } else {
    return null;
  }
  const udpLength = view.getUint16(hdr + 4);
  if (udpLength < 8) return null;
  const end = Math.min(data.length, hdr + udpLength);
  return {
    family,
    src: { address: addr(src), port: view.getUint16(hdr) },
    dst: { address: addr(dst), port: view.getUint16(hdr + 2) },
    ttl,
    tos,
    udpPayloadLength: udpLength - 8,
    payload: data.subarray(hdr + 8, end),
    udpChecksum: view.getUint16(hdr + 6),
  };
}
