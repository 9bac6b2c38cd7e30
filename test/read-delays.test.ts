// RxBatch.readDelays(): every datagram's read delay as a number, from the stamps' 32-bit halves.
import { describe, expect, it } from 'vitest';
import { openUdp } from '../src/index.js';
import { closeSocket, sendTo, sleep, udpSender } from './helpers/send.js';
import fc from 'fast-check';
import { delayBase } from '../src/tap/rx/layout.js';

describe('RxBatch.readDelays', () => {
  it('is readAt − the software stamp of each datagram, exactly as the bigint arithmetic gives it', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    const s = await udpSender(4);
    for (let i = 0; i < 50; i++) await sendTo(s, String(i), t.address().port, '127.0.0.1');
    await sleep(30);
    const b = await t.receiveBatch({ timeoutMs: 2000 });
    expect(b.count).toBeGreaterThan(1);
    const d = b.readDelays();
    expect(d).toBeInstanceOf(Float64Array);
    expect(d.length).toBe(b.count);
    for (let i = 0; i < b.count; i++) {
      expect(b.swTimestamps[i]).not.toBe(0n);
      expect(d[i]).toBe(Number(b.readAt - b.swTimestamps[i]!));
      expect(d[i]).toBe(Number(b.message(i).readDelayNs));
      expect(d[i]).toBeGreaterThanOrEqual(0);
    }
    // into a caller's array, reused; one too short is refused
    const out = new Float64Array(b.count + 5).fill(-7);
    expect(b.readDelays(out)).toBe(out);
    expect(Array.from(out.subarray(0, b.count))).toEqual(Array.from(d));
    expect(out[b.count]).toBe(-7);
    expect(() => b.readDelays(new Float64Array(b.count - 1))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }));
    expect(() => b.readDelays(new Float32Array(b.count) as unknown as Float64Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' }));
    expect(() => b.readDelays([] as unknown as Float64Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    b.release();
    expect(() => b.readDelays()).toThrow(expect.objectContaining({ code: 'ERR_BATCH_RELEASED' }));
    t.close();
    await closeSocket(s);
  });

  it('is NaN for datagrams without a software stamp', async () => {
    const t = await openUdp({ address: '127.0.0.1', timestamps: 'none' });
    const s = await udpSender(4);
    for (let i = 0; i < 3; i++) await sendTo(s, 'x', t.address().port, '127.0.0.1');
    await sleep(30);
    const b = await t.receiveBatch({ timeoutMs: 2000 });
    expect(b.count).toBe(3);
    expect(Array.from(b.readDelays()).every(Number.isNaN)).toBe(true);
    t.close();
    await closeSocket(s);
  });
});

describe('delayBase (the split readDelays, captureReadDelays and the pcapng encoder subtract from)', () => {
  // The halves as int64Halves() gives them: the low half of either operand may be above or below
  // 2^31, and the stamp's low half above readAt's (a borrow from the high half).
  const halves = (v: bigint): [number, number] => [Number(v >> 32n), Number(v & 0xffffffffn)];
  const delay = (readAt: bigint, stamp: bigint): number => {
    const { hi, lo } = delayBase(readAt);
    const [sHi, sLo] = halves(stamp);
    return (hi - sHi) * 0x1_0000_0000 + (lo - sLo);
  };

  it('gives readAt − stamp exactly at the edges of the low half', () => {
    const base = 0x18f0_0000_0000_0000n;
    for (const lo of [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn]) {
      for (const d of [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0x1_0000_0000n, 5_000_000_000n]) {
        const readAt = base + lo;
        expect(delay(readAt, readAt - d)).toBe(Number(d));
        expect(delay(readAt, readAt + d)).toBe(0 - Number(d)); // a stamp after the read (a clock step)
      }
    }
  });

  it('gives readAt − stamp for any realtime stamp and delay below 2^48 ns', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n << 60n, max: (1n << 62n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), (readAt, d) => {
        expect(delay(readAt, readAt - d)).toBe(Number(d));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps its low half off the small integers, whatever readAt is', () => {
    for (const readAt of [0n, 1n, 0x7fff_ffffn, 0x1_0000_0000n, 0x18f0_0000_0000_0000n]) {
      expect(delayBase(readAt).lo).toBeGreaterThanOrEqual(2 ** 32);
    }
  });
});
