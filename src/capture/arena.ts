// JS-owned memory for one recvmmsg round of a packet socket; registered once, then reused.
import { P32, P32_FIELDS, P64_FIELDS, PADDR_STRIDE } from './layout.js';
import type { NativePacketSocket } from './native.js';

export class CaptureArena {
  readonly id: number;
  readonly data: Uint8Array;
  readonly control: Uint8Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly addr: Uint8Array;

  constructor(
    sock: NativePacketSocket,
    readonly cap: number,
    readonly slotSize: number,
    readonly controlSize: number,
  ) {
    // Plain ArrayBuffers live off the V8 heap, so the pointers the native side keeps never move.
    this.data = new Uint8Array(new ArrayBuffer(cap * slotSize));
    this.control = new Uint8Array(new ArrayBuffer(Math.max(1, cap * controlSize)));
    this.i32 = new Int32Array(new ArrayBuffer(cap * P32_FIELDS * 4));
    this.i64 = new BigInt64Array(new ArrayBuffer((cap * P64_FIELDS + 1) * 8));
    this.addr = new Uint8Array(new ArrayBuffer(cap * PADDR_STRIDE));
    this.id = sock.registerArena(this.data, this.control, this.i32, this.i64, this.addr, slotSize, controlSize, cap);
  }

  /** CLOCK_REALTIME ns of the last round. */
  get readAt(): bigint {
    return this.i64[this.cap * P64_FIELDS]!;
  }

  i(field: number, slot: number): number {
    return this.i32[field * this.cap + slot]!;
  }

  l(field: number, slot: number): bigint {
    return this.i64[field * this.cap + slot]!;
  }

  status(slot: number): number {
    return this.i(P32.status, slot);
  }
}
