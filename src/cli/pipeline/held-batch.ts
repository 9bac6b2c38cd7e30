// A received batch kept for display after its arena went back to the tap: the metadata arrays
// copied in bulk, the payloads packed end to end. Costs a few allocations per batch and a copy of
// the bytes received, nothing per datagram until a line is made from it.
import type { RxBatch } from '../../tap/rx/batch.js';
import { ADDR, ADDR_STRIDE, PRESENT } from '../../tap/rx/layout.js';
import { AddressTexts } from '../../tap/rx/slot-reader.js';
import { ifNameOf } from '../../netif/ifname-cache.js';
import type { Observation } from './observation.js';
import type { EndpointJson } from './record.js';

/** The socket a batch came from, as the CLI labels it. */
export interface BatchSocket {
  label: string;
  local: EndpointJson;
}

export class HeldBatch {
  readonly count: number;
  readonly readAt: bigint;
  readonly data: Buffer;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly origLengths: Uint32Array;
  readonly sw: BigInt64Array;
  readonly hw: BigInt64Array;
  readonly ifIndex: Int32Array;
  readonly ttl: Int32Array;
  readonly tos: Int32Array;
  readonly flags: Int32Array;
  readonly drops: Uint32Array;
  readonly present: Int32Array;
  readonly srcFamily: Int32Array;
  readonly dstFamily: Int32Array;
  readonly srcPort: Int32Array;
  readonly addresses: Uint8Array;
  /** Drop-counter increase per datagram, as the ingest stage computed it. */
  readonly dropsDelta: Uint32Array;
  /** The ingest stage decoded every datagram and counted its decode faults (--metrics). */
  decodeCounted = false;

  /** Copies datagrams [from, to) of `b`; `dropsDelta` is indexed like `b`. */
  constructor(
    b: RxBatch,
    from: number,
    to: number,
    dropsDelta: Uint32Array,
    readonly socket: BatchSocket,
  ) {
    const n = to - from;
    this.count = n;
    this.readAt = b.readAt;
    const lengths = b.lengths;
    const offsets = b.offsets;
    let total = 0;
    for (let i = from; i < to; i++) total += lengths[i]!;
    const data = Buffer.allocUnsafe(total);
    const own = new Uint32Array(n);
    const payloads = b.payloads;
    let at = 0;
    for (let i = from; i < to; i++) {
      own[i - from] = at;
      const o = offsets[i]!;
      const n = lengths[i]!;
      // Small datagrams byte by byte: Buffer#copy makes a view first, which costs more than this.
      if (n <= 256) for (let k = 0; k < n; k++) data[at + k] = payloads[o + k]!;
      else data.set(payloads.subarray(o, o + n), at);
      at += n;
    }
    this.data = data;
    this.offsets = own;
    this.lengths = lengths.slice(from, to);
    this.origLengths = b.origLengths.slice(from, to);
    this.sw = b.swTimestamps.slice(from, to);
    this.hw = b.hwTimestamps.slice(from, to);
    this.ifIndex = b.ifIndex.slice(from, to);
    this.ttl = b.ttl.slice(from, to);
    this.tos = b.tos.slice(from, to);
    this.flags = b.flags.slice(from, to);
    this.drops = b.drops.slice(from, to);
    this.present = b.present.slice(from, to);
    this.srcFamily = b.srcFamily.slice(from, to);
    this.dstFamily = b.dstFamily.slice(from, to);
    this.srcPort = b.srcPort.slice(from, to);
    this.addresses = b.addresses.slice(from * ADDR_STRIDE, to * ADDR_STRIDE);
    this.dropsDelta = dropsDelta.slice(from, to);
  }

  /** Bytes this copy holds, for the display queue's bound. */
  get bytes(): number {
    return heldBytes(this.count, this.data.length);
  }

  // Consecutive datagrams mostly come from one peer to one address: format each text once.
  readonly #texts = new AddressTexts();

  /** Datagram i as the CLI's Observation (the payload is a view of the copy). */
  observation(i: number): Observation {
    const p = this.present[i]!;
    const ao = i * ADDR_STRIDE;
    const length = this.origLengths[i]!;
    const cap = this.lengths[i]!;
    const off = this.offsets[i]!;
    const flags = this.flags[i]!;
    const o: Observation = {
      bind: this.socket.label,
      direction: 'in',
      data: this.data.subarray(off, off + cap),
      length,
      src: { address: this.#texts.src.of(this.srcFamily[i] === 4 ? 4 : 6, this.addresses, ao + ADDR.src), port: this.srcPort[i]! },
      local: this.socket.local,
      truncated: (flags & 0x20) !== 0, // MSG_TRUNC
      controlTruncated: (flags & 0x8) !== 0, // MSG_CTRUNC
      msgFlags: flags,
      readAtNs: this.readAt,
    };
    if (p & PRESENT.dst) {
      o.dst = { address: this.#texts.dst.of(this.dstFamily[i] === 4 ? 4 : 6, this.addresses, ao + ADDR.dst), port: this.socket.local.port };
      const ifIndex = this.ifIndex[i]!;
      if (ifIndex) {
        o.ifIndex = ifIndex;
        const name = ifNameOf(ifIndex);
        if (name !== undefined) o.ifName = name;
      }
    }
    if (p & PRESENT.softwareTs) {
      o.swTsNs = this.sw[i]!;
      o.readDelayNs = this.readAt - o.swTsNs;
    }
    if (p & PRESENT.hardwareTs) o.hwTsNs = this.hw[i]!;
    if (p & PRESENT.ttl) o.ttl = this.ttl[i]!;
    if (p & PRESENT.tos) o.tos = this.tos[i]!;
    if (p & PRESENT.drops) o.drops = this.drops[i]!;
    return o;
  }
}

/** What a copy of `count` datagrams with `payloadBytes` bytes counts against the display bound. */
export function heldBytes(count: number, payloadBytes: number): number {
  return payloadBytes + count * (ADDR_STRIDE + 80);
}
