// The CLI's pure parts, without processes: address specs, filters, durations, percentiles, colour
// rules, and the schema checker itself (it must reject what the schema forbids).
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize, parseRate } from '../../src/cli/args.js';
import { parseBindSpec, parseBindSpecs, parseEndpoint } from '../../src/cli/bind-spec.js';
import { UsageError } from '../../src/cli/errors.js';
import { compileFilters, type FilterSubject } from '../../src/cli/pipeline/filter.js';
import { useColor } from '../../src/cli/pipeline/format.js';
import { SocketCounters } from '../../src/cli/pipeline/stats.js';
import { Quantiles } from '../../src/sys/quantiles.js';
import { colors } from '../../src/cli/pipeline/format.js';
import { summaryText } from '../../src/cli/pipeline/output.js';
import type { SummaryRecord } from '../../src/cli/pipeline/record.js';
import { recordValidator } from './helpers/json-schema.js';

describe('address specs', () => {
  it('parses IPv4, bracketed IPv6 with zone, bare ports and ranges', () => {
    expect(parseBindSpec('127.0.0.1:30041')).toEqual([{ address: '127.0.0.1', port: 30041, family: 4 }]);
    expect(parseBindSpec('[::1]:31000')).toEqual([{ address: '::1', port: 31000, family: 6 }]);
    expect(parseBindSpec('[fe80::1%eth0]:30041')).toEqual([{ address: 'fe80::1%eth0', port: 30041, family: 6 }]);
    expect(parseBindSpec('30041')).toEqual([{ address: '::', port: 30041, family: 6 }]);
    expect(parseBindSpec('127.0.0.1:31000-31002').map((e) => e.port)).toEqual([31000, 31001, 31002]);
    expect(parseEndpoint('9464', { defaultHost: '127.0.0.1', allowZero: true })).toEqual({ address: '127.0.0.1', port: 9464, family: 4 });
  });

  it('rejects what is not an address:port, with a hint', () => {
    for (const bad of ['', '::1:30041', '127.0.0.1', '127.0.0.1:', '[::1]', '[::1]30041', '1.2.3:80', 'host:80', '127.0.0.1:65536', '127.0.0.1:10-5', '127.0.0.1:1-9999', '127.0.0.1%eth0:1']) {
      expect(() => parseBindSpec(bad), bad).toThrow(UsageError);
    }
    expect(() => parseBindSpec('::1:30041')).toThrow(/brackets/);
    expect(() => parseEndpoint('127.0.0.1:0')).toThrow(/out of range/);
    expect(() => parseEndpoint('127.0.0.1:1-2')).toThrow(/range is not allowed/);
    expect(() => parseBindSpecs(['127.0.0.1:5000', '127.0.0.1:4999-5001'])).toThrow(/given twice/);
    expect(parseBindSpecs(['127.0.0.1:0', '127.0.0.1:0'])).toHaveLength(2); // several kernel-chosen ports are fine
  });
});

