// The engine behind every command that receives: each datagram goes through counters and metrics
// (all datagrams) → filter → capture (written before printing) → the display queue → output, and
// the run ends on --count, --duration, SIGINT/SIGTERM or a closed stdout with the summary. Capture
// never waits for display: the display runs in slices between receive rounds and skips (and says
// so) what a slow stdout cannot take. All sockets feed one Session on the one event loop.
import type { Endpoint } from '../bind-spec.js';
import { UsageError, errorCode, oneLine } from '../errors.js';
import { Capture } from './capture.js';
import { compileFilters, type FilterSubject, type Predicate } from './filter.js';
import { filterSubject, inspect, type Inspected } from './inspect.js';
import { Metrics, parseMetricsAddress, serveMetrics, type MetricsServer } from './metrics.js';
import { timestampOf, type Observation } from './observation.js';
import { Output, packetLine, summaryText } from './output.js';
import { HOST, base, countersJson, type ConnectionRecord, type FrameRecord, type ListeningRecord, type SummaryRecord } from './record.js';
import { Stats } from './stats.js';
import { Display } from './display.js';
import type { BatchSocket } from './held-batch.js';
import { BatchIngest, type IngestHost } from './batch-ingest.js';
import { CaptureIngest } from './capture-ingest.js';
import type { CaptureBatchView } from '../../capture/batch.js';
import { packetJson } from './packet-json.js';
import { RateLine } from './rate-line.js';
import type { RxBatch } from '../../tap/rx/batch.js';
import { nsToIso } from '../../sys/time.js';

/** Default bound of the display queue: seconds of a burst of small datagrams. */
export const DEFAULT_QUEUE_BYTES = 256 * 1024 * 1024;

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
  /** --quiet: no line per datagram; a rate line every second and the summary. */
  quiet?: boolean;
  /** --queue-size: bytes of received datagrams that may wait for display (default 256 MiB). */
  queueBytes?: number;
  /** Show each datagram at once (decode of a file: nothing to drain). */
  direct?: boolean;
  /** --timestamps hardware: say so once when datagrams arrive without a hardware stamp. */
  expectHardware?: boolean;
  /**
   * false: the command shows its own results (`ntp --listen`): no line per datagram, no rate
   * line, and the summary record goes only to onSummary() listeners, not to the output.
   */
  display?: false;
}

/**
 * How long a stop by signal or --duration goes on reading what the kernel had queued: a burst that
 * arrived just before Ctrl-C belongs in the capture (a 256 MiB buffer of small datagrams is read in
 * well under this), while a sender that outruns the reader cannot hold the stop forever.
 */
