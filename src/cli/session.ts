// The engine behind watch, relay and demo: every received datagram goes through decode → counters
// and metrics (all datagrams) → filter → capture (written before printing) → output, and the run
// ends on --count, --duration, SIGINT/SIGTERM or a closed stdout with the summary. All sockets feed
// one Session on the one event loop; there is no thread per socket.
import type { Endpoint } from './bind-spec.js';
import { UsageError, errorCode, oneLine } from './errors.js';
import { Capture } from './capture.js';
import { compileFilters, type FilterSubject, type Predicate } from './filter.js';
import { inspect, decodedJson, type Inspected } from './inspect.js';
import { Metrics, parseMetricsAddress, serveMetrics, type MetricsServer } from './metrics.js';
import { timestampOf, type Observation } from './observation.js';
import { Output, packetLine, summaryText } from './output.js';
import {
  HOST,
  base,
  countersJson,
  ns,
  type ConnectionRecord,
  type FrameRecord,
  type ListeningRecord,
  type PacketRecord,
  type SummaryRecord,
} from './record.js';
import { Stats } from './stats.js';
import { nsToIso } from '../sys/time.js';

export interface SessionOptions {
  command: string;
  json: boolean;
  color?: boolean;
  filter: readonly string[];
  count?: number;
  durationMs?: number;
  write?: string;
  /** --metrics value: true = default address. */
  metrics?: string | true;
  /** CLOCK_REALTIME in ns (the library's clock, so user-space stamps share the kernel's clock). */
  now: () => bigint;
}

export type StopReason = 'signal' | 'count' | 'duration' | 'end' | 'error' | 'stdout closed';