describe('filters', () => {
  const subject = (o: Partial<FilterSubject>): FilterSubject => ({
    srcPort: 40000,
    dstPort: 30041,
    layers: ['Payload'],
    srcAddress: '127.0.0.1',
    truncated: false,
    dropsDelta: 0,
    ...o,
  });
  const ntpInScion = subject({ layers: ['SCION', 'UDP', 'NTP'], srcIA: '1-ff00:0:110', dstIA: '2-ff00:0:220', innerPorts: { src: 31000, dst: 123 }, dstAddress: '::ffff:10.0.0.2' });

  it('terms, and/or/not, parentheses, juxtaposition', () => {
    const m = (e: string, s: FilterSubject) => compileFilters([e])!(s);
    expect(m('layer ntp', ntpInScion)).toBe(true);
    expect(m('layer NTP and layer scion', ntpInScion)).toBe(true);
    expect(m('layer scmp', ntpInScion)).toBe(false);
    expect(m('port 123', ntpInScion)).toBe(true);
    expect(m('dst-port 30041 src-port 31000', ntpInScion)).toBe(true);
    expect(m('port 1-100', ntpInScion)).toBe(false);
    expect(m('ia 2-ff00:0:220', ntpInScion)).toBe(true);
    expect(m('src-ia 2-0', ntpInScion)).toBe(false);
    expect(m('dst-ia 2-0', ntpInScion)).toBe(true);
    expect(m('ia 0-0', subject({}))).toBe(false); // no SCION, no IA
    expect(m('dst 10.0.0.0/8', ntpInScion)).toBe(true); // mapped addresses match IPv4 prefixes
    expect(m('host 127.0.0.1 and not (layer ntp || truncated)', ntpInScion)).toBe(false);
    expect(m('!layer payload && (drops or error)', subject({ layers: ['SCION'], errorCode: 'BAD_PATH' }))).toBe(true);
    expect(m('error TRUNCATED', subject({ errorCode: 'BAD_PATH' }))).toBe(false);
    expect(compileFilters(['layer scion', 'port 123'])!(ntpInScion)).toBe(true);
    expect(compileFilters(['layer scion', 'port 9'])!(ntpInScion)).toBe(false);
    expect(compileFilters([])).toBeNull();
  });

  it('bad expressions are usage errors that say what is wrong', () => {
    for (const [e, msg] of [['', /empty/], ['layer', /needs a name/], ['port x', /port or range/], ['ia 1', /ISD-AS/], ['(layer scion', /missing '\)'/], ['layer scion )', /unexpected/], ['color red', /unknown term 'color'/], ['src 300.1.1.1', /not an address/]] as const) {
      expect(() => compileFilters([e]), e).toThrow(UsageError);
      expect(() => compileFilters([e]), e).toThrow(msg);
    }
  });
});

