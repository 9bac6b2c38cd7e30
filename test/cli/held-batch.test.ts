// gather64: a filter's matches of a BigInt64Array column, copied through 32-bit halves (no BigInt
// per element) — the same values as indexing, for any 64-bit value and any pick.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gather64 } from '../../src/cli/pipeline/held-batch.js';

describe('gather64', () => {
  it('equals src[pick[j]] for every j, negative and full-width values included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { minLength: 1, maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 64 }),
        (values, raw) => {
          const src = BigInt64Array.from(values);
          const pick = Uint32Array.from(raw.map((r) => r % values.length));
          const out = gather64(src, pick, pick.length);
          expect([...out]).toEqual([...pick].map((k) => src[k]));
        },
      ),
    );
  });

  it('reads a subarray from its own offset', () => {
    const whole = BigInt64Array.from([1n, 2n, -3n, 1n << 62n, 5n]);
    const view = whole.subarray(2);
    expect([...gather64(view, Uint32Array.of(2, 0, 1), 3)]).toEqual([5n, -3n, 1n << 62n]);
  });
});
