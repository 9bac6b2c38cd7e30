// The native arena table (native/udp_socket/arena.cc): one owner per arena, freed when replaced.
// * an arena whose memory was transferred away is released at the next registration (or at the
//   round that finds it): its JS arrays become collectable, its header vectors are freed;
// * registerArena(…, id) replaces that arena: same id, the old one released;
// * close() releases them all.
// Release is judged by WeakRefs on the arrays the table referenced (exact, unlike RSS), and once by
// RSS (first in this file, so no earlier test's freed memory can hide a leak).
import { afterEach, describe, expect, it } from 'vitest';
import { native, type NativeUdpSocket } from '../../src/sys/native.js';
import { gcUntil } from '../helpers/fds.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const MiB = 1024 * 1024;
// Under ASan (scripts/asan-test.sh preloads its runtime) freed memory sits in the quarantine
// (256 MiB) and RSS says nothing about leaks: the loop still runs, the RSS bound is not applied.
const underAsan = /asan/.test(process.env.LD_PRELOAD ?? '');
const lo4 = Uint8Array.of(127, 0, 0, 1);
const { i32Fields: I32_FIELDS, i64Fields: I64_FIELDS, addrStride: ADDR_STRIDE } = native.layout;

interface ArenaArrays {
  data: Uint8Array;
  control: Uint8Array;
  i32: Int32Array;
  i64: BigInt64Array;
  addr: Uint8Array;
}

/** One ArrayBuffer holding the five arrays, as the taps allocate them. */
function arenaArrays(cap: number, slot = 64, ctrl = 64): ArenaArrays {
  const i64Bytes = (cap * I64_FIELDS + 1) * 8;
  const i32Bytes = cap * I32_FIELDS * 4;
  const ab = new ArrayBuffer(i64Bytes + i32Bytes + cap * slot + cap * ctrl + cap * ADDR_STRIDE);
  let at = 0;
  const i64 = new BigInt64Array(ab, at, i64Bytes / 8);
  const i32 = new Int32Array(ab, (at += i64Bytes), i32Bytes / 4);
  const data = new Uint8Array(ab, (at += i32Bytes), cap * slot);
  const control = new Uint8Array(ab, (at += cap * slot), cap * ctrl);
  const addr = new Uint8Array(ab, (at += cap * ctrl), cap * ADDR_STRIDE);
  return { data, control, i32, i64, addr };
}

const opened: NativeUdpSocket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function pair(): { rx: NativeUdpSocket; tx: NativeUdpSocket; port: number; send: (s: string) => void } {
  const rx = new native.UdpSocket(4, () => undefined);
  rx.bind(lo4, 0, 0, '127.0.0.1');
  const tx = new native.UdpSocket(4, () => undefined);
  opened.push(rx, tx);
  const port = rx.localAddress().port;
  return { rx, tx, port, send: (s) => tx.sendMsg(Buffer.from(s), lo4, port, 0, null) };
}

/** registerArena with the optional replaceId (not in the TypeScript typing of the tap). */
function register(sock: NativeUdpSocket, a: ArenaArrays, cap: number, replace?: number): number {
  const reg = sock.registerArena as unknown as (...args: unknown[]) => number;
  const args: unknown[] = [a.data, a.control, a.i32, a.i64, a.addr, 64, 64, cap];
  if (replace !== undefined) args.push(replace);
  return reg.apply(sock, args);
}

function detach(a: ArenaArrays): void {
  const ab = a.data.buffer as ArrayBuffer;
  structuredClone(ab, { transfer: [ab] });
}

/** A WeakRef to each array the native table references for this arena (the views, not the buffer). */
function weakViews(a: ArenaArrays): Array<WeakRef<object>> {
  return [a.data, a.control, a.i32, a.i64, a.addr].map((v) => new WeakRef(v));
}

const collected = (refs: Array<WeakRef<object>>) => refs.every((r) => r.deref() === undefined);