export const DRAIN_MS = 1000;

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
  private readonly display: Display;
  private readonly quiet: boolean;
  private rateLine: RateLine | null = null;
  private readonly batches: BatchIngest;
  private readonly captureRounds: CaptureIngest;
  private hardwareChecked = false;
  private captureCorked = false;
  private readonly startNs: bigint;
  private stopping = false;
  private exitCode = 0;
  private readonly closers: Array<() => void | Promise<void>> = [];
  private readonly drainers: Array<(signal: AbortSignal) => Promise<void>> = [];
  /** Set while a stop reads what the kernel had queued; aborting it ends the reading. */
  private draining: AbortController | null = null;
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
    this.quiet = (opts.quiet ?? false) || opts.display === false;
    const now = opts.now;
    this.display = new Display(
      this.out,
      {
        show: (o, insp, dropsDelta, frame, seq) => {
          if (this.out.json) this.out.out(packetJson(o, insp, dropsDelta, frame, seq, now));
          else this.out.out(packetLine(this.out.c, { o, insp, ts: timestampOf(o, now), dropsDelta }));
        },
        skipped: (count) => {
          const what = `${count} packets not shown: the output could not keep up (they are counted${this.opts.write ? ', and in the capture file' : ''})`;
          if (this.out.json) this.out.record({ ...base(nsToIso(now())), type: 'skipped', count, message: what });
          else this.out.out(this.out.c.yellow(`--- ${what}`));
        },
        decodedLate: (o, insp) => {
          if (insp.error) this.stats.socket(o.bind).decodeError(insp.error.code);
        },
      },
      opts.queueBytes ?? DEFAULT_QUEUE_BYTES,
      opts.direct ?? false,
    );
    if (opts.count !== undefined && opts.count < 1) throw new UsageError('--count must be at least 1');
    const self = this;
    const host: IngestHost = {
      stats: this.stats,
      metrics: this.metrics,
      filter: this.filter,
      display: this.display,
      quiet: this.quiet,
      count: opts.count,
      captureForBatch(): Capture | null {
        if (self.capture && self.captureCorked) self.uncorkCapture();
        return self.capture;
      },
      captureFailed: (e, packets) => this.captureFailed(e, packets),
      firstDatagram: (has, label) => {
        if (!this.hardwareChecked && this.opts.expectHardware) this.checkHardware(has, label);
      },
      countReached: () => void this.stop('count'),
    };
    this.batches = new BatchIngest(host);
    this.captureRounds = new CaptureIngest(host);
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
    if (this.quiet && this.opts.display !== false) this.rateLine = new RateLine(this.out, this.stats, this.opts.now);
  }

  /**
   * Run when a signal or --duration stops the session, before the closers: a source reads what the
   * kernel had already queued (it arrived before the stop), until `signal` aborts. The session aborts
   * it after DRAIN_MS, or at a second signal, --count or a closed stdout.
   */
  onDrain(fn: (signal: AbortSignal) => Promise<void>): void {
    this.drainers.push(fn);
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
    this.display.event(record, text);
  }

  /**
   * The whole per-datagram path up to the display: counters, metrics, filter, capture; then the
   * datagram waits in the display queue for its line. Decodes here only when a filter or the
   * metrics need it (the display decodes the rest). Returns null when the datagram was not taken
   * (the filter said no, or the session is stopping), else its decoding when there was one, else
   * `true`.
   */
  observe(o: Observation): Inspected | true | null {
    if (this.stopping) return null;
    const srcPort = o.src.port;
    const dstPort = (o.dst ?? o.local).port;
    const insp = this.filter || this.metrics || this.display.isDirect ? inspect(srcPort, dstPort, o.data, o.portMap) : null;
    const counters = this.stats.socket(o.bind);
    const dropsDelta = counters.dropsDelta(o.drops);
    counters.observe(o.length, o.truncated, o.readDelayNs, insp?.error?.code);
    if (!this.hardwareChecked && this.opts.expectHardware) this.checkHardware(o.hwTsNs !== undefined, o.bind);
    if (this.metrics && insp) {
      const m = this.metrics;
      const delay = o.readDelayNs !== undefined ? Number(o.readDelayNs) / 1e9 : NaN;
      m.rx.series(o.bind, insp.layer, o.direction).add(o.length, o.truncated, insp.error?.code, delay);
      if (dropsDelta > 0) m.drops.inc({ bind: o.bind }, dropsDelta);
    }
    if (this.filter && insp) {
      const pass = this.filter(
        filterSubject(insp, srcPort, dstPort, o.src.address, o.dst?.address ?? o.local.address, o.truncated, dropsDelta),
      );
      if (!pass) return null;
    }
    this.stats.matched++;
    let frame: number | undefined;
    if (this.capture) {
      // The host and socket travel with the packet: after `mergecap` of many hosts' captures
      // that is the only place left that says who saw it.
      const comments = [`host ${HOST}, socket ${o.bind}, direction ${o.direction}`];
      if (o.direction !== 'in' && o.forwardedTo) comments.push(`relay ${o.direction}, forwarded to ${o.forwardedTo.address}:${o.forwardedTo.port}`);
      if (o.captureComments) comments.push(...o.captureComments);
      // Datagrams that arrive one event at a time (relay, passive capture, unix socket) are
      // gathered and written once per receive round — still before any of them is displayed
      // (the display runs later, from setImmediate).
      if (!this.captureCorked) {
        this.captureCorked = true;
        this.capture.cork();
        queueMicrotask(() => this.uncorkCapture());
      }
      try {
        frame = this.capture.write(o, timestampOf(o, this.opts.now), comments);
      } catch (e) {
        this.captureFailed(e);
      }
    }
    if (!this.quiet) this.display.one(o, insp, dropsDelta, frame);
    if (this.opts.count !== undefined && this.stats.matched >= this.opts.count) void this.stop('count');
    return insp ?? true;
  }

  /**
   * A whole receive batch of a bound socket (batch-ingest.ts): counters from the arrays, the
   * capture in one write, a copy for the display; decoded only for -f or --metrics.
   */
  ingestBatch(b: RxBatch, sock: BatchSocket): void {
    if (this.stopping) return;
    this.batches.ingest(b, sock);
  }

  /** A passive capture's read round (capture-ingest.ts), the same way. */
  ingestCaptureBatch(b: CaptureBatchView, label: string): void {
    if (this.stopping) return;
    this.captureRounds.ingest(b, label);
  }

  private uncorkCapture(): void {
    this.captureCorked = false;
    try {
      this.capture?.uncork();
    } catch (e) {
      this.captureFailed(e, (e as { packets?: number }).packets ?? 1);
    }
  }

  /** Once: hardware stamps were asked for and the first datagram came without one. */
  private checkHardware(has: boolean, label: string): void {
    this.hardwareChecked = true;
    if (has) return;
    this.out.warn(`${label}: --timestamps hardware, but datagrams arrive without a hardware RX timestamp (the interface cannot stamp, or its hwtstamp config is off: see \`disptap ifaces\`); records use the software stamp`);
  }

  /** `packets` could not be written (one datagram, or a batch in one write). */
  private captureFailed(e: unknown, packets = 1): void {
    this.captureErrors += packets;
    const code = errorCode(e) ?? 'unknown';
    if (this.metrics) this.metrics.captureErrors.inc({ code }, packets);
    // Say it once per kind: a full disk would otherwise print one line per datagram.
    if (!this.captureErrorCodes.has(code)) {
      this.captureErrorCodes.add(code);
      this.problem(`cannot write ${this.capture!.path}: ${oneLine(e)} (packets go on being shown; the capture misses them)`, code);
    }
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Idempotent: closes sockets, the capture (fsync) and the metrics server, then the summary. */
  async stop(reason: StopReason): Promise<void> {
    if (this.stopping) return;
    if (this.draining) {
      // A second stop while reading the queue (Ctrl-C again, --count, stdout gone): end the reading.
      this.draining.abort();
      return;
    }
    if ((reason === 'signal' || reason === 'duration') && this.drainers.length > 0) await this.drain();
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
    // Every datagram read is shown before the summary (the sockets are closed: nothing competes).
    this.display.flush();
    this.rateLine?.stop();
    const s = this.summaryRecord(reason);
    for (const fn of this.extraSummary) fn(s);
    if (this.opts.display === false) {
      // The command writes its own summary after `done`.
    } else if (this.out.json) this.out.record(s);
    else {
      // The lines go out through the thread pool; the summary (stderr) comes after them.
      await this.out.stdout.end();
      for (const l of summaryText(this.out.e, s)) this.out.err(l);
    }
    if (this.metricsServer) await this.metricsServer.close();
    for (const [sig, h] of this.signalHandlers) process.off(sig, h);
    // Keep handling signals until exit: a late SIGTERM must not kill us with the default action
    // after the summary is out.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});
    this.resolveDone(this.exitCode);
  }

  private async drain(): Promise<void> {
    const ac = (this.draining = new AbortController());
    const timer = setTimeout(() => ac.abort(), DRAIN_MS);
    try {
      await Promise.all(this.drainers.map((fn) => fn(ac.signal)));
    } catch (e) {
      this.problem(`while reading what was queued: ${oneLine(e)}`, errorCode(e));
    } finally {
      clearTimeout(timer);
      this.draining = null;
    }
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
      skipped: this.display.queue.skipped,
      sockets: [...this.stats.sockets].map(([bind, c]) => ({ bind, ...countersJson(c.summary()) })),
    };
    if (this.capture) s.write = { path: this.capture.path, packets: this.capture.packets, errors: this.captureErrors };
    return s;
  }
}
