// One decoded event of a dispatcher unix-socket stream, made into what a report needs: for a
// SCION packet frame, the packet without the Scion Time trailer, the trailer's fields, and the
// underlay endpoints the packet had (or will have) on the wire; for a registration, its fields as
// JSON; for garbage, a hex preview. Per connection, the registration is remembered: its address is
// the host end of every later packet.
import type { DispatcherEvent, Registration } from '../decode/dispatcher-framing.js';
import type { UdpPortMap } from '../decode/classify.js';
import type { DecodeError } from '../decode/errors.js';
import type { StreamDirection } from './stream-relay.js';

/** The old dispatcher's UDP underlay port: the host end of every packet it sent or received. */
export const DISPATCHER_UNDERLAY_PORT = 30041;

/** Everything on the dispatcher socket is SCION, whatever the underlay ports say. */
export const SCION_ONLY_PORT_MAP: UdpPortMap = { wellKnown: {}, scion: [{ from: 0, to: 65535, role: 'end-host' }], heuristic: false };

/** An address and port. */
export interface UnderlayEndpoint {
  address: string;
  port: number;
}

/** The Scion Time trailer's fields, timestamps as ns decimal strings. */
export interface ScionTimeJson {
  kernelNs: string;
  /** "0" when the dispatcher had no hardware timestamp. */
  hardwareNs: string;
  interfaceId: number;
  pktLengthL2: number;
  pktinfo: { ifindex: number; specDst: string; addr: string };
}

/** A registration request as JSON. */
export interface RegistrationJson {
  command: number;
  scmp: boolean;
  l4Protocol: number;
  ia: string;
  publicAddress: string;
  /** 0 = the dispatcher chooses. */
  publicPort: number;
  bind?: UnderlayEndpoint;
  svc?: { value: number; name: string };
  /** Scion Time fork: the timestamp mode asked for through the SVC field. */
  timestampMode?: string;
}

/** What one connection has said so far. */
export interface FrameContext {
  registration?: Registration;
  confirmedPort?: number;
}

interface ErrorJson {
  code: string;
  message: string;
  offset: number;
}

/** One event, ready to report. */
export type FrameReport =
  | {
      kind: 'packet';
      offset: number;
      frameLength: number;
      /** The SCION packet (the trailer, when there is one, cut off). */
      packet: Uint8Array;
      /** Underlay source and destination as on the wire. */
      src: UnderlayEndpoint;
      dst: UnderlayEndpoint;
      /** The frame's address: next hop (app→dispatcher) or previous hop (dispatcher→app). */
      hop?: UnderlayEndpoint;
      scionTime?: ScionTimeJson;
      kernelNs?: bigint;
      hardwareNs?: bigint;
      /** A dispatcher→app frame without an address: the fork echoing a sent packet with its TX timestamps. */
      txEcho: boolean;
    }
  | { kind: 'registration'; offset: number; length: number; registration?: RegistrationJson; error?: ErrorJson }
  | { kind: 'confirmation'; offset: number; length: number; port: number }
  | { kind: 'skipped'; offset: number; length: number; preview: string; error: ErrorJson }
  | { kind: 'incomplete'; offset: number; length: number; error: ErrorJson };

function errorJson(e: DecodeError): ErrorJson {
  return { code: e.code, message: e.message, offset: e.offset };
}

/** The registration as JSON. */
export function registrationJson(r: Registration): RegistrationJson {
  const j: RegistrationJson = {
    command: r.command,
    scmp: r.scmp,
    l4Protocol: r.l4Protocol,
    ia: r.ia.text,
    publicAddress: r.publicAddress.ip,
    publicPort: r.publicPort,
  };
  if (r.bind) j.bind = { address: r.bind.address.ip, port: r.bind.port };
  if (r.svc) {
    j.svc = { value: r.svc.value, name: r.svc.name };
    if (r.svc.timestampMode) j.timestampMode = r.svc.timestampMode.name;
  }
  return j;
}

