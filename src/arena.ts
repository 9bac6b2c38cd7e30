// JS-owned memory for one recvmmsg round; registered once with the native socket, then reused.
import { ADDR_STRIDE, I32_FIELDS, I64_FIELDS } from './layout.js';
import type { NativeUdpSocket } from './native.js';
import type { SlotArrays } from './slot-reader.js';

export class Arena implements SlotArrays {
  readonly id: number;
  readonly data: Uint8Array;
  readonly control: Uint8Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly addr: Uint8Array;
  /** Start of each slot's payload, fixed for the arena's life. */
  readonly offsets: Uint32Array;

  constructor(
    sock: NativeUdpSocket,
    readonly cap: number,
    readonly slotSize: number,
    readonly controlSize: number,
  ) {
    // Plain ArrayBuffers live off the V8 heap, so the pointers the native side keeps never move.
    this.data = new Uint8Array(new ArrayBuffer(cap * slotSize));
    this.control = new Uint8Array(new ArrayBuffer(Math.max(1, cap * controlSize)));
    this.i32 = new Int32Array(new ArrayBuffer(cap * I32_FIELDS * 4));
    this.i64 = new BigInt64Array(new ArrayBuffer((cap * I64_FIELDS + 1) * 8));
    this.addr = new Uint8Array(new ArrayBuffer(cap * ADDR_STRIDE));
    this.offsets = new Uint32Array(cap);
    for (let i = 0; i < cap; i++) this.offsets[i] = i * slotSize;
    this.id = sock.registerArena(this.data, this.control, this.i32, this.i64, this.addr, slotSize, controlSize, cap);
  }

  /** CLOCK_REALTIME ns of the last round. */
  get readAt(): bigint {
    return this.i64[this.cap * I64_FIELDS]!;
  }
}
