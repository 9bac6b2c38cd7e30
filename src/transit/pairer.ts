// TransitPairer: takes incoming and outgoing records in any interleaving and pairs each input with
// the datagram the dispatcher sent for it. Memory is bounded: pending records expire after
// `timeoutNs` (judged by the records' own timestamps, or a clock via expire()) and at most
// `maxPending` wait per side; whatever leaves unpaired is reported, never silently lost.
import { byteMatcher } from './byte-matcher.js';
import { LatencyStats, type LatencySummary } from './latency-stats.js';
import type { TransitMatcher } from './matcher.js';
import { scmpEchoMatcher } from './scmp-matcher.js';
import type { TransitClock, TransitEvent, TransitPair, TransitRecord, TransitSide, TransitUnmatched, UnmatchedReason } from './types.js';

/** Options of a {@link TransitPairer}; all optional. */
export interface TransitOptions {
  /** Tried in order; default [bytes, scmp-echo]. */
  matchers?: readonly TransitMatcher[];
  /** An input with no output after this long is reported unmatched. Default 1 s. */
  timeoutNs?: bigint;
  /** At most this many records wait per side; the oldest is evicted beyond it. Default 65536. */
  maxPending?: number;
  /** Default 'auto'. */
  clock?: TransitClock;
}

/** Pairs and their latency distributions, unmatched records by reason, and what still waits. */
export interface TransitSummary {
  pairs: number;
  /** Per matcher name. */
  byMatcher: Record<string, LatencySummary>;
  /** All pairs together. */
  all: LatencySummary;
  unmatched: { in: Record<UnmatchedReason, number>; out: Record<UnmatchedReason, number> };
  pending: { in: number; out: number };
}

interface Entry<R extends TransitRecord> {
  rec: R;
  side: TransitSide;
  ts: bigint;
  keys: string[];
  done: boolean;
}

const zeroReasons = (): Record<UnmatchedReason, number> => ({ 'no-output': 0, 'no-input': 0, evicted: 0, untimed: 0 });

/**
 * Pairs what entered a dispatcher with what it sent, by the matchers in order, and reports the transit time of each pair
 * and every record left unmatched (timeout, eviction, no timestamp).
 */
export class TransitPairer<R extends TransitRecord = TransitRecord> {
  readonly #matchers: readonly TransitMatcher[];
  readonly #timeoutNs: bigint;
  readonly #maxPending: number;
  readonly #clock: TransitClock;
  // key → FIFO of entries waiting under it; order[] holds each side's entries by arrival for expiry.
  readonly #waiting = { in: new Map<string, Entry<R>[]>(), out: new Map<string, Entry<R>[]>() };
  readonly #order = { in: [] as Entry<R>[], out: [] as Entry<R>[] };
  readonly #head = { in: 0, out: 0 };
  readonly #live = { in: 0, out: 0 };
  #now = 0n;
  readonly #all = new LatencyStats();
  readonly #byMatcher = new Map<string, LatencyStats>();
  readonly #unmatched = { in: zeroReasons(), out: zeroReasons() };
  #pairs = 0;

  constructor(opts: TransitOptions = {}) {
    this.#matchers = opts.matchers ?? [byteMatcher, scmpEchoMatcher()];
    this.#timeoutNs = opts.timeoutNs ?? 1_000_000_000n;
    this.#maxPending = opts.maxPending ?? 65536;
    this.#clock = opts.clock ?? 'auto';
    if (this.#timeoutNs <= 0n) throw new RangeError('timeoutNs must be positive');
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) throw new RangeError('maxPending must be a positive integer');
  }

