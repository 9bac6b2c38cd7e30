// JS-owned memory for one recvmmsg round of a packet socket; registered once, then reused.
import { P32, P32_FIELDS, P64_FIELDS, PADDR_STRIDE } from './layout.js';
import { allocateArena } from '../tap/rx/arena-memory.js';
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
    ({ id: this.id, data: this.data, control: this.control, i32: this.i32, i64: this.i64, addr: this.addr } = allocateArena(
      sock,
      { i32Fields: P32_FIELDS, i64Fields: P64_FIELDS, addrStride: PADDR_STRIDE },
      cap,
      slotSize,
      controlSize,
    ));
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
