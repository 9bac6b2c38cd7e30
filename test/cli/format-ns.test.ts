// formatNs: integer rounding (half away from zero) of the decimal value, checked against exact
// BigInt arithmetic over every magnitude the CLI prints.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNs } from '../../src/cli/pipeline/format.js';

/** Exact reference: |v| / 10^k rounded half away from zero to `digits` decimals. */
function exact(v: bigint, k: number, digits: number, unit: string): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const div = 10n ** BigInt(k - digits);
  const n = (a * 2n + div) / (2n * div); // half away from zero
  const scale = 10n ** BigInt(digits);
  return `${neg ? '-' : ''}${n / scale}.${(n % scale).toString().padStart(digits, '0')}${unit}`;
}

function reference(v: bigint): string {
  const a = v < 0n ? -v : v;
  if (a < 1_000n) return `${v}ns`;
  if (a < 1_000_000n) return a < 10_000n ? exact(v, 3, 2, 'µs') : exact(v, 3, 1, 'µs');
  if (a < 1_000_000_000n) return a < 10_000_000n ? exact(v, 6, 2, 'ms') : exact(v, 6, 1, 'ms');
  return exact(v, 9, 2, 's');
}

describe('formatNs', () => {
  it('gives the decimal value rounded half away from zero, for numbers and bigints', () => {
    for (const v of [0, 999, 1000, 1005, 1004, 9994, 9995, 9999, 10_000, 99_949, 99_950, 999_949, 999_950, 1_005_000, 2_100_000_000, -1005, -999_950]) {
      expect(formatNs(v)).toBe(reference(BigInt(v)));
      expect(formatNs(BigInt(v))).toBe(reference(BigInt(v)));
    }
    expect(formatNs(850)).toBe('850ns');
    expect(formatNs(12_340)).toBe('12.3µs');
    expect(formatNs(1_250_000)).toBe('1.25ms');
    expect(formatNs(2_100_000_000)).toBe('2.10s');
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (v) => {
        expect(formatNs(v)).toBe(reference(v));
      }),
      { numRuns: 5000 },
    );
  });
});
