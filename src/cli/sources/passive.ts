// `disptap watch --passive --iface lo --port 30041 --port 31000-32767`: the watch command calls
// runPassiveWatch with the parsed options and a sink (text, NDJSON, pcapng or a tee of them).
import type { Command } from 'commander';
import { openCapture } from '../../capture/capture.js';
import type { CaptureStats } from '../../capture/capture.js';
import type { DirectionFilter } from '../../capture/filter.js';
import type { CaptureTimestampMode } from '../../capture/options.js';
import type { Capture } from '../../capture/capture.js';
import { collectPorts, oneOf, portRanges, positiveInt } from '../port-args.js';
import type { PassiveSink } from './sinks.js';

export interface PassiveWatchOptions {
  /** Interface name, or 'any'. */
  iface: string;
  /** Port specs as given on the command line ('30041', '31000-32767'); none = all UDP. */
  port?: readonly string[];
  direction?: DirectionFilter;
  timestamps?: CaptureTimestampMode;
  /** Stop after this many records. */
  count?: number;
  /** Stop after this many seconds. */
  duration?: number;
  snapLength?: number;
  /** Keep the IP packet bytes (needed for a pcapng sink that writes what was on the wire). Default true. */
  rawPacket?: boolean;
  signal?: AbortSignal;
  /** Called once the capture is open (e.g. to print "listening"). */
  onOpen?: (capture: Capture) => void;
}

export interface PassiveWatchResult {
  records: number;
  stats: CaptureStats;
}

/** Captures until count/duration/signal (or SIGINT/SIGTERM when none is given), feeding the sink. */
export async function runPassiveWatch(opts: PassiveWatchOptions, sink: PassiveSink): Promise<PassiveWatchResult> {
  const capture = await openCapture({
    interface: opts.iface,
    ports: portRanges(opts.port),
    direction: opts.direction ?? 'both',
    timestamps: opts.timestamps ?? 'software',
    rawPacket: opts.rawPacket ?? true,
    ...(opts.snapLength === undefined ? {} : { snapLength: opts.snapLength }),
  });
  let records = 0;
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const onSignal = () => stop();
  const useProcessSignals = opts.signal === undefined && opts.duration === undefined && opts.count === undefined;
  if (useProcessSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  opts.signal?.addEventListener('abort', onSignal, { once: true });
  if (opts.signal?.aborted) stop();
  const timer = opts.duration === undefined ? undefined : setTimeout(stop, opts.duration * 1000);
  let failure: unknown;
  capture.on('error', (e) => {
    failure = e;
    stop();
  });
  capture.on('record', (rec) => {
    if (opts.count !== undefined && records >= opts.count) return;
    records++;
    try {
      sink.record(rec);
    } catch (e) {
      failure = e;
      stop();
    }
    if (opts.count !== undefined && records >= opts.count) stop();
  });
  opts.onOpen?.(capture);
  await stopped; // never rejects: failures are kept and thrown once everything is released
  if (timer) clearTimeout(timer);
  if (useProcessSignals) {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  opts.signal?.removeEventListener('abort', onSignal);
  const stats = capture.stats();
  capture.close();
  await sink.close?.();
  if (failure !== undefined) throw failure;
  return { records, stats };
}

/**
 * Adds the passive options to the watch command. Pass `{ port: false }` when watch already has a
 * `--port`; it must then be repeatable and accept ranges in passive mode (see collectPorts).
 */
export function addPassiveOptions(cmd: Command, opts: { port?: boolean } = {}): Command {
  cmd
    .option('--passive', 'watch sockets you do not own: AF_PACKET capture with a kernel BPF filter (needs CAP_NET_RAW)')
    .option('--iface <name>', "interface to capture on ('lo', 'eth0', 'any')")
    .option('--direction <dir>', "passive: 'in', 'out' or 'both' copies", oneOf('--direction', ['in', 'out', 'both'] as const))
    .option('--snap-length <bytes>', 'passive: bytes kept per packet from the IP header on', positiveInt('--snap-length'));
  if (opts.port !== false) cmd.option('--port <ports>', 'UDP port or range, repeatable (30041, 31000-32767)', collectPorts);
  return cmd;
}

/** Maps commander's parsed options onto PassiveWatchOptions. */
export function passiveOptionsFrom(o: Record<string, unknown>): PassiveWatchOptions {
  const out: PassiveWatchOptions = { iface: typeof o.iface === 'string' ? o.iface : 'any' };
  if (Array.isArray(o.port)) out.port = o.port.map(String);
  else if (o.port !== undefined) out.port = [String(o.port)];
  if (o.direction !== undefined) out.direction = o.direction as DirectionFilter;
  if (typeof o.count === 'number') out.count = o.count;
  if (typeof o.duration === 'number') out.duration = o.duration;
  if (typeof o.snapLength === 'number') out.snapLength = o.snapLength;
  if (o.timestamps === 'software' || o.timestamps === 'hardware' || o.timestamps === 'none') out.timestamps = o.timestamps;
  return out;
}

