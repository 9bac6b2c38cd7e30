// toJson() writes decoded objects without JSON.stringify's replacer (the slow path): it must give
// exactly what JSON.stringify(value, jsonReplacer) gives, for any decoded-shaped value and for
// every decoding of the sample packets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../src/decode/index.js';
import { jsonReplacer, toJson } from '../../src/decode/json.js';
import { VECTOR_NAMES, fixture, validPackets } from './samples.js';

const reference = (v: unknown) => JSON.stringify(v, jsonReplacer) ?? 'null';

const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.date({ noInvalidDate: true }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 })),
})).v;

describe('toJson', () => {
  it('equals JSON.stringify with the replacer for any decoded-shaped value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(toJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals it for the decoding of every sample packet and reference vector, whole and cut short', () => {
    const packets = [...validPackets(), ...VECTOR_NAMES.map((n) => [n, fixture(n)] as const)];
    expect(packets.length).toBeGreaterThan(5);
    for (const [name, payload] of packets) {
      for (const cut of [payload.length, Math.floor(payload.length / 2), 7]) {
        const d = decodePayload({ srcPort: 30041, dstPort: 30041, payload: payload.subarray(0, cut) });
        expect(toJson(d), `${name}/${cut}`).toBe(reference(d));
      }
    }
  });
});
