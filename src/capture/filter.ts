// The kernel filter for a capture: IPv4/IPv6 UDP whose source or destination port is in the given
// ranges, optionally one direction only. The program sees the packet from the IP header on (an
// AF_PACKET SOCK_DGRAM socket strips the link header before the filter runs).
//
// IPv4: the header length comes from IHL (options allowed); non-first fragments are dropped (they
// carry no UDP header, so their ports are unknown); a first fragment passes. IPv6: only a UDP
// header directly after the fixed header (next header = 17); packets with extension headers are
// dropped, which is how SCION underlay traffic is sent in practice.
//
// Every accept/drop is a local `ret`, so no conditional jump is longer than 2 and the 255-jump
// limit of cBPF never constrains the number of ranges.
import { invalidArg } from '../sys/errors.js';
import { BpfAssembler, SKF_AD_PKTTYPE, SKF_AD_PROTOCOL, type BpfInstruction } from './bpf.js';
import type { PortRange } from './ports.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const PACKET_OUTGOING = 4;
const IPPROTO_UDP = 17;

/** Which port of a datagram must be in the ranges: either, only the source, or only the destination. */
export type PortMatch = 'either' | 'src' | 'dst';

/** Which copies to keep: 'in' = received (host, broadcast, multicast, otherhost), 'out' = sent. */
export type DirectionFilter = 'in' | 'out' | 'both';

/** What {@link buildUdpFilter} compiles: port ranges, direction, which port to match, snap length. */
export interface UdpFilterSpec {
  /** Empty or absent: every UDP packet. */
  ports?: readonly PortRange[];
  direction?: DirectionFilter;
  /** Which port must be in the ranges: 'either' (default), only 'src', or only 'dst'. */
  portMatch?: PortMatch;
  /** Bytes to keep per packet (the accept verdict). */
  snapLength: number;
}

/** Ranges per port check; each costs 2-3 instructions in 4 places. */
export const MAX_FILTER_RANGES = 256;

function portChecks(a: BpfAssembler, ranges: readonly PortRange[], snap: number): void {
  for (const r of ranges) {
    if (r.from === r.to) a.jeq(r.from, 0, 1).ret(snap);
    else a.jge(r.from, 0, 2).jgt(r.to, 1, 0).ret(snap);
  }
}

/** The cBPF program a capture attaches: IPv4/IPv6 UDP (first fragments) with a port in the ranges, cut to `snapLength`; all else dropped in the kernel. */
export function buildUdpFilter(spec: UdpFilterSpec): BpfInstruction[] {
  const ranges = spec.ports ?? [];
  if (ranges.length > MAX_FILTER_RANGES)
    throw invalidArg('ERR_OUT_OF_RANGE', `at most ${MAX_FILTER_RANGES} separate port ranges, got ${ranges.length}`, RangeError);
  const snap = spec.snapLength;
  const match = spec.portMatch ?? 'either';
  const src = match !== 'dst';
  const dst = match !== 'src';
  const a = new BpfAssembler();
  if (spec.direction === 'in') a.ldAnc(SKF_AD_PKTTYPE).jeq(PACKET_OUTGOING, 0, 1).ret(0);
  else if (spec.direction === 'out') a.ldAnc(SKF_AD_PKTTYPE).jeq(PACKET_OUTGOING, 1, 0).ret(0);

  a.ldAnc(SKF_AD_PROTOCOL).jeq(ETH_P_IP, 1, 0).ja('v6');
  // IPv4
  a.ldAbs('b', 9).jeq(IPPROTO_UDP, 1, 0).ret(0);
  a.ldAbs('h', 6).jset(0x1fff, 0, 1).ret(0); // fragment offset ≠ 0: no UDP header here
  if (ranges.length === 0) a.ret(snap);
  else {
    a.ldxMsh(0);
    if (src) portChecks(a.ldInd('h', 0), ranges, snap);
    if (dst) portChecks(a.ldInd('h', 2), ranges, snap);
    a.ret(0);
  }
  // IPv6 (A still holds skb->protocol)
  a.label('v6').jeq(ETH_P_IPV6, 1, 0).ret(0);
  a.ldAbs('b', 6).jeq(IPPROTO_UDP, 1, 0).ret(0);
  if (ranges.length === 0) a.ret(snap);
  else {
    if (src) portChecks(a.ldAbs('h', 40), ranges, snap);
    if (dst) portChecks(a.ldAbs('h', 42), ranges, snap);
    a.ret(0);
  }
  return a.assemble();
}
