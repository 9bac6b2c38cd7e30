/**
 * decodeScion: common header → address header → path → (HBH)? → (E2E)? → L4 (UDP / SCMP / BFD /
 * raw), then bytes past PayloadLen as trailing data. Never throws: a fault ends decoding with a
 * structured error and everything decoded before it.
 */

import { asBytes, copy, type BytesLike } from '../bytes.js';
import { decodeError, decodeWarning, type DecodeError, type DecodeWarning } from '../errors.js';
import { decodeStun, looksLikeStun } from '../stun.js';
import { decodeAddressHeader, hostAddrBytes, type AddressHeader } from './address.js';
import { decodeBfd } from './bfd.js';
import {
  COMMON_HEADER_LEN,
  decodeCommonHeader,
  PROTO_BFD,
  PROTO_E2E,
  PROTO_HBH,
  PROTO_SCMP,
  PROTO_UDP,
  protocolName,
  type CommonHeader,
} from './common.js';
import { decodeExtension, type ExtensionHeader, type ExtensionKind } from './extensions.js';
import { recogniseLegacyScion } from './legacy.js';
import { decodePath, type PathHeader } from './path.js';
import { decodeScmp } from './scmp.js';
import { decodeScionTimeTrailer, SCION_TIME_TRAILER_LEN, type TrailingData } from './trailer.js';
import { decodeScionUdp } from './udp.js';

import type { NotCurrentScion, ScionDecodeFailure, ScionDecodeResult, ScionL4, ScionLayers, ScionPacket } from './types.js';

export type { NotCurrentScion, RawL4, ScionDecodeFailure, ScionDecodeResult, ScionL4, ScionLayers, ScionPacket } from './types.js';

/** SCMP errors quoting SCMP errors: decode this many levels, keep deeper quotes raw. */
const MAX_QUOTE_DEPTH = 4;

export function decodeScion(input: BytesLike): ScionDecodeResult {
  return decodeAt(input, 0);
}

/** A sub-decoder that ran out of bytes inside a complete payload means PayloadLen is wrong. */
function inPayload(e: DecodeError, complete: boolean): DecodeError {
  if (!complete || e.code !== 'TRUNCATED') return e;
  return decodeError('BAD_LENGTH', `PayloadLen too small: ${e.message}`, e.offset);
}

