// Clocks for test scripts: clock_gettime readings and the realtime↔monotonic offset, judged against
// Node's own clocks (Date.now is CLOCK_REALTIME, process.hrtime is libuv's CLOCK_MONOTONIC).
import { describe, expect, it } from 'vitest';
import { clock, estimateClockOffset, installMatchers, sendAndCapture, toMonotonicNs, toRealtimeNs } from '../../src/testing/index.js';

installMatchers(expect);

const MS = 1_000_000n;
const abs = (v: bigint) => (v < 0n ? -v : v);

describe('clock', () => {
  it('realtimeNs agrees with Date.now, monotonicNs with process.hrtime', () => {
    const d0 = BigInt(Date.now()) * MS;
    const r = clock.realtimeNs();
    const d1 = BigInt(Date.now() + 1) * MS;
    expect(r).toBeGreaterThanOrEqual(d0);
    expect(r).toBeLessThanOrEqual(d1);
    const h0 = process.hrtime.bigint();
    const m = clock.monotonicNs();
    const h1 = process.hrtime.bigint();
    expect(m).toBeGreaterThanOrEqual(h0);
    expect(m).toBeLessThanOrEqual(h1);
  });
});

describe('estimateClockOffset', () => {
  it('realtime − monotonic, with the uncertainty of the narrowest bracket', () => {
    const h = process.hrtime.bigint();
    const d = BigInt(Date.now()) * MS;
    const o = estimateClockOffset({ samples: 64 });
    // Date.now has ms resolution: the independent estimate is good to a few ms.
    expect(abs(o.offsetNs - (d - h))).toBeLessThan(5n * MS);
    expect(o.samples).toBe(64);
    expect(o.bracketNs).toBeGreaterThanOrEqual(0n);
    expect(o.uncertaintyNs).toBe((o.bracketNs + 1n) / 2n);
    expect(o.uncertaintyNs).toBeLessThan(1n * MS); // a bracket is two clock reads: well under 1 ms
  });

  it('two estimates agree within their uncertainties', () => {
    const a = estimateClockOffset();
    const b = estimateClockOffset({ samples: 200 });
    // + 1 µs: NTP may slew the realtime clock by up to 500 ppm between the two estimates
    expect(abs(a.offsetNs - b.offsetNs)).toBeLessThanOrEqual(a.uncertaintyNs + b.uncertaintyNs + 1000n);
    expect(a.samples).toBe(32);
  });

  it('the bracket brackets: a realtime read maps inside monotonic reads taken around it', () => {
    const o = estimateClockOffset();
    const m0 = clock.monotonicNs();
    const r = clock.realtimeNs();
    const m1 = clock.monotonicNs();
    const m = toMonotonicNs(r, o);
    expect(m).toBeGreaterThanOrEqual(m0 - o.uncertaintyNs - 1000n);
    expect(m).toBeLessThanOrEqual(m1 + o.uncertaintyNs + 1000n);
    expect(toRealtimeNs(toMonotonicNs(r, o), o)).toBe(r);
    expect(toRealtimeNs(m0) - m0).toBeGreaterThan(0n); // a fresh estimate by default
  });

  it('relates a kernel RX timestamp to monotonic readings the script took itself', async () => {
    const o = estimateClockOffset();
    const t0 = clock.monotonicNs();
    const { received } = await sendAndCapture({ port: 0 }, 'tick');
    const t1 = clock.monotonicNs();
    const rxMono = toMonotonicNs(received[0]!.timestamps.software!, o);
    expect(rxMono).toBeGreaterThanOrEqual(t0 - o.uncertaintyNs);
    expect(rxMono).toBeLessThanOrEqual(t1 + o.uncertaintyNs);
    expect(received[0]).toHaveRxTimestampBetween(toRealtimeNs(t0, o) - o.uncertaintyNs, toRealtimeNs(t1, o) + o.uncertaintyNs);
  });

  it('rejects a bad sample count', () => {
    expect(() => estimateClockOffset({ samples: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }));
    expect(() => estimateClockOffset({ samples: 1.5 })).toThrow(RangeError);
    expect(() => estimateClockOffset(null as unknown as object)).toThrow(TypeError);
    expect(estimateClockOffset({ samples: 1 }).samples).toBe(1);
  });
});
