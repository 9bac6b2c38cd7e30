// The pairing state machine on hand-made packets: basic, cookies, interleaved, duplicates, reorder,
// zero origin, Kiss-o'-Death, symmetric/broadcast, strays, lo's two copies; and a property:
// whatever the order and duplication, every exchange is found once and nothing is mis-paired.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNtp, encodeNtp, ntpTimestampFromNs, type NtpHeader } from '../../src/decode/index.js';
import { NtpPairer, pairNtpRecords, type NtpExchange, type NtpWireRecord } from '../../src/index.js';

const C = { address: '10.0.0.1', port: 40000 };
const S = { address: '10.0.0.2', port: 123 };
const BASE = 1_800_000_000_000_000_000n;

function hdr(mode: number, f: { org?: bigint; rec?: bigint; xmt?: bigint; stratum?: number; leap?: number; refid?: string } = {}): NtpHeader {
  const d = decodeNtp(
    encodeNtp({
      mode, stratum: f.stratum ?? (mode === 4 ? 1 : 0), leap: f.leap ?? 0, referenceId: f.refid ?? (mode === 4 ? 'LOCL' : 0),
      originTimestamp: f.org === undefined ? null : { raw: f.org }, receiveTimestamp: f.rec === undefined ? null : { raw: f.rec },
      transmitTimestamp: f.xmt === undefined ? null : { raw: f.xmt },
    }),
  );
  if (!d.ok || d.kind !== 'header') throw new Error('bad test header');
  return d;
}

const raw = (ns: bigint) => ntpTimestampFromNs(ns);
function rec(ntp: NtpHeader, timeNs: bigint | undefined, from = C, to = S, direction?: 'in' | 'out'): NtpWireRecord {
  return { src: from, dst: to, ntp, ...(timeNs === undefined ? {} : { timeNs, timeSource: 'kernel' as const }), ...(direction ? { direction } : {}) };
}
function req(cookie: bigint, t: bigint | undefined, from = C, dir?: 'in' | 'out', f: { org?: bigint; rec?: bigint } = {}) {
  return rec(hdr(3, { xmt: cookie, ...f }), t, from, S, dir);
}
function resp(org: bigint, t2: bigint, t3: bigint, t4: bigint, to = C, dir?: 'in' | 'out') {
  return rec(hdr(4, { org, rec: raw(t2), xmt: raw(t3) }), t4, S, to, dir);
}
const exchanges = (evs: ReturnType<typeof pairNtpRecords>['events']) => evs.filter((e): e is NtpExchange => e.type === 'exchange');

