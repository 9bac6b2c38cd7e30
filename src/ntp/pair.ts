// Pairs NTP client requests (mode 3) with server responses (mode 4) by content, per observation
// point: a basic response's origin field is the request's transmit field (chrony's random
// transmit cookies included); an interleaved response (chrony `xleave`) carries in its origin the
// request's receive field, and its transmit field is the server's kernel TX stamp of the
// *previous* response — so it completes the previous exchange, as chrony itself uses it.
// Order does not decide a pair, content does: reordered packets pair correctly, duplicates and
// strays are counted and shown, never paired.
import type { NtpHeader } from '../decode/ntp.js';
import { invalidArg } from '../sys/errors.js';
import { ntpDelayNs, ntpOffsetNs } from './exchange.js';
import type {
  NtpEndpoint, NtpExchange, NtpExchangeMode, NtpPairCounts, NtpPairEvent, NtpTimeSource, NtpUnpaired, NtpUnpairedReason, NtpWireRecord,
} from './types.js';

/** Options of {@link NtpPairer}. */
export interface NtpPairOptions {
  /** A request not answered within this much record time is reported unanswered (default 10 s). */
  requestTimeoutNs?: bigint;
  /**
   * A response seen before its request (merged or reordered input) waits this long (default 2 s);
   * so does the outgoing copy of a response on `lo`, for its incoming copy.
   */
  holdNs?: bigint;
  /** Exchanges remembered per point for interleaved mode and duplicate detection (default 4096). */
  memory?: number;
  /**
   * Pair by NTP content alone, not by addresses: for taps that see the request arrive from the
   * client on one socket and the response arrive from the server on another (a relay's two sides).
   * The server is then the response's source.
   */
  byContent?: boolean;
}

const SEC = 1_000_000_000n;
const COOKIE_LIMIT_NS = 86_400n * SEC;

interface Seen {
  rec: NtpWireRecord;
  /** Directions seen for this packet: the second copy on lo has the other one. */
  dirs: Set<string>;
}

interface Pending extends Seen {
  answered: boolean;
}

interface DonePair {
  req: NtpWireRecord;
  resp: NtpWireRecord;
}

interface HeldResponse extends Seen {
  /** Held for its incoming copy: the request this response answers. */
  req?: Pending;
  mode?: NtpExchangeMode;
  since: bigint;
}

interface PointState {
  /** client|server|transmit → request. */
  requests: Map<string, Pending>;
  /** client|server|receive field → request (for interleaved responses). */
  byReceive: Map<string, Pending>;
  /** server|client|origin|transmit → response, to tell copies from duplicates. */
  responses: Map<string, Seen>;
  /** client address|server|response receive field → the pair it closed (interleaved needs the previous one). */
  pairs: Map<string, DonePair>;
  /** Responses without a request yet, or outgoing copies waiting for their incoming copy. */
  held: Map<string, HeldResponse>;
}

const ep = (e: NtpEndpoint) => `${e.address}/${e.port}`;
const dirOf = (r: NtpWireRecord) => r.direction ?? '?';

function emptyCounts(): NtpPairCounts {
  const unpaired = {} as Record<NtpUnpairedReason, number>;
  for (const r of [
    'unmatched-response', 'unanswered-request', 'duplicate-request', 'duplicate-response', 'zero-origin', 'zero-transmit',
    'kiss-o-death', 'symmetric', 'broadcast', 'interleaved-without-previous', 'no-timestamp',
  ] as const) unpaired[r] = 0;
  return { records: 0, requests: 0, responses: 0, exchanges: 0, interleaved: 0, copies: 0, unpaired };
}

function isKod(h: NtpHeader): boolean {
  return h.stratum === 0 && h.leap === 3;
}

function bounded<K, V>(m: Map<K, V>, max: number): void {
  while (m.size > max) m.delete(m.keys().next().value as K);
}

/** Pairs a stream of {@link NtpWireRecord}s into exchanges; push() returns what each record completed. */
export class NtpPairer {
  private readonly points = new Map<string, PointState>();
  private readonly c = emptyCounts();
  private readonly timeout: bigint;
  private readonly hold: bigint;
  private readonly memory: number;
  private readonly content: boolean;
  private latest: bigint | undefined;
  private lastSweep: bigint | undefined;