describe('native arena table', () => {
  it('1,500 arenas of 1024 slots on one socket, each detached after use: RSS grows < 64 MiB', () => {
    const { rx, send } = pair();
    const once = () => {
      const a = arenaArrays(1024);
      const id = register(rx, a, 1024);
      send('x');
      expect(rx.recv(id)).toBe(1);
      detach(a);
      return id;
    };
    for (let i = 0; i < 100; i++) once();
    gc();
    const before = process.memoryUsage().rss;
    let last = -1;
    for (let i = 0; i < 1500; i++) {
      last = once();
      if (i % 100 === 99) gc();
    }
    gc();
    const grown = process.memoryUsage().rss - before;
    expect(() => rx.recv(last)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    if (!underAsan) expect(grown / MiB).toBeLessThan(64);
  });

  it('a detached arena is released at the next registration: its arrays become collectable', async () => {
    const { rx, send } = pair();
    const make = () => {
      const a = arenaArrays(8);
      const id = register(rx, a, 8);
      detach(a);
      return { id, refs: weakViews(a) };
    };
    const gone = make();
    const keep = arenaArrays(8);
    const keepId = register(rx, keep, 8); // sweeps `gone`
    expect(await gcUntil(() => collected(gone.refs))).toBe(true);
    expect(() => rx.recv(gone.id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    send('kept');
    expect(rx.recv(keepId)).toBe(1);
    expect(Buffer.from(keep.data.subarray(0, 4)).toString()).toBe('kept');
  });

  it('a detached arena found by a round is released right there', async () => {
    const { rx } = pair();
    const { id, refs } = (() => {
      const a = arenaArrays(8);
      const id = register(rx, a, 8);
      detach(a);
      return { id, refs: weakViews(a) };
    })();
    expect(() => rx.recv(id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(await gcUntil(() => collected(refs))).toBe(true);
    expect(() => rx.recv(id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
  });

  it('registerArena(…, id) replaces that arena: same id, new memory used, the old arena released', async () => {
    const { rx, send } = pair();
    // the first arena lives only inside this closure (and in the table, until replaced)
    const { id, firstRefs, firstData } = (() => {
      const first = arenaArrays(16);
      const id = register(rx, first, 16);
      send('one');
      expect(rx.recv(id)).toBe(1);
      expect(Buffer.from(first.data.subarray(0, 3)).toString()).toBe('one');
      return { id, firstRefs: weakViews(first), firstData: new Uint8Array(first.data.buffer) };
    })();
    // (a snapshot, not a search for 't': stamps and ports in the old memory may hold that byte)
    const before = Uint8Array.from(firstData);
    const second = arenaArrays(16);
    expect(register(rx, second, 16, id)).toBe(id);
    send('two');
    expect(rx.recv(id)).toBe(1);
    expect(Buffer.from(second.data.subarray(0, 3)).toString()).toBe('two');
    expect(Buffer.compare(Buffer.from(firstData), Buffer.from(before))).toBe(0); // the old memory is not written again
    expect(await gcUntil(() => collected(firstRefs))).toBe(true);
    // replacing over and over keeps one arena: all but the last are released
    const refs: Array<WeakRef<object>> = [];
    for (let i = 0; i < 50; i++) {
      const a = arenaArrays(16);
      expect(register(rx, a, 16, id)).toBe(id);
      refs.push(...weakViews(a));
    }
    const live = refs.splice(-5);
    expect(await gcUntil(() => collected(refs))).toBe(true);
    expect(live.every((r) => r.deref() !== undefined)).toBe(true);
    send('three');
    expect(rx.recv(id)).toBe(1);
  });

  it('replaceId must be an id this socket gave out', () => {
    const { rx } = pair();
    const id = register(rx, arenaArrays(1), 1);
    for (const bad of [id + 1, -1, 0.5, NaN, 2 ** 32, '0', null])
      expect(() => register(rx, arenaArrays(1), 1, bad as number), String(bad)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const other = new native.UdpSocket(4, () => undefined);
    opened.push(other);
    expect(() => register(other, arenaArrays(1), 1, id)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it('ids are not reused: unknown ones ERR_OUT_OF_RANGE, released ones ERR_INVALID_STATE', () => {
    const { rx, send } = pair();
    const keep = arenaArrays(4);
    const gone = arenaArrays(4);
    const keepId = register(rx, keep, 4);
    const goneId = register(rx, gone, 4);
    detach(gone);
    const third = register(rx, arenaArrays(4), 4);
    expect(new Set([keepId, goneId, third]).size).toBe(3);
    expect(() => rx.recv(goneId)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(() => rx.recv(third + 1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    send('kept');
    expect(rx.recv(keepId)).toBe(1);
    expect(Buffer.from(keep.data.subarray(0, 4)).toString()).toBe('kept');
  });

  it('close() releases every arena', async () => {
    const rx = new native.UdpSocket(4, () => undefined);
    const refs: Array<WeakRef<object>> = [];
    for (let i = 0; i < 4; i++) refs.push(...(() => {
      const a = arenaArrays(4);
      register(rx, a, 4);
      return weakViews(a);
    })());
    rx.close();
    expect(await gcUntil(() => collected(refs))).toBe(true);
  });
});

describe('dense arenas: long datagrams packed into a buffer of their own', () => {
  const F = native.layoutFields.i32;
  const dense = 16;

  /** registerArena(…, slotSize 4096, denseSize 16): data holds only the dense slots. */
  function denseArena(sock: NativeUdpSocket, cap: number): ArenaArrays & { id: number } {
    const a = arenaArrays(cap, dense);
    const reg = sock.registerArena as unknown as (...args: unknown[]) => number;
    return { ...a, id: reg.apply(sock, [a.data, a.control, a.i32, a.i64, a.addr, 4096, 64, cap, undefined, dense]) };
  }

  it('a round of short datagrams: payloads in the dense slots, takePayloads() gives null', () => {
    const { rx, send } = pair();
    const a = denseArena(rx, 8);
    send('short');
    send('sixteen bytes!!!');
    expect(rx.recv(a.id)).toBe(2);
    expect(rx.takePayloads(a.id)).toBeNull();
    expect(Buffer.from(a.data.subarray(a.i32[F.payloadOffset! * 8 + 1]!, a.i32[F.payloadOffset! * 8 + 1]! + 16)).toString()).toBe('sixteen bytes!!!');
  });

  it('a round with a long one: every payload packed end to end, offsets into the packed buffer; taken once', () => {
    const { rx, send } = pair();
    const a = denseArena(rx, 8);
    const texts = ['a', 'x'.repeat(3000), 'bb', 'y'.repeat(17)];
    for (const t of texts) send(t);
    expect(rx.recv(a.id)).toBe(4);
    const packed = rx.takePayloads(a.id);
    expect(packed).toBeInstanceOf(ArrayBuffer);
    expect(packed!.byteLength).toBe(texts.join('').length);
    const bytes = Buffer.from(packed!);
    let at = 0;
    texts.forEach((t, i) => {
      expect(a.i32[F.payloadOffset! * 8 + i]).toBe(at);
      expect(a.i32[F.capLen! * 8 + i]).toBe(t.length);
      expect(bytes.subarray(at, at + t.length).toString()).toBe(t);
      at += t.length;
    });
    expect(rx.takePayloads(a.id)).toBeNull(); // taking clears it
    send('short again');
    expect(rx.recv(a.id)).toBe(1);
    expect(rx.takePayloads(a.id)).toBeNull();
  });

  it('a packed buffer not taken is dropped by the next round', () => {
    const { rx, send } = pair();
    const a = denseArena(rx, 8);
    send('z'.repeat(100));
    expect(rx.recv(a.id)).toBe(1);
    send('tiny');
    expect(rx.recv(a.id)).toBe(1);
    expect(rx.takePayloads(a.id)).toBeNull();
  });

  it('takePayloads on an id never given out is a RangeError; on an arena released after a transfer, null', () => {
    const { rx } = pair();
    expect(() => rx.takePayloads(99)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    expect(() => rx.takePayloads(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const a = denseArena(rx, 8);
    detach(a);
    denseArena(rx, 8); // a registration releases the detached one
    expect(rx.takePayloads(a.id)).toBeNull();
  });

  it('slotSize above 1 MiB is refused: a dense arena maps count × slotSize of address space for the tails', () => {
    const { rx } = pair();
    const a = arenaArrays(8, dense);
    const reg = rx.registerArena as unknown as (...args: unknown[]) => number;
    for (const slot of [(1 << 20) + 1, 2 ** 32 - 1, -211653554])
      expect(() => reg.apply(rx, [a.data, a.control, a.i32, a.i64, a.addr, slot, 64, 8, undefined, dense])).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    expect(reg.apply(rx, [a.data, a.control, a.i32, a.i64, a.addr, 1 << 20, 64, 8, undefined, dense])).toBeGreaterThanOrEqual(0);
  });

  it('a packet socket takes whole slots: a denseSize below slotSize is refused', () => {
    const P = (native as unknown as { PacketSocket: new (onPoll: () => void) => NativeUdpSocket }).PacketSocket;
    const p = new P(() => undefined);
    try {
      const reg = p.registerArena as unknown as (...args: unknown[]) => number;
      // arrays larger than the packet layout needs (64 i32 and 8 i64 fields, 64 address bytes per slot)
      const args = [new Uint8Array(8 * 4096), new Uint8Array(8 * 64), new Int32Array(8 * 64), new BigInt64Array(8 * 8 + 1), new Uint8Array(8 * 64), 4096, 64, 8, undefined];
      expect(() => reg.apply(p, [...args, 16])).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }));
      expect(reg.apply(p, [...args, 4096])).toBeGreaterThanOrEqual(0); // no dense slots: accepted
    } finally {
      p.close();
    }
  });
});
