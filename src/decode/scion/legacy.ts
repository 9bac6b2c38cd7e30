/**
 * Recognise pre-2020 SCION headers (go/lib/spkt): an 8-byte common header
 * Ver(4) DstType(6) SrcType(6) | TotalLen u16 | HdrLen u8 (8-byte lines) | CurrINF u8 | CurrHF u8 |
 * NextHdr u8, then DstIA, SrcIA (8 bytes each) and host addresses. Such packets are reported as
 * "not current SCION", not as broken current ones.
 */

import { u16 } from '../bytes.js';
import { formatIPv4, formatIPv6, svcName } from './address.js';
import { readIA, type IA } from './ia.js';

const HOST_TYPES: Readonly<Record<number, { name: string; len: number }>> = {
  1: { name: 'IPv4', len: 4 },
  2: { name: 'IPv6', len: 16 },
  3: { name: 'SVC', len: 2 },
};

// Legacy L4 numbering: HBH extensions were class 0, SCMP was 1, E2E extensions 222.
const LEGACY_NEXT_HDR: Readonly<Record<number, string>> = {
  0: 'HopByHopExtension',
  1: 'SCMP',
  6: 'TCP',
  17: 'UDP',
  222: 'EndToEndExtension',
};

/** A pre-2020 SCION header, recognised so it can be named rather than misdecoded (the current decoder reports NOT_CURRENT_SCION). */
export interface LegacyScionHeader {
  kind: 'legacy-scion';
  version: number;
  dstType: string;
  srcType: string;
  totalLen: number;
  /** In 8-byte lines. */
  hdrLen: number;
  currInfoField: number;
  currHopField: number;
  nextHdr: number;
  nextHdrName: string;
  dstIA: IA;
  srcIA: IA;
  dst: string;
  src: string;
}

function legacyHost(type: number, d: Uint8Array, o: number): string {
  if (type === 1) return formatIPv4(d.subarray(o, o + 4));
  if (type === 2) return formatIPv6(d.subarray(o, o + 16));
  return svcName(u16(d, o));
}

/** A legacy header, or undefined when the bytes are not one. */
export function recogniseLegacyScion(d: Uint8Array): LegacyScionHeader | undefined {
  if (d.length < 8 || d[0]! >> 4 !== 0) return undefined;
  const verDstSrc = u16(d, 0);
  const dst = HOST_TYPES[(verDstSrc >> 6) & 0x3f];
  const src = HOST_TYPES[verDstSrc & 0x3f];
  const totalLen = u16(d, 2);
  const hdrLen = d[4]!;
  const nextHdr = d[7]!;
  const nextHdrName = LEGACY_NEXT_HDR[nextHdr];
  if (!dst || !src || nextHdrName === undefined || totalLen !== d.length) return undefined;
  const addrEnd = 8 + 16 + dst.len + src.len;
  if (hdrLen * 8 < addrEnd || hdrLen * 8 > totalLen) return undefined;
  return {
    kind: 'legacy-scion',
    version: 0,
    dstType: dst.name,
    srcType: src.name,
    totalLen,
    hdrLen,
    currInfoField: d[5]!,
    currHopField: d[6]!,
    nextHdr,
    nextHdrName,
    dstIA: readIA(d, 8),
    srcIA: readIA(d, 16),
    dst: legacyHost((verDstSrc >> 6) & 0x3f, d, 24),
    src: legacyHost(verDstSrc & 0x3f, d, 24 + dst.len),
  };
}
