// NtpWireRecords from what disptap receives: a UDP datagram (plain NTP, or NTP in SCION/UDP), a
// UdpTap message, a passive-capture record. The NTP endpoints of NTP in SCION are the SCION hosts
// and inner UDP ports, so one exchange keeps its identity across the dispatcher.
import { decodePayload } from '../decode/payload.js';
import { decodeNtp, type NtpHeader } from '../decode/ntp.js';
import type { CaptureRecord } from '../capture/record.js';
import type { RxMessage, RxTimestamps } from '../tap/rx/rx-types.js';
import type { NtpEndpoint, NtpWireRecord } from './types.js';

/** A UDP datagram to look for NTP in. */
export interface NtpUdpInput {
  src: NtpEndpoint;
  dst: NtpEndpoint;
  payload: Uint8Array;
  timeNs?: bigint;
  timeSource?: NtpWireRecord['timeSource'];
  direction?: 'in' | 'out';
  point?: string;
  frame?: number;
}

function hostText(h: { type: string; ip?: string; name?: string }): string {
  return h.ip ?? h.name ?? h.type;
}

/**
 * NTP by content, for ports the classifier does not know (a relay, a dispatcher's app port): a
 * 48-byte header plus whole 32-bit words, version 1-4, modes 1-5.
 */
function ntpByContent(p: Uint8Array): NtpHeader | undefined {
  if (p.length < 48 || p.length % 4 !== 0) return undefined;
  const v = (p[0]! >> 3) & 7;
  const mode = p[0]! & 7;
  if (v < 1 || v > 4 || mode < 1 || mode > 5) return undefined;
  const d = decodeNtp(p);
  return d.ok && d.kind === 'header' ? d : undefined;
}

/** The NTP header (modes 1-5) in a UDP datagram, directly or inside SCION/UDP, on any port; null when there is none. */
export function ntpRecordFromUdp(u: NtpUdpInput): NtpWireRecord | null {
  const d = decodePayload({ srcPort: u.src.port, dstPort: u.dst.port, payload: u.payload });
  let ntp: NtpHeader | undefined;
  let src = u.src;
  let dst = u.dst;
  let ias: { srcIA: string; dstIA: string } | undefined;
  if (d.layer === 'ntp' && d.ok && d.kind === 'header') ntp = d;
  else if (d.layer === 'scion' && d.ok && d.l4.type === 'udp') {
    const inner = d.l4.application.ntp;
    const h = inner?.ok && inner.kind === 'header' ? inner : ntpByContent(d.l4.payload);
    if (h) {
      ntp = h;
      src = { address: hostText(d.address.src), port: d.l4.srcPort };
      dst = { address: hostText(d.address.dst), port: d.l4.dstPort };
      ias = { srcIA: d.address.srcIA.text, dstIA: d.address.dstIA.text };
    }
  }
  else if (d.layer === 'raw') ntp = ntpByContent(u.payload);
  if (!ntp) return null;
  const r: NtpWireRecord = { src, dst, ntp };
  if (ias) Object.assign(r, ias);
  if (u.timeNs !== undefined) r.timeNs = u.timeNs;
  if (u.timeSource !== undefined) r.timeSource = u.timeSource;
  if (u.direction !== undefined) r.direction = u.direction;
  if (u.point !== undefined) r.point = u.point;
  if (u.frame !== undefined) r.frame = u.frame;
  return r;
}

function stamp(ts: RxTimestamps, readAt: bigint | undefined): Pick<NtpUdpInput, 'timeNs' | 'timeSource'> {
  if (ts.hardware !== undefined) return { timeNs: ts.hardware, timeSource: 'hardware' };
  if (ts.software !== undefined) return { timeNs: ts.software, timeSource: 'kernel' };
  return readAt === undefined ? {} : { timeNs: readAt, timeSource: 'user' };
}

/** An NtpWireRecord from a passive-capture record (direction from the packet type). */
export function ntpRecordFromCapture(c: CaptureRecord, point?: string): NtpWireRecord | null {
  return ntpRecordFromUdp({
    src: c.src,
    dst: c.dst,
    payload: c.data,
    direction: c.direction,
    ...stamp(c.timestamps, c.readAt),
    ...(point === undefined ? {} : { point }),
  });
}

/** An NtpWireRecord from a UdpTap message; `local` is the tap's address when pktinfo gave none. */
export function ntpRecordFromRx(m: RxMessage, local: NtpEndpoint, point?: string): NtpWireRecord | null {
  return ntpRecordFromUdp({
    src: m.src,
    dst: m.dst ? { address: m.dst.address, port: local.port } : local,
    payload: m.data,
    direction: 'in',
    ...stamp(m.timestamps, m.readAt),
    ...(point === undefined ? {} : { point }),
  });
}
