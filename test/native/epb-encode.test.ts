// native.encodeCaptureEpbs (native/pcapng/pcapng_binding.cc, epb_encode.cc) at the native surface,
// on a capture arena built by hand: the Enhanced Packet Blocks it writes read back with readPcapng
// (lengths, timestamps hardware > software > readAt, the metadata comment with its read delay, the
// extra comments and the direction flag of pktType 4), and every bad argument refused with a coded
// TypeError / RangeError without a byte written past `out` (a guard region after it stays as it
// was). bulk-capture.test.ts compares the same encoder with the per-record path on real captures.
import { describe, expect, it } from 'vitest';
import { captureNative } from '../../src/capture/native.js';
import { P32, P32_FIELDS, P64, P64_FIELDS } from '../../src/capture/layout.js';
import { LINKTYPE_IPV4, LINKTYPE_RAW, encodeInterfaceDescription, encodeSectionHeader, pad4 } from '../../src/pcapng/blocks.js';
import { commentOptions } from '../../src/pcapng/blocks.js';
import { readPcapng } from '../../src/pcapng/reader.js';
import { native } from '../../src/sys/native.js';
import { ipv4, ipv6 } from '../capture/helpers/packets.js';

type Encode = (...args: unknown[]) => number;
const encodeCaptureEpbs = (native as unknown as { encodeCaptureEpbs: Encode }).encodeCaptureEpbs;

// The field numbers the addon reports (src/capture/layout.ts checks P32/P64 against them too).
const layout = captureNative.packetLayout;
const I32 = layout.fields.i32;
const I64 = layout.fields.i64;
const PACKET_OUTGOING = 4;
const MAX_DELAY_TEXT = 12 + 1 + 19 + 2; // " read-delay=" + sign + 19 digits + "ns"
const GUARD = 64;

const udp4 = (payload: Uint8Array, ttl = 64): Buffer => Buffer.from(ipv4({ payload, ttl, src: [127, 0, 0, 1], dst: [127, 0, 0, 1], dstPort: 9 }));
const udp6 = (payload: Uint8Array): Buffer => Buffer.from(ipv6({ payload, dstPort: 9 }));

interface Slot {
  bytes: Uint8Array;
  capLen?: number;
  origLen?: number;
  ipLength?: number;
  pktType?: number;
  sw?: bigint;
  hw?: bigint;
}

/** A capture arena as the native reader fills it: field-major columns, one slot per packet. */
function arena(cap: number, slotSize: number, slots: Slot[]) {
  const i32 = new Int32Array(layout.i32Fields * cap);
  const i64 = new BigInt64Array(layout.i64Fields * cap);
  const data = new Uint8Array(cap * slotSize);
  slots.forEach((s, i) => {
    data.set(s.bytes.subarray(0, slotSize), i * slotSize);
    i32[I32.capLen! * cap + i] = s.capLen ?? s.bytes.length;
    i32[I32.origLen! * cap + i] = s.origLen ?? s.bytes.length;
    i32[I32.ipLength! * cap + i] = s.ipLength ?? s.origLen ?? s.bytes.length;
    i32[I32.pktType! * cap + i] = s.pktType ?? 0;
    i64[I64.software! * cap + i] = s.sw ?? 0n;
    i64[I64.hardware! * cap + i] = s.hw ?? 0n;
  });
  return { i32, i64, data, cap, slotSize };
}

const READ_AT = 1_700_000_000_123_456_789n;
const HW = 1_700_000_000_000_000_042n;
const EXTRA_IN = commentOptions(['host h, socket lo, direction in']);
const EXTRA_OUT = commentOptions(['host h, socket lo, direction out', 'second comment']);
const PREFIXES = ['disptap: ts=user dst=127.0.0.1:9 ifindex=1 ttl=64 tos=0x00', 'disptap: ts=software dst=127.0.0.1:9', 'disptap: ts=hardware dst=[::1]:9'];

const p4 = udp4(Buffer.from('hello, epb'));
const p6 = udp6(Buffer.from('v6!'));
const long4 = udp4(Buffer.alloc(1400, 7));

function standard() {
  // slot 0: IPv4 arriving, a software stamp 1.5 µs before the read
  // slot 1: IPv6 leaving (pktType 4), a hardware stamp and a software one
  // slot 2: IPv4 cut to 100 bytes of its 1428, no stamp at all: the read time
  // slot 3: not picked (its capLen is past the slot, which would be refused)
  return arena(4, 128, [
    { bytes: p4, sw: READ_AT - 1500n },
    { bytes: p6, pktType: PACKET_OUTGOING, sw: READ_AT - 2000n, hw: HW },
    { bytes: long4.subarray(0, 100), origLen: long4.length, ipLength: long4.length },
    { bytes: Buffer.alloc(16), capLen: 129 },
  ]);
}

