import { describe, expect, it } from 'vitest';
import { dateToNs, nsToDate, nsToIso, nsToMs, nsToSeconds } from '../src/index.js';

describe('time helpers', () => {
  it('nsToIso keeps all nine digits, before and after the epoch', () => {
    expect(nsToIso(1_795_621_052_776_719_136n)).toBe('2026-11-25T15:37:32.776719136Z');
    expect(nsToIso(0n)).toBe('1970-01-01T00:00:00.000000000Z');
    expect(nsToIso(-5n)).toBe('1969-12-31T23:59:59.999999995Z');
    expect(nsToIso(-1_000_000_000n)).toBe('1969-12-31T23:59:59.000000000Z');
  });
  it('converts to Date, ms and seconds', () => {
    expect(nsToDate(1_500_000_000n).getTime()).toBe(1500);
    expect(nsToMs(1_500_000n)).toBe(1.5);
    expect(nsToSeconds(2_500_000_000n)).toBe(2.5);
    expect(dateToNs(new Date(1234))).toBe(1_234_000_000n);
  });
});
