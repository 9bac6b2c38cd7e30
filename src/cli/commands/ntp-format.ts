// `disptap ntp` output: one text line or NDJSON record per exchange, unpaired packet and segment,
// and the summary (p50/p99 of offset and delay, what stayed unpaired, the two-point answer).
// Every record has the common envelope of schema/watch-record.v1.json (v, time, host, type).
import { formatEndpoint } from '../bind-spec.js';
import type { Colors } from '../pipeline/format.js';
import { summaryText as sessionSummaryText } from '../pipeline/output.js';
import { base, type SummaryRecord } from '../pipeline/record.js';
import { nsToIso } from '../../sys/time.js';
import { percentileNs } from '../../ntp/exchange.js';
import type { ChronyComparison } from '../../ntp/chrony-log.js';
import type { NtpSegment, NtpSegmentSummary } from '../../ntp/segments.js';
import type { NtpExchange, NtpPairCounts, NtpUnpaired } from '../../ntp/types.js';

/** ns as µs text with 3 decimals, signed when asked ("+1.250"). */
export function us(ns: bigint, signed = false): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const s = `${a / 1000n}.${(a % 1000n).toString().padStart(3, '0')}`;
  return neg ? `-${s}` : signed ? `+${s}` : s;
}

const epText = (e: { address: string; port: number }) => formatEndpoint(e);

export function exchangeLine(x: NtpExchange, cmp: ChronyComparison | null): string {
  const where = x.point ? `[${x.point}] ` : '';
  const ia = x.clientIA ? ` (${x.clientIA} > ${x.serverIA})` : '';
  const nums = x.t1Cookie
    ? 'offset ?  delay ?  (T1 is a random transmit cookie and no kernel stamp of the request was seen)'
    : `offset ${us(x.offsetNs, true)} µs  delay ${us(x.delayNs)} µs`;
  let line = `${nsToIso(x.t4Ns)} ${where}${epText(x.client)} > ${epText(x.server)}${ia} ${x.mode === 'interleaved' ? 'I' : 'B'}  ${nums}  T1 ${x.sources.t1}${x.t1Copy ? `/${x.t1Copy}` : ''} T4 ${x.sources.t4}${x.t4Copy ? `/${x.t4Copy}` : ''}`;
  if (cmp) {
    const c = cmp.chrony;
    line += `  | chrony ${c.txSource}${c.rxSource}: offset ${us(c.offsetNs, true)} delay ${us(c.delayNs)}  Δoffset ${us(cmp.offsetDiffNs, true)} Δdelay ${us(cmp.delayDiffNs, true)}`;
  }
  return line;
}

export function exchangeJson(x: NtpExchange, cmp: ChronyComparison | null): Record<string, unknown> {
  const r: Record<string, unknown> = {
    // time: when the exchange completed at this point (T4).
    ...base(nsToIso(x.t4Ns)),
    type: 'exchange',
    point: x.point,
    mode: x.mode,
    client: epText(x.client),
    server: epText(x.server),
    ...(x.clientIA ? { clientIA: x.clientIA, serverIA: x.serverIA } : {}),
    t1Ns: String(x.t1Ns),
    t2Ns: String(x.t2Ns),
    t3Ns: String(x.t3Ns),
    t4Ns: String(x.t4Ns),
    offsetNs: String(x.offsetNs),
    delayNs: String(x.delayNs),
    // T2/T3 are always the server's fields; interleaved T3 is its TX stamp of the previous response.
    sources: { t1: x.sources.t1, t2: 'packet', t3: 'packet', t4: x.sources.t4 },
    stratum: x.stratum,
    refid: x.referenceIdText,
    // The request's transmit field (Wireshark's ntp.xmt), to find the exchange in other tools.
    requestTransmit: x.requestTransmitRaw.toString(16).padStart(16, '0'),
  };
  if (x.t1Cookie) r.t1Cookie = true;
  if (x.t1Copy) r.t1Copy = x.t1Copy;
  if (x.t4Copy) r.t4Copy = x.t4Copy;
  if (x.requestFrame !== undefined) r.requestFrame = x.requestFrame;
  if (x.responseFrame !== undefined) r.responseFrame = x.responseFrame;
  if (x.t3Frame !== undefined) r.t3Frame = x.t3Frame;
  if (cmp) {
    const c = cmp.chrony;
    r.chrony = {
      offsetNs: String(c.offsetNs), delayNs: String(c.delayNs), tx: c.txSource, rx: c.rxSource, interleaved: c.interleaved, line: c.line,
      offsetDiffNs: String(cmp.offsetDiffNs), delayDiffNs: String(cmp.delayDiffNs),
    };
  }
  return r;
}

