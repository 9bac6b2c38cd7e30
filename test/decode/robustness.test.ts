import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bytesEqual } from '../../src/decode/bytes.js';
import {
  decodeDispatcherFrame,
  decodeDispatcherStream,
  decodeNtp,
  decodePayload,
  decodeRegistration,
  decodeScion,
  decodeStun,
  encodeScion,
  summarize,
  toJson,
  type DecodeError,
  type HopFieldInput,
  type PathInput,
  type ScionL4Input,
  type ScionPacketInput,
} from '../../src/decode/index.js';
import { validPackets } from './samples.js';

function expectStructuredError(e: DecodeError, length: number): void {
  expect(typeof e.code).toBe('string');
  expect(e.message.length).toBeGreaterThan(0);
  expect(Number.isInteger(e.offset)).toBe(true);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeLessThanOrEqual(length);
}

describe('truncation', () => {
  for (const [name, wire] of validPackets()) {
    it(`${name}: every prefix gives a structured error, never an exception`, () => {
      expect(decodeScion(wire).ok).toBe(true);
      for (let len = 0; len < wire.length; len++) {
        const r = decodeScion(wire.subarray(0, len));
        expect(r.ok, `prefix of ${len} bytes`).toBe(false);
        if (!r.ok) expectStructuredError(r.error, wire.length);
        // Summaries and JSON must cope with partial results too.
        expect(summarize(r).length).toBeGreaterThan(0);
        expect(() => JSON.parse(toJson(r))).not.toThrow();
      }
    });
  }

  it('keeps what was decoded before the fault', () => {
    const [, wire] = validPackets()[0]!; // scion-udp.bin
    const r = decodeScion(wire.subarray(0, 130));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // The UDP Length field (at 120) announces more than the 14 bytes left.
    expect(r.error).toMatchObject({ code: 'TRUNCATED', offset: 120 });
    expect(r.common?.flowId).toBe(0xdead);
    expect(r.path?.type).toBe('scion');
    expect(r.l4).toMatchObject({ type: 'udp', srcPort: 1280, dstPort: 80 });
  });

  it('non-byte inputs are INVALID_INPUT', () => {
    for (const bad of [undefined, null, 'abc', 42, {}, [1, 2, 3]]) {
      const r = decodeScion(bad as unknown as Uint8Array);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', offset: 0 } });
    }
  });

  it('accepts Buffers and ArrayBuffers, and never aliases the caller’s memory', () => {
    const [, wire] = validPackets()[0]!;
    const buf = Buffer.from(wire);
    const r = decodeScion(buf);
    expect(decodeScion(wire.slice().buffer).ok).toBe(true);
    buf.fill(0);
    expect(r.ok && r.l4.type === 'udp' && r.l4.payload[5]).toBe(5);
  });
});

// Random seeds: a failure prints the seed and path to replay it with fc.assert(..., { seed, path }).
const RUNS = { numRuns: 300 } as const;

describe('random bytes never throw (fast-check)', () => {
  it('decodeScion: any bytes → result; decodable bytes re-encode exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        const r = decodeScion(b);
        if (r.ok) expect(bytesEqual(encodeScion(r), b)).toBe(true);
        else expectStructuredError(r.error, b.length);
        summarize(r);
        toJson(r);
      }),
      RUNS,
    );
  });

  it('decodeScion: mutated valid packets → result; when still decodable they re-encode exactly', () => {
    const packets = validPackets().map(([, w]) => w);
    let decodable = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: packets.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 0, 0, 1, 4, 8),
        (i, flips, cut) => {
          const b = packets[i]!.slice(0, Math.max(0, packets[i]!.length - cut));
          for (const [pos, x] of flips) if (b.length > 0) b[pos % b.length]! ^= x;
          const r = decodeScion(b);
          if (r.ok) {
            decodable++;
            expect(bytesEqual(encodeScion(r), b)).toBe(true);
          } else {
            expectStructuredError(r.error, b.length);
          }
          summarize(r);
        },
      ),
      { numRuns: 600 },
    );
    // The re-encode check above must actually have run.
    expect(decodable).toBeGreaterThan(50);
  });

  it('decodePayload, decodeNtp, decodeStun, decodeRegistration, dispatcher framing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (b, sp, dp) => {
        const p = decodePayload({ srcPort: sp, dstPort: dp, payload: b });
        expect(p.udp).toMatchObject({ srcPort: sp, dstPort: dp });
        summarize(p);
        toJson(p);
        for (const r of [decodeNtp(b), decodeStun(b), decodeRegistration(b), decodeDispatcherFrame(b)]) {
          if (!r.ok) expectStructuredError(r.error, b.length);
        }
        for (const e of decodeDispatcherStream([b.subarray(0, 7), b.subarray(7)])) summarize(e);
      }),
      RUNS,
    );
  });
});

