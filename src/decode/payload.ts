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

/** The UDP ports of a decoded payload and how it was classified. */
export interface UdpContext {
  srcPort: number;
  dstPort: number;
  classification: UdpClassification;
}

/** {@link decodePayload}'s result: the decoder's own result for the classified layer, with the UDP context. */
export type DecodedPayload = (ScionDecodeResult | NtpDecodeResult | StunDecodeResult | RawPayload) & { udp: UdpContext };

/** A UDP datagram to decode: its ports and payload. */
export interface DecodePayloadInput {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array | ArrayBuffer;
}

/** Classifies a UDP datagram ({@link classifyUdpDetailed}) and decodes it as SCION, NTP or STUN, else keeps the bytes; never throws. */
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
