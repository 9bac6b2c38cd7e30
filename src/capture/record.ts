// What a capture hands out: one UDP datagram seen on an interface, shaped like RxMessage (data,
// length, src, dst, timestamps, ttl, tos, …) plus where and which way it went.
import { formatAddress } from '../sys/address.js';
import { MSG_TRUNC } from '../sys/constants.js';
import { ifNameOf } from '../netif/ifname-cache.js';
import type { RxTimestamps, SocketAddress } from '../tap/rx/rx-types.js';
import type { CaptureArena } from './arena.js';
import { L3_STATUS, P32, P64, PADDR, PADDR_STRIDE } from './layout.js';

/** sll_pkttype, named. */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing' | 'unknown';

/**
 * 'in' = received by this host (PACKET_HOST, BROADCAST, MULTICAST, OTHERHOST), 'out' = sent by it
 * (PACKET_OUTGOING). On `lo` every datagram is seen twice: once 'out' when the sender's packet
 * reaches the device, once 'in' when loopback delivers it.
 */
export type CaptureDirection = 'in' | 'out';

/** An address and UDP port from a captured packet's headers. */
export interface CaptureEndpoint extends SocketAddress {}

/** IP header facts of a captured datagram. */
export interface CaptureIpInfo {
  family: 4 | 6;
  /** Bytes before the UDP header (IPv4 IHL × 4, IPv6 40 + extension headers). */
  headerLength: number;
  /** IPv4 total length / IPv6 40 + payload length, as the header says. */
  totalLength: number;
  /** IPv4 identification (or the IPv6 fragment header's id); 0 otherwise. */
  id: number;
  /** IPv6 flow label. */
  flowLabel?: number;
  /** IPv4 DF. */
  dontFragment?: boolean;
  /** The first of several fragments: `data` holds only this fragment's part of the payload. */
  moreFragments: boolean;
}

/** One UDP datagram a passive capture saw, with its kernel timestamps, direction and interface. */
export interface CaptureRecord {
  /** UDP payload as captured (copied). */
  data: Buffer;
  /** UDP payload length on the wire (UDP length field − 8); larger than data.length when truncated. */
  length: number;
  /** Source address and port from the IP/UDP headers. */
  src: CaptureEndpoint;
  /** Destination address and port from the headers, and the interface the packet was seen on. */
  dst: CaptureEndpoint & { ifIndex: number };
  ifIndex: number;
  ifName?: string;
  direction: CaptureDirection;
  packetType: PacketType;
  /** Kernel timestamps, ns since the Unix epoch (hardware: in the NIC clock's timescale). */
  timestamps: RxTimestamps;
  /** CLOCK_REALTIME ns when user space got the batch. */
  readAt: bigint;
  /** readAt − timestamps.software. */
  readDelayNs?: bigint;
  /** TTL / hop limit. */
  ttl: number;
  /** TOS byte / traffic class. */
  tos: number;
  ip: CaptureIpInfo;
  udpChecksum: number;
  /** The payload is shorter than `length` (snap length, slot size, or a first fragment). */
  truncated: boolean;
  /** msg_flags as the kernel returned them. */
  flags: number;
  /** The IP packet as captured (only with `rawPacket: true`), for pcapng. */
  packet?: Buffer;
  /** IP packet length on the wire (from the IP header when the snap length cut the packet). */
  packetLength: number;
}

const PACKET_TYPES: readonly PacketType[] = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing'];

export function packetTypeName(t: number): PacketType {
  return PACKET_TYPES[t] ?? 'unknown';
}

/** Materialises slot i, or null when it is not a parsed UDP datagram (see the capture's stats). */
export function recordAt(a: CaptureArena, i: number, readAt: bigint, rawPacket: boolean): CaptureRecord | null {
  if (a.status(i) !== L3_STATUS.udp) return null;
  const fam = a.i(P32.family, i) === 4 ? 4 : 6;
  const ao = i * PADDR_STRIDE;
  const start = i * a.slotSize;
  const off = a.i(P32.payloadOffset, i);
  const plen = a.i(P32.payloadLen, i);
  const data = Buffer.allocUnsafe(plen);
  data.set(a.data.subarray(start + off, start + off + plen));
  const ifIndex = a.i(P32.ifIndex, i);
  const pktType = a.i(P32.pktType, i);
  const fragFlags = a.i(P32.fragFlags, i);
  const length = a.i(P32.udpLength, i) - 8;
  const flags = a.i(P32.flags, i);
  const ip: CaptureIpInfo = {
    family: fam,
    headerLength: a.i(P32.l4Offset, i),
    totalLength: a.i(P32.ipLength, i),
    id: a.i(P32.ipId, i),
    moreFragments: (fragFlags & 1) !== 0,
  };
  if (fam === 6) ip.flowLabel = a.i(P32.flowLabel, i);
  else ip.dontFragment = (fragFlags & 2) !== 0;
  const timestamps: RxTimestamps = {};
  const sw = a.l(P64.software, i);
  const hw = a.l(P64.hardware, i);
  if (sw !== 0n) timestamps.software = sw;
  if (hw !== 0n) timestamps.hardware = hw;
  const rec: CaptureRecord = {
    data,
    length,
    src: { family: fam, address: formatAddress(fam, a.addr, ao + PADDR.src), port: a.i(P32.srcPort, i) },
    dst: { family: fam, address: formatAddress(fam, a.addr, ao + PADDR.dst), port: a.i(P32.dstPort, i), ifIndex },
    ifIndex,
    direction: pktType === 4 ? 'out' : 'in',
    packetType: packetTypeName(pktType),
    timestamps,
    readAt,
    ttl: a.i(P32.ttl, i),
    tos: a.i(P32.tos, i),
    ip,
    udpChecksum: a.i(P32.udpChecksum, i),
    truncated: plen < length || (flags & MSG_TRUNC) !== 0,
    flags,
    // A filter's snap length trims the packet before recvmmsg sees it, so msg_len is then the
    // snap length; the IP header still tells the length on the wire.
    packetLength: Math.max(a.i(P32.origLen, i), ip.totalLength),
  };
  const name = ifNameOf(ifIndex);
  if (name !== undefined) rec.ifName = name;
  if (sw !== 0n) rec.readDelayNs = readAt - sw;
  if (rawPacket) {
    const capLen = a.i(P32.capLen, i);
    rec.packet = Buffer.from(a.data.subarray(start, start + capLen));
  }
  return rec;
}