describe('NtpPairer', () => {
  it('pairs a basic exchange by origin = transmit and computes θ and δ in ns', () => {
    const t1 = BASE, t2 = BASE + 40_123n, t3 = BASE + 99_000n, t4 = BASE + 131_000n;
    const { events, counts } = pairNtpRecords([req(0x1234_5678_9abc_def0n, t1), resp(0x1234_5678_9abc_def0n, t2, t3, t4)]);
    const [x] = exchanges(events);
    const T2 = x!.t2Ns, T3 = x!.t3Ns; // NTP fraction rounding: within 1 ns of the input
    expect(T2 - t2 >= 0n && T2 - t2 <= 1n).toBe(true);
    expect(x!.delayNs).toBe(t4 - t1 - (T3 - T2));
    expect(x!.offsetNs).toBe((T2 - t1 + (T3 - t4)) / 2n);
    expect(x!.sources).toEqual({ t1: 'kernel', t4: 'kernel' });
    expect(x!.client).toEqual(C);
    expect(x!.mode).toBe('basic');
    expect(counts.exchanges).toBe(1);
  });

  it('without a kernel stamp of the request T1 is its transmit field, and a random cookie voids it', () => {
    const real = raw(BASE);
    const a = exchanges(pairNtpRecords([req(real, undefined), resp(real, BASE + 10_000n, BASE + 20_000n, BASE + 30_000n)]).events)[0]!;
    expect(a.sources.t1).toBe('packet');
    expect(a.t1Ns).toBe(BASE);
    expect(a.t1Cookie).toBeUndefined();
    const cookie = 0x0123_4567_89ab_cdefn; // chrony: 64 random bits, decodes to some year far away
    const b = exchanges(pairNtpRecords([req(cookie, undefined), resp(cookie, BASE + 10_000n, BASE + 20_000n, BASE + 30_000n)]).events)[0]!;
    expect(b.t1Cookie).toBe(true);
  });

  it("interleaved (chrony xleave): the response completes the previous exchange with its T3, across client ports", () => {
    const q1 = req(0x11n, BASE);
    const r1 = resp(0x11n, BASE + 10_000n, BASE + 60_000n, BASE + 80_000n); // T3 user-space in basic mode
    // Next request (new client port): origin = r1's receive field, receive = its own RX of r1.
    const C2 = { address: C.address, port: 40001 };
    const q2 = req(0x22n, BASE + 1_000_000_000n, C2, undefined, { org: r1.ntp.receiveTimestamp.raw, rec: 0x3333n });
    // Interleaved response: origin = q2's receive field; transmit = kernel TX stamp of r1.
    const r2 = rec(hdr(4, { org: 0x3333n, rec: raw(BASE + 1_000_010_000n), xmt: raw(BASE + 20_000n) }), BASE + 1_000_080_000n, S, C2);
    const { events, counts } = pairNtpRecords([q1, r1, q2, r2]);
    const xs = exchanges(events);
    expect(xs.map((x) => x.mode)).toEqual(['basic', 'interleaved']);
    const i = xs[1]!;
    expect([i.t1Ns, i.t4Ns]).toEqual([BASE, BASE + 80_000n]);
    expect(i.t3Ns - (BASE + 20_000n) <= 1n).toBe(true);
    expect(i.t2Ns).toBe(xs[0]!.t2Ns);
    expect(i.delayNs).toBe(80_000n - (i.t3Ns - i.t2Ns));
    expect(counts.interleaved).toBe(1);
    // Without the previous exchange in the capture: shown, not invented.
    const alone = pairNtpRecords([q2, r2]);
    expect(exchanges(alone.events)).toEqual([]);
    expect(alone.counts.unpaired['interleaved-without-previous']).toBe(1);
  });

  it('duplicates are counted and never paired twice; a reordered response still pairs', () => {
    const q = req(0x77n, BASE);
    const r = resp(0x77n, BASE + 1n, BASE + 2n, BASE + 50_000n);
    const { events, counts } = pairNtpRecords([r, q, q, r]);
    expect(exchanges(events)).toHaveLength(1);
    expect(counts.unpaired['duplicate-request']).toBe(1);
    expect(counts.unpaired['duplicate-response']).toBe(1);
  });

  it("zero origin, Kiss-o'-Death, symmetric and broadcast, strays and silence are shown unpaired", () => {
    const kod = rec(hdr(4, { org: 0x55n, rec: raw(BASE), xmt: raw(BASE), stratum: 0, leap: 3, refid: 'RATE' }), BASE + 9n, S, C);
    const { events, counts } = pairNtpRecords([
      req(0x55n, BASE),
      kod,
      resp(0n, BASE, BASE, BASE + 5n),
      rec(hdr(1, { xmt: raw(BASE) }), BASE),
      rec(hdr(5, { xmt: raw(BASE) }), BASE),
      resp(0x99n, BASE, BASE, BASE + 7n),
      req(0x66n, BASE + 10n),
      req(0n, BASE + 11n),
    ]);
    expect(exchanges(events)).toEqual([]);
    const u = counts.unpaired;
    expect([u['kiss-o-death'], u['zero-origin'], u.symmetric, u.broadcast, u['unmatched-response'], u['unanswered-request'], u['zero-transmit']]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(events.find((e) => e.type === 'unpaired' && e.reason === 'kiss-o-death')).toMatchObject({ kissCode: 'RATE' });
  });

  it("on lo the request's outgoing copy is T1 and the response's incoming copy is T4", () => {
    const q = 0xabcn;
    const { events, counts } = pairNtpRecords([
      req(q, BASE, C, 'out'),
      req(q, BASE + 3_000n, C, 'in'),
      resp(q, BASE + 4_000n, BASE + 9_000n, BASE + 12_000n, C, 'out'),
      resp(q, BASE + 4_000n, BASE + 9_000n, BASE + 15_000n, C, 'in'),
    ]);
    const xs = exchanges(events);
    expect(xs).toHaveLength(1);
    expect([xs[0]!.t1Ns, xs[0]!.t4Ns]).toEqual([BASE, BASE + 15_000n]);
    expect([xs[0]!.t1Copy, xs[0]!.t4Copy]).toEqual(['out', 'in']);
    expect(counts.copies).toBe(2);
    expect(Object.values(counts.unpaired).every((n) => n === 0)).toBe(true);
  });

  it('streaming: push() settles exchanges as they complete, flush() reports what waits', () => {
    const p = new NtpPairer();
    expect(p.push(req(0x1n, BASE))).toEqual([]);
    expect(p.push(resp(0x1n, BASE, BASE, BASE + 1000n))).toHaveLength(1);
    expect(p.push(req(0x2n, BASE + 2000n))).toEqual([]);
    expect(p.flush()).toMatchObject([{ type: 'unpaired', reason: 'unanswered-request' }]);
  });

  it('property: any order and duplication of many exchanges pairs each exactly once, never mixed up', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        (cookies, dups, order) => {
          const recs: NtpWireRecord[] = [];
          const want = new Map<bigint, bigint>();
          cookies.forEach((ck, i) => {
            const t1 = BASE + BigInt(i) * 1_000_000n;
            const client = { address: '10.0.0.1', port: 30000 + (i % 3) };
            recs.push(req(ck, t1, client), resp(ck, t1 + 100n, t1 + 200n, t1 + 1000n + BigInt(i), client));
            want.set(ck, 1000n + BigInt(i) - 100n);
          });
          for (const d of dups) recs.push(recs[d % recs.length]!);
          const it = order[Symbol.iterator]();
          for (let i = recs.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [recs[i], recs[j]] = [recs[j]!, recs[i]!];
          }
          const { events, counts } = pairNtpRecords(recs);
          const xs = exchanges(events);
          expect(xs).toHaveLength(cookies.length);
          for (const x of xs) {
            // Each exchange's numbers are the ones of its own cookie (T2/T3 round-trip to ±1 ns).
            const d = want.get(x.requestTransmitRaw)!;
            expect(x.delayNs - d >= -2n && x.delayNs - d <= 2n).toBe(true);
          }
          expect(new Set(xs.map((x) => x.requestTransmitRaw)).size).toBe(cookies.length);
          expect(counts.unpaired['duplicate-request'] + counts.unpaired['duplicate-response']).toBe(dups.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bad input is a clear coded error, before any pairing state changes', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /a record must be an object, got null/],
      [{ src: C, dst: S }, /ntp must be a decoded NTP header/],
      [{ src: { address: 1, port: 2 }, dst: S, ntp: hdr(3, { xmt: 1n }) }, /src and dst must be/],
      [{ ...req(1n, BASE), timeNs: 5 }, /timeNs must be a bigint/],
    ];
    for (const [r, msg] of bad) {
      const p = new NtpPairer();
      expect(() => p.push(r as NtpWireRecord)).toThrow(msg);
      try {
        p.push(r as NtpWireRecord);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ERR_INVALID_ARG_TYPE');
      }
      expect(p.counts().records).toBe(0);
    }
    expect(() => pairNtpRecords([null as unknown as NtpWireRecord])).toThrow(/ERR_INVALID_ARG_TYPE|a record must be an object/);
    expect(() => new NtpPairer({ holdNs: 5 as unknown as bigint })).toThrow(/holdNs must be a bigint/);
    expect(() => new NtpPairer({ requestTimeoutNs: -1n })).toThrow(/requestTimeoutNs must not be negative/);
    let code: string | undefined;
    try {
      new NtpPairer({ requestTimeoutNs: -1n });
    } catch (e) {
      code = (e as NodeJS.ErrnoException).code;
    }
    expect(code).toBe('ERR_OUT_OF_RANGE');
    expect(() => new NtpPairer({ memory: 0 })).toThrow(/memory must be a positive integer/);
  });
});
