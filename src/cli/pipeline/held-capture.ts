// A passive capture's datagrams kept for display after the round's arena is read again: the
// columns a line needs gathered in bulk, the payloads packed end to end. Nothing per datagram
// until a line is made from it.
import type { CaptureBatch } from '../../capture/batch.js';
import { AddressTexts } from '../../tap/rx/slot-reader.js';
import { ifNameOf } from '../../netif/ifname-cache.js';
import { gather64, type HeldDatagrams } from './held-batch.js';
import type { Observation } from './observation.js';

const MSG_TRUNC = 0x20;
const PACKET_OUTGOING = 4;

export class HeldCaptureBatch implements HeldDatagrams {
  readonly count: number;
  readonly readAt: bigint;
  readonly data: Buffer;
  readonly offsets: Uint32Array;
  readonly lengths: Int32Array;
  readonly udpLength: Int32Array;
  readonly family: Int32Array;
  readonly srcPort: Int32Array;
  readonly dstPort: Int32Array;
  readonly ttl: Int32Array;
  readonly tos: Int32Array;
  readonly ifIndex: Int32Array;
  readonly pktType: Int32Array;
  readonly flags: Int32Array;
  readonly sw: BigInt64Array;
  readonly hw: BigInt64Array;
  readonly addresses: Uint8Array;
  /** A packet socket has no per-datagram drop counter: its kernel drops are in the summary. */
  readonly dropsDelta: Uint32Array;
  decodeCounted = false;
  readonly #texts = new AddressTexts();

  /** Copies datagrams pick[0..n) of `b`. */
  constructor(
    b: CaptureBatch,
    pick: Uint32Array,
    n: number,
    readonly label: string,
  ) {
    this.count = n;
    this.readAt = b.readAt;
    this.dropsDelta = new Uint32Array(n);
    const i32 = (src: Int32Array): Int32Array => {
      const out = new Int32Array(n);
      for (let j = 0; j < n; j++) out[j] = src[pick[j]!]!;
      return out;
    };
    this.lengths = i32(b.payloadLen);
    this.udpLength = i32(b.udpLength);
    this.family = i32(b.family);
    this.srcPort = i32(b.srcPort);
    this.dstPort = i32(b.dstPort);
    this.ttl = i32(b.ttl);
    this.tos = i32(b.tos);
    this.ifIndex = i32(b.ifIndex);
    this.pktType = i32(b.pktType);
    this.flags = i32(b.flags);
    this.sw = gather64(b.software, pick, n);
    this.hw = gather64(b.hardware, pick, n);
    const addresses = new Uint8Array(n * 32);
    const src = b.addresses;
    for (let j = 0; j < n; j++) {
      const at = pick[j]! * 32;
      for (let k = 0; k < 32; k++) addresses[j * 32 + k] = src[at + k]!;
    }
    this.addresses = addresses;
    let total = 0;
    for (let j = 0; j < n; j++) total += this.lengths[j]!;
    const data = Buffer.allocUnsafe(total);
    const offsets = new Uint32Array(n);
    const bytes = b.data;
    let to = 0;
    for (let j = 0; j < n; j++) {
      const i = pick[j]!;
      const from = i * b.slotSize + b.payloadOffset[i]!;
      const len = this.lengths[j]!;
      offsets[j] = to;
      if (len <= 256) for (let k = 0; k < len; k++) data[to + k] = bytes[from + k]!;
      else data.set(bytes.subarray(from, from + len), to);
      to += len;
    }
    this.data = data;
    this.offsets = offsets;
  }

  observation(i: number): Observation {
    const fam = this.family[i] === 4 ? 4 : 6;
    const ao = i * 32;
    const cap = this.lengths[i]!;
    const length = this.udpLength[i]! - 8;
    const off = this.offsets[i]!;
    const flags = this.flags[i]!;
    const dst = { address: this.#texts.dst.of(fam, this.addresses, ao + 16), port: this.dstPort[i]! };
    const ifIndex = this.ifIndex[i]!;
    const o: Observation = {
      bind: this.label,
      direction: this.pktType[i] === PACKET_OUTGOING ? 'out' : 'in',
      data: this.data.subarray(off, off + cap),
      length,
      src: { address: this.#texts.src.of(fam, this.addresses, ao), port: this.srcPort[i]! },
      dst,
      local: dst,
      ifIndex,
      truncated: cap < length || (flags & MSG_TRUNC) !== 0,
      controlTruncated: false,
      msgFlags: flags,
      readAtNs: this.readAt,
      ttl: this.ttl[i]!,
      tos: this.tos[i]!,
    };
    const name = ifNameOf(ifIndex);
    if (name !== undefined) o.ifName = name;
    const sw = this.sw[i]!;
    const hw = this.hw[i]!;
    if (sw !== 0n) {
      o.swTsNs = sw;
      o.readDelayNs = this.readAt - sw;
    }
    if (hw !== 0n) o.hwTsNs = hw;
    return o;
  }
}
