// One recvmmsg round as struct-of-arrays: no per-datagram JS object unless one is asked for.
import { formatAddress } from './address.js';
import type { Arena } from './arena.js';
import { ADDR, ADDR_STRIDE, PRESENT } from './layout.js';
import type { RxMessage, RxMeta } from './rx-types.js';
import { messageAt, metaAt } from './slot-reader.js';

export type PresentField = keyof typeof PRESENT;

/**
 * A batch's arrays are views of a pooled arena: valid until the next batch is requested from the
 * same tap (or `release()`); copy what you keep, or materialise with `message(i)`.
 */
export class RxBatch {
  readonly count: number;
  readonly readAt: bigint;
  /** All payload slots; datagram i is payloads.subarray(offsets[i], offsets[i] + lengths[i]). */
  readonly payloads: Buffer;
  readonly offsets: Uint32Array;
  /** Bytes captured per datagram. */
  readonly lengths: Uint32Array;
  /** Datagram length on the wire (> lengths[i] when truncated). */
  readonly origLengths: Uint32Array;
  /** Software RX timestamps, ns since the epoch; 0 = absent. */
  readonly swTimestamps: BigInt64Array;
  /** Hardware RX timestamps, ns; 0 = absent. */
  readonly hwTimestamps: BigInt64Array;
  readonly ifIndex: Int32Array;
  readonly ttl: Int32Array;
  readonly tos: Int32Array;
  readonly flags: Int32Array;
  readonly drops: Uint32Array;
  /** Presence bits per datagram (see `has`). */
  readonly present: Int32Array;
  readonly srcFamily: Int32Array;
  readonly srcPort: Int32Array;
  /** Source (16 bytes) and destination (16 bytes) addresses, ADDR_STRIDE bytes per datagram. */
  readonly addresses: Uint8Array;
  #arena: Arena | null;
  #release: (a: Arena) => void;

  constructor(arena: Arena, count: number, release: (a: Arena) => void) {
    const v = arena.views(count);
    this.count = count;
    this.readAt = arena.readAt;
    this.payloads = Buffer.from(arena.data.buffer, 0, count === 0 ? 0 : arena.offsets[count - 1]! + arena.slotSize);
    this.offsets = v.offsets;
    this.lengths = v.lengths;
    this.origLengths = v.origLengths;
    this.swTimestamps = v.swTimestamps;
    this.hwTimestamps = v.hwTimestamps;
    this.ifIndex = v.ifIndex;
    this.ttl = v.ttl;
    this.tos = v.tos;
    this.flags = v.flags;
    this.drops = v.drops;
    this.present = v.present;
    this.srcFamily = v.srcFamily;
    this.srcPort = v.srcPort;
    this.addresses = v.addresses;
    this.#arena = arena;
    this.#release = release;
  }

  #live(): Arena {
    if (!this.#arena) {
      const e = new Error('RxBatch: this batch was released; its buffers are reused') as Error & { code: string };
      e.code = 'ERR_BATCH_RELEASED';
      throw e;
    }
    return this.#arena;
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      const e = new RangeError(`index ${i} outside 0..${this.count - 1}`) as RangeError & { code: string };
      e.code = 'ERR_OUT_OF_RANGE';
      throw e;
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

  srcAddress(i: number): string {
    this.#check(i);
    return formatAddress(this.srcFamily[i]!, this.addresses, i * ADDR_STRIDE + ADDR.src);
  }

  /** Materialises datagram i as an RxMessage (payload copied). */
  message(i: number): RxMessage {
    this.#check(i);
    const a = this.#live();
    return messageAt(a, i, a.data, a.slotSize, this.readAt);
  }

  meta(i: number): RxMeta {
    this.#check(i);
    return metaAt(this.#live(), i);
  }

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
