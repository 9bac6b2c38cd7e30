#!/usr/bin/env node
// Writes the seed corpus of the pcapng EPB encoder's fuzz target (fuzz/corpus/pcapng/), in the
// input format native/pcapng/fuzz/epb_encode_fuzz.cc reads (see its header): one call of
// EncodeCaptureEpbs each — a capture arena (capacity, slot size, per slot capLen / origLen /
// ipLength / pktType / software and hardware stamps), the comment prefix table, the extra comment
// options of each direction, the picks and the size of `out`. First the jobs a capture round makes
// (bulk-capture.ts: IPv4 and IPv6 datagrams, both directions, snap-cut packets, every timestamp
// source, prefixes shared by runs of packets, a prefix at the comment option's length limit, `out`
// exactly what JS reserves), then each broken the ways the encoder must refuse.
//
//   node fuzz/pcapng-seeds.mjs
//
// Needs nothing but node. Rerunning rewrites the same files with the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus', 'pcapng');
fs.mkdirSync(dir, { recursive: true });

class Writer {
  bytes = [];
  u8(v) {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v) {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v) {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v) {
    const b = BigInt.asUintN(64, BigInt(v));
    return this.u32(Number(b & 0xffffffffn)).u32(Number(b >> 32n));
  }
  str(s) {
    for (const b of Buffer.from(s, 'utf8')) this.u8(b);
    return this;
  }
}

// Stamp modes (the harness's Stamp()): relative to read_at, raw, or the int64 limits.
const ZERO = { mode: 0 };
const before = (ns) => ({ mode: 1, v: ns }); // read_at − ns (u32)
const raw = (v) => ({ mode: 2, v }); // any int64
const after = (ns) => ({ mode: 3, v: ns }); // read_at + ns (u16)
const MIN = { mode: 4 };
const MAX = { mode: 5 };
function stamp(w, s) {
  w.u8(s.mode);
  if (s.mode === 1) w.u32(s.v);
  else if (s.mode === 2) w.u64(s.v);
  else if (s.mode === 3) w.u16(s.v);
}

// The inputs the harness can place inside `out`'s allocation (flags bit 5), in its order.
const SHARE = ['i32', 'i64', 'data', 'pick', 'ifaceIds', 'prefixIds', 'prefixes', 'offsets', 'extraIn', 'extraOut'];

/**
 * One input. slot: a size (0..2048) or 0xfffe / 0xffff (the harness's huge sizes); short: columns
 * cut short ({i32, i64, data}: by that many elements/bytes, ≥ 1); readAt: {mode, v} (0: 1.7e18 + v,
 * 1: v, 2: 0, 3: INT64_MIN, 4: INT64_MAX); slots: [{cap, orig, ip, type, sw, hw}] (cap as the
 * harness reads it: a u16, ≥ 0xfff0 negative); prefixes: strings or {long: 0..4}; offsets: 'ok' |
 * 'none' | {set: k, to: int32} | {cut: n}; extras: {comments: [...]} | {raw: [...]} | {code, value};
 * picks: [slot, interface id, prefix id] (bytes, as the harness reads them); out: 'exact' |
 * {less: 1..8} | {more: n} | {bytes: n} | 'zero'; share: {input (a SHARE name), at}: that input
 * starts `at` bytes into `out`'s allocation.
 */
function input(o) {
  const w = new Writer();
  const short = o.short ?? {};
  w.u8(o.cap - 1).u16(o.slot);
  w.u8((short.i32 ? 1 : 0) | (short.i64 ? 2 : 0) | (short.data ? 4 : 0) | (o.oddOut ? 8 : 0) | (o.oddBytes ? 16 : 0) | (o.share ? 32 : 0));
  if (short.i32) w.u8(short.i32 - 1);
  if (short.i64) w.u8(short.i64 - 1);
  if (short.data) w.u16(short.data - 1);
  if (o.share) w.u8(SHARE.indexOf(o.share.input)).u16(o.share.at);
  const ra = o.readAt ?? { mode: 0, v: 123456789 };
  w.u8(ra.mode);
  if (ra.mode === 0) w.u32(ra.v);
  else if (ra.mode === 1) w.u64(ra.v);
  for (let i = 0; i < o.cap; i++) {
    const s = o.slots[i % o.slots.length];
    w.u16(s.cap).u16(s.orig ?? s.cap).u16(s.ip ?? s.orig ?? s.cap).u8(s.type ?? 0);
    stamp(w, s.sw ?? ZERO);
    stamp(w, s.hw ?? ZERO);
  }
  w.u8(o.prefixes.length);
  for (const p of o.prefixes) {
    if (typeof p === 'string') w.u8(Buffer.byteLength(p)).str(p);
    else w.u8(0xff).u8(p.long);
  }
  const off = o.offsets ?? 'ok';
  if (off === 'ok') w.u8(0);
  else if (off === 'none') w.u8(5);
  else if ('set' in off) w.u8(6).u8(off.set).u32(off.to >>> 0);
  else w.u8(7).u8(off.cut - 1);
  for (const e of [o.extraIn, o.extraOut]) {
    if (!e) w.u8(0);
    else if (e.comments) {
      w.u8(1).u8(e.comments.length);
      for (const c of e.comments) w.u8(Buffer.byteLength(c)).str(c);
    } else if (e.raw) {
      w.u8(2).u8(e.raw.length);
      for (const b of e.raw) w.u8(b);
    } else w.u8(3).u16(e.code).u8(e.value.length).str(e.value);
  }
  w.u8(o.picks.length);
  for (const [s, f, p] of o.picks) w.u8(s).u8(f).u8(p);
  const out = o.out ?? 'exact';
  if (out === 'exact') w.u8(0);
  else if (out === 'zero') w.u8(7);
  else if ('less' in out) w.u8(4).u8(out.less - 1);
  else if ('more' in out) w.u8(5).u8(out.more);
  else w.u8(6).u16(out.bytes);
  return Buffer.from(w.bytes);
}