/** The host end: the registered address when it has the hop's family, else the family's unspecified address. */
function hostAddress(ctx: FrameContext, like: string | undefined): string {
  const r = ctx.registration;
  const v6 = like === undefined ? undefined : like.includes(':');
  const own = r ? r.bind?.address.ip ?? r.publicAddress.ip : undefined;
  if (own !== undefined && (v6 === undefined || own.includes(':') === v6)) return own;
  return v6 ? '::' : '0.0.0.0';
}

/** Turns a decoder event into a report; remembers registration and confirmation in `ctx`. */
export function reportFrame(ctx: FrameContext, direction: StreamDirection, ev: DispatcherEvent): FrameReport {
  if (ev.kind === 'skipped') {
    return { kind: 'skipped', offset: ev.offset, length: ev.length, preview: Buffer.from(ev.preview).toString('hex'), error: errorJson(ev.error) };
  }
  if (ev.kind === 'incomplete') return { kind: 'incomplete', offset: ev.offset, length: ev.length, error: errorJson(ev.error) };
  const f = ev.frame;
  const c = f.content;
  if (c.kind === 'registration') {
    if (c.registration.ok) {
      ctx.registration = c.registration;
      return { kind: 'registration', offset: ev.offset, length: f.frameLength, registration: registrationJson(c.registration) };
    }
    return { kind: 'registration', offset: ev.offset, length: f.frameLength, error: errorJson(c.registration.error) };
  }
  if (c.kind === 'confirmation') {
    ctx.confirmedPort = c.port;
    return { kind: 'confirmation', offset: ev.offset, length: f.frameLength, port: c.port };
  }
  const hop = f.address !== undefined ? { address: f.address, port: f.port ?? 0 } : undefined;
  const host = { address: hostAddress(ctx, f.address), port: DISPATCHER_UNDERLAY_PORT };
  const report: FrameReport = {
    kind: 'packet',
    offset: ev.offset,
    frameLength: f.frameLength,
    packet: f.payload,
    // A frame without an address (the fork's TX-timestamp echo) has only the host end.
    src: direction === 'app-to-dispatcher' ? host : hop ?? host,
    dst: direction === 'app-to-dispatcher' ? hop ?? host : host,
    txEcho: direction === 'dispatcher-to-app' && hop === undefined,
  };
  if (hop) report.hop = hop;
  const t = c.packet.trailing?.scionTime;
  if (t && c.packet.trailing) {
    report.packet = f.payload.subarray(0, c.packet.trailing.offset);
    report.scionTime = {
      kernelNs: t.kernel.ns.toString(),
      hardwareNs: t.hardware.ns.toString(),
      interfaceId: t.interfaceId,
      pktLengthL2: t.pktLengthL2,
      pktinfo: { ...t.pktinfo },
    };
    if (t.kernel.ns !== 0n) report.kernelNs = t.kernel.ns;
    if (t.hardware.ns !== 0n) report.hardwareNs = t.hardware.ns;
  }
  return report;
}

/** Registration in one line: `1-ff00:0:110 10.0.0.1:0 bind 10.0.0.2:4000 SCMP svc RxKernelHw (0x4243)`. */
export function registrationText(r: RegistrationJson): string {
  const addr = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  const parts = [r.ia, addr(r.publicAddress, r.publicPort)];
  if (r.bind) parts.push(`bind ${addr(r.bind.address, r.bind.port)}`);
  if (r.scmp) parts.push('SCMP');
  if (r.l4Protocol !== 17) parts.push(`l4 ${r.l4Protocol}`);
  if (r.timestampMode) parts.push(`timestamps ${r.timestampMode} (svc 0x${r.svc!.value.toString(16)})`);
  else if (r.svc) parts.push(`svc ${r.svc.name} (0x${r.svc.value.toString(16).padStart(4, '0')})`);
  return parts.join(' ');
}
