// `disptap transit --iface lo --in 30041 --out 31000-32767`: how long the dispatcher held each
// datagram. One capture (kernel-filtered to the in and out ports) is split into what entered and
// what left (classifyTransit), paired (TransitPairer), and reported per packet plus a summary.
import { Command } from 'commander';
import type { Writable } from 'node:stream';
import { openCapture, type Capture } from '../capture/capture.js';
import type { CaptureTimestampMode } from '../capture/options.js';
import type { CaptureRecord } from '../capture/record.js';
import { toPcapngRecord } from '../capture/pcapng.js';
import { clock } from '../sys/clock.js';
import { PcapngWriter } from '../pcapng/writer.js';
import { classifyTransit, type TransitClassifier } from '../transit/classify.js';
import { formatTransitEvent, formatTransitSummary, transitEventToJSON, transitSummaryToJSON } from '../transit/format.js';
import { TransitPairer, type TransitSummary } from '../transit/pairer.js';
import type { TransitClock, TransitEvent } from '../transit/types.js';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from './args.js';
import { collectPorts, oneOf, portRanges, positiveInt } from './port-args.js';

/** --duration: watch's forms (500ms, 10s, 2m; a bare number is seconds). Kept in seconds here. */
function durationSeconds(text: string): number {
  try {
    return parseDuration(text) / 1000;
  } catch (e) {
    // what the old plain-number parser took and parseDuration does not (.5, 1e1)
    const n = Number(text);
    if (text.trim() !== '' && Number.isFinite(n) && n > 0) return n;
    throw e;
  }
}

/** --timeout: a bare number is milliseconds, as it always was here; 500ms, 2s … work too. */
function timeoutMs(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (n > 0) return n;
    throw new InvalidArgumentError('the timeout must be greater than 0');
  }
  return parseDuration(t);
}

export interface TransitCommandOptions {
  iface: string;
  in: string[];
  out: string[];
  timeout: number;
  window: number;
  clock: TransitClock;
  inDirection: 'in' | 'out' | 'both';
  outDirection: 'in' | 'out' | 'both';
  timestamps: CaptureTimestampMode;
  count?: number;
  duration?: number;
  json?: boolean;
  quiet?: boolean;
  write?: string;
}

export interface TransitIo {
  stdout: Writable;
  stderr: Writable;
  /** Stops the run like SIGINT does. */
  signal?: AbortSignal;
}

export interface TransitRunResult {
  summary: TransitSummary;
  records: number;
}