export function unpairedLine(u: NtpUnpaired): string {
  const when = u.timeNs === undefined ? '-' : nsToIso(u.timeNs);
  const where = u.point ? `[${u.point}] ` : '';
  const kod = u.kissCode ? ` ${u.kissCode}` : '';
  return `${when} ${where}${epText(u.src)} > ${epText(u.dst)} mode ${u.mode} unpaired: ${u.reason}${kod}${u.frame === undefined ? '' : ` (frame ${u.frame})`}`;
}

/** `nowNs` is the record's time when the packet had no timestamp. */
export function unpairedJson(u: NtpUnpaired, nowNs: bigint): Record<string, unknown> {
  return {
    ...base(nsToIso(u.timeNs ?? nowNs)),
    type: 'unpaired', point: u.point, reason: u.reason, mode: u.mode, src: epText(u.src), dst: epText(u.dst),
    ...(u.timeNs === undefined ? {} : { timeNs: String(u.timeNs) }),
    ...(u.frame === undefined ? {} : { frame: u.frame }),
    ...(u.kissCode ? { kissCode: u.kissCode } : {}),
  };
}

export function segmentLine(s: NtpSegment): string {
  return `  ${s.upstream} → ${s.downstream}: request ${us(s.requestNs)} µs, response ${us(s.responseNs)} µs, offset bias ${us(s.biasNs, true)} µs`;
}

export function segmentJson(s: NtpSegment): Record<string, unknown> {
  const u = s.upstreamExchange;
  return {
    // time: when the response passed the upstream point, the later of the two.
    ...base(nsToIso(u.t4Ns)),
    type: 'segment', upstream: s.upstream, downstream: s.downstream, client: epText(u.client), server: epText(u.server),
    requestNs: String(s.requestNs), responseNs: String(s.responseNs), biasNs: String(s.biasNs),
    upstreamDelayNs: String(u.delayNs), downstreamDelayNs: String(s.downstreamExchange.delayNs),
  };
}

/** What the summary is made of. */
export interface NtpSummaryInput {
  counts: NtpPairCounts;
  offsets: bigint[];
  delays: bigint[];
  segments: NtpSegmentSummary[];
  chrony?: { matched: number; unmatched: number; offsetDiffs: bigint[]; delayDiffs: bigint[] };
  /** ntp --listen: the relay's part of the session summary, and what it means for the exchanges. */
  relay?: { listen: string; target: string; counts: SummaryRecord };
  /** Live sources: the Session's summary (every datagram received, -f or not; --write; kernel counters). */
  session?: SummaryRecord;
}

/**
 * The Session's counters in the ntp summary record: why and when it stopped, every datagram
 * received (packets … count them all; matched: those -f passed, the only ones paired), per socket,
 * the capture socket's kernel counters (--passive) and the --write capture.
 */
function sessionCountersJson(s: SummaryRecord): Record<string, unknown> {
  return {
    reason: s.reason, durationNs: s.durationNs,
    packets: s.packets, bytes: s.bytes, drops: s.drops, truncations: s.truncations, decodeErrors: s.decodeErrors, decodeErrorsByCode: s.decodeErrorsByCode,
    readDelay: s.readDelay, matched: s.matched, sockets: s.sockets,
    ...(s.capture ? { capture: s.capture } : {}),
    ...(s.write ? { write: s.write } : {}),
  };
}

/**
 * The Session's part of the text summary (after the ntp lines): its lines without the header, and
 * with -f how many datagrams took part in pairing (no datagram is "shown" by ntp).
 */
