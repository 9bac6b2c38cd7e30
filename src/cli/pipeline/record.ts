// The NDJSON records of `--json` output, schema/watch-record.v1.json. One JSON object per line;
// every record has `v` (schema version), `type`, `time` (ISO 8601 with nine fraction digits, so
// lines from many hosts sort and merge by timestamp as plain strings) and `host`.
// Nanosecond values are decimal strings: they exceed 2^53 and must not lose digits in a JSON
// parser that reads numbers as doubles.
import os from 'node:os';
import type { JsonValue } from '../../decode/index.js';
import type { CounterSummary } from './stats.js';
import type { RegistrationJson, ScionTimeJson } from '../../unix-relay/frame-report.js';

export const SCHEMA_VERSION = 1;

export type TimestampSource = 'hardware' | 'software' | 'user';
/** 'out': a passive capture's copy of a datagram this host sent. */
export type Direction = 'in' | 'out' | 'client-to-target' | 'target-to-client' | UnixDirection;
/** Which side of a dispatcher unix-socket connection wrote a frame (the decoder's names). */
export type UnixDirection = 'app-to-dispatcher' | 'dispatcher-to-app';

export interface EndpointJson {
  address: string;
  port: number;
}

interface Base {
  v: 1;
  time: string;
  host: string;
}

export interface SocketJson {
  bind: string;
  address: string;
  port: number;
  family: 4 | 6;
  /** Effective SO_RCVBUF (the kernel doubles what was asked). */
  recvBufferSize?: number;
  timestamps: 'none' | 'software' | 'hardware';
  role?: 'listen' | 'upstream';
}

export interface ListeningRecord extends Base {
  type: 'listening';
  command: string;
  pid: number;
  sockets: SocketJson[];
  metrics?: string;
  write?: string;
  target?: string;
  filter?: string[];
  /** watch --passive: what is captured where, and the receive buffer the kernel granted. */
  passive?: { iface: string; ports: string[]; direction: string; recvBufferSize: number };
  /** relay --unix-*: the socket paths. */
  unix?: { listen: string; target: string; takeover?: string };
  /** transit: which captured ports are the dispatcher's inputs and outputs, and how they pair. */
  transit?: { in: string[]; out: string[]; timeoutMs: number; window: number; clock: string; inDirection: string; outDirection: string };
}

export interface PacketRecord extends Base {
  type: 'packet';
  /** 1-based, in output order. */
  seq: number;
  /** The record's timestamp in ns: hardware RX, else software RX, else the user-space read time. */
  tsNs: string;
  tsSource: TimestampSource;
  swTsNs?: string;
  hwTsNs?: string;
  readAtNs?: string;
  readDelayNs?: string;
  /** The receiving socket ("127.0.0.1:30041"); absent for packets read from a file. */
  bind?: string;
  direction: Direction;
  /** Absent only for a raw datagram file given to `decode` (it has no addresses). */
  src?: EndpointJson;
  dst?: EndpointJson;
  ifIndex?: number;
  ifName?: string;
  ttl?: number;
  tos?: number;
  /** Length on the wire. */
  length: number;
  /** Bytes we have (less than length when truncated). */
  captured: number;
  truncated: boolean;
  controlTruncated: boolean;
  /** msg_flags as returned by recvmsg. */
  msgFlags?: number;
  /** Cumulative SO_RXQ_OVFL drop counter of the socket, when the kernel sent one. */
  drops?: number;
  /** Increase of the drop counter since the previous datagram on this socket. */
  dropsDelta: number;
  layer: string;
  layers: string[];
  summary: string;
  srcIA?: string;
  dstIA?: string;
  decodeError?: { code: string; message: string; offset: number };
  decodeWarnings?: string[];
  decoded: JsonValue;
  /** Frame number in the --write capture. */
  frame?: number;
  /** relay: the client this datagram belongs to, and where it went. */
  client?: EndpointJson;
  forwardedTo?: EndpointJson;
  forwardError?: string;
  /** decode: pcapng comments other than disptap's metadata line. */
  comments?: string[];
  /** Dispatcher unix socket (relay --unix-*, decode of a stream): the connection, 1-based. */
  connection?: number;
  /** Stream offset of the frame in its direction of the connection. */
  streamOffset?: number;
  /** app-to-dispatcher: the underlay next hop from the frame. */
  nextHop?: EndpointJson;
  /** dispatcher-to-app: the underlay previous hop from the frame. */
  previousHop?: EndpointJson;
  /** The Scion Time fork's 52-byte trailer after the packet. */
  scionTime?: ScionTimeJson;
  /** Tap read time (CLOCK_REALTIME) − the trailer's kernel RX timestamp. */
  deliveryDelayNs?: string;
  /** A dispatcher→app frame without an address: the fork's echo of a sent packet, `scionTime` holding its TX stamps. */
  txEcho?: boolean;
}

/** A dispatcher unix-socket frame that is not a SCION packet, or bytes that are no frame. */
export interface FrameRecord extends Base {
  type: 'frame';
  connection: number;
  direction: UnixDirection;
  kind: 'registration' | 'confirmation' | 'skipped' | 'incomplete';
  /** Stream offset in this direction of the connection. */
  offset: number;
  /** Bytes: the whole frame, or the skipped/unfinished run. */
  length: number;
  readAtNs?: string;
  registration?: RegistrationJson;
  /** confirmation: the port the dispatcher assigned. */
  port?: number;
  error?: { code: string; message: string; offset: number };
  /** skipped: the first bytes, hex. */
  preview?: string;
}

