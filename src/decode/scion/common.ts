/** The 12-byte SCION common header and the protocol / path-type numbers it refers to. */

import { u16 } from '../bytes.js';

/** Bytes of the SCION common header. */
export const COMMON_HEADER_LEN = 12;
export const LINE_LEN = 4;

/** NextHdr: TCP. */
export const PROTO_TCP = 6;
/** NextHdr: UDP (SCION/UDP). */
export const PROTO_UDP = 17;
/** NextHdr: hop-by-hop options extension. */
export const PROTO_HBH = 200;
/** NextHdr: end-to-end options extension. */
export const PROTO_E2E = 201;
/** NextHdr: SCMP (SCION's ICMP). */
export const PROTO_SCMP = 202;
/** NextHdr: BFD (border router sessions). */
export const PROTO_BFD = 203;

/** PathType: Empty (AS-local traffic). */
export const PATH_EMPTY = 0;
/** PathType: the standard SCION path. */
export const PATH_SCION = 1;
/** PathType: one-hop path (beaconing to a neighbour). */
export const PATH_ONEHOP = 2;
/** PathType: EPIC path. */
export const PATH_EPIC = 3;
/** PathType: COLIBRI path. */
export const PATH_COLIBRI = 4;

const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  [PROTO_TCP]: 'TCP',
  [PROTO_UDP]: 'UDP',
  [PROTO_HBH]: 'HopByHop',
  [PROTO_E2E]: 'EndToEnd',
  [PROTO_SCMP]: 'SCMP',
  [PROTO_BFD]: 'BFD',
  253: 'Experimental253',
  254: 'Experimental254',
};

const PATH_TYPE_NAMES: Readonly<Record<number, string>> = {
  [PATH_EMPTY]: 'Empty',
  [PATH_SCION]: 'SCION',
  [PATH_ONEHOP]: 'OneHop',
  [PATH_EPIC]: 'EPIC',
  [PATH_COLIBRI]: 'COLIBRI',
};

/** The name of a NextHdr value ('UDP', 'SCMP', …); `Unknown(n)` otherwise. */
export function protocolName(n: number): string {
  return PROTOCOL_NAMES[n] ?? `Unknown(${n})`;
}

/** The name of a PathType value ('SCION', 'Empty', …); `Unknown(n)` otherwise. */
export function pathTypeName(n: number): string {
  return PATH_TYPE_NAMES[n] ?? `Unknown(${n})`;
}

/** The decoded SCION common header (version, traffic class, flow ID, next header, lengths, path and address types). */
export interface CommonHeader {
  version: number;
  trafficClass: number;
  /** 20-bit flow label. */
  flowId: number;
  nextHdr: number;
  nextHdrName: string;
  /** Header length in 4-byte units, as on the wire. */
  hdrLen: number;
  /** hdrLen * 4. */
  hdrBytes: number;
  /** Bytes after the SCION header: extensions + L4. */
  payloadLen: number;
  pathType: number;
  pathTypeName: string;
  dstAddrType: number;
  dstAddrLen: number;
  srcAddrType: number;
  srcAddrLen: number;
  /** Bytes 10-11, must be 0. */
  reserved: number;
}

/** Fields the encoder takes from the caller; whatever is missing is derived from the packet. */
export interface CommonHeaderInput {
  version?: number;
  trafficClass?: number;
  flowId?: number;
  nextHdr?: number;
  hdrLen?: number;
  payloadLen?: number;
  pathType?: number;
  dstAddrType?: number;
  dstAddrLen?: number;
  srcAddrType?: number;
  srcAddrLen?: number;
  reserved?: number;
}

/** Decode the common header; the caller has checked that 12 bytes are there. */
export function decodeCommonHeader(d: Uint8Array, o = 0): CommonHeader {
  const nextHdr = d[o + 4]!;
  const hdrLen = d[o + 5]!;
  const pathType = d[o + 8]!;
  const types = d[o + 9]!;
  return {
    version: d[o]! >> 4,
    trafficClass: ((d[o]! & 0x0f) << 4) | (d[o + 1]! >> 4),
    flowId: ((d[o + 1]! & 0x0f) << 16) | u16(d, o + 2),
    nextHdr,
    nextHdrName: protocolName(nextHdr),
    hdrLen,
    hdrBytes: hdrLen * LINE_LEN,
    payloadLen: u16(d, o + 6),
    pathType,
    pathTypeName: pathTypeName(pathType),
    dstAddrType: types >> 6,
    dstAddrLen: (types >> 4) & 0x3,
    srcAddrType: (types >> 2) & 0x3,
    srcAddrLen: types & 0x3,
    reserved: u16(d, o + 10),
  };
}