interface Call {
  a: ReturnType<typeof arena>;
  readAt: bigint;
  pick: Uint32Array;
  n: number;
  ifaceIds: Int32Array;
  prefixIds: Int32Array;
  prefixes: Uint8Array;
  prefixOffsets: Int32Array;
  extraIn: Uint8Array;
  extraOut: Uint8Array;
}

function table(strings: readonly string[]): { prefixes: Buffer; prefixOffsets: Int32Array } {
  const parts = strings.map((s) => Buffer.from(s, 'utf8'));
  const prefixOffsets = new Int32Array(parts.length + 1);
  parts.forEach((p, k) => (prefixOffsets[k + 1] = prefixOffsets[k]! + p.length));
  return { prefixes: Buffer.concat(parts), prefixOffsets };
}

function call(over: Partial<Call> = {}): Call {
  return {
    a: standard(),
    readAt: READ_AT,
    pick: Uint32Array.of(2, 0, 1),
    n: 3,
    ifaceIds: Int32Array.of(0, 0, 1),
    prefixIds: Int32Array.of(0, 1, 2),
    ...table(PREFIXES),
    extraIn: EXTRA_IN,
    extraOut: EXTRA_OUT,
    ...over,
  };
}

/** What bulk-capture.ts reserves for the call (the encoder's EpbSize per packet). */
function reserve(c: Call): number {
  let bound = 0;
  for (let j = 0; j < c.n; j++) {
    const i = c.pick[j]!;
    const cap = c.a.i32[I32.capLen! * c.a.cap + i]!;
    const sw = c.a.i64[I64.software! * c.a.cap + i]!;
    const p = c.prefixIds[j]!;
    const plen = c.prefixOffsets[p + 1]! - c.prefixOffsets[p]!;
    const extra = c.a.i32[I32.pktType! * c.a.cap + i] === PACKET_OUTGOING ? c.extraOut.length : c.extraIn.length;
    bound += 28 + pad4(cap) + 4 + pad4(plen + (sw !== 0n ? MAX_DELAY_TEXT : 0)) + extra + 16;
  }
  return bound;
}

function args(c: Call, out: Uint8Array): unknown[] {
  const { a } = c;
  return [out, a.i32, a.i64, a.data, a.cap, a.slotSize, c.readAt, c.pick, c.n, c.ifaceIds, c.prefixIds, c.prefixes, c.prefixOffsets, c.extraIn, c.extraOut];
}

/** `out` of `size` bytes at the start of a bigger buffer whose last GUARD bytes are a sentinel. */
function guarded(size: number): { out: Uint8Array; whole: Uint8Array } {
  const whole = new Uint8Array(size + GUARD).fill(0xa5);
  return { out: whole.subarray(0, size), whole };
}
const guardIntact = (whole: Uint8Array) => whole.subarray(whole.length - GUARD).every((b) => b === 0xa5);

function thrown(f: () => unknown): Error & { code?: unknown } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  throw new Error('did not throw');
}

/** The call with out exactly its reserve (or `size`) before a guard; must throw RangeError ERR_OUT_OF_RANGE. */
function expectRange(c: Call, size = reserve(c), message?: RegExp): void {
  const { out, whole } = guarded(size);
  const e = thrown(() => encodeCaptureEpbs(...args(c, out)));
  expect(e).toBeInstanceOf(RangeError);
  expect(e.code).toBe('ERR_OUT_OF_RANGE');
  if (message) expect(e.message).toMatch(message);
  expect(guardIntact(whole)).toBe(true);
}

/** A file around the blocks: a section header and two interfaces (0 raw IP, 1 IPv4). */
function file(blocks: Uint8Array): Buffer {
  return Buffer.concat([encodeSectionHeader(), encodeInterfaceDescription({ linkType: LINKTYPE_RAW }), encodeInterfaceDescription({ linkType: LINKTYPE_IPV4 }), blocks]);
}