  constructor(opts: NtpPairOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `NtpPairer: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
    this.timeout = nsOption(opts.requestTimeoutNs, 'requestTimeoutNs') ?? 10n * SEC;
    this.hold = nsOption(opts.holdNs, 'holdNs') ?? 2n * SEC;
    if (opts.memory !== undefined && (!Number.isInteger(opts.memory) || opts.memory < 1)) {
      throw invalidArg('ERR_OUT_OF_RANGE', `NtpPairer: memory must be a positive integer, got ${String(opts.memory)}`, RangeError);
    }
    this.memory = opts.memory ?? 4096;
    this.content = opts.byContent ?? false;
  }

  /** The key of a request's ends (a response's ends reversed); nothing when pairing by content. */
  private ends(from: NtpEndpoint, to: NtpEndpoint): string {
    return this.content ? '*' : `${ep(from)}|${ep(to)}`;
  }

  /** Counts so far. */
  counts(): NtpPairCounts {
    return { ...this.c, unpaired: { ...this.c.unpaired } };
  }

  /** Feeds one record; returns the exchanges and unpaired packets it settled (possibly older ones). */
  push(rec: NtpWireRecord): NtpPairEvent[] {
    checkRecord(rec);
    const out: NtpPairEvent[] = [];
    this.c.records++;
    if (rec.timeNs !== undefined && (this.latest === undefined || rec.timeNs > this.latest)) this.latest = rec.timeNs;
    const st = this.state(rec.point ?? '');
    const h = rec.ntp;
    if (h.mode === 3) this.request(st, rec, out);
    else if (h.mode === 4) this.response(st, rec, out);
    else if (h.mode === 1 || h.mode === 2) out.push(this.unpaired(rec, 'symmetric'));
    else if (h.mode === 5) out.push(this.unpaired(rec, 'broadcast'));
    this.sweep(out, false);
    return out;
  }

  /** End of input: every request still waiting is unanswered, every held response settled. */
  flush(): NtpPairEvent[] {
    const out: NtpPairEvent[] = [];
    this.sweep(out, true);
    return out;
  }

  private state(point: string): PointState {
    let s = this.points.get(point);
    if (!s) {
      s = { requests: new Map(), byReceive: new Map(), responses: new Map(), pairs: new Map(), held: new Map() };
      this.points.set(point, s);
    }
    return s;
  }

  private request(st: PointState, rec: NtpWireRecord, out: NtpPairEvent[]): void {
    const h = rec.ntp;
    this.c.requests++;
    if (h.transmitTimestamp.raw === 0n) {
      out.push(this.unpaired(rec, 'zero-transmit'));
      return;
    }
    const ends = this.ends(rec.src, rec.dst);
    const key = `${ends}|${h.transmitTimestamp.raw}`;
    const prev = st.requests.get(key);
    if (prev) {
      this.copyOrDuplicate(prev, rec, 'duplicate-request', out);
      return;
    }
    const p: Pending = { rec, dirs: new Set([dirOf(rec)]), answered: false };
    st.requests.set(key, p);
    if (h.receiveTimestamp.raw !== 0n && h.originTimestamp.raw !== 0n) st.byReceive.set(`${ends}|${h.receiveTimestamp.raw}`, p);
    // A response that came first (reordered or merged input) waits in `held`.
    const back = `${ends}|`;
    for (const [field, mode] of [[h.transmitTimestamp.raw, 'basic'], [h.receiveTimestamp.raw, 'interleaved']] as const) {
      if (field === 0n || (mode === 'interleaved' && h.originTimestamp.raw === 0n)) continue;
      const hk = back + field;
      const held = st.held.get(hk);
      if (held && !held.req) {
        st.held.delete(hk);
        this.answer(st, p, held.rec, mode, out);
        return;
      }
    }
  }

  private response(st: PointState, rec: NtpWireRecord, out: NtpPairEvent[]): void {
    const h = rec.ntp;
    this.c.responses++;
    const back = this.ends(rec.dst, rec.src);
    const rkey = `${back}|${h.originTimestamp.raw}|${h.transmitTimestamp.raw}`;
    const seen = st.responses.get(rkey);
    if (seen) {
      // The incoming copy of a response held for it replaces the outgoing copy's time.
      const held = st.held.get(`${back}|${h.originTimestamp.raw}`);
      if (held && held.req && !held.dirs.has(dirOf(rec)) && rec.direction === 'in') {
        st.held.delete(`${back}|${h.originTimestamp.raw}`);
        seen.dirs.add('in');
        this.c.copies++;
        this.settle(st, held.req, rec, held.mode ?? 'basic', out);
        return;
      }
      this.copyOrDuplicate(seen, rec, 'duplicate-response', out);
      return;
    }
    st.responses.set(rkey, { rec, dirs: new Set([dirOf(rec)]) });
    bounded(st.responses, this.memory);
    if (h.originTimestamp.raw === 0n) {
      out.push(this.unpaired(rec, isKod(h) ? 'kiss-o-death' : 'zero-origin'));
      return;
    }
    const basic = st.requests.get(`${back}|${h.originTimestamp.raw}`);
    const inter = basic ? undefined : st.byReceive.get(`${back}|${h.originTimestamp.raw}`);
    const req = basic ?? inter;
    if (!req || req.answered) {
      if (isKod(h)) out.push(this.unpaired(rec, 'kiss-o-death'));
      else st.held.set(`${back}|${h.originTimestamp.raw}`, { rec, dirs: new Set([dirOf(rec)]), since: rec.timeNs ?? this.latest ?? 0n });
      return;
    }
    this.answer(st, req, rec, basic ? 'basic' : 'interleaved', out);
  }

  /** A request and its response: KoD, wait for the incoming copy on lo, or settle now. */
  private answer(st: PointState, req: Pending, resp: NtpWireRecord, mode: NtpExchangeMode, out: NtpPairEvent[]): void {
    req.answered = true;
    if (isKod(resp.ntp)) {
      out.push(this.unpaired(resp, 'kiss-o-death'));
      return;
    }
    if (resp.direction === 'out' && req.dirs.has('out')) {
      // Client and server on this host (lo): T4 is the incoming copy's time; wait for it.
      const k = `${this.ends(resp.dst, resp.src)}|${resp.ntp.originTimestamp.raw}`;
      st.held.set(k, { rec: resp, dirs: new Set(['out']), req, mode, since: resp.timeNs ?? this.latest ?? 0n });
      return;
    }
    this.settle(st, req, resp, mode, out);
  }

  private settle(st: PointState, req: Pending, resp: NtpWireRecord, mode: NtpExchangeMode, out: NtpPairEvent[]): void {
    // chrony opens a new client socket (port) per request: the previous exchange is found by
    // client address, server and the server's receive field, not by the client port.
    const ends = this.content ? '*' : `${req.rec.src.address}|${ep(req.rec.dst)}`;
    const pair: DonePair = { req: req.rec, resp };
    st.pairs.set(`${ends}|${resp.ntp.receiveTimestamp.raw}`, pair);
    bounded(st.pairs, this.memory);
    if (mode === 'basic') {
      out.push(this.exchange(req.rec, resp, resp, 'basic'));
      return;
    }
    // Interleaved: this response's transmit field is the TX stamp of the previous response,
    // whose receive field the request carried in its origin field.
    const prev = st.pairs.get(`${ends}|${req.rec.ntp.originTimestamp.raw}`);
    if (!prev || prev === pair) {
      out.push(this.unpaired(resp, 'interleaved-without-previous'));
      return;
    }
    out.push(this.exchange(prev.req, prev.resp, resp, 'interleaved'));
  }

  private exchange(req: NtpWireRecord, resp: NtpWireRecord, t3From: NtpWireRecord, mode: NtpExchangeMode): NtpExchange | NtpUnpaired {
    const t2 = resp.ntp.receiveTimestamp.ns;
    const t3 = t3From.ntp.transmitTimestamp.ns;
    const t4 = resp.timeNs;
    if (t2 === null || t3 === null || t4 === undefined) return this.unpaired(resp, 'no-timestamp');
    let t1 = req.timeNs;
    let s1: NtpTimeSource = req.timeSource ?? 'user';
    if (t1 === undefined) {
      t1 = req.ntp.transmitTimestamp.ns ?? 0n;
      s1 = 'packet';
    }
    const x: NtpExchange = {
      type: 'exchange',
      point: resp.point ?? '',
      mode,
      client: req.src,
      server: this.content ? resp.src : req.dst,
      t1Ns: t1,
      t2Ns: t2,
      t3Ns: t3,
      t4Ns: t4,
      offsetNs: ntpOffsetNs(t1, t2, t3, t4),
      delayNs: ntpDelayNs(t1, t2, t3, t4),
      sources: { t1: s1, t4: resp.timeSource ?? 'user' },
      requestTransmitRaw: req.ntp.transmitTimestamp.raw,
      responseReceiveRaw: resp.ntp.receiveTimestamp.raw,
      responseTransmitRaw: t3From.ntp.transmitTimestamp.raw,
      stratum: resp.ntp.stratum,
      referenceIdText: resp.ntp.referenceIdText,
    };
    const d = t4 - t1;
    if (s1 === 'packet' && (d > COOKIE_LIMIT_NS || d < -COOKIE_LIMIT_NS)) x.t1Cookie = true;
    if (req.srcIA !== undefined) x.clientIA = req.srcIA;
    if (req.dstIA !== undefined) x.serverIA = req.dstIA;
    if (s1 !== 'packet' && req.direction !== undefined) x.t1Copy = req.direction;
    if (resp.direction !== undefined) x.t4Copy = resp.direction;
    if (req.frame !== undefined) x.requestFrame = req.frame;
    if (resp.frame !== undefined) x.responseFrame = resp.frame;
    if (mode === 'interleaved' && t3From.frame !== undefined) x.t3Frame = t3From.frame;
    this.c.exchanges++;
    if (mode === 'interleaved') this.c.interleaved++;
    return x;
  }

  private copyOrDuplicate(seen: Seen, rec: NtpWireRecord, reason: NtpUnpairedReason, out: NtpPairEvent[]): void {
    const d = dirOf(rec);
    if (rec.direction !== undefined && !seen.dirs.has(d) && !seen.dirs.has('?')) {
      seen.dirs.add(d);
      this.c.copies++;
      return;
    }
    out.push(this.unpaired(rec, reason));
  }

  private unpaired(rec: NtpWireRecord, reason: NtpUnpairedReason): NtpUnpaired {
    this.c.unpaired[reason]++;
    const u: NtpUnpaired = { type: 'unpaired', point: rec.point ?? '', reason, mode: rec.ntp.mode, src: rec.src, dst: rec.dst };
    if (rec.timeNs !== undefined) u.timeNs = rec.timeNs;
    if (rec.frame !== undefined) u.frame = rec.frame;
    if (reason === 'kiss-o-death') u.kissCode = rec.ntp.referenceIdText;
    return u;
  }

  /** Expires waiting requests and held responses by record time (all of them when `all`). */
  private sweep(out: NtpPairEvent[], all: boolean): void {
    const now = this.latest;
    if (!all) {
      if (now === undefined) return;
      if (this.lastSweep !== undefined && now - this.lastSweep < this.hold / 4n) return;
    }
    this.lastSweep = now;
    for (const st of this.points.values()) {
      for (const [k, h] of st.held) {
        if (!all && now !== undefined && now - h.since < this.hold) continue;
        st.held.delete(k);
        if (h.req) this.settle(st, h.req, h.rec, h.mode ?? 'basic', out);
        else out.push(this.unpaired(h.rec, 'unmatched-response'));
      }
      for (const [k, p] of st.requests) {
        const t = p.rec.timeNs;
        if (!all && (now === undefined || t === undefined || now - t < this.timeout)) continue;
        st.requests.delete(k);
        if (!p.answered) out.push(this.unpaired(p.rec, 'unanswered-request'));
      }
      for (const [k, p] of st.byReceive) if (!st.requests.has(`${this.ends(p.rec.src, p.rec.dst)}|${p.rec.ntp.transmitTimestamp.raw}`)) st.byReceive.delete(k);
    }
  }
}

function nsOption(v: unknown, name: string): bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'bigint') throw invalidArg('ERR_INVALID_ARG_TYPE', `NtpPairer: ${name} must be a bigint (ns), got ${typeof v}`);
  if (v < 0n) throw invalidArg('ERR_OUT_OF_RANGE', `NtpPairer: ${name} must not be negative, got ${v}`, RangeError);
  return v;
}

const isEndpoint = (e: unknown): boolean =>
  e !== null && typeof e === 'object' && typeof (e as { address?: unknown }).address === 'string' && Number.isInteger((e as { port?: unknown }).port);

/** What push() reads, checked up front: a bad record is a clear TypeError, not a crash mid-pairing. */
function checkRecord(rec: unknown): void {
  const what = (m: string) => invalidArg('ERR_INVALID_ARG_TYPE', `NtpPairer.push: ${m}`);
  if (rec === null || typeof rec !== 'object') throw what(`a record must be an object, got ${rec === null ? 'null' : typeof rec}`);
  const r = rec as Partial<NtpWireRecord>;
  if (!isEndpoint(r.src) || !isEndpoint(r.dst)) throw what('src and dst must be { address: string, port: integer }');
  const h = r.ntp as Partial<NtpHeader> | undefined;
  if (!h || typeof h !== 'object' || !Number.isInteger(h.mode) || !h.originTimestamp || !h.transmitTimestamp || !h.receiveTimestamp) {
    throw what('ntp must be a decoded NTP header (decodeNtp(...) with mode, origin/receive/transmit timestamps)');
  }
  if (r.timeNs !== undefined && typeof r.timeNs !== 'bigint') throw what(`timeNs must be a bigint (ns), got ${typeof r.timeNs}`);
}

/** Pairs records from any source (taps, captures, files) in one go: the exchanges, what stayed unpaired, and the counts. */
export function pairNtpRecords(records: Iterable<NtpWireRecord>, opts: NtpPairOptions = {}): { events: NtpPairEvent[]; counts: NtpPairCounts } {
  const p = new NtpPairer(opts);
  const events: NtpPairEvent[] = [];
  for (const r of records) events.push(...p.push(r));
  events.push(...p.flush());
  return { events, counts: p.counts() };
}
