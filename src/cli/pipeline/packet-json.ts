// The `packet` record of --json for one datagram (schema/watch-record.v1.json), written as text
// directly: a forty-field object per datagram, spread and then stringified, cost tens of µs and
// most of the garbage of a burst. Field order and omissions are those of JSON.stringify over the
// PacketRecord type (undefined members left out), so consumers see the same lines.
import { toJson } from '../../decode/json.js';
import type { Inspected } from './inspect.js';
import { timestampOf, type Observation } from './observation.js';
import { HOST, SCHEMA_VERSION, type EndpointJson } from './record.js';
import { nsTextToIso } from '../../sys/time.js';
import { SameAsLast } from './same-as-last.js';

const q = JSON.stringify;
const HEAD = `{"v":${SCHEMA_VERSION},"time":"`;
const HOST_TEXT = `","host":${q(HOST)},"type":"packet","seq":`;

/**
 * JSON text of a value that mostly repeats from one datagram to the next (bind label, interface
 * name, layer stack, an endpoint): quoted once, reused while the value stays the same.
 */
class LastText<T> {
  private last: T | undefined;
  private text = '';
  constructor(private readonly make: (v: T) => string) {}
  of(v: T): string {
    if (v !== this.last) {
      this.last = v;
      this.text = this.make(v);
    }
    return this.text;
  }
}

class LastEndpoint {
  private address = '';
  private port = -1;
  private text = '';
  of(e: EndpointJson): string {
    if (e.address !== this.address || e.port !== this.port) {
      this.address = e.address;
      this.port = e.port;
      this.text = `{"address":${q(e.address)},"port":${e.port}}`;
    }
    return this.text;
  }
}

const bindText = new LastText<string>(q);
const ifNameText = new LastText<string>(q);
const layerText = new LastText<string>(q);
const summaryText = new LastText<string>(q);
const srcText = new LastEndpoint();
const dstText = new LastEndpoint();
const otherText = new LastEndpoint();

// bind … tos: the same for a run of datagrams from one peer, so one piece of text (and one
// concatenation) instead of a dozen per line.
const whereSeen = new SameAsLast();
let whereText = '';

function whereJson(o: Observation): string {
  if (whereSeen.check(o)) return whereText;
  let s = '';
  if (!o.fromFile) s += `,"bind":${bindText.of(o.bind)}`;
  s += `,"direction":"${o.direction}"`;
  if (!o.raw) s += `,"src":${srcText.of(o.src)},"dst":${dstText.of(o.dst ?? o.local)}`;
  if (o.ifIndex !== undefined) s += `,"ifIndex":${o.ifIndex}`;
  if (o.ifName !== undefined) s += `,"ifName":${ifNameText.of(o.ifName)}`;
  if (o.ttl !== undefined) s += `,"ttl":${o.ttl}`;
  if (o.tos !== undefined) s += `,"tos":${o.tos}`;
  whereText = s;
  return s;
}

export function packetJson(o: Observation, insp: Inspected, dropsDelta: number, frame: number | undefined, seq: number, now: () => bigint): string {
  const ts = timestampOf(o, now);
  // One decimal conversion per stamp: the ISO time is cut from the same text.
  const tsNs = String(ts.ns);
  let s = `${HEAD}${nsTextToIso(tsNs)}${HOST_TEXT}${seq},"tsNs":"${tsNs}","tsSource":"${ts.source}"`;
  if (o.swTsNs !== undefined) s += `,"swTsNs":"${o.swTsNs === ts.ns ? tsNs : o.swTsNs}"`;
  if (o.hwTsNs !== undefined) s += `,"hwTsNs":"${o.hwTsNs === ts.ns ? tsNs : o.hwTsNs}"`;
  if (o.readAtNs !== undefined) s += `,"readAtNs":"${o.readAtNs}"`;
  if (o.readDelayNs !== undefined) s += `,"readDelayNs":"${o.readDelayNs}"`;
  s += whereJson(o);
  s += `,"length":${o.length},"captured":${o.data.length},"truncated":${o.truncated},"controlTruncated":${o.controlTruncated}`;
  if (o.msgFlags !== undefined) s += `,"msgFlags":${o.msgFlags}`;
  if (o.drops !== undefined) s += `,"drops":${o.drops}`;
  s += `,"dropsDelta":${dropsDelta},"layer":${layerText.of(insp.layer)},"layers":${layersJson(insp)},"summary":${summaryText.of(insp.summary)}`;
  if (insp.srcIA !== undefined) s += `,"srcIA":${q(insp.srcIA)}`;
  if (insp.dstIA !== undefined) s += `,"dstIA":${q(insp.dstIA)}`;
  if (insp.error !== undefined) s += `,"decodeError":${q(insp.error)}`;
  if (insp.warnings.length) s += `,"decodeWarnings":${q(insp.warnings)}`;
  s += `,"decoded":${toJson(insp.decoded)}`;
  const f = frame ?? o.frame;
  if (f !== undefined) s += `,"frame":${f}`;
  if (o.client) s += `,"client":${otherText.of(o.client)}`;
  if (o.forwardedTo) s += `,"forwardedTo":${otherText.of(o.forwardedTo)}`;
  if (o.forwardError !== undefined) s += `,"forwardError":${q(o.forwardError)}`;
  if (o.comments?.length) s += `,"comments":${q(o.comments)}`;
  if (o.extra) {
    for (const [k, v] of Object.entries(o.extra)) if (v !== undefined) s += `,${q(k)}:${q(v)}`;
  }
  return s + '}';
}

// `layers` is a new array per datagram; its JSON changes when the joined `layer` text does.
let lastLayer: string | undefined;
let lastLayersText = '';
function layersJson(insp: Inspected): string {
  if (insp.layer !== lastLayer) {
    lastLayer = insp.layer;
    lastLayersText = q(insp.layers);
  }
  return lastLayersText;
}