/** A connection through `relay --unix-*` opened, closed or failed. */
export interface ConnectionRecord extends Base {
  type: 'connection';
  event: 'open' | 'close' | 'error';
  connection: number;
  listen: string;
  target: string;
  /** close: who closed first; error: what failed. */
  reason?: string;
  code?: string;
  bytes?: { appToDispatcher: number; dispatcherToApp: number };
  frames?: { appToDispatcher: number; dispatcherToApp: number };
}

export interface UnixRelaySummary {
  listen: string;
  target: string;
  takeover?: string;
  connections: number;
  upstreamErrors: number;
  bytes: { appToDispatcher: number; dispatcherToApp: number };
  frames: { appToDispatcher: number; dispatcherToApp: number };
  registrations: number;
  confirmations: number;
  skipped: number;
  skippedBytes: number;
  incomplete: number;
  /** Tap read time − trailer kernel RX time. */
  deliveryDelay: DelayJson;
}

export interface TargetRecord extends Base {
  type: 'target';
  event: 'down' | 'refused' | 'up' | 'error';
  target: string;
  client?: string;
  code?: string;
  message: string;
  /** Refusals counted so far. */
  refusals: number;
}

export interface SentRecord extends Base {
  type: 'sent';
  seq: number;
  to: EndpointJson;
  from: EndpointJson;
  kind: string;
  layer: string;
  bytes: number;
  /** CLOCK_REALTIME just before sendmsg. */
  sendNs: string;
  txSchedNs?: string;
  txSoftwareNs?: string;
  txHardwareNs?: string;
  /** txSoftwareNs − sendNs: how long the datagram took from our call to the kernel's stamp. */
  txLatencyNs?: string;
  txMissing?: string[];
  error?: string;
}

export interface ErrorRecord extends Base {
  type: 'error';
  code?: string;
  message: string;
}

export interface DelayJson {
  count: number;
  p50Ns?: string;
  p99Ns?: string;
  maxNs?: string;
}

export interface CountersJson {
  packets: number;
  bytes: number;
  drops: number;
  truncations: number;
  decodeErrors: number;
  decodeErrorsByCode: Record<string, number>;
  readDelay: DelayJson;
}

export interface SummaryRecord extends Base, CountersJson {
  type: 'summary';
  command: string;
  /** Why the run ended: signal, count, duration, end (input exhausted), error. */
  reason: string;
  durationNs: string;
  /** Datagrams that passed --filter (written; printed unless skipped). */
  matched: number;
  /** Lines not printed because the output could not keep up (see `skipped` records). */
  skipped?: number;
  sockets: Array<CountersJson & { bind: string }>;
  relay?: { clients: number; forwarded: number; replies: number; refusals: number; forwardErrors: number };
  send?: { sent: number; bytes: number; errors: number; txTimestamps: number; txMissing: number; txLatency: DelayJson };
  write?: { path: string; packets: number; errors: number };
  /** watch --passive: the capture socket's kernel counters; `unread` = still queued at stop. */
  capture?: { packets: number; drops: number; unread: number; ringFull?: number };
  unixRelay?: UnixRelaySummary;
}

/** Where the display queue overflowed: this many packets (in order, at this point) have no line. */
export interface SkippedRecord extends Base {
  type: 'skipped';
  count: number;
  message: string;
}

/** --quiet: once a second, what arrived since the last one. */
export interface RateRecord extends Base {
  type: 'rate';
  /** Seconds since the previous rate record (or the start). */
  intervalNs: string;
  packets: number;
  bytes: number;
  drops: number;
  /** Totals so far. */
  totalPackets: number;
  totalDrops: number;
}

export type AnyRecord = ListeningRecord | PacketRecord | TargetRecord | SentRecord | ErrorRecord | SummaryRecord | FrameRecord | ConnectionRecord | SkippedRecord | RateRecord;

export const HOST = os.hostname();

/** The fields every record starts with. */
export function base(timeIso: string): Base {
  return { v: SCHEMA_VERSION, time: timeIso, host: HOST };
}

export function ns(v: bigint | undefined): string | undefined {
  return v === undefined ? undefined : v.toString();
}

export function delayJson(d: CounterSummary['readDelay']): DelayJson {
  const out: DelayJson = { count: d.count };
  if (d.p50Ns !== undefined) out.p50Ns = String(Math.round(d.p50Ns));
  if (d.p99Ns !== undefined) out.p99Ns = String(Math.round(d.p99Ns));
  if (d.maxNs !== undefined) out.maxNs = String(Math.round(d.maxNs));
  return out;
}

export function countersJson(c: CounterSummary): CountersJson {
  return {
    packets: c.packets,
    bytes: c.bytes,
    drops: c.drops,
    truncations: c.truncations,
    decodeErrors: c.decodeErrors,
    decodeErrorsByCode: c.decodeErrorsByCode,
    readDelay: delayJson(c.readDelay),
  };
}

/** One NDJSON line (without the newline); undefined members are left out by JSON.stringify. */
export function stringify(r: AnyRecord): string {
  return JSON.stringify(r);
}
