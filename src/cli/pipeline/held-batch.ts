// A received batch kept for display after its arena went back to the tap: the metadata arrays
// copied in bulk, the payloads packed end to end. Costs a few allocations per batch and a copy of
// the bytes received, nothing per datagram until a line is made from it.
import type { RxBatch } from '../../tap/rx/batch.js';
import { ADDR, ADDR_STRIDE, PRESENT, int64Halves } from '../../tap/rx/layout.js';
import { AddressTexts } from '../../tap/rx/slot-reader.js';
import { ifNameOf } from '../../netif/ifname-cache.js';
import type { Observation } from './observation.js';
import type { EndpointJson } from './record.js';

/** The socket a batch came from, as the CLI labels it. */
export interface BatchSocket {
  label: string;
  local: EndpointJson;
}

/** Datagrams copied for the display queue: a bound socket's batch or a capture's round. */
export interface HeldDatagrams {
  readonly count: number;
  /** Drop-counter increase per datagram, as the ingest stage computed it. */
  readonly dropsDelta: ArrayLike<number>;
  /** The ingest stage decoded every datagram and counted its decode faults. */
  readonly decodeCounted: boolean;
  /** Datagram i as the CLI's Observation. */
  observation(i: number): Observation;
}

export class HeldBatch implements HeldDatagrams {
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

  /**
   * Copies datagrams [from, to) of `b`, or with `pick` datagrams pick[0..to) (a filter's matches;
   * `from` is then 0); `dropsDelta` is indexed like `b`.
   */
  constructor(
    b: RxBatch,
    from: number,
    to: number,
    dropsDelta: Uint32Array,
    readonly socket: BatchSocket,
    pick?: Uint32Array,
  ) {
    const n = pick ? to : to - from;
    this.count = n;
    this.readAt = b.readAt;
    const { data, offsets } = packPayloads(b, n, from, pick ?? null);
    this.data = data;
    this.offsets = offsets;
    // A range is sliced (one memcpy per column); a filter's matches are gathered.
    const take = <T extends Column>(src: T, make: (n: number) => T): T => (pick ? gather(src, pick, n, make(n)) : (src.slice(from, to) as T));
    this.lengths = take(b.lengths, (k) => new Uint32Array(k));
    this.origLengths = take(b.origLengths, (k) => new Uint32Array(k));
    this.sw = pick ? gather64(b.swTimestamps, pick, n) : b.swTimestamps.slice(from, to);
    this.hw = pick ? gather64(b.hwTimestamps, pick, n) : b.hwTimestamps.slice(from, to);
    this.ifIndex = take(b.ifIndex, (k) => new Int32Array(k));
    this.ttl = take(b.ttl, (k) => new Int32Array(k));
    this.tos = take(b.tos, (k) => new Int32Array(k));
    this.flags = take(b.flags, (k) => new Int32Array(k));
    this.drops = take(b.drops, (k) => new Uint32Array(k));
    this.present = take(b.present, (k) => new Int32Array(k));
    this.srcFamily = take(b.srcFamily, (k) => new Int32Array(k));
    this.dstFamily = take(b.dstFamily, (k) => new Int32Array(k));
    this.srcPort = take(b.srcPort, (k) => new Int32Array(k));
    this.dropsDelta = take(dropsDelta, (k) => new Uint32Array(k));
    if (pick) {
      const src = b.addresses;
      const addresses = new Uint8Array(n * ADDR_STRIDE);
      for (let j = 0; j < n; j++) {
        const at = pick[j]! * ADDR_STRIDE;
        for (let k = 0; k < ADDR_STRIDE; k++) addresses[j * ADDR_STRIDE + k] = src[at + k]!;
      }
      this.addresses = addresses;
    } else this.addresses = b.addresses.slice(from * ADDR_STRIDE, to * ADDR_STRIDE);
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

/** The payloads of datagrams from..from+n (or pick[0..n)) of `b`, end to end, and where each starts. */
function packPayloads(b: RxBatch, n: number, from: number, pick: Uint32Array | null): { data: Buffer; offsets: Uint32Array } {
  const lengths = b.lengths;
  const offsets = b.offsets;
  let total = 0;
  for (let j = 0; j < n; j++) total += lengths[pick ? pick[j]! : from + j]!;
  const data = Buffer.allocUnsafe(total);
  const own = new Uint32Array(n);
  const payloads = b.payloads;
  let to = 0;
  for (let j = 0; j < n; j++) {
    const i = pick ? pick[j]! : from + j;
    own[j] = to;
    const o = offsets[i]!;
    const len = lengths[i]!;
    // Small datagrams byte by byte: Buffer#copy makes a view first, which costs more than this.
    if (len <= 256) for (let k = 0; k < len; k++) data[to + k] = payloads[o + k]!;
    else data.set(payloads.subarray(o, o + len), to);
    to += len;
  }
  return { data, offsets: own };
}

type Column = Uint32Array | Int32Array;

function gather<T extends Column>(src: T, pick: Uint32Array, n: number, out: T): T {
  for (let j = 0; j < n; j++) out[j] = src[pick[j]!]!;
  return out;
}

/** src[pick[0..n)] through the 32-bit halves: reading a BigInt64Array element makes a BigInt. */
export function gather64(src: BigInt64Array, pick: Uint32Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const from = int64Halves(src);
  const to = int64Halves(out);
  for (let j = 0; j < n; j++) {
    const k = pick[j]!;
    to[2 * j] = from[2 * k]!;
    to[2 * j + 1] = from[2 * k + 1]!;
  }
  return out;
}

/** What a copy of `count` datagrams with `payloadBytes` bytes counts against the display bound. */
export function heldBytes(count: number, payloadBytes: number): number {
  return payloadBytes + count * (ADDR_STRIDE + 80);
}