// Arbitraries for well-formed packets: encode → decode → re-encode must be the identity.
const ia = fc.record({ isd: fc.integer({ min: 0, max: 0xffff }), as: fc.integer({ min: 0, max: 0xffffffffffff }) });
const host = fc.oneof(
  fc.ipV4().map((ip) => ({ type: 'ipv4' as const, ip })),
  fc.ipV6().map((ip) => ({ type: 'ipv6' as const, ip })),
  fc.integer({ min: 0, max: 0xffff }).map((svc) => ({ type: 'svc' as const, svc })),
);
const hop: fc.Arbitrary<HopFieldInput> = fc.record({
  consIngress: fc.integer({ min: 0, max: 0xffff }),
  consEgress: fc.integer({ min: 0, max: 0xffff }),
  expTime: fc.integer({ min: 0, max: 255 }),
  consIngressAlert: fc.boolean(),
  consEgressAlert: fc.boolean(),
  mac: fc.uint8Array({ minLength: 6, maxLength: 6 }),
});
const info = fc.record({ consDir: fc.boolean(), peering: fc.boolean(), segId: fc.integer({ min: 0, max: 0xffff }), timestamp: fc.integer({ min: 0, max: 0xffffffff }) });
const standard = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })
  .chain((segs) =>
    fc.record({
      type: fc.constant('scion' as const),
      meta: fc.record({ currInf: fc.integer({ min: 0, max: segs.length - 1 }), currHf: fc.constant(0), segLen: fc.constant([segs[0] ?? 0, segs[1] ?? 0, segs[2] ?? 0] as [number, number, number]) }),
      infoFields: fc.tuple(...segs.map(() => info)),
      hopFields: fc.array(hop, { minLength: segs.reduce((a, b) => a + b, 0), maxLength: segs.reduce((a, b) => a + b, 0) }),
    }),
  );
const path: fc.Arbitrary<PathInput> = fc.oneof(
  fc.constant({ type: 'empty' as const }),
  standard,
  fc.record({ type: fc.constant('onehop' as const), info, firstHop: hop, secondHop: hop }),
  fc.record({
    type: fc.constant('epic' as const),
    pktId: fc.record({ timestamp: fc.integer({ min: 0, max: 0xffffffff }), counter: fc.integer({ min: 0, max: 0xffffffff }) }),
    phvf: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    lhvf: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    scion: standard,
  }),
  fc.integer({ min: 0, max: 10 }).chain((n) => fc.record({ type: fc.constant('raw' as const), pathType: fc.integer({ min: 4, max: 255 }), data: fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }) })),
);
const l4: fc.Arbitrary<ScionL4Input> = fc.oneof(
  fc.record({ type: fc.constant('udp' as const), srcPort: fc.integer({ min: 0, max: 65535 }), dstPort: fc.integer({ min: 0, max: 65535 }), payload: fc.uint8Array({ maxLength: 100 }) }),
  fc.record({
    type: fc.constant('scmp' as const),
    scmpType: fc.constantFrom(128, 129),
    body: fc.record({ kind: fc.constant('echo' as const), identifier: fc.integer({ min: 0, max: 0xffff }), sequence: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 40 }) }),
  }),
  fc.record({ type: fc.constant('bfd' as const), state: fc.integer({ min: 0, max: 3 }), myDiscriminator: fc.integer({ min: 0, max: 0xffffffff }), detectMultiplier: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ type: fc.constant('raw' as const), protocol: fc.constantFrom(6, 99, 253), data: fc.uint8Array({ maxLength: 40 }) }),
);
const packet: fc.Arbitrary<ScionPacketInput> = fc.record(
  {
    common: fc.record({ trafficClass: fc.integer({ min: 0, max: 255 }), flowId: fc.integer({ min: 1, max: 0xfffff }) }),
    address: fc.record({ dstIA: ia, srcIA: ia, dst: host, src: host }),
    path,
    hopByHop: fc.record({ options: fc.array(fc.oneof(fc.constant({ kind: 'pad1' as const }), fc.uint8Array({ maxLength: 6 }).map((data) => ({ kind: 'padN' as const, data })))) }),
    endToEnd: fc.record({ options: fc.array(fc.record({ kind: fc.constant('spao' as const), spi: fc.integer({ min: 0, max: 0xffffffff }), timestampSeq: fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), authenticator: fc.uint8Array({ minLength: 16, maxLength: 16 }) }), { maxLength: 1 }) }),
    l4,
  },
  { requiredKeys: ['address', 'l4'] },
);

describe('generated packets (fast-check)', () => {
  it('encode → decode is ok with valid checksums → re-encode (as decoded and recomputed) is byte-identical', () => {
    fc.assert(
      fc.property(packet, (input) => {
        const wire = encodeScion(input);
        const r = decodeScion(wire);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        if (r.l4.type === 'udp' || r.l4.type === 'scmp') expect(r.l4.checksumStatus?.valid).toBe(true);
        expect(r.l4.type).toBe(input.l4.type);
        expect(bytesEqual(encodeScion(r), wire)).toBe(true);
        expect(bytesEqual(encodeScion(r, { recompute: true }), wire)).toBe(true);
      }),
      RUNS,
    );
  });
});
