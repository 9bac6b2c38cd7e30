// The five JS-owned arrays a native socket's recvmmsg round writes into, sized for a layout.
// Shared by UDP taps and packet captures; registered once with the native socket, then reused.

export interface ArenaArrays {
  data: Uint8Array;
  control: Uint8Array;
  i32: Int32Array;
  i64: BigInt64Array;
  addr: Uint8Array;
}

export interface ArenaLayout {
  i32Fields: number;
  i64Fields: number;
  addrStride: number;
}

export interface ArenaRegistrar {
  registerArena(
    data: Uint8Array,
    control: Uint8Array,
    i32: Int32Array,
    i64: BigInt64Array,
    addr: Uint8Array,
    slotSize: number,
    controlSize: number,
    count: number,
    replaceId?: number,
    denseSize?: number,
  ): number;
}

/**
 * Allocates the arrays for `cap` slots and registers them; returns them with the arena id. With a
 * denseSize below slotSize the data array is `cap` dense slots: the tails of longer datagrams go to
 * native address space V8 does not count, and a round that has one gets its payloads packed into
 * a buffer of its own (see native/udp_socket/arena.h).
 */
export function allocateArena(
  sock: ArenaRegistrar,
  layout: ArenaLayout,
  cap: number,
  slotSize: number,
  controlSize: number,
  denseSize = slotSize,
  replaceId?: number,
): ArenaArrays & { id: number } {
  // One plain ArrayBuffer (off the V8 heap, so the pointers the native side keeps never move) holds
  // all five arrays: the native side then re-checks one buffer, not five, before each round.
  // 8-byte fields first, so every array starts aligned to its element size.
  const i64Bytes = (cap * layout.i64Fields + 1) * 8; // + readAt
  const i32Bytes = cap * layout.i32Fields * 4;
  const dataBytes = cap * Math.min(denseSize, slotSize);
  const controlBytes = Math.max(1, cap * controlSize);
  const buf = new ArrayBuffer(i64Bytes + i32Bytes + dataBytes + controlBytes + cap * layout.addrStride);
  let at = 0;
  const i64 = new BigInt64Array(buf, at, i64Bytes / 8);
  const i32 = new Int32Array(buf, (at += i64Bytes), i32Bytes / 4);
  const data = new Uint8Array(buf, (at += i32Bytes), dataBytes);
  const control = new Uint8Array(buf, (at += dataBytes), controlBytes);
  const addr = new Uint8Array(buf, (at += controlBytes), cap * layout.addrStride);
  const id =
    denseSize < slotSize
      ? sock.registerArena(data, control, i32, i64, addr, slotSize, controlSize, cap, replaceId, denseSize)
      : replaceId !== undefined
        ? sock.registerArena(data, control, i32, i64, addr, slotSize, controlSize, cap, replaceId)
        : sock.registerArena(data, control, i32, i64, addr, slotSize, controlSize, cap);
  return { id, data, control, i32, i64, addr };
}

/** The arrays of one arena with its id, for a socket and layout; subclasses read them. */
export class ArenaMemory implements ArenaArrays {
  readonly id: number;
  readonly data: Uint8Array;
  readonly control: Uint8Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly addr: Uint8Array;
  readonly #readAtIndex: number;

  constructor(
    sock: ArenaRegistrar,
    layout: ArenaLayout,
    readonly cap: number,
    readonly slotSize: number,
    readonly controlSize: number,
    readonly denseSize = slotSize,
    replaceId?: number,
  ) {
    ({ id: this.id, data: this.data, control: this.control, i32: this.i32, i64: this.i64, addr: this.addr } = allocateArena(
      sock,
      layout,
      cap,
      slotSize,
      controlSize,
      denseSize,
      replaceId,
    ));
    this.#readAtIndex = cap * layout.i64Fields;
  }

  /** CLOCK_REALTIME ns of the last round (the native side writes it after the i64 fields). */
  get readAt(): bigint {
    return this.i64[this.#readAtIndex]!;
  }
}
