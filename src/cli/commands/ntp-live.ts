// `disptap ntp --bind ADDR:PORT` and `disptap ntp --passive --iface IF --port 123`: bound taps or
// an AF_PACKET capture fed through the common Session (counters, -f, --write of every datagram it
// took, --metrics, SIGINT/SIGTERM, -d, exit codes), as `watch` and `watch --passive` feed it. The
// Session shows no datagram (display: false): the ntp command prints exchanges and its summary.
//
// Per datagram: Session.observe (counted whatever -f says; filtered; written) → only if the session
// took it: the NTP pairer. So a datagram -f drops is never paired: `-f 'not host 192.0.2.7'` makes
// that server's exchanges vanish, while the summary's packet counters still count its datagrams.
import { ntpRecordFromCapture, ntpRecordFromRx } from '../../ntp/records.js';
import type { NtpWireRecord } from '../../ntp/types.js';
import { parseBindSpecs } from '../bind-spec.js';
import { UsageError, errorCode, oneLine } from '../errors.js';
import { fromRxMessage } from '../pipeline/observation.js';
import { Session } from '../pipeline/session.js';
import { passiveOptionsFrom } from '../sources/passive.js';
import { attachCapture, fromCaptureRecord, startCaptureSession } from '../sources/passive-watch.js';
import { drainTaps, finalDrops, openTaps, sessionOptions, type LiveOutputOptions } from '../sources/watch.js';

/** What `disptap ntp` takes for its live sources and their Session. */
export interface NtpLiveOptions extends LiveOutputOptions {
  bind?: string[];
  passive?: boolean;
  iface?: string;
  port?: string[];
  direction?: string;
  snapLength?: number;
  timestamps: 'none' | 'software' | 'hardware';
  /** SO_RCVBUF of the taps or the capture (--rcvbuf; 128 MiB by default, as watch). */
  rcvbuf?: number;
  /** Receive slot per datagram of the taps (--max-size). */
  maxSize?: number;
}

/**
 * The Session of a live `disptap ntp` (bound taps, passive capture or relay): no line per datagram
 * and no summary of its own (the command writes both); its -c counts exchanges, not datagrams.
 */
export function ntpSession(o: LiveOutputOptions & { timestamps: string }): Session {
  return new Session({ ...sessionOptions('ntp', { ...o, count: undefined, quiet: undefined }), display: false });
}

/** Usage errors of --bind/--passive, before anything is opened. */
export function checkLiveArgs(o: NtpLiveOptions): void {
  if (o.passive && !o.port?.length) throw new UsageError('--passive needs at least one --port (123, 30041, 31000-32767)');
  if (o.bind?.length) parseBindSpecs(o.bind);
}

/**
 * Opens the bound taps or the capture, starts `session` and feeds it; `onRecord` gets every NTP
 * packet among the datagrams the session took (-f passed them), as they arrive.
 */
export async function startNtpLive(session: Session, o: NtpLiveOptions, onRecord: (r: NtpWireRecord) => void): Promise<void> {
  const warn = (l: string) => session.out.warn(l);
  if (o.passive) {
    const p = passiveOptionsFrom(o as unknown as Record<string, unknown>);
    const capture = await startCaptureSession(session, { ...p, write: o.write, rcvbuf: o.rcvbuf });
    const label = p.iface;
    // On 'any' the interface tells the capture points apart; on one interface there is one point.
    const point = (ifName: string | undefined) => (o.iface === 'any' ? (ifName ?? '') : '');
    capture.on('record', (rec) => {
      if (!session.observe(fromCaptureRecord(rec, label))) return;
      const r = ntpRecordFromCapture(rec, point(rec.ifName));
      if (r) onRecord(r);
    });
    capture.on('error', (e: Error) => {
      session.problem(`${label}: ${oneLine(e)}`, errorCode(e));
      void session.stop('error');
    });
    attachCapture(session, capture, label);
    session.listening(
      { sockets: [], passive: { iface: label, ports: [...(p.port ?? [])], direction: p.direction ?? 'both', recvBufferSize: capture.recvBufferSize } },
      `disptap ntp: capturing UDP ports ${(p.port ?? []).join(', ')} on ${label} (Ctrl-C for the summary)`,
    );
    return;
  }
  const taps = await openTaps(parseBindSpecs(o.bind ?? []), { timestamps: o.timestamps, warn, recvBuffer: o.rcvbuf, maxSize: o.maxSize });
  try {
    await session.start();
  } catch (e) {
    for (const t of taps) t.tap.close();
    throw e;
  }
  for (const t of taps) {
    session.stats.socket(t.label); // listed in the summary even when nothing arrives
    t.tap.on('message', (m) => {
      if (!session.observe(fromRxMessage(m, t.label, t.local, 'in'))) return;
      const r = ntpRecordFromRx(m, t.local);
      if (r) onRecord(r);
    });
    t.tap.on('error', (e: Error) => session.problem(`${t.label}: ${oneLine(e)}`, errorCode(e)));
  }
  drainTaps(session, taps);
  session.onStop(() => {
    finalDrops(session, taps);
    for (const t of taps) t.tap.close();
  });
  session.listening({ sockets: taps.map((t) => t.json) }, `disptap ntp: listening on ${taps.map((t) => t.label).join(', ')} (Ctrl-C for the summary)`);
}
