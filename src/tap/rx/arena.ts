// JS-owned memory for one recvmmsg round; registered once with the native socket, then reused.
import { ADDR_STRIDE, I32, I32_FIELDS, I64, I64_FIELDS } from './layout.js';
import { ArenaMemory } from './arena-memory.js';
import type { NativeUdpSocket } from '../../sys/native.js';
import { AddressTexts, type MessageSlots } from './slot-reader.js';

/** Largest batch size whose views an arena keeps (besides its full size). */
const VIEW_CACHE_MAX = 64;

export class Arena extends ArenaMemory implements MessageSlots {
  readonly texts = new AddressTexts();

  /**
   * @param slotSize bytes a datagram may have (maxMessageSize)
   * @param denseSize bytes of the dense slot each datagram is read into first; longer ones continue
   *   in native memory only they touch, and their round is packed (see packedPayloads)
   */
  constructor(
    private readonly sock: NativeUdpSocket,
    cap: number,
    slotSize: number,
    controlSize: number,
    denseSize = slotSize,
    replaces?: Arena,
  ) {
    super(sock, { i32Fields: I32_FIELDS, i64Fields: I64_FIELDS, addrStride: ADDR_STRIDE }, cap, slotSize, controlSize, denseSize, replaces?.id);
  }

  /**
   * The payloads of the round just read into the first `n` slots, when one of its datagrams was
   * longer than the dense slot: the native side then packed all n end to end into a buffer of their
   * own and the offsets point there. Null when they are in `data` (the common case: no copy).
   */
  packedPayloads(n: number): Buffer | null {
    if (this.denseSize >= this.slotSize) return null;
    const i32 = this.i32;
    const base = I32.capLen * this.cap;
    const dense = this.denseSize;
    for (let i = 0; i < n; i++) {
      if (i32[base + i]! > dense) {
        const ab = this.sock.takePayloads(this.id);
        return ab ? Buffer.from(ab) : null;
      }
    }
    return null;
  }

  readonly #views: Array<FieldViews | undefined> = [];

  /**
   * Typed-array views of each field for the first `count` slots, made once per count: a tap that
   * sees small batches (many quiet sockets) then allocates nothing per batch either.
   */
  views(count: number): FieldViews {
    // Cached for the small counts quiet sockets see over and over, and for a full round; a
    // mid-sized batch makes its own (a few allocations over many datagrams), so the cache stays
    // small instead of growing towards a thousand entries per arena.
    if (count > VIEW_CACHE_MAX && count !== this.cap) return makeViews(this, count);
    return (this.#views[count] ??= makeViews(this, count));
  }

  /**
   * True once JS transferred (detached) one of the arrays, e.g. an RxBatch's buffers posted to a
   * worker: the native side then refuses the arena (ERR_INVALID_STATE) and the tap replaces it.
   */
  get detached(): boolean {
    return this.data.byteLength === 0; // one ArrayBuffer holds all five arrays
  }
}

export interface FieldViews {
  /** The arena's data array: datagram i is payloads.subarray(offsets[i], offsets[i] + lengths[i]). */
  payloads: Buffer;
  offsets: Uint32Array;
  lengths: Uint32Array;
  origLengths: Uint32Array;
  swTimestamps: BigInt64Array;
  hwTimestamps: BigInt64Array;
  ifIndex: Int32Array;
  ttl: Int32Array;
  tos: Int32Array;
  flags: Int32Array;
  drops: Uint32Array;
  present: Int32Array;
  srcFamily: Int32Array;
  dstFamily: Int32Array;
  srcPort: Int32Array;
  addresses: Uint8Array;
}

function makeViews(a: Arena, count: number): FieldViews {
  const cap = a.cap;
  const i32 = (f: number) => new Int32Array(a.i32.buffer, a.i32.byteOffset + f * cap * 4, count);
  const u32 = (f: number) => new Uint32Array(a.i32.buffer, a.i32.byteOffset + f * cap * 4, count);
  const i64 = (f: number) => new BigInt64Array(a.i64.buffer, a.i64.byteOffset + f * cap * 8, count);
  return {
    // the whole data array (a round with a long datagram gets its own, see packedPayloads)
    payloads: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
    offsets: u32(I32.payloadOffset),
    lengths: u32(I32.capLen),
    origLengths: u32(I32.origLen),
    swTimestamps: i64(I64.software),
    hwTimestamps: i64(I64.hardware),
    ifIndex: i32(I32.ifIndex),
    ttl: i32(I32.ttl),
    tos: i32(I32.tos),
    flags: i32(I32.flags),
    drops: u32(I32.drops),
    present: i32(I32.present),
    srcFamily: i32(I32.srcFamily),
    dstFamily: i32(I32.dstFamily),
    srcPort: i32(I32.srcPort),
    addresses: a.addr.subarray(0, count * ADDR_STRIDE),
  };
}
