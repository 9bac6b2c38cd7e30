// Property tests: readPcapng is total. Random bytes and mutations of real captures never make
// it throw, never trip its internal safety net, and everything it returns lies inside the input.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, readPcapng, type PcapngFile } from '../../src/pcapng/index.js';
import { Bytes, cat, epb, idb, shb } from './helpers/build.js';
import { makeRecords } from './helpers/records.js';
import { tempDir } from './helpers/transpile.js';

function checkSane(input: Uint8Array, f: PcapngFile): void {
  // the reader wraps itself in a catch-all; landing there is a bug, not a pass
  expect(f.errors.filter((e) => e.message.startsWith('internal reader error'))).toEqual([]);
  for (const e of f.errors) {
    expect(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length).toBe(true);
    expect(typeof e.message).toBe('string');
  }
  for (const p of f.packets) {
    expect(p.data.buffer).toBe(input.buffer); // a view into the input, not a copy from elsewhere
    expect(p.data.byteOffset + p.data.length).toBeLessThanOrEqual(input.byteOffset + input.length);
    expect(f.interfaces[p.interfaceId]).toBeDefined();
    expect(p.timestampNs === null || typeof p.timestampNs === 'bigint').toBe(true);
  }
}

function read(input: Uint8Array): PcapngFile {
  let f: PcapngFile | undefined;
  expect(() => (f = readPcapng(input))).not.toThrow();
  checkSane(input, f!);
  return f!;
}

describe('readPcapng never throws', () => {
  let dir: string;
  let capture: Uint8Array;
  beforeAll(async () => {
    dir = tempDir('disptap-pcapng-prop-');
    const file = path.join(dir, 'seed.pcapng');
    const w = await PcapngWriter.open(file, { comment: 'seed' });
    for (const r of makeRecords(12, 5)) w.write({ ...r, payload: r.payload.subarray(0, 64) });
    await w.close();
    capture = new Uint8Array(fs.readFileSync(file));
    expect(readPcapng(capture).packets).toHaveLength(12);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => void read(b)), { numRuns: 500 });
  });

  it('on random bytes behind a valid section header (little and big endian)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 2048 }), (le, tail) => {
        const f = read(cat(shb(le), tail));
        expect(f.sections).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });

  it('on random legacy pcap bodies', () => {
    fc.assert(
      fc.property(fc.constantFrom(0xa1b2c3d4, 0xa1b23c4d), fc.boolean(), fc.uint8Array({ maxLength: 2048 }), (magic, le, tail) => {
        read(cat(new Bytes(le).u32(magic).bytes(), tail));
      }),
      { numRuns: 300 },
    );
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 3, 11, 12, 0x7fffffff, 0xfffffffc, 0xffffffff) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
    let b: Uint8Array = Uint8Array.from(src);
    for (const m of ms) {
      if (b.length === 0) break;
      const at = m.at % b.length;
      if (m.kind === 'flip') b[at]! ^= m.xor;
      else if (m.kind === 'truncate') b = b.subarray(0, at);
      else if (m.kind === 'insert') b = cat(b.subarray(0, at), m.bytes, b.subarray(at));
      else if (m.kind === 'delete') b = cat(b.subarray(0, at), b.subarray(at + m.len));
      else {
        const aligned = at & ~3; // hits length fields, interface ids, option headers
        if (aligned + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(aligned, m.value, true);
      }
    }
    return b;
  }

  it('on mutated captures written by PcapngWriter', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (ms) => void read(mutate(capture, ms))), { numRuns: 1000 });
  });

  it('on mutated hand-built captures with 2^-n resolution, offsets and several sections', () => {
    const le = false;
    const seed = cat(
      shb(le, (b) => b.text(4, 'x').end()),
      idb(le, 101, (b) => b.option(9, [0x80 | 40]).option(14, new Bytes(le).u64(7n).bytes()).end()),
      epb(le, 0, 123456789n, [0x45, 0, 0, 20], (b) => b.text(1, 'c').option(2, new Bytes(le).u32(1).bytes()).end()),
      shb(true),
      idb(true, 228),
      epb(true, 0, 1n, [1, 2, 3, 4, 5]),
    );
    expect(read(seed).packets).toHaveLength(2);
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (ms) => void read(mutate(seed, ms))), { numRuns: 1000 });
  });

  it('on a valid prefix cut at every byte: whole blocks survive, a torn one is an error', () => {
    // block boundaries and how many packets end at or before each, from the length fields
    const v = new DataView(capture.buffer, capture.byteOffset, capture.byteLength);
    const packetsBefore = new Map<number, number>([[0, 0]]);
    let count = 0;
    for (let off = 0; off < capture.length; ) {
      if (v.getUint32(off, true) === 6) count++;
      off += v.getUint32(off + 4, true);
      packetsBefore.set(off, count);
    }
    let lastWhole = 0;
    for (let cut = 0; cut <= capture.length; cut++) {
      const f = read(capture.subarray(0, cut));
      const atBoundary = packetsBefore.get(cut);
      if (atBoundary !== undefined) {
        lastWhole = atBoundary;
        expect(f.errors, `cut at ${cut}`).toEqual([]);
        expect(f.packets).toHaveLength(atBoundary);
      } else {
        expect(f.errors.map((e) => e.code), `cut at ${cut}`).toEqual(['TRUNCATED']);
        expect(f.packets).toHaveLength(lastWhole);
      }
    }
    expect(count).toBe(12);
  });
});
