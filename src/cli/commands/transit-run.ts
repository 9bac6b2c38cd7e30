// The run of `disptap transit`: one AF_PACKET capture of the in and out ports, fed through the
// common Session like `watch --passive` (counters, -f, --write of the packets as captured,
// --metrics, signals, a closed stdout, exit codes), with the pairing on top. The Session shows no
// datagram (display: false); this module prints the pairs, the unmatched and the summary.
//
// Per captured datagram: classifyTransit (not a side → ignored entirely: on lo it is the other
// copy of a datagram already counted) → Session.observe (counted, filtered, written) → only if it
// passed -f: the pairer. So -f decides which datagrams take part in pairing: an output whose input
// the filter dropped is reported unmatched ('no-input').
import type { Capture } from '../../capture/capture.js';
import type { CaptureRecord } from '../../capture/record.js';
import { clock } from '../../sys/clock.js';
import { classifyTransit, type TransitClassifier } from '../../transit/classify.js';
import { formatTransitEvent } from '../../transit/format.js';
import { TransitPairer } from '../../transit/pairer.js';
import type { TransitEvent } from '../../transit/types.js';
import { errorCode, oneLine } from '../errors.js';
import { attachCapture, fromCaptureRecord, startCaptureSession } from '../sources/passive-watch.js';
import { portRanges } from '../port-args.js';
import type { SummaryRecord } from '../pipeline/record.js';
import { Session } from '../pipeline/session.js';
import type { TransitCommandOptions, TransitIo } from '../types.js';
import { TransitMetrics, transitEventRecord, transitSummaryRecord, transitSummaryText } from './transit-output.js';

/** Runs one transit measurement until --count pairs, --duration, a signal or an error; the exit code. */
export async function runTransit(o: TransitCommandOptions, io: TransitIo = {}): Promise<number> {
  const now = () => clock.realtimeNs();
  const classifier: TransitClassifier = {
    inPorts: portRanges(o.in),
    outPorts: portRanges(o.out),
    inDirection: o.inDirection,
    outDirection: o.outDirection,
  };
  // The Session's --count would count datagrams; transit's counts pairs (below).
  const session = new Session({
    command: 'transit',
    json: o.json ?? false,
    color: o.color,
    filter: o.filter ?? [],
    durationMs: o.duration === undefined ? undefined : o.duration * 1000,
    write: o.write,
    metrics: o.metrics,
    now,
    expectHardware: o.timestamps === 'hardware',
    display: false,
  });
  const pairer = new TransitPairer<CaptureRecord>({
    timeoutNs: BigInt(Math.round(o.timeout * 1e6)),
    maxPending: o.window,
    clock: o.clock,
  });
  const capture: Capture = await startCaptureSession(session, {
    iface: o.iface,
    port: [...o.in, ...o.out],
    timestamps: o.timestamps,
    rcvbuf: o.rcvbuf,
    write: o.write,
  });
  const metrics = session.metrics ? new TransitMetrics(session.metrics.registry, () => pairer.pending) : null;
  let pairs = 0;
  // countable = false for the final flush, which reports what is left whatever the count.
  const show = (events: TransitEvent<CaptureRecord>[], countable = true) => {
    for (const e of events) {
      metrics?.event(e);
      if (e.kind === 'pair') pairs++;
      if (o.quiet) continue;
      session.out.out(o.json ? JSON.stringify(transitEventRecord(e, now)) : formatTransitEvent(e));
    }
    if (countable && o.count !== undefined && pairs >= o.count) void session.stop('count');
  };

  const label = o.iface;
  session.stats.socket(label); // listed in the summary even when nothing arrives
  capture.on('record', (rec) => {
    const side = classifyTransit(rec, classifier);
    if (side === null) return;
    const obs = fromCaptureRecord(rec, label);
    obs.captureComments = [`disptap-transit: ${side}`];
    // observe() returns null for a datagram -f dropped but also for one it passed without
    // decoding it (no filter, no metrics); the matched counter tells the two apart.
    if (!session.observe(obs)) return; // -f said no: not paired either
    show(side === 'in' ? pairer.pushIn(rec) : pairer.pushOut(rec));
  });
  capture.on('error', (e: Error) => {
    session.problem(`${label}: ${oneLine(e)}`, errorCode(e));
    void session.stop('error');
  });
  // Inputs whose output never comes are reported on the wall clock too, not only when traffic goes on.
  // Software timestamps are CLOCK_REALTIME; hardware ones may not be, so only expire by records then.
  const ticker = o.clock === 'hardware' ? undefined : setInterval(() => show(pairer.expire(now())), Math.max(50, Math.min(1000, o.timeout / 2)));
  session.onStop(() => {
    if (ticker) clearInterval(ticker);
  });
  attachCapture(session, capture, label);
  let last: SummaryRecord | undefined;
  session.onSummary((s) => {
    last = s;
  });
  session.listening(
    {
      sockets: [],
      passive: { iface: label, ports: [...o.in, ...o.out], direction: 'both', recvBufferSize: capture.recvBufferSize },
      transit: { in: o.in, out: o.out, timeoutMs: o.timeout, window: o.window, clock: o.clock, inDirection: o.inDirection, outDirection: o.outDirection },
    },
    `disptap transit: capturing on ${capture.interfaceName}, in ${o.in.join(',')} → out ${o.out.join(',')} (timeout ${o.timeout} ms; Ctrl-C for the summary)`,
  );
  const onAbort = () => void session.stop('signal');
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted) onAbort();

  const code = await session.done;
  io.signal?.removeEventListener('abort', onAbort);
  show(pairer.flush(), false);
  const t = pairer.summary();
  if (o.json) session.out.out(JSON.stringify(transitSummaryRecord(last!, t)));
  else {
    // The pair lines go out through the thread pool; the summary (stderr) comes after them.
    await session.out.stdout.end();
    for (const l of transitSummaryText(session.out.e, last!, t, (o.filter?.length ?? 0) > 0)) session.out.err(l);
  }
  return code;
}