// A capture round on lo as bulk-capture.ts hands it over: UDP over IPv4 (28 + payload) and IPv6
// (48 + payload), each seen leaving (pktType 4) and arriving, software stamps a few µs before the read.
const v4 = (n, type, sw = before(4000 + n)) => ({ cap: 28 + n, type, sw });
const v6 = (n, type, sw = before(7000 + n)) => ({ cap: 48 + n, type, sw });
const PREFIX4 = 'disptap: ts=software dst=127.0.0.1:30041 ifindex=1 ttl=64 tos=0x00';
const PREFIX6 = 'disptap: ts=software dst=[::1]:30041 ifindex=1 ttl=64 tos=0x00';
const IN = { comments: ['host h, socket lo, direction in'] };
const OUT = { comments: ['host h, socket lo, direction out'] };
const round = {
  cap: 8,
  slot: 2048,
  slots: [v4(10, 4), v4(10, 0), v6(11, 4), v6(11, 0), v4(300, 4), v4(300, 0), v6(1, 4), v6(1, 0)],
  prefixes: [PREFIX4, PREFIX6, PREFIX4],
  extraIn: IN,
  extraOut: OUT,
  picks: [[0, 0, 0], [1, 0, 0], [2, 1, 1], [3, 1, 1], [4, 0, 2], [5, 0, 2], [6, 1, 1], [7, 1, 1]],
};

const seeds = {};
seeds['round-v4-v6-both-directions'] = input(round);
seeds['round-odd-addresses'] = input({ ...round, oddOut: true, oddBytes: true });
seeds['hardware-stamps'] = input({ ...round, slots: [{ cap: 40, sw: before(900), hw: before(1000) }, { cap: 60, type: 4, hw: before(5) }], prefixes: ['disptap: ts=hardware'] , picks: [[0, 0, 0], [1, 0, 0]] });
seeds['no-stamps-read-at'] = input({ ...round, slots: [{ cap: 29 }, { cap: 49, type: 4 }], prefixes: ['disptap: ts=user'], picks: [[0, 0, 0], [1, 1, 0]] });
seeds['stamp-after-read'] = input({ ...round, slots: [{ cap: 30, sw: after(500) }], prefixes: ['p'], picks: [[0, 0, 0]] });
seeds['snap-cut'] = input({ cap: 4, slot: 60, slots: [{ cap: 60, orig: 1428, ip: 1428, sw: before(3000) }, { cap: 33, orig: 33 }, { cap: 60, orig: 528, ip: 60, type: 4 }], prefixes: [PREFIX4], extraIn: IN, extraOut: OUT, picks: [[0, 0, 0], [1, 0, 0], [2, 0, 0]] });
seeds['same-slot-many-times'] = input({ cap: 2, slot: 100, slots: [{ cap: 100, sw: before(1) }, { cap: 0 }], prefixes: ['a', ''], picks: Array.from({ length: 200 }, (_, j) => [j & 1, j % 5, j % 2]) });
seeds['empty-prefix-no-extras'] = input({ cap: 1, slot: 64, slots: [{ cap: 64 }], prefixes: [''], picks: [[0, 0, 0]] });
seeds['prefix-at-limit'] = input({ cap: 1, slot: 64, slots: [{ cap: 28, sw: before(10) }], prefixes: [{ long: 2 }], picks: [[0, 0, 0]] });
seeds['prefix-over-limit'] = input({ cap: 1, slot: 64, slots: [{ cap: 28, sw: before(10) }], prefixes: [{ long: 3 }], picks: [[0, 0, 0]] });
seeds['no-picks'] = input({ ...round, picks: [] });
seeds['slot-size-zero'] = input({ cap: 2, slot: 0, slots: [{ cap: 0 }], prefixes: ['z'], picks: [[1, 0, 0]] });
seeds['extra-of-other-code'] = input({ ...round, extraIn: { code: 0xbad, value: 'x' }, extraOut: { code: 1, value: 'out' } });
seeds['delay-int64-extremes'] = input({ cap: 2, slot: 64, readAt: { mode: 4 }, slots: [{ cap: 28, sw: raw(1n) }, { cap: 28, sw: raw(-1n) }], prefixes: ['d'], picks: [[0, 0, 0]] });
// read_at −1, stamp INT64_MAX: a delay of exactly INT64_MIN, the longest text (sign and 19 digits)
seeds['delay-int64-min'] = input({ cap: 1, slot: 64, readAt: { mode: 1, v: -1n }, slots: [{ cap: 28, sw: MAX }], prefixes: ['d'], picks: [[0, 0, 0]] });

