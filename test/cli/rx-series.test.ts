// The session's received-datagram metrics are counted in plain numbers and read at scrape time:
// what a scrape shows must be what prom-client's own Counter and Histogram show for the same
// datagrams, observed one at a time.
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DELAY_BUCKETS, Metrics } from '../../src/cli/pipeline/metrics.js';

interface Dgram {
  bind: string;
  layer: string;
  length: number;
  truncated: boolean;
  error?: string;
  delay: number; // seconds; < 0 or NaN: none
}

const dgram = fc.record({
  bind: fc.constantFrom('127.0.0.1:30041', '[::1]:30041'),
  layer: fc.constantFrom('Payload', 'SCION/UDP', 'SCION/SCMP'),
  length: fc.integer({ min: 0, max: 65507 }),
  truncated: fc.boolean(),
  error: fc.option(fc.constantFrom('TRUNCATED', 'BAD_VERSION'), { nil: undefined }),
  delay: fc.oneof(fc.constant(NaN), fc.constant(-1e-6), fc.constantFrom(...DELAY_BUCKETS), fc.double({ min: 0, max: 5, noNaN: true })),
});

/** The exposition text of the rx metrics only, lines sorted (series order is not part of the format). */
async function rxText(r: Registry): Promise<string> {
  const keep = /^(# TYPE )?(disptap_packets_total|disptap_bytes_total|disptap_truncations_total|disptap_decode_errors_total|disptap_read_delay_seconds)/;
  return (await r.metrics())
    .split('\n')
    .filter((l) => keep.test(l))
    .sort()
    .join('\n');
}

function reference(ds: readonly Dgram[]): Registry {
  const r = new Registry();
  const rx = ['bind', 'layer', 'direction'];
  const packets = new Counter({ name: 'disptap_packets_total', help: 'x', labelNames: rx, registers: [r] });
  const bytes = new Counter({ name: 'disptap_bytes_total', help: 'x', labelNames: rx, registers: [r] });
  const trunc = new Counter({ name: 'disptap_truncations_total', help: 'x', labelNames: rx, registers: [r] });
  const errors = new Counter({ name: 'disptap_decode_errors_total', help: 'x', labelNames: [...rx, 'code'], registers: [r] });
  const delay = new Histogram({ name: 'disptap_read_delay_seconds', help: 'x', labelNames: rx, buckets: DELAY_BUCKETS, registers: [r] });
  for (const d of ds) {
    const l = { bind: d.bind, layer: d.layer, direction: 'in' };
    packets.inc(l);
    bytes.inc(l, d.length);
    if (d.truncated) trunc.inc(l);
    if (d.error) errors.inc({ ...l, code: d.error });
    if (d.delay >= 0) delay.observe(l, d.delay);
  }
  return r;
}

describe('rx metrics counted per series, read at scrape', () => {
  it('a scrape equals prom-client observing each datagram (counters, decode errors by code, every histogram bucket, sum, count)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dgram, { maxLength: 60 }), async (ds) => {
        const m = new Metrics(false);
        for (const d of ds) m.rx.series(d.bind, d.layer, 'in').add(d.length, d.truncated, d.error, d.delay);
        // HELP texts differ on purpose (the reference's are 'x'); TYPE lines and every sample must not.
        const got = (await rxText(m.registry)).split('\n').filter((l) => !l.startsWith('# HELP'));
        const want = (await rxText(reference(ds))).split('\n').filter((l) => !l.startsWith('# HELP'));
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('a second scrape reads the same totals (collect resets before it copies)', async () => {
    const m = new Metrics(false);
    m.rx.series('a', 'Payload', 'in').add(10, false, undefined, 1e-5);
    const first = await m.registry.metrics();
    expect(await m.registry.metrics()).toBe(first);
    m.rx.series('a', 'Payload', 'in').add(5, true, 'TRUNCATED', NaN);
    const third = await m.registry.metrics();
    expect(third).toMatch(/^disptap_packets_total\{bind="a",layer="Payload",direction="in"\} 2$/m);
    expect(third).toMatch(/^disptap_bytes_total\{bind="a",layer="Payload",direction="in"\} 15$/m);
    expect(third).toMatch(/^disptap_read_delay_seconds_count\{bind="a",layer="Payload",direction="in"\} 1$/m);
  });
});
