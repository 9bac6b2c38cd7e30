/** decodePayload: classify a UDP datagram, then decode it with the matching decoder. */

import { asBytes, copy } from './bytes.js';
import { classifyUdpDetailed, DEFAULT_UDP_PORT_MAP, type UdpClassification, type UdpLayerName, type UdpPortMap } from './classify.js';
import { decodeNtp, type NtpDecodeResult } from './ntp.js';
import { decodeScion, type ScionDecodeResult } from './scion/decode.js';
import { decodeStun, type StunDecodeResult } from './stun.js';

/** A datagram no decoder here handles (DNS, DHCP, unknown, ...): kept as bytes with its layer name. */
export interface RawPayload {
  ok: true;
  layer: 'raw';
  name: UdpLayerName;
  data: Uint8Array;
}

export interface UdpContext {
  srcPort: number;
  dstPort: number;
  classification: UdpClassification;
}

export type DecodedPayload = (ScionDecodeResult | NtpDecodeResult | StunDecodeResult | RawPayload) & { udp: UdpContext };

export interface DecodePayloadInput {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array | ArrayBuffer;
}

export function decodePayload(input: DecodePayloadInput, portMap: UdpPortMap = DEFAULT_UDP_PORT_MAP): DecodedPayload {
  const payload = asBytes(input?.payload) ?? new Uint8Array(0);
  const srcPort = Number.isInteger(input?.srcPort) ? input.srcPort : 0;
  const dstPort = Number.isInteger(input?.dstPort) ? input.dstPort : 0;
  const classification = classifyUdpDetailed({ srcPort, dstPort, payload }, portMap);
  const udp: UdpContext = { srcPort, dstPort, classification };
  switch (classification.layer) {
    case 'SCION':
      return { ...decodeScion(payload), udp };
    case 'NTP':
      return { ...decodeNtp(payload), udp };
    case 'STUN':
      return { ...decodeStun(payload), udp };
    default:
      return { ok: true, layer: 'raw', name: classification.layer, data: copy(payload, 0), udp };
  }
}
