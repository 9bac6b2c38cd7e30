/**
 * Decoders for UDP dispatcher traffic: SCION (with encoder and builders), the historic dispatcher
 * unix-socket framing, NTP, STUN, UDP classification, one-line summaries and JSON.
 * Pure TypeScript; no dependency on the native addon.
 */

export * from './scion/index.js';
export { decodeNtp, encodeNtp, ntpTimestamp, ntpTimestampFromNs, NTP_HEADER_LEN, NTP_UNIX_OFFSET } from './ntp.js';
export type {
  NtpDecodeResult,
  NtpPacket,
  NtpDecodeFailure,
  NtpMessage,
  NtpHeader,
  NtpControl,
  NtpPrivate,
  NtpTimestamp,
  NtpInput,
  NtpHeaderInput,
  NtpControlInput,
  NtpPrivateInput,
  NtpTimestampInput,
  NtpLeapName,
  NtpModeName,
} from './ntp.js';
export { decodeStun, looksLikeStun, STUN_MAGIC_COOKIE } from './stun.js';
export type { StunDecodeResult, StunMessage, StunAttribute } from './stun.js';
export {
  classifyUdp,
  classifyUdpDetailed,
  createUdpPortMap,
  parseDispatchedPorts,
  looksLikeScion,
  DEFAULT_UDP_PORT_MAP,
  DEFAULT_DISPATCHED_PORTS,
  GOPACKET_UDP_PORTS,
  WELL_KNOWN_ONLY,
} from './classify.js';
export type { UdpLayerName, UdpPortMap, UdpPortMapOptions, UdpClassification, UdpClassificationInput, ScionPortRange, ScionPortRole } from './classify.js';
export { decodePayload } from './payload.js';
export type { DecodedPayload, DecodePayloadInput, RawPayload, UdpContext } from './payload.js';
export {
  DispatcherStreamDecoder,
  decodeDispatcherStream,
  decodeDispatcherFrame,
  decodeRegistration,
  encodeDispatcherFrame,
  encodeRegistration,
  encodeConfirmation,
  scionTimeMode,
  DISPATCHER_COOKIE,
  SCION_TIME_MODES,
} from './dispatcher-framing.js';
export type {
  DispatcherEvent,
  DispatcherFrame,
  DispatcherFrameInput,
  DispatcherStreamOptions,
  FrameContent,
  FrameDecodeResult,
  FrameDirection,
  FrameHostAddress,
  Registration,
  RegistrationDecodeResult,
  RegistrationInput,
  ScionTimeMode,
  ScionTimeModeName,
} from './dispatcher-framing.js';
export { summarize } from './summarize.js';
export type { Summarizable } from './summarize.js';
export { toJson, toJsonValue, jsonReplacer } from './json.js';
export type { JsonValue } from './json.js';
export { EncodeError } from './errors.js';
export type { DecodeError, DecodeErrorCode, DecodeWarning, DecodeWarningCode } from './errors.js';
export type { BytesLike } from './bytes.js';
