/** One-call builders for test traffic: SCION/UDP, SCMP (echo and others), BFD; checksums computed. */

import type { HostAddrInput } from './address.js';
import type { BfdControlInput } from './bfd.js';
import { encodeScion, type ScionL4Input } from './encode.js';
import type { ExtensionHeaderInput } from './extensions.js';
import type { IAInput } from './ia.js';
import type { PathInput } from './path.js';
import { SCMP_ECHO_REPLY, SCMP_ECHO_REQUEST, type ScmpBodyInput } from './scmp.js';

/** Who a built packet goes from and to, and over which path (the Empty path, AS-local, by default). */
export interface ScionEndpointsInput {
  srcIA: IAInput;
  dstIA: IAInput;
  /** IP text, SVC name ('CS', 'DS', 'Wildcard', '..._M'), or a HostAddr-like object. */
  src: HostAddrInput;
  dst: HostAddrInput;
  /** Default: Empty path (AS-local). */
  path?: PathInput;
  trafficClass?: number;
  /** Default 1. */
  flowId?: number;
  hopByHop?: ExtensionHeaderInput;
  endToEnd?: ExtensionHeaderInput;
}

/** A complete SCION packet around any L4 ({@link ScionL4Input}); throws an EncodeError on bad input. */
export function buildScionPacket(o: ScionEndpointsInput & { l4: ScionL4Input }): Uint8Array {
  return encodeScion({
    common: { trafficClass: o.trafficClass ?? 0, flowId: o.flowId ?? 1 },
    address: { dstIA: o.dstIA, srcIA: o.srcIA, dst: o.dst, src: o.src },
    ...(o.path ? { path: o.path } : {}),
    ...(o.hopByHop ? { hopByHop: o.hopByHop } : {}),
    ...(o.endToEnd ? { endToEnd: o.endToEnd } : {}),
    l4: o.l4,
  });
}

/** What {@link buildScionUdp} builds: endpoints, ports and payload. */
export interface ScionUdpBuildInput extends ScionEndpointsInput {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** A complete SCION/UDP packet with its checksum computed. */
export function buildScionUdp(o: ScionUdpBuildInput): Uint8Array {
  return buildScionPacket({ ...o, l4: { type: 'udp', srcPort: o.srcPort, dstPort: o.dstPort, payload: o.payload } });
}

/** What {@link buildScmp} builds: endpoints, SCMP type and code, and the body. */
export interface ScmpBuildInput extends ScionEndpointsInput {
  scmpType: number;
  code?: number;
  body: ScmpBodyInput;
}

/** A complete SCION/SCMP packet with its checksum computed. */
export function buildScmp(o: ScmpBuildInput): Uint8Array {
  return buildScionPacket({ ...o, l4: { type: 'scmp', scmpType: o.scmpType, code: o.code ?? 0, body: o.body } });
}

/** What {@link buildScmpEcho} builds: endpoints, identifier, sequence and data. */
export interface ScmpEchoBuildInput extends ScionEndpointsInput {
  /** Echo Reply (129) instead of Echo Request (128). */
  reply?: boolean;
  identifier: number;
  sequence: number;
  data?: Uint8Array;
}

/** A SCMP Echo Request (or Reply with `reply: true`) with its checksum computed. */
export function buildScmpEcho(o: ScmpEchoBuildInput): Uint8Array {
  return buildScmp({
    ...o,
    scmpType: o.reply ? SCMP_ECHO_REPLY : SCMP_ECHO_REQUEST,
    body: { kind: 'echo', identifier: o.identifier, sequence: o.sequence, data: o.data ?? new Uint8Array(0) },
  });
}

/** What {@link buildScionBfd} builds: endpoints and the BFD fields. */
export type ScionBfdBuildInput = ScionEndpointsInput & Omit<BfdControlInput, 'type'>;

/** A SCION packet with NextHdr 203 carrying a BFD control packet. */
export function buildScionBfd(o: ScionBfdBuildInput): Uint8Array {
  const { srcIA, dstIA, src, dst, path, trafficClass, flowId, hopByHop, endToEnd, ...bfd } = o;
  return buildScionPacket({
    srcIA, dstIA, src, dst, trafficClass, flowId,
    ...(path ? { path } : {}),
    ...(hopByHop ? { hopByHop } : {}),
    ...(endToEnd ? { endToEnd } : {}),
    l4: { type: 'bfd', ...bfd },
  });
}
