/** The 12-byte SCION common header and the protocol / path-type numbers it refers to. */

import { u16 } from '../bytes.js';

export const COMMON_HEADER_LEN = 12;
export const LINE_LEN = 4;

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_HBH = 200;
export const PROTO_E2E = 201;
export const PROTO_SCMP = 202;
export const PROTO_BFD = 203;

export const PATH_EMPTY = 0;
export const PATH_SCION = 1;
export const PATH_ONEHOP = 2;
export const PATH_EPIC = 3;
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

export function protocolName(n: number): string {
  return PROTOCOL_NAMES[n] ?? `Unknown(${n})`;
}

export function pathTypeName(n: number): string {
  return PATH_TYPE_NAMES[n] ?? `Unknown(${n})`;
}

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