describe('encodeCaptureEpbs', () => {
  it('uses the layout src/capture/layout.ts declares', () => {
    expect(layout.i32Fields).toBe(P32_FIELDS);
    expect(layout.i64Fields).toBe(P64_FIELDS);
    expect(I32).toMatchObject(P32);
    expect(I64).toMatchObject(P64);
  });

  it('writes blocks that read back: lengths, timestamps, comments, extra options, direction', () => {
    const c = call();
    const size = reserve(c);
    const { out, whole } = guarded(size);
    const written = encodeCaptureEpbs(...args(c, out));
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(size);
    expect(written % 4).toBe(0);
    expect(guardIntact(whole)).toBe(true);
    const f = readPcapng(file(out.subarray(0, written)));
    expect(f.errors).toEqual([]);
    expect(f.packets).toHaveLength(3);
    const [cut, v4, v6] = f.packets;
    // pick order: slot 2, 0, 1
    expect(Buffer.from(cut!.data)).toEqual(long4.subarray(0, 100));
    expect(cut!.origLength).toBe(long4.length);
    expect(cut!.timestampNs).toBe(READ_AT); // no stamp: the read
    expect(cut!.comments).toEqual([PREFIXES[0], 'host h, socket lo, direction in']); // no software stamp: no read delay
    expect(cut!.flags).toBe(1);
    expect(cut!.interfaceId).toBe(0);

    expect(Buffer.from(v4!.data)).toEqual(p4);
    expect(v4!.origLength).toBe(p4.length);
    expect(v4!.timestampNs).toBe(READ_AT - 1500n); // software
    expect(v4!.comments).toEqual([`${PREFIXES[1]} read-delay=1500ns`, 'host h, socket lo, direction in']);
    expect(v4!.flags).toBe(1);

    expect(Buffer.from(v6!.data)).toEqual(p6);
    expect(v6!.timestampNs).toBe(HW); // hardware before software
    expect(v6!.comments).toEqual([`${PREFIXES[2]} read-delay=2000ns`, 'host h, socket lo, direction out', 'second comment']);
    expect(v6!.flags).toBe(2); // pktType 4: outbound
    expect(v6!.interfaceId).toBe(1);
  });

  it('the original length is the largest of origLen, ipLength and capLen', () => {
    const a = arena(3, 64, [
      { bytes: p4, origLen: 10, ipLength: 20 }, // capLen 38 wins
      { bytes: p4, origLen: 10, ipLength: 500 }, // ipLength wins (a TSO/GRO packet)
      { bytes: p4, origLen: 900, ipLength: 20 },
    ]);
    const c = call({ a, pick: Uint32Array.of(0, 1, 2), ifaceIds: Int32Array.of(0, 0, 0), prefixIds: Int32Array.of(0, 0, 0) });
    const out = new Uint8Array(reserve(c));
    const f = readPcapng(file(out.subarray(0, encodeCaptureEpbs(...args(c, out)))));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => p.origLength)).toEqual([38, 500, 900]);
  });

  it('read delays: negative (a stamp after the read), the int64 extremes; empty prefixes and extras; n = 0', () => {
    const a = arena(3, 64, [
      { bytes: p4, sw: READ_AT + 500n },
      { bytes: p6, sw: 2n ** 63n - 1n },
      { bytes: p4, capLen: 0, sw: 1n },
    ]);
    // one empty prefix (of an empty table: memory-less typed arrays), no extra options
    const empty = { prefixes: new Uint8Array(0), prefixOffsets: Int32Array.of(0, 0), extraIn: new Uint8Array(0), extraOut: new Uint8Array(0) };
    const c = call({ a, pick: Uint32Array.of(0, 2), n: 2, ifaceIds: Int32Array.of(0, 0), prefixIds: Int32Array.of(0, 0), ...empty });
    const { out, whole } = guarded(reserve(c));
    const f = readPcapng(file(out.subarray(0, encodeCaptureEpbs(...args(c, out)))));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => p.comments)).toEqual([[' read-delay=-500ns'], [` read-delay=${READ_AT - 1n}ns`]]);
    expect(f.packets[1]!.data.length).toBe(0);
    expect(guardIntact(whole)).toBe(true);

    // readAt −1 and a stamp of INT64_MAX: a delay of exactly INT64_MIN, the longest text there is
    const extreme = call({ ...c, readAt: -1n, pick: Uint32Array.of(1), n: 1 });
    const o2 = new Uint8Array(reserve(extreme));
    const g = readPcapng(file(o2.subarray(0, encodeCaptureEpbs(...args(extreme, o2)))));
    expect(g.errors).toEqual([]);
    expect(g.packets[0]!.comments).toEqual([' read-delay=-9223372036854775808ns']);

    expect(encodeCaptureEpbs(...args(call({ n: 0 }), new Uint8Array(0)))).toBe(0);
  });

  it('every argument of the wrong type: TypeError ERR_INVALID_ARG_TYPE, nothing written', () => {
    const good = args(call(), new Uint8Array(0));
    const wrong: Array<[number, unknown]> = [
      [0, [0, 1, 2]],
      [0, new Uint8ClampedArray(4096)],
      [0, new ArrayBuffer(4096)],
      [1, new Uint32Array(layout.i32Fields * 4)],
      [1, Array.from({ length: 100 }, () => 0)],
      [2, new BigUint64Array(layout.i64Fields * 4)],
      [2, new Float64Array(layout.i64Fields * 4)],
      [3, Buffer.alloc(512).buffer],
      [3, new Int8Array(512)],
      [4, '4'],
      [4, 4n],
      [5, '128'],
      [5, undefined],
      [6, Number(READ_AT)],
      [6, String(READ_AT)],
      [7, [2, 0, 1]],
      [7, new Int32Array(3)],
      [8, '3'],
      [8, null],
      [9, new Uint32Array(3)],
      [10, [0, 1, 2]],
      [11, 'disptap:'],
      [12, new Uint32Array(4)],
      [13, null],
      [14, {}],
    ];
    const size = reserve(call());
    for (const [k, v] of wrong) {
      const { out, whole } = guarded(size);
      const a = args(call(), out);
      a[k] = v;
      const e = thrown(() => encodeCaptureEpbs(...a));
      expect(e, `argument ${k}`).toBeInstanceOf(TypeError);
      expect(e.code, `argument ${k}`).toBe('ERR_INVALID_ARG_TYPE');
      expect(out.every((b) => b === 0xa5) && guardIntact(whole), `argument ${k}`).toBe(true);
    }
    // too few arguments
    for (let k = 0; k < 15; k++) expect(thrown(() => encodeCaptureEpbs(...good.slice(0, k))).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('numbers out of range: RangeError ERR_OUT_OF_RANGE', () => {
    const c = call();
    const size = reserve(c);
    const cases: Array<[number, unknown]> = [
      [4, 0],
      [4, NaN],
      [4, -1],
      [4, 2 ** 20 + 1],
      [5, 0],
      [5, Infinity],
      [6, 2n ** 63n],
      [6, -(2n ** 63n) - 1n],
      [8, -1],
      [8, NaN],
      [8, 4], // more than pick, ifaceIds, prefixIds hold
      [8, Infinity],
      [8, 1e300],
      [8, 2 ** 64],
    ];
    for (const [k, v] of cases) {
      const { out, whole } = guarded(size);
      const a = args(c, out);
      a[k] = v;
      const e = thrown(() => encodeCaptureEpbs(...a));
      expect(e, `argument ${k} = ${String(v)}`).toBeInstanceOf(RangeError);
      expect(e.code, `argument ${k} = ${String(v)}`).toBe('ERR_OUT_OF_RANGE');
      expect(guardIntact(whole)).toBe(true);
    }
    // n larger than ifaceIds or prefixIds alone
    expectRange(call({ ifaceIds: Int32Array.of(0, 0) }), size, /larger than/);
    expectRange(call({ prefixIds: Int32Array.of(0, 0) }), size, /larger than/);
  });

  it('bad slots, ids and tables: RangeError ERR_OUT_OF_RANGE, nothing past out', () => {
    expectRange(call({ pick: Uint32Array.of(2, 0, 4) }), 4096, /capacity/); // pick ≥ cap
    expectRange(call({ pick: Uint32Array.of(2, 0, 0xffffffff) }), 4096, /capacity/);
    expectRange(call({ pick: Uint32Array.of(3, 0, 1) }), 4096, /captured length/); // slot 3: capLen 129 > slotSize 128
    const neg = standard();
    neg.i32[I32.capLen! * neg.cap + 0] = -1;
    expectRange(call({ a: neg }), 4096, /captured length/);
    const shortData = standard();
    expectRange(call({ a: { ...shortData, data: shortData.data.subarray(0, 3 * 128 - 1) } }), 4096, /captured length/); // slot 2 ends past data
    expectRange(call({ prefixIds: Int32Array.of(0, 1, 3) }), 4096, /prefix or interface id/); // = the number of prefixes
    expectRange(call({ prefixIds: Int32Array.of(0, -1, 2) }), 4096, /prefix or interface id/);
    expectRange(call({ ifaceIds: Int32Array.of(0, -1, 1) }), 4096, /prefix or interface id/);
    const t = table(PREFIXES);
    expectRange(call({ prefixOffsets: Int32Array.of(0, 60, 40, t.prefixes.length) }), 4096, /prefix offsets/); // decreasing
    expectRange(call({ prefixOffsets: Int32Array.of(0, 10, 20, t.prefixes.length + 1) }), 4096, /prefix offsets/); // past the end
    expectRange(call({ prefixOffsets: Int32Array.of(-1, 10, 20, t.prefixes.length) }), 4096, /prefix table/);
    expectRange(call({ prefixOffsets: new Int32Array(0) }), 4096, /prefix table/);
    const big = table(['x'.repeat(0xffff - MAX_DELAY_TEXT + 1)]);
    expectRange(call({ ...big, prefixIds: Int32Array.of(0, 0, 0) }), 1 << 18, /prefix offsets/); // no room in a comment option
    expectRange(call({ a: arena(1, 64, [{ bytes: p4, sw: 1n }]), readAt: -(2n ** 63n), pick: Uint32Array.of(0), n: 1 }), 4096, /too far/);
    expectRange(call({ extraIn: Uint8Array.of(1, 0, 3, 0, 65, 66) }), 4096, /extra options/); // not padded
    expectRange(call({ extraOut: Uint8Array.of(0, 0, 0, 0) }), 4096, /extra options/); // opt_endofopt
    expectRange(call({ extraOut: Uint8Array.of(1, 0, 9, 0, 65, 66, 67, 68) }), 4096, /extra options/); // longer than given
  });

  it('out one byte too small: refused, nothing written past it', () => {
    // without software stamps every block takes exactly what is reserved for it
    const a = arena(2, 128, [{ bytes: p4 }, { bytes: p6, pktType: PACKET_OUTGOING }]);
    const c = call({ a, pick: Uint32Array.of(0, 1), n: 2, ifaceIds: Int32Array.of(0, 1), prefixIds: Int32Array.of(0, 2) });
    const exact = reserve(c);
    const { out } = guarded(exact);
    expect(encodeCaptureEpbs(...args(c, out))).toBe(exact);
    expectRange(c, exact - 1, /too small/);
    expectRange(c, 0, /too small/);
  });

  it('out sharing memory with an input: refused before a byte is written', () => {
    const c = call();
    const size = reserve(c);
    // the prefix offsets at the start of out: the first block would overwrite them once checked
    const ab = new ArrayBuffer(size + GUARD);
    const whole = new Uint8Array(ab).fill(0xa5);
    const offsets = new Int32Array(ab, 0, 4);
    offsets.set(c.prefixOffsets);
    const before = Buffer.from(whole);
    const e = thrown(() => encodeCaptureEpbs(...args({ ...c, prefixOffsets: offsets }, whole.subarray(0, size))));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/shares memory/);
    expect(Buffer.from(whole)).toEqual(before);
    // out over the data column, the pick list, the extras
    const d = standard();
    for (const [name, out] of [
      ['data', d.data.subarray(128)],
      ['pick', new Uint8Array(c.pick.buffer)],
      ['extraOut', new Uint8Array(c.extraOut.buffer, c.extraOut.byteOffset, c.extraOut.byteLength)],
    ] as const) {
      const a = args({ ...c, a: d }, out);
      expect(thrown(() => encodeCaptureEpbs(...a)).message, name).toMatch(/shares memory/);
    }
  });

  it('detached buffers: an error, not a crash', () => {
    const size = reserve(call());
    const detach = (v: ArrayBufferView) => structuredClone(v.buffer, { transfer: [v.buffer as ArrayBuffer] });
    // data
    const c = call();
    detach(c.a.data);
    expectRange(c, size, /captured length/);
    // i32
    const c2 = call();
    detach(c2.a.i32);
    expectRange(c2, size, /columns/);
    // pick (n larger than it now is)
    const c3 = call();
    detach(c3.pick);
    expectRange(c3, size, /larger than/);
    // prefixes (the offsets now point past it)
    const c4 = call({ prefixes: new Uint8Array(table(PREFIXES).prefixes) });
    detach(c4.prefixes);
    expectRange(c4, size, /prefix offsets/);
    // out
    const out = new Uint8Array(size);
    detach(out);
    const e = thrown(() => encodeCaptureEpbs(...args(call(), out)));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.code).toBe('ERR_OUT_OF_RANGE');
  });
});
