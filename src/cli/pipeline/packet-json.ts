// The `packet` record of --json for one datagram (schema/watch-record.v1.json), written as text
// directly: a forty-field object per datagram, spread and then stringified, cost tens of µs and
// most of the garbage of a burst. Field order and omissions are those of JSON.stringify over the
// PacketRecord type (undefined members left out), so consumers see the same lines.
import { toJson } from '../../decode/json.js';
import type { Inspected } from './inspect.js';
import { timestampOf, type Observation } from './observation.js';
import { HOST, SCHEMA_VERSION, type EndpointJson } from './record.js';
import { nsToIso } from '../../sys/time.js';

const q = JSON.stringify;
const HEAD = `{"v":${SCHEMA_VERSION},"time":"`;
const HOST_TEXT = `","host":${q(HOST)},"type":"packet","seq":`;

function ep(e: EndpointJson): string {
  return `{"address":${q(e.address)},"port":${e.port}}`;
}

export function packetJson(o: Observation, insp: Inspected, dropsDelta: number, frame: number | undefined, seq: number, now: () => bigint): string {
  const ts = timestampOf(o, now);
  let s = `${HEAD}${nsToIso(ts.ns)}${HOST_TEXT}${seq},"tsNs":"${ts.ns}","tsSource":"${ts.source}"`;
  if (o.swTsNs !== undefined) s += `,"swTsNs":"${o.swTsNs}"`;
  if (o.hwTsNs !== undefined) s += `,"hwTsNs":"${o.hwTsNs}"`;
  if (o.readAtNs !== undefined) s += `,"readAtNs":"${o.readAtNs}"`;
  if (o.readDelayNs !== undefined) s += `,"readDelayNs":"${o.readDelayNs}"`;
  if (!o.fromFile) s += `,"bind":${q(o.bind)}`;
  s += `,"direction":"${o.direction}"`;
  if (!o.raw) s += `,"src":${ep(o.src)},"dst":${ep(o.dst ?? o.local)}`;
  if (o.ifIndex !== undefined) s += `,"ifIndex":${o.ifIndex}`;
  if (o.ifName !== undefined) s += `,"ifName":${q(o.ifName)}`;
  if (o.ttl !== undefined) s += `,"ttl":${o.ttl}`;
  if (o.tos !== undefined) s += `,"tos":${o.tos}`;
  s += `,"length":${o.length},"captured":${o.data.length},"truncated":${o.truncated},"controlTruncated":${o.controlTruncated}`;
  if (o.msgFlags !== undefined) s += `,"msgFlags":${o.msgFlags}`;
  if (o.drops !== undefined) s += `,"drops":${o.drops}`;
  s += `,"dropsDelta":${dropsDelta},"layer":${q(insp.layer)},"layers":${q(insp.layers)},"summary":${q(insp.summary)}`;
  if (insp.srcIA !== undefined) s += `,"srcIA":${q(insp.srcIA)}`;
  if (insp.dstIA !== undefined) s += `,"dstIA":${q(insp.dstIA)}`;
  if (insp.error !== undefined) s += `,"decodeError":${q(insp.error)}`;
  if (insp.warnings.length) s += `,"decodeWarnings":${q(insp.warnings)}`;
  s += `,"decoded":${toJson(insp.decoded)}`;
  const f = frame ?? o.frame;
  if (f !== undefined) s += `,"frame":${f}`;
  if (o.client) s += `,"client":${ep(o.client)}`;
  if (o.forwardedTo) s += `,"forwardedTo":${ep(o.forwardedTo)}`;
  if (o.forwardError !== undefined) s += `,"forwardError":${q(o.forwardError)}`;
  if (o.comments?.length) s += `,"comments":${q(o.comments)}`;
  if (o.extra) {
    for (const [k, v] of Object.entries(o.extra)) if (v !== undefined) s += `,${q(k)}:${q(v)}`;
  }
  return s + '}';
}
