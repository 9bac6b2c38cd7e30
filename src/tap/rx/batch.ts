// One recvmmsg round as struct-of-arrays: no per-datagram JS object unless one is asked for.
import { formatAddress } from '../../sys/address.js';
import { batchReleasedError, invalidArg } from '../../sys/errors.js';
import type { Arena, FieldViews } from './arena.js';
import { ADDR, ADDR_STRIDE, HALF_HI, HALF_LO, PRESENT, delayBase, int64Halves } from './layout.js';
import type { BatchTap, RxMessage, RxMeta } from './rx-types.js';
import { messageAt, metaAt } from './slot-reader.js';

/** A piece of metadata a datagram may or may not have carried, for {@link RxBatch.has}. */
export type PresentField = keyof typeof PRESENT;

/**
 * A batch's arrays are views of a pooled arena: valid until the next batch is requested from the
 * same tap (or `release()`); copy what you keep, or materialise with `message(i)`.
 */
export class RxBatch {
  readonly count: number;
  readonly readAt: bigint;
  // The arrays are the arena's cached views for this count: a batch allocates no typed array.
  readonly #v: FieldViews;
  readonly #payloads: Buffer;
  #arena: Arena | null;
  #release: (a: Arena) => void;

  /** The tap that read this batch (useful when batches of many taps are merged). */
  readonly tap: BatchTap;

  /** @param packed the round's own payload buffer when it had a long datagram (Arena.packedPayloads) */
  constructor(arena: Arena, count: number, release: (a: Arena) => void, tap: BatchTap, packed: Buffer | null = null) {
    this.tap = tap;
    this.count = count;
    this.readAt = arena.readAt;
    this.#v = arena.views(count);
    this.#payloads = packed ?? this.#v.payloads;
    this.#arena = arena;
    this.#release = release;
  }

  /** All payload slots; datagram i is payloads.subarray(offsets[i], offsets[i] + lengths[i]). */
  get payloads(): Buffer {
    return this.#payloads;
  }
  get offsets(): Uint32Array {
    return this.#v.offsets;
  }
  /** Bytes captured per datagram. */
  get lengths(): Uint32Array {
    return this.#v.lengths;
  }
  /** Datagram length on the wire (> lengths[i] when truncated). */
  get origLengths(): Uint32Array {
    return this.#v.origLengths;
  }
  /** Software RX timestamps, ns since the epoch; 0 = absent. */
  get swTimestamps(): BigInt64Array {
    return this.#v.swTimestamps;
  }
  /** Hardware RX timestamps, ns; 0 = absent. */
  get hwTimestamps(): BigInt64Array {
    return this.#v.hwTimestamps;
  }
  get ifIndex(): Int32Array {
    return this.#v.ifIndex;
  }
  get ttl(): Int32Array {
    return this.#v.ttl;
  }
  get tos(): Int32Array {
    return this.#v.tos;
  }
  get flags(): Int32Array {
    return this.#v.flags;
  }
  get drops(): Uint32Array {
    return this.#v.drops;
  }
  /** Presence bits per datagram (see `has`). */
  get present(): Int32Array {
    return this.#v.present;
  }
  get srcFamily(): Int32Array {
    return this.#v.srcFamily;
  }
  /** Family of the pktinfo destination (4 or 6; meaningful where `has(i, 'dst')`). */
  get dstFamily(): Int32Array {
    return this.#v.dstFamily;
  }
  get srcPort(): Int32Array {
    return this.#v.srcPort;
  }
  /** Source (16 bytes) and destination (16 bytes) addresses, ADDR_STRIDE bytes per datagram. */
  get addresses(): Uint8Array {
    return this.#v.addresses;
  }

  #live(): Arena {
    if (!this.#arena) {
      throw batchReleasedError();
    }
    return this.#arena;
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw invalidArg('ERR_OUT_OF_RANGE', `index ${i} outside 0..${this.count - 1}`, RangeError);
    }
  }

  /** Whether datagram i carried a piece of metadata ('ttl', 'tos', 'dst', 'drops', 'hardwareTs', …). */
  has(i: number, field: PresentField): boolean {
    this.#check(i);
    return (this.present[i]! & PRESENT[field]) !== 0;
  }

  /** Payload of datagram i as a view (no copy). */
  payload(i: number): Buffer {
    this.#check(i);
    this.#live();
    return this.payloads.subarray(this.offsets[i]!, this.offsets[i]! + this.lengths[i]!);
  }

  /** Source address of datagram i as text. */
  srcAddress(i: number): string {
    this.#check(i);
    return formatAddress(this.srcFamily[i]!, this.addresses, i * ADDR_STRIDE + ADDR.src);
  }

  /** Materialises datagram i as an RxMessage (payload copied). */
  message(i: number): RxMessage {
    this.#check(i);
    const a = this.#live();
    return messageAt(a, i, this.#payloads, this.readAt);
  }

  /** The decoded control-message metadata of datagram i. */
  meta(i: number): RxMeta {
    this.#check(i);
    return metaAt(this.#live(), i);
  }

  /**
   * The read delay of every datagram (readAt − its software RX timestamp, in ns) as numbers, into
   * `out` (or a new array of `count`); NaN where a datagram has no software timestamp. Made from
   * the stamps' 32-bit halves, so no BigInt per datagram: the cheap way to look at every delay of a
   * burst. Exact while a delay is below 2^53 ns.
   */
  readDelays(out?: Float64Array): Float64Array {
    const n = this.count;
    if (out !== undefined && !(out instanceof Float64Array)) {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'readDelays: out must be a Float64Array', TypeError);
    }
    if (out !== undefined && out.length < n) {
      throw invalidArg('ERR_OUT_OF_RANGE', `readDelays: out has ${out.length} elements, the batch ${n}`, RangeError);
    }
    this.#live();
    const d = out ?? new Float64Array(n);
    const half = int64Halves(this.#v.swTimestamps, n);
    const present = this.#v.present;
    const { hi: readHi, lo: readLo } = delayBase(this.readAt);
    for (let i = 0; i < n; i++) {
      d[i] = present[i]! & PRESENT.softwareTs ? (readHi - half[2 * i + HALF_HI]!) * 0x1_0000_0000 + (readLo - half[2 * i + HALF_LO]!) : NaN;
    }
    return d;
  }

  /** Every datagram of the batch as an RxMessage, in order (payloads copied). */
  *messages(): IterableIterator<RxMessage> {
    for (let i = 0; i < this.count; i++) yield this.message(i);
  }

  /** Gives the buffers back to the tap's pool; the batch is unusable afterwards. Idempotent. */
  release(): void {
    const a = this.#arena;
    if (!a) return;
    this.#arena = null;
    this.#release(a);
  }

  get released(): boolean {
    return this.#arena === null;
  }
}
