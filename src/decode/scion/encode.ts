/**
 * encodeScion: the inverse of decodeScion, for generating test traffic.
 *
 * Length fields (HdrLen, PayloadLen, ExtLen, OptDataLen, UDP Length, BFD Length), derived fields
 * (NextHdr, PathType, address type/length) and checksums are written as given when the input has
 * them — so a decoded packet re-encodes byte for byte, even a deliberately broken one — and
 * computed when it does not. `{ recompute: true }` ignores the given values and computes them all
 * (use it after editing a decoded packet).
 */

import { assertUint, ByteWriter, concatBytes } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { encodeHostAddr, type AddressHeaderInput } from './address.js';
import { encodeBfd, type BfdControlInput } from './bfd.js';
import { COMMON_HEADER_LEN, LINE_LEN, PROTO_BFD, PROTO_E2E, PROTO_HBH, PROTO_SCMP, PROTO_UDP, type CommonHeaderInput } from './common.js';
import { encodeExtension, type ExtensionHeaderInput } from './extensions.js';
import { writeIA } from './ia.js';
import { encodePath, pathTypeOf, type PathInput } from './path.js';
import { encodeScmp, type ScmpInput } from './scmp.js';
import { encodeScionUdp, type ScionUdpInput } from './udp.js';

/** An L4 the encoder writes as given: any NextHdr value and its bytes. */
export interface RawL4Input {
  type: 'raw';
  protocol: number;
  data: Uint8Array;
}

/** What a SCION packet carries, by `type`: UDP, SCMP, BFD, or raw bytes. */
export type ScionL4Input = ScionUdpInput | ScmpInput | BfdControlInput | RawL4Input;

/** A whole SCION packet for {@link encodeScion}; a decoded packet fits too (it re-encodes byte for byte). */
export interface ScionPacketInput {
  /** Missing fields are derived (version 0, TrafficClass 0, FlowID 1). */
  common?: CommonHeaderInput;
  address: AddressHeaderInput;
  /** Default: the Empty path. */
  path?: PathInput;
  hopByHop?: ExtensionHeaderInput;
  endToEnd?: ExtensionHeaderInput;
  l4: ScionL4Input;
  /** Bytes written after the packet (outside PayloadLen), e.g. a Scion Time trailer. */
  trailing?: Uint8Array | { data: Uint8Array };
}

/** Options of {@link encodeScion}. */
export interface EncodeScionOptions {
  /** Compute every length, derived field and checksum even when the input gives one. */
  recompute?: boolean;
}

/** The FlowID the encoders write when none is given. */
export const DEFAULT_FLOW_ID = 1;

function l4Protocol(l4: ScionL4Input): number {
  switch (l4.type) {
    case 'udp':
      return PROTO_UDP;
    case 'scmp':
      return PROTO_SCMP;
    case 'bfd':
      return PROTO_BFD;
    case 'raw':
      return assertUint(l4.protocol, 0xff, 'l4.protocol');
    default:
      throw new EncodeError('l4: unknown type');
  }
}

/** The wire bytes of a SCION packet: lengths, derived fields and checksums computed where not given; throws an EncodeError on unrepresentable input. */
export function encodeScion(packet: ScionPacketInput, options: EncodeScionOptions = {}): Uint8Array {
  if ((packet as { ok?: unknown }).ok === false) throw new EncodeError('cannot encode a failed decode result');
  const recompute = options.recompute === true;
  const c = packet.common ?? {};
  const pick = (given: number | undefined, derived: number): number => (recompute || given === undefined ? derived : given);

  const dst = encodeHostAddr(packet.address.dst, 'address.dst');
  const src = encodeHostAddr(packet.address.src, 'address.src');
  const aw = new ByteWriter();
  writeIA(aw, packet.address.dstIA, 'address.dstIA');
  writeIA(aw, packet.address.srcIA, 'address.srcIA');
  aw.bytes(dst.raw).bytes(src.raw);
  const addressHeader = aw.finish();

  const path = packet.path ?? { type: 'empty' };
  const pathBytes = encodePath(path);
  const headerBytes = COMMON_HEADER_LEN + addressHeader.length + pathBytes.length;
  if (headerBytes % LINE_LEN !== 0) throw new EncodeError(`SCION header of ${headerBytes} bytes is not a multiple of 4`);
  if (headerBytes / LINE_LEN > 0xff) throw new EncodeError(`SCION header of ${headerBytes} bytes exceeds HdrLen's 1020`);

  const proto = l4Protocol(packet.l4);
  const e2e = packet.endToEnd ? encodeExtension(packet.endToEnd, proto, 'endToEnd', recompute) : undefined;
  const hbh = packet.hopByHop ? encodeExtension(packet.hopByHop, e2e ? PROTO_E2E : proto, 'hopByHop', recompute) : undefined;
  const firstNext = hbh ? PROTO_HBH : e2e ? PROTO_E2E : proto;

  let l4: Uint8Array;
  switch (packet.l4.type) {
    case 'udp':
      l4 = encodeScionUdp(packet.l4, addressHeader, recompute);
      break;
    case 'scmp':
      l4 = encodeScmp(packet.l4, addressHeader, recompute);
      break;
    case 'bfd':
      l4 = encodeBfd(packet.l4, recompute);
      break;
    case 'raw':
      l4 = Uint8Array.from(packet.l4.data);
      break;
  }
  const payloadLen = (hbh?.length ?? 0) + (e2e?.length ?? 0) + l4.length;
  if (payloadLen > 0xffff) throw new EncodeError(`SCION payload of ${payloadLen} bytes exceeds PayloadLen's 65535`);

  const version = c.version ?? 0;
  const tc = c.trafficClass ?? 0;
  const flowId = c.flowId ?? DEFAULT_FLOW_ID;
  assertUint(version, 0xf, 'common.version');
  assertUint(tc, 0xff, 'common.trafficClass');
  assertUint(flowId, 0xfffff, 'common.flowId');
  const dt = pick(c.dstAddrType, dst.addrType);
  const dl = pick(c.dstAddrLen, dst.addrLen);
  const st = pick(c.srcAddrType, src.addrType);
  const sl = pick(c.srcAddrLen, src.addrLen);
  for (const [v, f] of [[dt, 'dstAddrType'], [dl, 'dstAddrLen'], [st, 'srcAddrType'], [sl, 'srcAddrLen']] as const) {
    assertUint(v, 3, `common.${f}`);
  }

  const w = new ByteWriter();
  w.u8((version << 4) | (tc >> 4))
    .u8(((tc & 0x0f) << 4) | (flowId >> 16))
    .u16(flowId & 0xffff)
    .u8(pick(c.nextHdr, firstNext), 'common.nextHdr')
    .u8(pick(c.hdrLen, headerBytes / LINE_LEN), 'common.hdrLen')
    .u16(pick(c.payloadLen, payloadLen), 'common.payloadLen')
    .u8(pick(c.pathType, pathTypeOf(path)), 'common.pathType')
    .u8((dt << 6) | (dl << 4) | (st << 2) | sl)
    .u16(c.reserved ?? 0, 'common.reserved');
  const trailing = packet.trailing === undefined ? undefined : packet.trailing instanceof Uint8Array ? packet.trailing : packet.trailing.data;
  const parts = [w.finish(), addressHeader, pathBytes];
  if (hbh) parts.push(hbh);
  if (e2e) parts.push(e2e);
  parts.push(l4);
  if (trailing) parts.push(trailing);
  return concatBytes(parts);
}
