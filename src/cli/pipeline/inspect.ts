// One datagram through the decoders (src/decode): what the CLI needs from the result — the layer
// stack for filters and metric labels, the SCION IAs, the decode fault, a one-line summary and
// the JSON form of the whole decoding.
import {
  decodePayload,
  toJsonValue,
  type DecodedPayload,
  type JsonValue,
  type UdpPortMap,
} from '../../decode/index.js';
import { summarizeContent } from '../../decode/summarize.js';
import type { FilterSubject } from './filter.js';

/** What the ingest stage needs of a decoding: filter terms and metric labels, no text. */
export interface DecodedFacts {
  /** Outermost first: ['SCION','UDP','NTP'], ['SCION','SCMP'], ['NTP'], ['Payload']. */
  layers: string[];
  /** layers joined by '/': the `layer` label of metrics and records. */
  layer: string;
  srcIA?: string;
  dstIA?: string;
  /** SCION source/destination host IPs (absent for SVC and unknown host types): `src`/`dst` filters match them. */
  srcHost?: string;
  dstHost?: string;
  /** Ports of the UDP header inside SCION, when there is one. */
  innerPorts?: { src: number; dst: number };
  error?: { code: string; message: string; offset: number };
  decoded: DecodedPayload;
}

export interface Inspected extends DecodedFacts {
  summary: string;
  warnings: string[];
}

function layersOf(d: DecodedPayload): string[] {
  switch (d.layer) {
    case 'scion': {
      const out = ['SCION'];
      const l4 = d.l4;
      if (!l4) return out;
      if (l4.type === 'udp') {
        out.push('UDP');
        if (l4.application.layer !== 'Payload') out.push(l4.application.layer);
      } else if (l4.type === 'scmp') out.push('SCMP');
      else if (l4.type === 'bfd') out.push('BFD');
      else out.push(l4.protocolName);
      return out;
    }
    case 'ntp':
      return ['NTP'];
    case 'stun':
      return ['STUN'];
    case 'raw':
      return [d.name];
  }
}

/**
 * Decodes for counting and filtering only: no summary text (the ingest stage decodes every
 * datagram under -f or --metrics, the display only what it shows).
 */
export function decodeFacts(srcPort: number, dstPort: number, payload: Uint8Array, portMap?: UdpPortMap): DecodedFacts {
  const decoded = portMap ? decodePayload({ srcPort, dstPort, payload }, portMap) : decodePayload({ srcPort, dstPort, payload });
  const layers = layersOf(decoded);
  const out: DecodedFacts = { layers, layer: layers.length === 1 ? layers[0]! : layers.join('/'), decoded };
  if (decoded.layer === 'scion') {
    if (decoded.address) {
      out.srcIA = decoded.address.srcIA.text;
      out.dstIA = decoded.address.dstIA.text;
      const { src, dst } = decoded.address;
      if (src.type === 'ipv4' || src.type === 'ipv6') out.srcHost = src.ip;
      if (dst.type === 'ipv4' || dst.type === 'ipv6') out.dstHost = dst.ip;
    }
    if (decoded.l4?.type === 'udp') out.innerPorts = { src: decoded.l4.srcPort, dst: decoded.l4.dstPort };
  }
  if (!decoded.ok) out.error = { code: decoded.error.code, message: decoded.error.message, offset: decoded.error.offset };
  return out;
}

export function inspect(srcPort: number, dstPort: number, payload: Uint8Array, portMap?: UdpPortMap): Inspected {
  // The facts object grows into the inspection (no copy: the display calls this per shown line).
  const out = decodeFacts(srcPort, dstPort, payload, portMap) as Inspected;
  const d = out.decoded;
  // The UDP ports are printed by the caller next to the addresses; summarize the content only.
  out.summary = summarizeContent(d);
  out.warnings = 'warnings' in d && Array.isArray(d.warnings) ? d.warnings.map((w) => w.code) : [];
  return out;
}

/** What -f looks at: the decoding's part of it, with the datagram's underlay facts. */
export function filterSubject(
  f: DecodedFacts,
  srcPort: number,
  dstPort: number,
  srcAddress: string,
  dstAddress: string,
  truncated: boolean,
  dropsDelta: number,
): FilterSubject {
  return {
    srcPort,
    dstPort,
    innerPorts: f.innerPorts,
    layers: f.layers,
    srcIA: f.srcIA,
    dstIA: f.dstIA,
    srcHost: f.srcHost,
    dstHost: f.dstHost,
    srcAddress,
    dstAddress,
    truncated,
    dropsDelta,
    errorCode: f.error?.code,
  };
}

/** JSON of the decoding (bigints as strings, bytes as hex), without the UDP context we print anyway. */
export function decodedJson(i: Inspected): JsonValue {
  return toJsonValue(i.decoded);
}
