// Types shared by the NTP exchange pairing (pair.ts), its math (exchange.ts) and the two-point
// attribution (segments.ts). Times are bigint ns since the Unix epoch.
import type { NtpHeader } from '../decode/ntp.js';

/** Where a time came from: the NIC, the kernel (software stamp), user space, or the NTP packet itself. */
export type NtpTimeSource = 'hardware' | 'kernel' | 'user' | 'packet';

/** An address and port as text. */
export interface NtpEndpoint {
  address: string;
  port: number;
}

/** One NTP packet (modes 1-5) seen at one observation point, from any source (tap, capture, file). */
export interface NtpWireRecord {
  /** The observation point (a capture, an interface, a side of a relay); default "". */
  point?: string;
  /** When the point saw the packet; absent when nothing stamped it. */
  timeNs?: bigint;
  /** Which clock gave timeNs. */
  timeSource?: Exclude<NtpTimeSource, 'packet'>;
  /** 'out' = this host sent it (AF_PACKET outgoing copy), 'in' = received; absent when unknown (pcap). */
  direction?: 'in' | 'out';
  /** The NTP endpoints: the IP/UDP ones, or the SCION host address and inner UDP port for NTP in SCION. */
  src: NtpEndpoint;
  dst: NtpEndpoint;
  /** ISD-AS of the ends when the NTP packet rode in SCION. */
  srcIA?: string;
  dstIA?: string;
  /** The decoded 48-byte header. */
  ntp: NtpHeader;
  /** Frame number in a file, or a running count. */
  frame?: number;
}

/** Basic client/server, or chrony's interleaved mode (T3 is the kernel TX stamp of the previous response). */
export type NtpExchangeMode = 'basic' | 'interleaved';

/** Which clock gave each of the four times. T2 and T3 always come from the response. */
export interface NtpExchangeSources {
  t1: NtpTimeSource;
  t4: NtpTimeSource;
}

/** One paired client/server exchange with the four times, as seen at one point. */
export interface NtpExchange {
  type: 'exchange';
  point: string;
  mode: NtpExchangeMode;
  client: NtpEndpoint;
  server: NtpEndpoint;
  clientIA?: string;
  serverIA?: string;
  /** Request sent (seen at this point), server receive, server transmit, response received (seen). */
  t1Ns: bigint;
  t2Ns: bigint;
  t3Ns: bigint;
  t4Ns: bigint;
  /** ((T2 − T1) + (T3 − T4)) / 2, rounded toward −∞ to whole ns. */
  offsetNs: bigint;
  /** (T4 − T1) − (T3 − T2). */
  delayNs: bigint;
  sources: NtpExchangeSources;
  /**
   * Which copy of a passive capture gave T1 / T4: 'out' = the outgoing copy, stamped when the
   * packet reached the device's packet taps, before the driver's own TX stamp (what chrony uses).
   */
  t1Copy?: 'in' | 'out';
  t4Copy?: 'in' | 'out';
  /** T1 is the request's transmit field and that field is not a time (chrony's random cookie): the numbers are void. */
  t1Cookie?: boolean;
  /** The raw request transmit field and response receive/transmit fields: identify the exchange across points. */
  requestTransmitRaw: bigint;
  responseReceiveRaw: bigint;
  responseTransmitRaw: bigint;
  /** Frames of the request and response (interleaved: of the response that carried T3 too). */
  requestFrame?: number;
  responseFrame?: number;
  t3Frame?: number;
  stratum: number;
  referenceIdText: string;
}

/** Why a packet was not part of an exchange. */
export type NtpUnpairedReason =
  | 'unmatched-response'
  | 'unanswered-request'
  | 'duplicate-request'
  | 'duplicate-response'
  | 'zero-origin'
  | 'zero-transmit'
  | 'kiss-o-death'
  | 'symmetric'
  | 'broadcast'
  | 'interleaved-without-previous'
  | 'no-timestamp';

/** A packet shown but not paired, and why. */
export interface NtpUnpaired {
  type: 'unpaired';
  point: string;
  reason: NtpUnpairedReason;
  mode: number;
  src: NtpEndpoint;
  dst: NtpEndpoint;
  timeNs?: bigint;
  frame?: number;
  /** Kiss code (RATE, DENY, …) of a Kiss-o'-Death. */
  kissCode?: string;
}

/** What the pairer hands out. */
export type NtpPairEvent = NtpExchange | NtpUnpaired;

/** Counts of everything the pairer saw. */
export interface NtpPairCounts {
  records: number;
  requests: number;
  responses: number;
  exchanges: number;
  interleaved: number;
  /** Second copies of one packet on one point (lo shows each packet out and in): used once, not counted as duplicates. */
  copies: number;
  unpaired: Record<NtpUnpairedReason, number>;
}
