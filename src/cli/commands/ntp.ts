// disptap ntp: NTP exchanges on the wire. Sources as in the rest of the CLI — bound taps, passive
// capture (ntp-live.ts), the relay (ntp-relay.ts), all three through one Session; pcapng/pcap
// files — become NtpWireRecords (src/ntp/records.ts), are paired per point (src/ntp/pair.ts),
// joined across points (segments.ts) and set beside chrony's log when given.
import fs from 'node:fs';
import path from 'node:path';
import type { Histogram, Registry } from 'prom-client';
import { prom } from '../pipeline/prom.js';
import { readPcapng, dissectUdp, parseMetaComment, type PcapngFile } from '../../pcapng/index.js';
import { NtpPairer } from '../../ntp/pair.js';
import { NtpSegmentJoiner } from '../../ntp/segments.js';
import { ChronyMatcher, parseChronyMeasurements } from '../../ntp/chrony-log.js';
import { ntpRecordFromUdp } from '../../ntp/records.js';
import type { NtpPairEvent, NtpWireRecord } from '../../ntp/types.js';
import { ipPayload } from './decode.js';
import { CliError, MAX_SIZE_PASSIVE, UsageError, oneLine } from '../errors.js';
import { Metrics, parseMetricsAddress, serveMetrics, type MetricsServer } from '../pipeline/metrics.js';
import type { SummaryRecord } from '../pipeline/record.js';
import { RELAY_VIEW, nowNs, startNtpRelay } from './ntp-relay.js';
import { checkLiveArgs, ntpSession, startNtpLive } from './ntp-live.js';
import type { Session } from '../pipeline/session.js';
import { checkTimestampMode } from '../sources/watch.js';
import {
  exchangeJson, exchangeLine, segmentJson, segmentLine, sessionSummaryLines, summaryJson, summaryText, unpairedJson, unpairedLine, type NtpSummaryInput,
} from './ntp-format.js';

/** `disptap ntp` options as commander parses them. */
export interface NtpCli {
  bind?: string[];
  listen?: string;
  to?: string;
  write?: string;
  passive?: boolean;
  iface?: string;
  port?: string[];
  direction?: string;
  snapLength?: number;
  file?: string[];
  point?: string[];
  json?: boolean;
  metrics?: string | true;
  filter?: string[];
  quiet?: boolean;
  count?: number;
  duration?: number;
  chronyLog?: string;
  byContent?: boolean;
  timestamps: string;
  color?: boolean;
  /** SO_RCVBUF of the live sockets (taps, relay, capture). */
  rcvbuf?: number;
  /** Receive slot per datagram of bound sockets (taps, relay). */
  maxSize?: number;
}

interface FileSource {
  name: string;
  file: string;
  /** Written by a relay (`disptap relay`, `ntp --listen`): its two sockets see request and response with different addresses. */
  relay?: boolean;
}

/** --point NAME=FILE and positional/--file FILEs; several files are several points, named by file name. */
export function fileSources(files: readonly string[], points: readonly string[]): FileSource[] {
  const out: FileSource[] = [];
  for (const p of points) {
    const m = /^([^=]+)=(.+)$/.exec(p);
    if (!m) throw new UsageError(`--point wants NAME=FILE (e.g. --point nic=nic.pcap), not '${p}'`);
    out.push({ name: m[1]!, file: m[2]! });
  }
  const named = files.length + out.length > 1;
  for (const f of files) out.push({ name: named ? path.basename(f).replace(/\.(pcapng|pcap)$/, '') : '', file: f });
  const names = out.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new UsageError(`two capture points have the same name: ${names.join(', ')} (use --point NAME=FILE)`);
  return out;
}

/** The NTP packets of a pcapng/pcap capture, with its timestamps and (pcapng) directions. */
export function recordsOfCapture(cap: PcapngFile, point: string): { records: NtpWireRecord[]; other: number } {
  const records: NtpWireRecord[] = [];
  let other = 0;
  cap.packets.forEach((p, i) => {
    const ip = ipPayload(cap.interfaces[p.interfaceId]?.linkType ?? 101, p.data);
    const udp = ip ? dissectUdp(ip) : null;
    const meta = parseMetaComment(p.comments) ?? {};
    const dirBits = p.flags === null ? 0 : p.flags & 3;
    const rec = udp
      ? ntpRecordFromUdp({
          src: udp.src,
          dst: udp.dst,
          payload: udp.payload,
          point,
          frame: i + 1,
          ...(p.timestampNs === null ? {} : { timeNs: p.timestampNs, timeSource: meta.ts === 'hardware' ? 'hardware' : meta.ts === 'user' ? 'user' : 'kernel' }),
          ...(dirBits === 1 ? { direction: 'in' } : dirBits === 2 ? { direction: 'out' } : {}),
        })
      : null;
    if (rec) records.push(rec);
    else other++;
  });
  return { records, other };
}

