// The passive options (`--passive --iface lo --port 30041 --port 31000-32767`) that `watch` and
// `ntp` share, and the opening of the AF_PACKET capture they describe. What is captured goes
// through a Session (sources/passive-watch.ts for watch, commands/ntp-live.ts for ntp).
import type { Command } from 'commander';
import { openCapture } from '../../capture/capture.js';
import type { Capture } from '../../capture/capture.js';
import type { DirectionFilter } from '../../capture/filter.js';
import type { CaptureTimestampMode } from '../../capture/options.js';
import { CliError, errorCode, oneLine } from '../errors.js';
import { collectPorts, oneOf, portRanges, positiveInt } from '../port-args.js';

export interface PassiveWatchOptions {
  /** Interface name, or 'any'. */
  iface: string;
  /** Port specs as given on the command line ('30041', '31000-32767'); none = all UDP. */
  port?: readonly string[];
  direction?: DirectionFilter;
  timestamps?: CaptureTimestampMode;
  snapLength?: number;
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
  if (typeof o.snapLength === 'number') out.snapLength = o.snapLength;
  if (o.timestamps === 'software' || o.timestamps === 'hardware' || o.timestamps === 'none') out.timestamps = o.timestamps;
  return out;
}

/**
 * The command's ring retire timeout: a lone packet's line waits up to about two of these, and so
 * does a stop for the last block. Not the library's 8 ms: each retire tick can cost a packet that
 * another CPU is adding meanwhile (the kernel's lockless room check in tpacket_rcv sees the block
 * being handed over), and a 300 000-datagram burst on lo lost 1–5 packets in 5 of 8 runs at 8 ms
 * with the ring never full (ringFreezes 0), none in 8 at 50 ms.
 */
export const PASSIVE_RING_TIMEOUT_MS = 50;

/**
 * Opens the capture the options describe, with SO_RCVBUF `recvBufferSize` (`warn` says when the
 * kernel granted less) and, for --write, the IP packets as they were on the wire (`rawPacket`).
 * A failure is one CliError line (with the CAP_NET_RAW hint when it is a permission problem).
 */
export async function openPassiveCapture(o: PassiveWatchOptions & { rawPacket: boolean; recvBufferSize: number }, warn: (line: string) => void): Promise<Capture> {
  let capture: Capture;
  try {
    capture = await openCapture({
      interface: o.iface,
      ports: portRanges(o.port),
      direction: o.direction ?? 'both',
      timestamps: o.timestamps ?? 'software',
      rawPacket: o.rawPacket,
      recvBufferSize: o.recvBufferSize,
      ringTimeoutMs: PASSIVE_RING_TIMEOUT_MS,
      ...(o.snapLength === undefined ? {} : { snapLength: o.snapLength }),
    });
  } catch (e) {
    const code = errorCode(e);
    const hint = code === 'EPERM' || code === 'EACCES' ? ' — a passive capture needs CAP_NET_RAW (root)' : '';
    throw new CliError(`cannot capture on ${o.iface}: ${oneLine(e)}${hint}`, code, { cause: e });
  }
  // A ring is as big as asked or not there at all (the capture then fell back to a socket buffer);
  // a socket buffer is granted twice what was asked, unless net.core.rmem_max caps it.
  if (capture.ring) {
    if (capture.recvBufferSize < o.recvBufferSize) {
      warn(`the capture ring is ${capture.recvBufferSize} bytes, less than the ${o.recvBufferSize} asked: bursts may be dropped`);
    }
  } else if (capture.recvBufferSize < 2 * o.recvBufferSize) {
    warn(`the kernel granted a receive buffer of ${capture.recvBufferSize} bytes, less than the ${2 * o.recvBufferSize} asked (net.core.rmem_max caps it without CAP_NET_ADMIN): bursts may be dropped`);
  }
  return capture;
}
