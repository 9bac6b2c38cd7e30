// JS-owned memory for one recvmmsg round of a packet socket; registered once, then reused.
import { P32, P32_FIELDS, P64_FIELDS, PADDR_STRIDE } from './layout.js';
import { ArenaMemory } from '../tap/rx/arena-memory.js';
import type { NativePacketSocket } from './native.js';

export class CaptureArena extends ArenaMemory {
  constructor(sock: NativePacketSocket, cap: number, slotSize: number, controlSize: number) {
    super(sock, { i32Fields: P32_FIELDS, i64Fields: P64_FIELDS, addrStride: PADDR_STRIDE }, cap, slotSize, controlSize);
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