describe('values', () => {
  it('durations, sizes, rates', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('3')).toBe(3000);
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('8M')).toBe(8 << 20);
    expect(parseRate('0.5')).toBe(0.5);
    for (const bad of ['', '0s', '-1s', '10x', 'soon']) expect(() => parseDuration(bad), bad).toThrow(InvalidArgumentError);
    for (const bad of ['0', '1.5k', '12q']) expect(() => parseSize(bad), bad).toThrow(InvalidArgumentError);
  });

  it('percentiles are nearest-rank and exact up to exactLimit, then within 0.4 % (histogram); max is always exact', () => {
    const q = new Quantiles();
    for (let i = 100; i >= 1; i--) q.add(i);
    expect([q.quantile(0.5), q.quantile(0.99), q.max, q.count, q.isExact]).toEqual([50, 99, 100, 100, true]);
    const small = new Quantiles(10);
    const values: number[] = [];
    for (let i = 1; i <= 100_000; i++) values.push(1000 + ((i * 7919) % 1_000_003) * 37);
    for (const v of values) small.add(v);
    expect(small.isExact).toBe(false);
    expect(small.max).toBe(Math.max(...values));
    expect(small.count).toBe(100_000);
    const sorted = Float64Array.from(values).sort();
    for (const p of [0.01, 0.5, 0.9, 0.99, 1]) {
      const exact = sorted[Math.ceil(p * sorted.length) - 1]!;
      expect(Math.abs(small.quantile(p)! - exact) / exact, `p${p * 100}`).toBeLessThan(0.004);
    }
    // merged: exact while the union is, the histogram's answer otherwise
    const a = new Quantiles(), b = new Quantiles();
    for (let i = 1; i <= 50; i++) a.add(i), b.add(50 + i);
    const ab = Quantiles.merge([a, b]);
    expect([ab.isExact, ab.quantile(0.5), ab.quantile(0.99), ab.max, ab.count]).toEqual([true, 50, 99, 100, 100]);
    const mixed = Quantiles.merge([a, small, new Quantiles()]);
    expect(mixed.isExact).toBe(false);
    expect(mixed.count).toBe(100_050);
    expect(mixed.max).toBe(small.max);
    expect(mixed.quantile(0.000_001)).toBe(1); // the exact min clamps the first bucket
    expect(new Quantiles().quantile(0.5)).toBeUndefined();
    // the limit itself: exact through the limit-th value, the histogram from the next
    const edge = new Quantiles(3);
    for (const v of [5, 1, 3]) edge.add(v);
    expect([edge.isExact, edge.quantile(0.5), edge.quantile(1)]).toEqual([true, 3, 5]);
    edge.add(100);
    expect([edge.isExact, edge.count, edge.quantile(0.5), edge.quantile(1)]).toEqual([false, 4, 3, 100]);
  });

  it("the summary's kernel line for a capture: drops, whether the ring was full, what was still queued", () => {
    const base: SummaryRecord = {
      v: 1, time: '', host: '', type: 'summary', command: 'watch', reason: 'signal', durationNs: '1000000000', matched: 9,
      packets: 9, bytes: 9, drops: 0, truncations: 0, decodeErrors: 0, decodeErrorsByCode: {}, readDelay: { count: 0 }, sockets: [],
    };
    const kernel = (capture: SummaryRecord['capture']) => summaryText(colors(false), { ...base, capture }).find((l) => l.startsWith('kernel:'));
    expect(kernel({ packets: 12, drops: 3, unread: 0, ringFull: 0 })).toBe('kernel: 12 packets passed the capture filter, 3 dropped');
    expect(kernel({ packets: 12, drops: 3, unread: 0, ringFull: 1 })).toBe('kernel: 12 packets passed the capture filter, 3 dropped (ring full once)');
    expect(kernel({ packets: 12, drops: 3, unread: 2, ringFull: 4 })).toBe('kernel: 12 packets passed the capture filter, 3 dropped (ring full 4 times), 2 still queued at stop (not read)');
  });

  it('drop deltas from the cumulative SO_RXQ_OVFL counter', () => {
    const c = new SocketCounters();
    expect([c.dropsDelta(undefined), c.dropsDelta(3), c.dropsDelta(3), c.dropsDelta(10), c.dropsDelta(undefined)]).toEqual([0, 3, 0, 7, 0]);
    expect(c.drops).toBe(10);
  });

  it('colour: NO_COLOR beats everything, piped output is plain even with CI set', () => {
    expect(useColor({ stream: { isTTY: true }, env: {} })).toBe(true);
    expect(useColor({ stream: { isTTY: true }, env: { TERM: 'dumb' } })).toBe(false);
    expect(useColor({ stream: { isTTY: false }, env: { CI: 'true' } })).toBe(false);
    expect(useColor({ stream: { isTTY: false }, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(useColor({ stream: { isTTY: true }, env: { NO_COLOR: '1' }, flag: true })).toBe(false);
    expect(useColor({ stream: { isTTY: true }, env: {}, flag: false })).toBe(false);
  });
});

describe('the schema checker', () => {
  const v = recordValidator();
  const good = {
    v: 1,
    time: '2026-01-01T00:00:00.000000001Z',
    host: 'h',
    type: 'error',
    message: 'm',
  };

  it('accepts a valid record and rejects each kind of violation', () => {
    expect(v.validate(good)).toEqual([]);
    expect(v.validate({ ...good, v: 2 })).not.toEqual([]);
    expect(v.validate({ ...good, time: '2026-01-01T00:00:00.001Z' })).not.toEqual([]); // 9 digits required
    expect(v.validate({ ...good, extra: 1 })).not.toEqual([]); // additionalProperties
    expect(v.validate({ ...good, type: 'nonsense' })).not.toEqual([]);
    const { message: _m, ...noMessage } = good;
    expect(v.validate(noMessage)).not.toEqual([]);
    expect(v.validate({ ...good, type: 'summary' })).not.toEqual([]);
    expect(v.validate({ ...good, code: 5 })).not.toEqual([]);
    expect(v.validate('a string')).not.toEqual([]);
  });
});
