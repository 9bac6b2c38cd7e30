// TransitPairer on synthetic records: exact-byte pairing, order, duplicates, drops, timeouts,
// the pending bound, SCMP echo turnaround, clocks.
import { describe, expect, it } from 'vitest';
import { TransitPairer } from '../../src/transit/pairer.js';
import { byteMatcher } from '../../src/transit/byte-matcher.js';
import type { TransitMatcher } from '../../src/transit/matcher.js';
import type { TransitEvent, TransitRecord } from '../../src/transit/types.js';
import { scmpPacket, scmpReplyTo } from './helpers/scion.js';

const rec = (data: string | Uint8Array, sw?: bigint, hw?: bigint): TransitRecord => ({
  data: typeof data === 'string' ? Buffer.from(data) : data,
  timestamps: { ...(sw === undefined ? {} : { software: sw }), ...(hw === undefined ? {} : { hardware: hw }) },
});
const pairs = (evs: TransitEvent[]) => evs.filter((e) => e.kind === 'pair');
const unmatched = (evs: TransitEvent[]) => evs.filter((e) => e.kind === 'unmatched');

describe('TransitPairer', () => {
  it('pairs the forwarded copy of the same bytes and reports out − in', () => {
    const p = new TransitPairer();
    expect(p.pushIn(rec('a', 1_000n))).toEqual([]);
    const [ev] = p.pushOut(rec('a', 1_750n));
    expect(ev).toMatchObject({ kind: 'pair', transitNs: 750n, matcher: 'bytes', clock: 'software' });
    expect(p.pending).toEqual({ in: 0, out: 0 });
  });

  it('pairs an output that was read before its input (two streams), never with a negative time', () => {
    const p = new TransitPairer();
    expect(p.pushOut(rec('x', 2_000n))).toEqual([]);
    const [ev] = p.pushIn(rec('x', 1_500n));
    expect(ev).toMatchObject({ kind: 'pair', transitNs: 500n });
    // an "output" earlier than the input cannot be its forward: it stays unpaired
    const q = new TransitPairer();
    q.pushOut(rec('y', 1_000n));
    expect(q.pushIn(rec('y', 1_500n))).toEqual([]);
    const rest = q.flush();
    expect(rest.map((e) => e.kind === 'unmatched' && `${e.side}:${e.reason}`).sort()).toEqual(['in:no-output', 'out:no-input']);
  });

  it('identical payloads pair first-in first-out', () => {
    const p = new TransitPairer();
    p.pushIn(rec('same', 100n));
    p.pushIn(rec('same', 200n));
    const a = pairs(p.pushOut(rec('same', 150n)))[0]!;
    const b = pairs(p.pushOut(rec('same', 260n)))[0]!;
    expect([a.kind === 'pair' && a.transitNs, b.kind === 'pair' && b.transitNs]).toEqual([50n, 60n]);
  });

  it('a dropped input is reported unmatched once its timeout passed (by later records or expire())', () => {
    const p = new TransitPairer({ timeoutNs: 1_000n });
    p.pushIn(rec('dropped', 0n));
    p.pushIn(rec('kept', 10n));
    expect(pairs(p.pushOut(rec('kept', 20n)))).toHaveLength(1);
    expect(p.pending.in).toBe(1);
    const ev = unmatched(p.pushIn(rec('late', 1_500n)));
    expect(ev).toEqual([expect.objectContaining({ side: 'in', reason: 'no-output' })]);
    expect((ev[0] as { record: TransitRecord }).record.data.toString()).toBe('dropped');
    expect(unmatched(p.expire(5_000n))).toEqual([expect.objectContaining({ side: 'in', reason: 'no-output' })]);
    expect(p.summary().unmatched.in['no-output']).toBe(2);
  });

  it('memory stays bounded: beyond maxPending the oldest is evicted and reported', () => {
    const p = new TransitPairer({ maxPending: 100, timeoutNs: 10n ** 15n });
    const evicted: TransitEvent[] = [];
    for (let i = 0; i < 10_000; i++) evicted.push(...p.pushIn(rec(`n${i}`, BigInt(i))));
    expect(p.pending.in).toBe(100);
    expect(evicted).toHaveLength(9_900);
    expect(evicted.every((e) => e.kind === 'unmatched' && e.reason === 'evicted')).toBe(true);
    // the survivors are the newest, and still pair
    expect(pairs(p.pushOut(rec('n9999', 20_000n)))).toHaveLength(1);
    expect(unmatched(p.pushOut(rec('n0', 20_001n)))).toEqual([]);
    expect(p.flush().length).toBe(100);
  });

  it('a long run with steady loss keeps nothing but the window', () => {
    const p = new TransitPairer({ timeoutNs: 1_000_000n });
    let dropped = 0;
    for (let i = 0; i < 50_000; i++) {
      const t = BigInt(i) * 10_000n;
      p.pushIn(rec(`p${i}`, t));
      if (i % 7 === 0) continue;
      p.pushOut(rec(`p${i}`, t + 3_000n));
    }
    for (const e of p.flush()) if (e.kind === 'unmatched') dropped++;
    const s = p.summary();
    expect(s.pairs + s.unmatched.in['no-output']).toBe(50_000);
    expect(s.unmatched.in['no-output']).toBe(Math.ceil(50_000 / 7));
    expect(dropped).toBeLessThanOrEqual(101); // only the last 1 ms was still waiting at the end
    expect(s.all).toMatchObject({ count: s.pairs, min: 3_000n, max: 3_000n, p50: 3_000n, p99: 3_000n });
  });

  it('exact bytes: a hash collision never pairs (the matcher confirms the bytes)', () => {
    const colliding: TransitMatcher = { name: 'bytes', inKey: () => 'k', outKey: () => 'k', same: byteMatcher.same };
    const p = new TransitPairer({ matchers: [colliding] });
    p.pushIn(rec('one', 1n));
    expect(p.pushOut(rec('two', 2n))).toEqual([]);
    expect(pairs(p.pushOut(rec('one', 3n)))).toHaveLength(1);
  });

  it('SCMP echo: a request that came in pairs with the reply that went out (not the same bytes)', () => {
    const p = new TransitPairer();
    const req = { type: 128, identifier: 4242, sequence: 7, data: Buffer.from('ping') };
    p.pushIn(rec(scmpPacket(req), 1_000n));
    // another sender's reply with the same id/seq is not ours
    expect(pairs(p.pushOut(rec(scmpReplyTo({ ...req, srcHost: [10, 9, 9, 9] }), 1_100n)))).toHaveLength(0);
    const [ev] = pairs(p.pushOut(rec(scmpReplyTo(req), 1_900n)));
    expect(ev).toMatchObject({ matcher: 'scmp-echo', transitNs: 900n });
    expect(p.summary().byMatcher['scmp-echo']).toMatchObject({ count: 1, p50: 900n });
    // and a forwarded (unchanged) echo request still pairs by bytes
    const q = new TransitPairer();
    q.pushIn(rec(scmpPacket(req), 10n));
    expect(pairs(q.pushOut(rec(scmpPacket(req), 30n)))[0]).toMatchObject({ matcher: 'bytes', transitNs: 20n });
  });

  it('clock: hardware when both have it (auto), or as forced; untimed records are reported at once', () => {
    const p = new TransitPairer();
    p.pushIn(rec('h', 1_000n, 50n));
    expect(pairs(p.pushOut(rec('h', 1_900n, 80n)))[0]).toMatchObject({ clock: 'hardware', transitNs: 30n });
    const s = new TransitPairer({ clock: 'software' });
    s.pushIn(rec('h', 1_000n, 50n));
    expect(pairs(s.pushOut(rec('h', 1_900n, 80n)))[0]).toMatchObject({ clock: 'software', transitNs: 900n });
    const h = new TransitPairer({ clock: 'hardware' });
    expect(h.pushIn(rec('no hw', 5n))).toEqual([expect.objectContaining({ kind: 'unmatched', reason: 'untimed' })]);
  });

  it('rejects nonsense options', () => {
    expect(() => new TransitPairer({ timeoutNs: 0n })).toThrow(RangeError);
    expect(() => new TransitPairer({ maxPending: 0 })).toThrow(RangeError);
  });
});
