// Public shapes of what the receive path hands out.

/** An IP address and UDP port, as a datagram's source or a tap's local address. */
export interface SocketAddress {
  family: 4 | 6;
  address: string;
  port: number;
  /** IPv6 scope id (interface index of a link-local address); 0 otherwise. */
  scopeId?: number;
}

/** Kernel RX timestamps of a datagram, bigint ns; absent when the kernel gave none. */
export interface RxTimestamps {
  /** Kernel software RX timestamp (SCM_TIMESTAMPING ts[0], else SO_TIMESTAMPNS/SO_TIMESTAMP), ns since the epoch. */
  software?: bigint;
  /** NIC hardware RX timestamp (SCM_TIMESTAMPING ts[2]), ns in the PHC's timescale. */
  hardware?: bigint;
}

/** A `struct sock_extended_err` from the error queue (an ICMP error or a TX timestamp report). */
export interface ExtendedError {
  /** ee_errno (ENOMSG = 42 for timestamps). */
  errno: number;
  /** ee_origin: 1 local, 2 ICMP, 3 ICMPv6, 4 timestamping. */
  origin: number;
  type: number;
  code: number;
  /** ee_info: SCM_TSTAMP_SND 0, SCHED 1, ACK 2 for timestamps. */
  info: number;
  /** ee_data: the OPT_ID counter for timestamps. */
  data: number;
  offender?: SocketAddress;
}

/** What the control messages of one datagram said (decodeControl). */
export interface RxMeta {
  timestamps: RxTimestamps;
  /** SCM_TIMESTAMPING ts[1] (deprecated hardware-in-system-time), when non-zero. */
  legacyHardware?: bigint;
  dst?: { family: 4 | 6; address: string; ifIndex: number; specDst?: string };
  ttl?: number;
  tos?: number;
  drops?: number;
  hwIfIndex?: number;
  l2Length?: number;
  extendedError?: ExtendedError;
  /** Control messages of a kind the decoder does not know (see parseControl for their bytes). */
  unknownControlMessages: number;
  /** Truncated, short (partial) or malformed control messages: reported, never decoded. */
  defectiveControlMessages: number;
}

/** One received datagram with everything the kernel said about it. */
export interface RxMessage {
  /** The payload, copied out of the arena. Like a pooled Buffer it may share its ArrayBuffer with
   * other messages' payloads (64 KiB chunks): copy it before transferring `data.buffer`. */
  data: Buffer;
  /** Datagram length on the wire; larger than data.length when truncated. */
  length: number;
  src: SocketAddress;
  /** Header destination address and arrival interface (IP_PKTINFO / IPV6_PKTINFO). */
  dst?: { address: string; ifIndex: number };
  ifName?: string;
  timestamps: RxTimestamps;
  /** CLOCK_REALTIME ns when user space got the batch. */
  readAt: bigint;
  /** readAt − timestamps.software. */
  readDelayNs?: bigint;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl?: number;
  /** TOS byte (IPv4) or traffic class (IPv6). */
  tos?: number;
  /** Cumulative SO_RXQ_OVFL drop count, when the kernel sent one (only after drops). */
  drops?: number;
  /** From SCM_TIMESTAMPING_PKTINFO (hardware timestamps only). */
  hwIfIndex?: number;
  l2Length?: number;
  /** MSG_TRUNC: the data buffer was too small. */
  truncated: boolean;
  /** MSG_CTRUNC: the control buffer was too small; some metadata may be missing. */
  controlTruncated: boolean;
  /** msg_flags as the kernel returned them. */
  flags: number;
}

/**
 * The tap a batch was read by. Filled in by udp-tap.ts through declaration merging, so that
 * `RxBatch.tap` is a `UdpTap` without the receive path importing the tap.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BatchTap {}