/** Runs one transit measurement; what the command does after parsing. */
export async function runTransit(o: TransitCommandOptions, io: TransitIo): Promise<TransitRunResult> {
  const classifier: TransitClassifier = {
    inPorts: portRanges(o.in),
    outPorts: portRanges(o.out),
    inDirection: o.inDirection,
    outDirection: o.outDirection,
  };
  const pairer = new TransitPairer<CaptureRecord>({
    timeoutNs: BigInt(Math.round(o.timeout * 1e6)),
    maxPending: o.window,
    clock: o.clock,
  });
  const writer = o.write ? await PcapngWriter.open(o.write, { comment: `disptap transit --iface ${o.iface} --in ${o.in.join(',')} --out ${o.out.join(',')}` }) : undefined;
  let capture: Capture;
  try {
    capture = await openCapture({
      interface: o.iface,
      ports: [...classifier.inPorts, ...classifier.outPorts],
      timestamps: o.timestamps,
      rawPacket: writer !== undefined,
    });
  } catch (e) {
    await writer?.close();
    throw e;
  }
  let records = 0;
  let pairs = 0;
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let failure: unknown;
  // countable = false for the final flush, which reports what is left whatever the count.
  const show = (events: TransitEvent<CaptureRecord>[], countable = true) => {
    for (const e of events) {
      if (e.kind === 'pair') pairs++;
      if (o.quiet) continue;
      io.stdout.write(o.json ? `${JSON.stringify(transitEventToJSON(e))}\n` : `${formatTransitEvent(e)}\n`);
    }
    if (countable && o.count !== undefined && pairs >= o.count) stop();
  };
  capture.on('error', (e) => {
    failure = e;
    stop();
  });
  capture.on('record', (rec) => {
    const side = classifyTransit(rec, classifier);
    if (side === null) return;
    records++;
    try {
      writer?.write(toPcapngRecord(rec, [`disptap-transit: ${side}`]));
    } catch (e) {
      failure = e;
      stop();
    }
    show(side === 'in' ? pairer.pushIn(rec) : pairer.pushOut(rec));
  });
  // Inputs whose output never comes are reported on the wall clock too, not only when traffic goes on.
  // Software timestamps are CLOCK_REALTIME; hardware ones may not be, so only expire by records then.
  const ticker = o.clock === 'hardware' ? undefined : setInterval(() => show(pairer.expire(clock.realtimeNs())), Math.max(50, Math.min(1000, o.timeout / 2)));
  const timer = o.duration === undefined ? undefined : setTimeout(stop, o.duration * 1000);
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  if (io.signal?.aborted) stop();
  io.stderr.write(
    `disptap transit: capturing on ${capture.interfaceName}, in ${o.in.join(',')} → out ${o.out.join(',')} (timeout ${o.timeout} ms)\n`,
  );
  await stopped;
  if (ticker) clearInterval(ticker);
  if (timer) clearTimeout(timer);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  io.signal?.removeEventListener('abort', onSignal);
  capture.close();
  show(pairer.flush(), false);
  await writer?.close();
  const summary = pairer.summary();
  io.stdout.write(o.json ? `${JSON.stringify(transitSummaryToJSON(summary))}\n` : `${formatTransitSummary(summary)}\n`);
  if (failure !== undefined) throw failure;
  return { summary, records };
}

/** Registers `transit` on the disptap program. `io` defaults to the process's streams. */
export function registerTransitCommand(program: Command, io?: Partial<TransitIo>): Command {
  const cmd = new Command('transit')
    .description('per-packet dispatcher transit time: pairs each datagram that entered (--in ports) with the one the dispatcher sent (--out ports); needs CAP_NET_RAW')
    .requiredOption('--in <ports>', "the dispatcher's receive port(s), repeatable (30041)", collectPorts)
    .requiredOption('--out <ports>', 'where it forwards to, repeatable (31000-32767)', collectPorts)
    .option('--iface <name>', "interface to capture on ('lo', 'eth0', 'any')", 'lo')
    .option('--timeout <time>', 'an input without output after this long counts as unmatched (a bare number is ms; 500ms, 2s)', timeoutMs, 1000)
    .option('--window <n>', 'at most this many datagrams wait for a partner per side', positiveInt('--window'), 65536)
    .option('--clock <clock>', "'auto' (hardware when both have it), 'software' or 'hardware'", oneOf('--clock', ['auto', 'software', 'hardware'] as const), 'auto')
    .option('--in-direction <dir>', "which copy of an input counts: 'in' (received), 'out' (sent), 'both'", oneOf('--in-direction', ['in', 'out', 'both'] as const), 'in')
    .option('--out-direction <dir>', "which copy of an output counts: 'out' (sent), 'in', 'both'", oneOf('--out-direction', ['in', 'out', 'both'] as const), 'out')
    .option('--timestamps <mode>', "'software' or 'hardware' kernel timestamps", oneOf('--timestamps', ['software', 'hardware'] as const), 'software')
    .option('--count <n>', 'stop after n pairs', positiveInt('--count'))
    .option('-d, --duration <time>', 'stop after this long (500ms, 10s, 2m; a bare number is seconds)', durationSeconds)
    .option('--json', 'NDJSON: one event per line, the summary last')
    .option('--quiet', 'only the summary')
    .option('--write <file>', 'also write the paired traffic as pcapng (direction in the EPB flags)')
    .action(async (opts: TransitCommandOptions) => {
      await runTransit(opts, { stdout: io?.stdout ?? process.stdout, stderr: io?.stderr ?? process.stderr, signal: io?.signal });
    });
  program.addCommand(cmd);
  return cmd;
}
