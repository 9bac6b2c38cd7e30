// A received datagram as the CLI handles it, whichever socket kind it came from: a UdpTap
// (kernel metadata) or, on the relay's upstream leg, a plain dgram socket (user-space time only).
import type { RxMessage } from '../../index.js';
import type { UdpPortMap } from '../../decode/index.js';
import type { Direction, EndpointJson, PacketRecord, TimestampSource } from './record.js';

export interface Observation {
  /** Label of the receiving socket, e.g. "127.0.0.1:30041". */
  bind: string;
  direction: Direction;
  data: Uint8Array;
  /** Length on the wire (> data.length when truncated). */
  length: number;
  src: EndpointJson;
  /** Header destination (IP_PKTINFO) with the socket's port. */
  dst?: EndpointJson;
  /** The socket's own address, used when pktinfo gave no destination. */
  local: EndpointJson;
  ifIndex?: number;
  ifName?: string;
  swTsNs?: bigint;
  hwTsNs?: bigint;
  readAtNs?: bigint;
  readDelayNs?: bigint;
  ttl?: number;
  tos?: number;
  truncated: boolean;
  controlTruncated: boolean;
  msgFlags?: number;
  drops?: number;
  client?: EndpointJson;
  forwardedTo?: EndpointJson;
  forwardError?: string;
  /** Read from a capture file (decode): `bind` is then only the interface name, for grouping. */
  fromFile?: boolean;
  /** decode of a raw datagram file: there are no addresses, ports or time, only bytes. */
  raw?: boolean;
  /** decode: the frame number in the input file. */
  frame?: number;
  /** decode: capture comments other than disptap's metadata line. */
  comments?: string[];
  /** How to recognise the payload (the dispatcher socket carries SCION whatever the ports). */
  portMap?: UdpPortMap;
  /** Fields the source adds to the packet record (dispatcher frame: connection, hops, trailer). */
  extra?: Partial<Pick<PacketRecord, 'connection' | 'streamOffset' | 'nextHop' | 'previousHop' | 'scionTime' | 'deliveryDelayNs' | 'txEcho'>>;
  /** A passive capture's IP packet as it was on the wire: --write keeps it instead of synthesizing headers. */
  packet?: { data: Uint8Array; origLength: number };
  /** More comments for the --write capture block. */
  captureComments?: string[];
  /** Appended to the text line. */
  notes?: string[];
}

export function fromRxMessage(m: RxMessage, bind: string, local: EndpointJson, direction: Direction): Observation {
  const o: Observation = {
    bind,
    direction,
    data: m.data,
    length: m.length,
    src: { address: m.src.address, port: m.src.port },
    local,
    truncated: m.truncated,
    controlTruncated: m.controlTruncated,
    msgFlags: m.flags,
    readAtNs: m.readAt,
  };
  if (m.dst) {
    o.dst = { address: m.dst.address, port: local.port };
    if (m.dst.ifIndex) o.ifIndex = m.dst.ifIndex;
  }
  if (m.ifName !== undefined) o.ifName = m.ifName;
  if (m.timestamps.software !== undefined) o.swTsNs = m.timestamps.software;
  if (m.timestamps.hardware !== undefined) o.hwTsNs = m.timestamps.hardware;
  if (m.readDelayNs !== undefined) o.readDelayNs = m.readDelayNs;
  if (m.ttl !== undefined) o.ttl = m.ttl;
  if (m.tos !== undefined) o.tos = m.tos;
  if (m.drops !== undefined) o.drops = m.drops;
  return o;
}

/** The record timestamp: hardware RX, else software RX, else when user space read it. */
export function timestampOf(o: Observation, now: () => bigint): { ns: bigint; source: TimestampSource } {
  if (o.hwTsNs !== undefined) return { ns: o.hwTsNs, source: 'hardware' };
  if (o.swTsNs !== undefined) return { ns: o.swTsNs, source: 'software' };
  return { ns: o.readAtNs ?? now(), source: 'user' };
}
