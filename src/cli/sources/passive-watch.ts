// `watch --passive`: an AF_PACKET capture of ports owned by other sockets, fed into the same
// Session as bound taps — the same filters, decoding, NDJSON schema (direction 'in' or 'out'),
// --write, --metrics, --quiet, summary and exit codes.
import type { Capture as PacketCapture, CaptureStats } from '../../capture/capture.js';
import type { CaptureRecord } from '../../capture/record.js';
import type { CaptureBatchView } from '../../capture/batch.js';
import type { DirectionFilter } from '../../capture/filter.js';
import { UsageError, errorCode, oneLine } from '../errors.js';
import type { Observation } from '../pipeline/observation.js';
import { Session } from '../pipeline/session.js';
import type { WatchCli } from '../types.js';
import { openPassiveCapture, type PassiveWatchOptions } from './passive.js';
import { checkTimestampMode, pause, sessionOptions } from './watch.js';

/**
 * The capture's ring (or, where the kernel refuses a ring, its SO_RCVBUF) unless --rcvbuf says:
 * kernel memory taken up front and never swapped, unlike a socket buffer's limit. A ring holds a
 * small datagram in ~180 bytes (a socket buffer charges ~1 KiB a packet), so 64 MiB keeps some
 * 370 000 of them — seconds of a dispatcher's bursts while the reader catches up.
 */
export const DEFAULT_CAPTURE_BUFFER = 64 * 1024 * 1024;

/** A captured datagram as the Session takes it; `label` names the capture ("lo", "any"). */
export function fromCaptureRecord(r: CaptureRecord, label: string): Observation {
  const o: Observation = {
    bind: label,
    direction: r.direction,
    data: r.data,
    length: r.length,
    src: { address: r.src.address, port: r.src.port },
    dst: { address: r.dst.address, port: r.dst.port },
    local: { address: r.dst.address, port: r.dst.port },
    ifIndex: r.ifIndex,
    truncated: r.truncated,
    controlTruncated: false,
    msgFlags: r.flags,
    readAtNs: r.readAt,
    ttl: r.ttl,
    tos: r.tos,
  };
  if (r.ifName !== undefined) o.ifName = r.ifName;
  if (r.timestamps.software !== undefined) o.swTsNs = r.timestamps.software;
  if (r.timestamps.hardware !== undefined) o.hwTsNs = r.timestamps.hardware;
  if (r.readDelayNs !== undefined) o.readDelayNs = r.readDelayNs;
  if (r.packet) o.packet = { data: r.packet, origLength: r.packetLength };
  return o;
}

/**
 * On stop: the capture socket's kernel drops into the session's counters and metrics, then close;
 * in the summary: its kernel counters and what was still queued — what passed the filter but was
 * neither read nor dropped is discarded by the close, and a stop in a burst must not pass for loss.
 */
export function attachCapture(session: Session, capture: PacketCapture, label: string): void {
  const counters = session.stats.socket(label);
  let kernel = capture.stats();
  // A stop by signal or --duration first reads what the kernel had taken: packets in the ring's
  // open block are handed over when it retires (ringTimeoutMs), then read like any other round.
  session.onDrain(async (signal) => {
    for (;;) {
      const left = unread(capture.stats());
      if (left === 0) return;
      if (signal.aborted) {
        session.out.warn(`stopped with ${left} captured packets not yet read: they were not read`);
        return;
      }
      await pause(5, signal);
    }
  });
  session.onStop(() => {
    kernel = capture.stats();
    const d = counters.dropsDelta(kernel.kernelDrops);
    if (d > 0 && session.metrics) session.metrics.drops.inc({ bind: label }, d);
    capture.close();
  });
  session.onSummary((s) => {
    s.capture = { packets: kernel.packets, drops: kernel.kernelDrops, unread: unread(kernel), ringFull: kernel.ringFreezes };
  });
}

/** What passed the filter but was neither read nor dropped: still in the kernel. */
function unread(k: CaptureStats): number {
  const skipped = Object.values(k.skipped).reduce((n, v) => n + (v ?? 0), 0);
  return Math.max(0, k.packets - k.kernelDrops - k.records - skipped);
}

/**
 * Opens the capture a session reads (DEFAULT_CAPTURE_BUFFER unless --rcvbuf; the IP packets as captured
 * when it writes a pcapng), then starts the session; closes the capture when that fails.
 */
export async function startCaptureSession(
  session: Session,
  o: PassiveWatchOptions & { rcvbuf?: number; write?: string },
): Promise<PacketCapture> {
  const capture = await openPassiveCapture(
    { ...o, rawPacket: o.write !== undefined, recvBufferSize: o.rcvbuf ?? DEFAULT_CAPTURE_BUFFER },
    (l) => session.out.warn(l),
  );
  try {
    await session.start();
  } catch (e) {
    capture.close();
    throw e;
  }
  return capture;
}

export async function runPassiveSession(o: WatchCli): Promise<number> {
  if (o.bind?.length) throw new UsageError('--passive captures --port numbers on --iface; it does not bind (drop --bind)');
  if (!o.port?.length) throw new UsageError('--passive needs at least one --port (30041, 31000-32767)');
  const iface = o.iface ?? 'any';
  const session = new Session(sessionOptions('watch', o));
  const capture = await startCaptureSession(session, {
    iface,
    port: o.port,
    direction: o.direction as DirectionFilter | undefined,
    timestamps: checkTimestampMode(o.timestamps),
    snapLength: o.snapLength,
    rcvbuf: o.rcvbuf,
    write: o.write,
  });
  const label = iface;
  // Whole read rounds, as bound taps hand over batches: no record or observation per datagram.
  capture.on('batch', (b: CaptureBatchView) => session.ingestCaptureBatch(b, label));
  capture.on('error', (e: Error) => {
    session.problem(`${label}: ${oneLine(e)}`, errorCode(e));
    void session.stop('error');
  });
  attachCapture(session, capture, label);
  const ports = o.port.join(',');
  session.listening(
    { sockets: [], passive: { iface, ports: o.port, direction: o.direction ?? 'both', recvBufferSize: capture.recvBufferSize } },
    `disptap watch: capturing UDP ports ${ports} on ${iface} (passive; Ctrl-C for the summary)`,
  );
  return session.done;
}