function readFile(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${oneLine(e)}`);
  }
}

type Histograms = { offset: Histogram<'point'>; delay: Histogram<'point'>; seg: Histogram<'segment' | 'direction'> };

function histograms(registry: Registry): Histograms {
  const { Histogram } = prom();
  const b = [-1e-3, -1e-4, -2.5e-5, -1e-5, -2.5e-6, -1e-6, 0, 1e-6, 2.5e-6, 1e-5, 2.5e-5, 1e-4, 1e-3];
  const d = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.1, 1];
  return {
    offset: new Histogram({ name: 'disptap_ntp_offset_seconds', help: 'NTP offset θ of each exchange from the stamps seen on the wire', labelNames: ['point'], buckets: b, registers: [registry] }),
    delay: new Histogram({ name: 'disptap_ntp_delay_seconds', help: 'NTP delay δ of each exchange from the stamps seen on the wire', labelNames: ['point'], buckets: d, registers: [registry] }),
    seg: new Histogram({ name: 'disptap_ntp_segment_seconds', help: 'Time between two capture points, per direction', labelNames: ['segment', 'direction'], buckets: d, registers: [registry] }),
  };
}

/** --listen/--to: both or neither, and not with the other live sources. */
function checkRelayArgs(o: NtpCli): void {
  if (o.listen === undefined && o.to === undefined) return;
  if (o.listen === undefined || o.to === undefined) throw new UsageError(`${o.listen === undefined ? '--listen' : '--to'} is required: the relay takes --listen ADDR:PORT and --to ADDR:PORT`);
  if (o.bind?.length || o.passive) throw new UsageError('--listen/--to runs a relay: watch it, not --bind or --passive as well');
}

export async function runNtp(o: NtpCli, positional: readonly string[]): Promise<number> {
  const files = fileSources([...(o.file ?? []), ...positional], o.point ?? []);
  checkRelayArgs(o);
  const relaying = o.listen !== undefined;
  const live = (o.bind?.length ?? 0) > 0 || o.passive === true || relaying;
  if (live && files.length) throw new UsageError('read files or watch live traffic (--bind/--passive/--listen), not both');
  if (!live && !files.length) throw new UsageError('give a capture file (pcapng/pcap), --point NAME=FILE, --bind ADDR:PORT, --listen ADDR:PORT --to ADDR:PORT or --passive --iface IF --port 123');
  if (o.bind?.length && o.passive) throw new UsageError('--bind and --passive are two ways of watching: pick one');
  if (!live && o.write !== undefined) throw new UsageError('--write keeps live traffic (--bind, --passive or --listen); a capture file is one already');
  if (!live && o.filter?.length) throw new UsageError('-f filters live traffic (--bind, --passive or --listen); to pair part of a capture file, cut it first (e.g. tshark -Y … -w part.pcapng)');
  if (!live && (o.rcvbuf !== undefined || o.maxSize !== undefined)) throw new UsageError('--rcvbuf and --max-size size live sockets (--bind, --passive or --listen); a capture file has none');
  if (o.passive && o.maxSize !== undefined) throw new UsageError(MAX_SIZE_PASSIVE);
  const timestamps = checkTimestampMode(o.timestamps);
  if (live && !relaying) checkLiveArgs({ ...o, timestamps });

  const caps = files.map((f) => {
    const cap = readPcapng(readFile(f.file));
    if (cap.format === 'unknown') throw new CliError(`${f.file} is not a pcapng or pcap capture`);
    // Written by a relay (`disptap relay -w`, `disptap ntp --listen … -w`) or by bound taps
    // (`disptap ntp --bind … -w`): both see request and response arriving: pair by content.
    if (cap.sections.some((x) => x.comments.some((c) => /^disptap (relay\b|ntp\b.*\s(--listen|-l|--bind|-b)(\s|=|$))/.test(c)))) f.relay = true;
    return cap;
  });

  let matcher: ChronyMatcher | undefined;
  if (o.chronyLog) {
    const { measurements, skipped } = parseChronyMeasurements(Buffer.from(readFile(o.chronyLog)).toString('utf8'));
    if (measurements.length === 0) throw new CliError(`${o.chronyLog}: no measurements (is it chrony's measurements.log?)`);
    if (skipped) process.stderr.write(`disptap ntp: ${o.chronyLog}: skipped ${skipped} lines that are not measurements\n`);
    matcher = new ChronyMatcher(measurements);
  }
  // Bound taps and the relay see only what arrives: requests from clients, responses from
  // servers, on different sockets — pair those by content alone.
  const pairer = new NtpPairer({ byContent: (o.bind?.length ?? 0) > 0 || relaying || o.byContent === true || files.some((f) => f.relay) });
  const joiner = new NtpSegmentJoiner();
  const summary: NtpSummaryInput = { counts: pairer.counts(), offsets: [], delays: [], segments: [] };
  const chrony = matcher ? { matched: 0, unmatched: 0, offsetDiffs: [] as bigint[], delayDiffs: [] as bigint[] } : undefined;
  if (chrony) summary.chrony = chrony;

  // Every live source runs in a Session (the one of `disptap watch`/`relay`): its output writer keeps
  // our lines in order with its own records, and its metrics server serves our histograms beside
  // its packet counters.
  const session: Session | undefined = live ? ntpSession({ ...o, timestamps }) : undefined;
  const write = session ? (line: string) => session.out.out(line) : (line: string) => void process.stdout.write(`${line}\n`);
  // --quiet: no line per exchange, unpaired packet or segment; the summary (and the metrics) only.
  const emit = o.quiet ? () => {} : write;
  let metricsServer: MetricsServer | undefined;
  let hist: Histograms | undefined;
  if (session?.metrics) hist = histograms(session.metrics.registry);
  else if (o.metrics !== undefined) {
    const m = new Metrics(false);
    hist = histograms(m.registry);
    metricsServer = await serveMetrics(m, parseMetricsAddress(o.metrics), (l) => process.stderr.write(`disptap ntp: ${l}\n`));
    process.stderr.write(`disptap ntp: metrics on http://${metricsServer.address}/metrics\n`);
  }

  let stop: () => void = () => {};
  let code = 0;
  let relayed: { listen: string; target: string } | undefined;
  let counts: SummaryRecord | undefined;
  const show = (events: NtpPairEvent[]) => {
    for (const e of events) {
      if (e.type === 'unpaired') {
        emit(o.json ? JSON.stringify(unpairedJson(e, nowNs())) : unpairedLine(e));
        continue;
      }
      const cmp = matcher ? matcher.match(e) : null;
      if (chrony) {
        if (cmp) {
          chrony.matched++;
          chrony.offsetDiffs.push(cmp.offsetDiffNs);
          chrony.delayDiffs.push(cmp.delayDiffNs);
        } else chrony.unmatched++;
      }
      if (!e.t1Cookie) {
        summary.offsets.push(e.offsetNs);
        summary.delays.push(e.delayNs);
        hist?.offset.observe({ point: e.point }, Number(e.offsetNs) / 1e9);
        hist?.delay.observe({ point: e.point }, Number(e.delayNs) / 1e9);
      }
      emit(o.json ? JSON.stringify(exchangeJson(e, cmp)) : exchangeLine(e, cmp));
      const seg = joiner.add(e);
      if (seg) {
        emit(o.json ? JSON.stringify(segmentJson(seg)) : segmentLine(seg));
        const name = `${seg.upstream}>${seg.downstream}`;
        hist?.seg.observe({ segment: name, direction: 'request' }, Number(seg.requestNs) / 1e9);
        hist?.seg.observe({ segment: name, direction: 'response' }, Number(seg.responseNs) / 1e9);
      }
      if (o.count !== undefined && pairer.counts().exchanges >= o.count) stop();
    }
  };

  if (!live) {
    for (const [i, f] of files.entries()) {
      const cap = caps[i]!;
      for (const e of cap.errors) process.stderr.write(`disptap ntp: ${f.file}: damaged at byte ${e.offset}: ${e.code} ${e.message}\n`);
      const { records } = recordsOfCapture(cap, f.name);
      let stopped = false;
      stop = () => (stopped = true);
      for (const r of records) {
        show(pairer.push(r));
        if (stopped) break;
      }
      if (stopped) break;
    }
  } else if (session) {
    stop = () => void session.stop('count');
    session.onSummary((s) => (counts = s));
    const push = (r: NtpWireRecord) => show(pairer.push(r));
    if (relaying) relayed = await startNtpRelay(session, { ...o, listen: o.listen!, to: o.to!, timestamps, recvBuffer: o.rcvbuf }, push);
    else await startNtpLive(session, { ...o, timestamps }, push);
    code = await session.done;
  }
  show(pairer.flush());
  summary.counts = pairer.counts();
  summary.segments = joiner.summary();
  if (counts) summary.session = counts;
  if (relayed && counts) summary.relay = { listen: relayed.listen, target: relayed.target, counts };
  if (o.json) write(JSON.stringify(summaryJson(summary, nowNs())));
  else {
    await session?.out.stdout.end();
    for (const l of summaryText(summary)) process.stderr.write(`${l}\n`);
    if (session && counts) {
      if (relayed) process.stderr.write(`${RELAY_VIEW}\n`);
      for (const l of sessionSummaryLines(session.out.e, counts, (o.filter?.length ?? 0) > 0)) process.stderr.write(`${l}\n`);
    }
  }
  await metricsServer?.close();
  return code;
}