function decodeAt(input: unknown, depth: number): ScionDecodeResult {
  const warnings: DecodeWarning[] = [];
  const fail = (error: DecodeError, parts: Partial<ScionLayers> = {}, recognised?: NotCurrentScion): ScionDecodeFailure => ({
    ok: false,
    layer: 'scion',
    error,
    ...(recognised ? { recognised } : {}),
    ...parts,
    warnings,
  });
  const d = asBytes(input);
  if (!d) return fail(decodeError('INVALID_INPUT', 'expected a Uint8Array or ArrayBuffer', 0));

  if (looksLikeStun(d)) {
    const stun = decodeStun(d);
    if (stun.ok) return fail(decodeError('STUN', `STUN ${stun.methodName} ${stun.className}, not SCION`, 0), {}, { kind: 'stun', stun });
  }
  // Failures in the headers may mean the bytes are a pre-2020 packet: say so rather than "broken".
  const headerFail = (error: DecodeError, parts: Partial<ScionLayers>): ScionDecodeFailure => {
    const legacy = recogniseLegacyScion(d);
    if (!legacy) return fail(error, parts);
    return fail(
      decodeError('NOT_CURRENT_SCION', `not current SCION: legacy (pre-2020) SCION header, ${legacy.dstType}/${legacy.srcType} hosts, NextHdr ${legacy.nextHdrName}`, 0),
      {},
      legacy,
    );
  };

  if (d.length < COMMON_HEADER_LEN) {
    return headerFail(decodeError('TRUNCATED', `SCION common header needs ${COMMON_HEADER_LEN} bytes, got ${d.length}`, 0), {});
  }
  const common = decodeCommonHeader(d);
  if (common.version !== 0) {
    return fail(decodeError('UNSUPPORTED_VERSION', `SCION version ${common.version}, only 0 is supported`, 0), { common });
  }
  if (common.reserved !== 0) warnings.push(decodeWarning('RESERVED_NOT_ZERO', `common header reserved bytes are 0x${common.reserved.toString(16)}`, 10));
  if (common.flowId === 0) warnings.push(decodeWarning('FLOW_ID_ZERO', 'FlowID is 0 (it is mandatory to set one)', 1));

  const dstBytes = hostAddrBytes(common.dstAddrLen);
  const srcBytes = hostAddrBytes(common.srcAddrLen);
  const pathStart = COMMON_HEADER_LEN + 16 + dstBytes + srcBytes;
  if (d.length < pathStart) {
    return headerFail(decodeError('TRUNCATED', `address header needs ${pathStart - COMMON_HEADER_LEN} bytes, ${d.length - COMMON_HEADER_LEN} left`, COMMON_HEADER_LEN), { common });
  }
  const address = decodeAddressHeader(d, COMMON_HEADER_LEN, common.dstAddrType, common.dstAddrLen, common.srcAddrType, common.srcAddrLen);
  if (address.dst.type === 'unknown') warnings.push(decodeWarning('UNSUPPORTED_ADDRESS', `destination address type ${common.dstAddrType} / length ${common.dstAddrLen} is not defined`, 9));
  if (address.src.type === 'unknown') warnings.push(decodeWarning('UNSUPPORTED_ADDRESS', `source address type ${common.srcAddrType} / length ${common.srcAddrLen} is not defined`, 9));

  const hdrBytes = common.hdrBytes;
  if (hdrBytes < pathStart) {
    return headerFail(decodeError('BAD_HEADER_LENGTH', `HdrLen ${common.hdrLen} (${hdrBytes} bytes) is shorter than the common and address headers (${pathStart} bytes)`, 5), { common, address });
  }
  if (d.length < hdrBytes) {
    return headerFail(decodeError('TRUNCATED', `HdrLen says ${hdrBytes} header bytes, got ${d.length}`, pathStart), { common, address });
  }
  const pathResult = decodePath(d, pathStart, hdrBytes, common.pathType);
  warnings.push(...pathResult.warnings);
  if (!pathResult.ok) {
    return headerFail(pathResult.error, { common, address, ...(pathResult.partial ? { path: pathResult.partial } : {}) });
  }
  const parts: Partial<ScionLayers> & { common: CommonHeader; address: AddressHeader; path: PathHeader } = { common, address, path: pathResult.path };

  // The pseudo header for UDP/SCMP checksums is the address header as on the wire.
  const addressHeader = d.subarray(COMMON_HEADER_LEN, pathStart);
  const payloadEnd = hdrBytes + common.payloadLen;
  const complete = payloadEnd <= d.length;
  const limit = Math.min(payloadEnd, d.length);

  let cursor = hdrBytes;
  let next = common.nextHdr;
  const extension = (kind: ExtensionKind): ExtensionHeader | DecodeError => {
    const r = decodeExtension(d, cursor, limit, kind);
    warnings.push(...r.warnings);
    return r.ok ? r.ext : inPayload(r.error, complete);
  };
  if (next === PROTO_HBH) {
    const ext = extension('hop-by-hop');
    if ('code' in ext) return fail(ext, parts);
    parts.hopByHop = ext;
    if (ext.nextHdr === PROTO_HBH) return fail(decodeError('BAD_EXTENSION', 'Hop-by-Hop extension repeated', cursor), parts);
    cursor += ext.length;
    next = ext.nextHdr;
  }
  if (next === PROTO_E2E) {
    const ext = extension('end-to-end');
    if ('code' in ext) return fail(ext, parts);
    parts.endToEnd = ext;
    if (ext.nextHdr === PROTO_HBH) return fail(decodeError('BAD_EXTENSION', 'Hop-by-Hop extension after the End-to-End extension', cursor), parts);
    if (ext.nextHdr === PROTO_E2E) return fail(decodeError('BAD_EXTENSION', 'End-to-End extension repeated', cursor), parts);
    cursor += ext.length;
    next = ext.nextHdr;
  }

  let l4: ScionL4;
  switch (next) {
    case PROTO_UDP: {
      const r = decodeScionUdp(d, cursor, limit, addressHeader, complete);
      warnings.push(...r.warnings);
      if (!r.ok) return fail(inPayload(r.error, complete), { ...parts, ...(r.udp ? { l4: r.udp } : {}) });
      l4 = r.udp;
      break;
    }
    case PROTO_SCMP: {
      const r = decodeScmp(d, cursor, limit, addressHeader, complete, (q) => (depth < MAX_QUOTE_DEPTH ? decodeAt(q, depth + 1) : undefined));
      warnings.push(...r.warnings);
      if (!r.ok) return fail(inPayload(r.error, complete), { ...parts, ...(r.scmp ? { l4: r.scmp } : {}) });
      l4 = r.scmp;
      break;
    }
    case PROTO_BFD: {
      const r = decodeBfd(d, cursor, limit);
      warnings.push(...r.warnings);
      if (!r.ok) return fail(inPayload(r.error, complete), parts);
      l4 = r.bfd;
      break;
    }
    default:
      l4 = { type: 'raw', protocol: next, protocolName: protocolName(next), data: copy(d, cursor, limit) };
  }
  if (!complete) {
    return fail(decodeError('TRUNCATED', `PayloadLen ${common.payloadLen} needs ${payloadEnd} bytes, got ${d.length}`, d.length), { ...parts, l4 });
  }
  const packet: ScionPacket = { ok: true, layer: 'scion', length: d.length, ...parts, l4, warnings };
  if (d.length > payloadEnd) {
    const trailing: TrailingData = { offset: payloadEnd, data: copy(d, payloadEnd) };
    // Quotes are cut-off packets; a 52-byte tail there is not the fork's trailer.
    if (depth === 0 && trailing.data.length === SCION_TIME_TRAILER_LEN) trailing.scionTime = decodeScionTimeTrailer(d, payloadEnd);
    packet.trailing = trailing;
  }
  return packet;
}