export class Session {
  readonly out: Output;
  readonly stats = new Stats();
  readonly metrics: Metrics | null;
  private readonly filter: Predicate | null;
  private capture: Capture | null = null;
  private captureErrors = 0;
  private readonly captureErrorCodes = new Set<string>();
  private metricsServer: MetricsServer | null = null;
  private seq = 0;
  private readonly startNs: bigint;
  private stopping = false;
  private exitCode = 0;
  private readonly closers: Array<() => void | Promise<void>> = [];
  private readonly extraSummary: Array<(s: SummaryRecord) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private resolveDone!: (code: number) => void;
  /** Settles with the exit code once the session has stopped and the summary is out. */
  readonly done: Promise<number>;
  private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];

  private readonly metricsAt: Endpoint | null;

  /** Checks every option (usage errors) before anything is bound or opened. */
  constructor(readonly opts: SessionOptions) {
    this.out = new Output({ json: opts.json, color: opts.color, prefix: `disptap ${opts.command}` });
    this.filter = compileFilters(opts.filter);
    this.metricsAt = opts.metrics !== undefined ? parseMetricsAddress(opts.metrics) : null;
    this.metrics = this.metricsAt ? new Metrics() : null;
    this.startNs = opts.now();
    this.done = new Promise((r) => (this.resolveDone = r));
    if (opts.count !== undefined && opts.count < 1) throw new UsageError('--count must be at least 1');
  }

  /** Opens the capture and the metrics endpoint, installs the signal handlers and the timer. */
  async start(): Promise<void> {
    if (this.opts.write !== undefined) {
      this.capture = await Capture.open(this.opts.write, `disptap ${process.argv.slice(2).join(' ')}`);
    }
    if (this.metrics && this.metricsAt) {
      try {
        this.metricsServer = await serveMetrics(this.metrics, this.metricsAt, (l) => this.out.warn(l));
      } catch (e) {
        this.capture?.close();
        throw e;
      }
    }
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        // A second signal while the summary is being written: the user means it.
        if (this.stopping) process.exit(sig === 'SIGINT' ? 130 : 143);
        void this.stop('signal');
      };
      process.on(sig, h);
      this.signalHandlers.push([sig, h]);
    }
    this.out.whenClosed(() => void this.stop('stdout closed'));
    if (this.opts.durationMs !== undefined) this.timer = setTimeout(() => void this.stop('duration'), this.opts.durationMs);
  }

  /** Run on stop, in registration order (close sockets first so nothing arrives mid-summary). */
  onStop(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  /** Lets a command add its part (relay, send) to the summary record. */
  onSummary(fn: (s: SummaryRecord) => void): void {
    this.extraSummary.push(fn);
  }

  /** The `listening` record (stdout, JSON) or line (stderr, text): how tests learn bound ports. */
  listening(rec: Omit<ListeningRecord, 'v' | 'time' | 'host' | 'type' | 'command' | 'pid'>, text: string): void {
    const r: ListeningRecord = {
      ...base(nsToIso(this.opts.now())),
      type: 'listening',
      command: this.opts.command,
      pid: process.pid,
      ...rec,
    };
    if (this.metricsServer) r.metrics = this.metricsServer.address;
    if (this.capture) r.write = this.capture.path;
    if (this.opts.filter.length) r.filter = [...this.opts.filter];
    if (this.out.json) this.out.record(r);
    else {
      this.out.err(text);
      if (this.metricsServer) this.out.err(`metrics on http://${this.metricsServer.address}/metrics`);
      if (this.capture) this.out.err(`writing ${this.capture.path}`);
    }
  }

  /** A non-fatal problem: an `error` record in JSON mode, a line on stderr in text mode. */
  problem(message: string, code?: string): void {
    if (this.out.json) this.out.record({ ...base(nsToIso(this.opts.now())), type: 'error', ...(code ? { code } : {}), message });
    else this.out.err(`${this.out.e.red(`${this.out.prefix}:`)} ${message}`);
  }

  /**
   * A record that is not a datagram (a dispatcher registration, skipped garbage): printed as is in
   * JSON mode, as `text` on stdout otherwise; `subject` makes it subject to --filter.
   */
  event(record: FrameRecord | ConnectionRecord, text: string, subject?: FilterSubject): void {
    if (this.stopping) return;
    if (subject && this.filter && !this.filter(subject)) return;
    if (this.out.json) this.out.record(record);
    else this.out.out(text);
  }

  /** The whole per-datagram path. Returns the decoding when the datagram passed the filter. */
  observe(o: Observation): Inspected | null {
    if (this.stopping) return null;
    const srcPort = o.src.port;
    const dstPort = (o.dst ?? o.local).port;
    const insp = inspect(srcPort, dstPort, o.data, o.portMap);
    const counters = this.stats.socket(o.bind);
    const dropsDelta = counters.dropsDelta(o.drops);
    counters.observe(o.length, o.truncated, o.readDelayNs, insp.error?.code);
    if (this.metrics) {
      const l = { bind: o.bind, layer: insp.layer, direction: o.direction };
      const m = this.metrics;
      m.packets.inc(l);
      m.bytes.inc(l, o.length);
      if (dropsDelta > 0) m.drops.inc({ bind: o.bind }, dropsDelta);
      if (o.truncated) m.truncations.inc(l);
      if (insp.error) m.decodeErrors.inc({ ...l, code: insp.error.code });
      if (o.readDelayNs !== undefined && o.readDelayNs >= 0n) m.readDelay.observe(l, Number(o.readDelayNs) / 1e9);
    }
    if (this.filter) {
      const pass = this.filter({
        srcPort,
        dstPort,
        innerPorts: insp.innerPorts,
        layers: insp.layers,
        srcIA: insp.srcIA,
        dstIA: insp.dstIA,
        srcHost: insp.srcHost,
        dstHost: insp.dstHost,
        srcAddress: o.src.address,
        dstAddress: o.dst?.address ?? o.local.address,
        truncated: o.truncated,
        dropsDelta,
        errorCode: insp.error?.code,
      });
      if (!pass) return null;
    }
    this.stats.matched++;
    const ts = timestampOf(o, this.opts.now);
    let frame: number | undefined;
    if (this.capture) {
      // The host and socket travel with the packet: after `mergecap` of many hosts' captures
      // that is the only place left that says who saw it.
      const comments = [`${insp.layer}: ${insp.summary}`, `host ${HOST}, socket ${o.bind}, direction ${o.direction}`];
      if (o.direction !== 'in' && o.forwardedTo) comments.push(`relay ${o.direction}, forwarded to ${o.forwardedTo.address}:${o.forwardedTo.port}`);
      if (o.captureComments) comments.push(...o.captureComments);
      try {
        frame = this.capture.write(o, ts, comments);
      } catch (e) {
        this.captureErrors++;
        if (this.metrics) this.metrics.captureErrors.inc({ code: errorCode(e) ?? 'unknown' });
        // Say it once per kind: a full disk would otherwise print one line per datagram.
        const code = errorCode(e) ?? 'unknown';
        if (!this.captureErrorCodes.has(code)) {
          this.captureErrorCodes.add(code);
          this.problem(`cannot write ${this.capture.path}: ${oneLine(e)} (packets go on being shown; the capture misses them)`, code);
        }
      }
    }
    this.seq++;
    if (this.out.json) this.out.record(this.packetRecord(o, insp, ts, dropsDelta, frame));
    else this.out.out(packetLine(this.out.c, { o, insp, ts, dropsDelta }));
    if (this.opts.count !== undefined && this.stats.matched >= this.opts.count) void this.stop('count');
    return insp;
  }

  private packetRecord(o: Observation, insp: Inspected, ts: { ns: bigint; source: PacketRecord['tsSource'] }, dropsDelta: number, frame: number | undefined): PacketRecord {
    const r: PacketRecord = {
      ...base(nsToIso(ts.ns)),
      type: 'packet',
      seq: this.seq,
      tsNs: ts.ns.toString(),
      tsSource: ts.source,
      swTsNs: ns(o.swTsNs),
      hwTsNs: ns(o.hwTsNs),
      readAtNs: ns(o.readAtNs),
      readDelayNs: ns(o.readDelayNs),
      bind: o.fromFile ? undefined : o.bind,
      direction: o.direction,
      src: o.raw ? undefined : o.src,
      dst: o.raw ? undefined : o.dst ?? o.local,
      ifIndex: o.ifIndex,
      ifName: o.ifName,
      ttl: o.ttl,
      tos: o.tos,
      length: o.length,
      captured: o.data.length,
      truncated: o.truncated,
      controlTruncated: o.controlTruncated,
      msgFlags: o.msgFlags,
      drops: o.drops,
      dropsDelta,
      layer: insp.layer,
      layers: insp.layers,
      summary: insp.summary,
      srcIA: insp.srcIA,
      dstIA: insp.dstIA,
      decodeError: insp.error,
      decodeWarnings: insp.warnings.length ? insp.warnings : undefined,
      decoded: decodedJson(insp),
      frame: frame ?? o.frame,
      client: o.client,
      forwardedTo: o.forwardedTo,
      forwardError: o.forwardError,
      comments: o.comments?.length ? o.comments : undefined,
      ...o.extra,
    };
    return r;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Idempotent: closes sockets, the capture (fsync) and the metrics server, then the summary. */
  async stop(reason: StopReason): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (reason === 'error') this.exitCode = 1;
    if (this.timer) clearTimeout(this.timer);
    for (const fn of this.closers) {
      try {
        await fn();
      } catch (e) {
        this.problem(`while stopping: ${oneLine(e)}`, errorCode(e));
      }
    }
    if (this.capture) {
      try {
        this.capture.close();
      } catch (e) {
        this.problem(`closing ${this.capture.path}: ${oneLine(e)}`, errorCode(e));
        this.exitCode = 1;
      }
    }
    const s = this.summaryRecord(reason);
    for (const fn of this.extraSummary) fn(s);
    if (this.out.json) this.out.record(s);
    else for (const l of summaryText(this.out.e, s)) this.out.err(l);
    if (this.metricsServer) await this.metricsServer.close();
    for (const [sig, h] of this.signalHandlers) process.off(sig, h);
    // Keep handling signals until exit: a late SIGTERM must not kill us with the default action
    // after the summary is out.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});
    this.resolveDone(this.exitCode);
  }

  private summaryRecord(reason: StopReason): SummaryRecord {
    const now = this.opts.now();
    const total = this.stats.total();
    const s: SummaryRecord = {
      ...base(nsToIso(now)),
      type: 'summary',
      command: this.opts.command,
      reason,
      durationNs: (now - this.startNs).toString(),
      ...countersJson(total),
      matched: this.stats.matched,
      sockets: [...this.stats.sockets].map(([bind, c]) => ({ bind, ...countersJson(c.summary()) })),
    };
    if (this.capture) s.write = { path: this.capture.path, packets: this.capture.packets, errors: this.captureErrors };
    return s;
  }
}