// broken ones
// no stamps: every block takes exactly its reserve, so one byte less is too small
const unstamped = { ...round, slots: round.slots.map((s) => ({ ...s, sw: ZERO })) };
seeds['out-short-by-one'] = input({ ...unstamped, out: { less: 1 } });
seeds['out-exact-unstamped'] = input(unstamped);
// stamped: the delay text is shorter than its reserve, so the last block still fits
seeds['out-one-under-reserve-fits'] = input({ ...round, out: { less: 1 } });
seeds['out-zero'] = input({ ...round, out: 'zero' });
seeds['pick-past-cap'] = input({ ...round, picks: [[0, 0, 0], [0xf8, 0, 0]] });
seeds['pick-uint32-max'] = input({ ...round, picks: [[0xff, 0, 0]] });
seeds['caplen-past-slot'] = input({ ...round, slot: 100, slots: [{ cap: 101 }] });
seeds['caplen-negative'] = input({ ...round, slots: [{ cap: 0xfff3 }] });
seeds['caplen-int32-max'] = input({ ...round, slots: [{ cap: 0xffef }] });
seeds['prefix-id-past-table'] = input({ ...round, picks: [[0, 0, 0xf2]] });
seeds['prefix-id-negative'] = input({ ...round, picks: [[0, 0, 0xf9]] });
seeds['interface-id-negative'] = input({ ...round, picks: [[0, 0xff, 0]] });
seeds['offsets-decreasing'] = input({ ...round, offsets: { set: 2, to: 3 } });
seeds['offsets-past-end'] = input({ ...round, offsets: { set: 3, to: 100000 } });
seeds['offset-first-negative'] = input({ ...round, offsets: { set: 0, to: -1 } });
seeds['prefixes-cut-short'] = input({ ...round, offsets: { cut: 1 } });
seeds['no-offsets'] = input({ ...round, offsets: 'none' });
seeds['i32-column-short'] = input({ ...round, short: { i32: 1 } });
seeds['i64-column-short'] = input({ ...round, short: { i64: 1 } });
seeds['data-column-short'] = input({ ...round, short: { data: 1 } });
seeds['extras-odd-length'] = input({ ...round, extraIn: { raw: [1, 0, 1, 0, 0x41] } });
seeds['extras-end-of-options'] = input({ ...round, extraOut: { code: 0, value: '' } });
seeds['extras-length-past-end'] = input({ ...round, extraIn: { raw: [1, 0, 0xff, 0, 0x41, 0x42, 0x43, 0x44] } });
seeds['delay-overflow'] = input({ cap: 1, slot: 64, readAt: { mode: 3 }, slots: [{ cap: 28, sw: MAX }], prefixes: ['d'], picks: [[0, 0, 0]] });
seeds['delay-overflow-negative'] = input({ cap: 1, slot: 64, readAt: { mode: 4 }, slots: [{ cap: 28, sw: MIN }], prefixes: ['d'], picks: [[0, 0, 0]] });
// `out` a view of an input's memory (JS can make one): the prefix offsets at its start (the first
// block would overwrite them after they were checked), the data column partly inside it; and an
// input right after `out` in the same allocation, which is fine
seeds['out-over-prefix-offsets'] = input({ ...round, share: { input: 'offsets', at: 0 } });
seeds['out-over-data'] = input({ ...round, share: { input: 'data', at: 2000 } });
seeds['out-over-extras'] = input({ ...round, share: { input: 'extraOut', at: 100 } });
seeds['input-right-after-out'] = input({ ...unstamped, share: { input: 'prefixes', at: 2160 } });
// a slot size whose product with the slot number wraps around: (3 + 1) × 2^62 = 2^64 ≡ 0
seeds['slot-size-wraps'] = input({ cap: 4, slot: 0xffff, slots: [{ cap: 28 }], prefixes: ['w'], picks: [[3, 0, 0]] });
seeds['slot-size-max'] = input({ cap: 4, slot: 0xfffe, slots: [{ cap: 28 }], prefixes: ['w'], picks: [[0, 0, 0]] });

for (const [name, bytes] of Object.entries(seeds)) fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
console.log(`wrote ${Object.keys(seeds).length} seeds to ${path.relative(process.cwd(), dir)}`);
