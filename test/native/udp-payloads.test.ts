// native.copyUdpPayloads (native/pcapng/pcapng_binding.cc, udp_payloads.cc) at the native surface:
// each payload copied where it was asked to go and its UDP checksum completed exactly as a plain
// JS ones'-complement sum gives it (any bytes, lengths and partial sums: fast-check), nothing else
// in `out` touched, and every bad argument refused with a coded TypeError / RangeError before a
// byte is written. test/pcapng/bulk.test.ts checks the whole encoder against write() and tshark.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/sys/native.js';

type Copy = (...args: unknown[]) => number;
const copyUdpPayloads = (native as unknown as { copyUdpPayloads: Copy }).copyUdpPayloads;

interface Entry {
  payload: Uint8Array;
  /** the checksum's sum so far, or -1 for none */
  partial: number;
}

/** The checksum as RFC 768 has it, in plain JS. */
function checksum(partial: number, payload: Uint8Array): number {
  let sum = partial;
  for (let i = 0; i < payload.length; i += 2) sum += (payload[i]! << 8) | (payload[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  const ck = ~sum & 0xffff;
  return ck === 0 ? 0xffff : ck;
}

/** src with the payloads end to end after `lead` bytes; out with each one's place after a 2-byte field and `gap` bytes. */
function job(entries: Entry[], lead = 3, gap = 5) {
  const srcOff = new Uint32Array(entries.length);
  const len = new Uint32Array(entries.length);
  const dstOff = new Uint32Array(entries.length);
  const partial = new Int32Array(entries.length);
  let s = lead;
  let d = 0;
  entries.forEach((e, k) => {
    srcOff[k] = s;
    len[k] = e.payload.length;
    s += e.payload.length;
    dstOff[k] = d + gap + 2;
    d += gap + 2 + e.payload.length;
    partial[k] = e.partial;
  });
  const src = new Uint8Array(s);
  entries.forEach((e, k) => src.set(e.payload, srcOff[k]!));
  const out = new Uint8Array(d + 7).fill(0xa5);
  return { out, src, srcOff, len, dstOff, partial };
}

describe('copyUdpPayloads', () => {
  it('copies every payload and completes its checksum, touching nothing else (any bytes, lengths, partial sums)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 1500 }), partial: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0x7fffffff })) }), { maxLength: 12 }),
        (entries) => {
          const j = job(entries);
          const before = Uint8Array.from(j.out);
          expect(copyUdpPayloads(j.out, j.src, j.srcOff, j.len, j.dstOff, j.partial, entries.length)).toBe(entries.length);
          const touched = new Uint8Array(j.out.length);
          entries.forEach((e, k) => {
            const at = j.dstOff[k]!;
            expect(Buffer.from(j.out.subarray(at, at + e.payload.length)).equals(Buffer.from(e.payload))).toBe(true);
            touched.fill(1, at, at + e.payload.length);
            if (e.partial >= 0) {
              expect((j.out[at - 2]! << 8) | j.out[at - 1]!).toBe(checksum(e.partial, e.payload));
              touched.fill(1, at - 2, at);
            }
          });
          for (let i = 0; i < j.out.length; i++) if (!touched[i]) expect(j.out[i]).toBe(before[i]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sends a computed 0 as 0xffff, and -1 leaves the checksum field alone', () => {
    // partial 0xffff + an empty payload sums to 0xffff, whose complement is 0
    const j = job([{ payload: new Uint8Array(0), partial: 0xffff }, { payload: Uint8Array.of(1, 2, 3), partial: -1 }]);
    copyUdpPayloads(j.out, j.src, j.srcOff, j.len, j.dstOff, j.partial, 2);
    expect([j.out[j.dstOff[0]! - 2], j.out[j.dstOff[0]! - 1]]).toEqual([0xff, 0xff]);
    expect([j.out[j.dstOff[1]! - 2], j.out[j.dstOff[1]! - 1]]).toEqual([0xa5, 0xa5]);
    expect([...j.out.subarray(j.dstOff[1]!, j.dstOff[1]! + 3)]).toEqual([1, 2, 3]);
  });

  it('refuses entries outside src or out, a field before out, partial < -1, n too large, and out over an input — writing nothing', () => {
    const entries = [{ payload: Uint8Array.of(1, 2, 3, 4), partial: 0 }, { payload: Uint8Array.of(5, 6), partial: 7 }];
    const cases: Array<[string, (j: ReturnType<typeof job>) => unknown[]]> = [
      ['source', (j) => { j.srcOff[1] = j.src.length - 1; return []; }],
      ['source', (j) => { j.len[0] = 0xffffffff; return []; }],
      ['output', (j) => { j.dstOff[1] = j.out.length - 1; return []; }],
      ['output', (j) => { j.dstOff[0] = 1; return []; }],
      ['output', (j) => { j.dstOff[0] = 0xffffffff; return []; }],
      ['below -1', (j) => { j.partial[1] = -2; return []; }],
      ['shares memory', (j) => [new Uint8Array(j.src.buffer, 0, j.src.length)]],
      ['shares memory', (j) => [new Uint8Array(j.dstOff.buffer)]],
    ];
    for (const [what, spoil] of cases) {
      const j = job(entries);
      const [out = j.out] = spoil(j) as [Uint8Array?];
      const before = Uint8Array.from(out);
      let err: (Error & { code?: string }) | undefined;
      try {
        copyUdpPayloads(out, j.src, j.srcOff, j.len, j.dstOff, j.partial, 2);
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err, what).toBeInstanceOf(RangeError);
      expect(err!.code).toBe('ERR_OUT_OF_RANGE');
      expect(err!.message).toContain(what);
      expect(Buffer.from(out).equals(Buffer.from(before)), what).toBe(true);
    }
    const j = job(entries);
    for (const n of [3, -1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => copyUdpPayloads(j.out, j.src, j.srcOff, j.len, j.dstOff, j.partial, n), String(n)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
    for (const bad of [[new Int32Array(4), j.src], [j.out, [1, 2]], [j.out, j.src, new Int32Array(2)], [j.out, j.src, j.srcOff, j.len, j.dstOff, new Uint32Array(2)]]) {
      const args: unknown[] = [j.out, j.src, j.srcOff, j.len, j.dstOff, j.partial, 2];
      bad.forEach((v, k) => (args[k] = v));
      expect(() => copyUdpPayloads(...args)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    }
    expect(() => copyUdpPayloads(j.out, j.src)).toThrow(TypeError);
    expect(() => copyUdpPayloads(j.out, j.src, j.srcOff, j.len, j.dstOff, j.partial, '2')).toThrow(TypeError);
  });
});