  /** Records waiting for a partner. */
  get pending(): { in: number; out: number } {
    return { ...this.#live };
  }

  /** An incoming record (what entered the dispatcher). */
  pushIn(rec: R): TransitEvent<R>[] {
    return this.#push('in', rec);
  }

  /** An outgoing record (what the dispatcher sent). */
  pushOut(rec: R): TransitEvent<R>[] {
    return this.#push('out', rec);
  }

  /** Reports what waited longer than the timeout as of `nowNs` (e.g. the wall clock when traffic stops). */
  expire(nowNs: bigint): TransitEvent<R>[] {
    if (nowNs > this.#now) this.#now = nowNs;
    const events: TransitEvent<R>[] = [];
    this.#expire(events);
    return events;
  }

  /** Ends the run: everything still waiting is reported unmatched. */
  flush(): TransitEvent<R>[] {
    const events: TransitEvent<R>[] = [];
    for (const side of ['in', 'out'] as const) {
      // Collected first: dropping compacts the order array under our feet.
      const left = this.#order[side].slice(this.#head[side]).filter((e) => !e.done);
      for (const e of left) this.#drop(e, side === 'in' ? 'no-output' : 'no-input', events);
      this.#order[side].length = 0;
      this.#head[side] = 0;
      this.#waiting[side].clear();
    }
    return events;
  }

  /** Pairs, latency distributions and unmatched counts so far. */
  summary(): TransitSummary {
    const byMatcher: Record<string, LatencySummary> = {};
    for (const [name, s] of this.#byMatcher) byMatcher[name] = s.summary();
    return {
      pairs: this.#pairs,
      byMatcher,
      all: this.#all.summary(),
      unmatched: { in: { ...this.#unmatched.in }, out: { ...this.#unmatched.out } },
      pending: this.pending,
    };
  }

  // ---- internals ----

  #time(rec: TransitRecord): { ts: bigint; clock: 'software' | 'hardware' } | undefined {
    const { software, hardware } = rec.timestamps;
    if (this.#clock === 'hardware') return hardware === undefined ? undefined : { ts: hardware, clock: 'hardware' };
    if (this.#clock === 'software') return software === undefined ? undefined : { ts: software, clock: 'software' };
    if (hardware !== undefined) return { ts: hardware, clock: 'hardware' };
    return software === undefined ? undefined : { ts: software, clock: 'software' };
  }

  #push(side: TransitSide, rec: R): TransitEvent<R>[] {
    const events: TransitEvent<R>[] = [];
    const t = this.#time(rec);
    if (t === undefined) {
      this.#unmatched[side].untimed++;
      events.push({ kind: 'unmatched', side, record: rec, reason: 'untimed' });
      return events;
    }
    if (t.ts > this.#now) this.#now = t.ts;
    this.#expire(events);
    const other = side === 'in' ? 'out' : 'in';
    const keys: string[] = [];
    for (const m of this.#matchers) {
      const key = side === 'in' ? m.inKey(rec) : m.outKey(rec);
      if (key === null) continue;
      const full = `${m.name}\u0000${key}`;
      const partner = this.#take(other, full, rec, t.ts, m);
      if (partner) {
        const input = side === 'in' ? rec : partner.rec;
        const output = side === 'in' ? partner.rec : rec;
        const tin = side === 'in' ? t.ts : partner.ts;
        const tout = side === 'in' ? partner.ts : t.ts;
        events.push(this.#pair(input, output, tout - tin, m.name, t.clock));
        return events;
      }
      keys.push(full);
    }
    if (keys.length === 0) {
      // No matcher could ever pair it: report it now rather than let it wait.
      this.#unmatched[side][side === 'in' ? 'no-output' : 'no-input']++;
      events.push({ kind: 'unmatched', side, record: rec, reason: side === 'in' ? 'no-output' : 'no-input' });
      return events;
    }
    const e: Entry<R> = { rec, side, ts: t.ts, keys, done: false };
    for (const k of keys) {
      const list = this.#waiting[side].get(k);
      if (list) list.push(e);
      else this.#waiting[side].set(k, [e]);
    }
    this.#order[side].push(e);
    this.#live[side]++;
    if (this.#live[side] > this.#maxPending) this.#evictOldest(side, events);
    return events;
  }

  /**
   * The earliest waiting entry of `side` under `key` that can be this record's partner: an input
   * no later than its output (a transit time is never negative).
   */
  #take(side: TransitSide, key: string, rec: TransitRecord, ts: bigint, m: TransitMatcher): Entry<R> | undefined {
    const list = this.#waiting[side].get(key);
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.done) continue;
      const ordered = side === 'in' ? e.ts <= ts : ts <= e.ts;
      if (!ordered) continue;
      const same = m.same ? (side === 'in' ? m.same(e.rec, rec) : m.same(rec, e.rec)) : true;
      if (!same) continue;
      this.#retire(e);
      return e;
    }
    return undefined;
  }

  #retire(e: Entry<R>): void {
    e.done = true;
    this.#live[e.side]--;
    for (const k of e.keys) {
      const list = this.#waiting[e.side].get(k);
      if (!list) continue;
      const i = list.indexOf(e);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#waiting[e.side].delete(k);
    }
    this.#compact(e.side);
  }

  #compact(side: TransitSide): void {
    const order = this.#order[side];
    while (this.#head[side] < order.length && order[this.#head[side]]!.done) this.#head[side]++;
    if (this.#head[side] > 1024 && this.#head[side] * 2 > order.length) {
      order.splice(0, this.#head[side]);
      this.#head[side] = 0;
    }
  }

  #pair(input: R, output: R, transitNs: bigint, matcher: string, clock: 'software' | 'hardware'): TransitPair<R> {
    this.#pairs++;
    this.#all.add(transitNs);
    let s = this.#byMatcher.get(matcher);
    if (!s) this.#byMatcher.set(matcher, (s = new LatencyStats()));
    s.add(transitNs);
    return { kind: 'pair', transitNs, in: input, out: output, matcher, clock };
  }

  #drop(e: Entry<R>, reason: UnmatchedReason, events: TransitEvent<R>[]): void {
    if (e.done) return;
    this.#retire(e);
    this.#unmatched[e.side][reason]++;
    const u: TransitUnmatched<R> = { kind: 'unmatched', side: e.side, record: e.rec, reason };
    events.push(u);
  }

  #expire(events: TransitEvent<R>[]): void {
    for (const side of ['in', 'out'] as const) {
      const order = this.#order[side];
      for (;;) {
        this.#compact(side);
        const e = order[this.#head[side]];
        if (e === undefined || this.#now - e.ts <= this.#timeoutNs) break;
        this.#drop(e, side === 'in' ? 'no-output' : 'no-input', events);
      }
    }
  }

  #evictOldest(side: TransitSide, events: TransitEvent<R>[]): void {
    const order = this.#order[side];
    while (this.#live[side] > this.#maxPending) {
      this.#compact(side);
      const e = order[this.#head[side]];
      if (e === undefined) break;
      this.#drop(e, 'evicted', events);
    }
  }
}
