// Consecutive datagrams mostly come from one peer to one address over one interface: text made
// from that part of an observation is made once and reused while it stays the same.
import type { Observation } from './observation.js';

/** The addressing part of the last observation seen (bind, direction, endpoints, interface, TTL/TOS). */
export class SameAsLast {
  private seen = false;
  private fromFile: boolean | undefined;
  private bind = '';
  private direction = '';
  private raw: boolean | undefined;
  private srcAddress = '';
  private srcPort = -1;
  private dstAddress = '';
  private dstPort = -1;
  private ifIndex: number | undefined;
  private ifName: string | undefined;
  private ttl: number | undefined;
  private tos: number | undefined;

  /** Whether `o` has the addressing of the last call's observation; remembers `o`'s either way. */
  check(o: Observation): boolean {
    const dst = o.dst ?? o.local;
    if (
      this.seen &&
      o.fromFile === this.fromFile &&
      o.bind === this.bind &&
      o.direction === this.direction &&
      o.raw === this.raw &&
      o.src.address === this.srcAddress &&
      o.src.port === this.srcPort &&
      dst.address === this.dstAddress &&
      dst.port === this.dstPort &&
      o.ifIndex === this.ifIndex &&
      o.ifName === this.ifName &&
      o.ttl === this.ttl &&
      o.tos === this.tos
    )
      return true;
    this.seen = true;
    this.fromFile = o.fromFile;
    this.bind = o.bind;
    this.direction = o.direction;
    this.raw = o.raw;
    this.srcAddress = o.src.address;
    this.srcPort = o.src.port;
    this.dstAddress = dst.address;
    this.dstPort = dst.port;
    this.ifIndex = o.ifIndex;
    this.ifName = o.ifName;
    this.ttl = o.ttl;
    this.tos = o.tos;
    return false;
  }
}