export function sessionSummaryLines(c: Colors, s: SummaryRecord, filtered: boolean): string[] {
  const lines = sessionSummaryText(c, { ...s, matched: s.packets }).slice(1);
  if (filtered) lines.splice(1, 0, `filter: ${s.matched} of ${s.packets} datagrams passed -f and took part in pairing`);
  return lines;
}

const pct = (v: bigint[], p: number) => {
  const x = percentileNs(v, p);
  return x === null ? null : String(x);
};

export function summaryJson(s: NtpSummaryInput, nowNs: bigint): Record<string, unknown> {
  const unpaired = Object.fromEntries(Object.entries(s.counts.unpaired).filter(([, n]) => n > 0));
  const relay = s.relay?.counts;
  return {
    ...base(nsToIso(nowNs)),
    type: 'summary',
    command: 'ntp',
    records: s.counts.records,
    exchanges: s.counts.exchanges,
    interleaved: s.counts.interleaved,
    copies: s.counts.copies,
    offset: { p50Ns: pct(s.offsets, 50), p99Ns: pct(s.offsets, 99) },
    delay: { minNs: pct(s.delays, 0), p50Ns: pct(s.delays, 50), p99Ns: pct(s.delays, 99) },
    unpaired,
    ...(s.session ? sessionCountersJson(s.session) : {}),
    segments: s.segments.map((g) => ({
      upstream: g.upstream, downstream: g.downstream, count: g.count, requestP50Ns: String(g.requestP50Ns), responseP50Ns: String(g.responseP50Ns),
      biasP50Ns: String(g.biasP50Ns), requestP99Ns: String(g.requestP99Ns), responseP99Ns: String(g.responseP99Ns),
    })),
    ...(s.chrony
      ? {
          chrony: {
            matched: s.chrony.matched, unmatched: s.chrony.unmatched,
            offsetDiffP50Ns: pct(s.chrony.offsetDiffs, 50), delayDiffP50Ns: pct(s.chrony.delayDiffs, 50),
            delayDiffMinNs: pct(s.chrony.delayDiffs, 0), delayDiffMaxNs: pct(s.chrony.delayDiffs, 100),
          },
        }
      : {}),
    ...(relay
      ? {
          // T1 and T4 are the kernel RX stamps of the request on the listen socket and of the response on the upstream one.
          relay: {
            listen: s.relay!.listen, target: s.relay!.target, t1: 'listen-rx', t4: 'upstream-rx',
            ...relay.relay!, packets: relay.packets, drops: relay.drops, truncations: relay.truncations,
          },
        }
      : {}),
  };
}

export function summaryText(s: NtpSummaryInput): string[] {
  const c = s.counts;
  const lines: string[] = [];
  const p = (v: bigint[], q: number) => {
    const x = percentileNs(v, q);
    return x === null ? '-' : us(x);
  };
  lines.push(`${c.exchanges} exchanges (${c.interleaved} interleaved) from ${c.records} NTP packets` + (c.copies ? `, ${c.copies} second copies (lo) used once` : ''));
  if (s.offsets.length) lines.push(`offset p50 ${p(s.offsets, 50)} µs  p99 ${p(s.offsets, 99)} µs;  delay min ${p(s.delays, 0)} µs  p50 ${p(s.delays, 50)} µs  p99 ${p(s.delays, 99)} µs`);
  const un = Object.entries(c.unpaired).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  if (un.length) lines.push(`unpaired: ${un.join(', ')}`);
  for (const g of s.segments) {
    lines.push(
      `between ${g.upstream} and ${g.downstream} (${g.count} exchanges, p50): requests held ${us(g.requestP50Ns)} µs and responses ${us(g.responseP50Ns)} µs: offset bias ${us(g.biasP50Ns, true)} µs`,
    );
  }
  if (s.chrony) {
    const k = s.chrony;
    lines.push(`chrony's log: ${k.matched} exchanges matched, ${k.unmatched} not; disptap − chrony p50: offset ${p(k.offsetDiffs, 50)} µs, delay ${p(k.delayDiffs, 50)} µs (delay range ${p(k.delayDiffs, 0)} … ${p(k.delayDiffs, 100)} µs)`);
  }
  return lines;
}
