/** SCION packet decoding and encoding (pure TypeScript). */

export { decodeScion } from './decode.js';
export type { ScionDecodeResult, ScionPacket, ScionDecodeFailure, ScionLayers, ScionL4, RawL4, NotCurrentScion } from './decode.js';
export { encodeScion, DEFAULT_FLOW_ID } from './encode.js';
export type { ScionPacketInput, ScionL4Input, RawL4Input, EncodeScionOptions } from './encode.js';
export { buildScionPacket, buildScionUdp, buildScmp, buildScmpEcho, buildScionBfd } from './build.js';
export type { ScionEndpointsInput, ScionUdpBuildInput, ScmpBuildInput, ScmpEchoBuildInput, ScionBfdBuildInput } from './build.js';
export {
  COMMON_HEADER_LEN,
  PROTO_TCP,
  PROTO_UDP,
  PROTO_HBH,
  PROTO_E2E,
  PROTO_SCMP,
  PROTO_BFD,
  PATH_EMPTY,
  PATH_SCION,
  PATH_ONEHOP,
  PATH_EPIC,
  PATH_COLIBRI,
  protocolName,
  pathTypeName,
} from './common.js';
export type { CommonHeader, CommonHeaderInput } from './common.js';
export { formatAS, formatIA, parseIA, tryParseIA } from './ia.js';
export type { IA, IAInput } from './ia.js';
export { svcName, svcFromName, formatHostAddr, SVC_DS, SVC_CS, SVC_WILDCARD, SVC_NONE, SVC_MULTICAST } from './address.js';
export type { HostAddr, HostAddrInput, AddressHeader, AddressHeaderInput } from './address.js';
export { scionPathFromSegments, EXP_TIME_UNIT_SECONDS, MAX_HOPS } from './path.js';
export type {
  PathHeader,
  PathInput,
  PathMeta,
  InfoField,
  HopField,
  EmptyPath,
  StandardPath,
  OneHopPath,
  EpicPath,
  RawPath,
  InfoFieldInput,
  HopFieldInput,
  StandardPathInput,
  PathSegmentInput,
} from './path.js';
export { spaoAlgorithmName, spaoDrkey } from './extensions.js';
export type { ExtensionHeader, ExtensionOption, SpaoOption, SpaoDrkeySpi, ExtensionHeaderInput, ExtensionOptionInput, ExtensionKind } from './extensions.js';
export type { ScionUdp, ScionUdpInput, UdpApplication } from './udp.js';
export {
  scmpTypeName,
  scmpCodeName,
  MAX_SCMP_PACKET_LEN,
  SCMP_DESTINATION_UNREACHABLE,
  SCMP_PACKET_TOO_BIG,
  SCMP_PARAMETER_PROBLEM,
  SCMP_EXTERNAL_INTERFACE_DOWN,
  SCMP_INTERNAL_CONNECTIVITY_DOWN,
  SCMP_ECHO_REQUEST,
  SCMP_ECHO_REPLY,
  SCMP_TRACEROUTE_REQUEST,
  SCMP_TRACEROUTE_REPLY,
} from './scmp.js';
export type { ScmpMessage, ScmpBody, ScmpQuote, ScmpInput, ScmpBodyInput, ScmpQuoteInput } from './scmp.js';
export { bfdDiagnosticName } from './bfd.js';
export type { BfdControl, BfdControlInput, BfdAuth, BfdStateName } from './bfd.js';
export type { ChecksumStatus } from './checksum.js';
export { computeScionChecksum } from './checksum.js';
export { encodeScionTimeTrailer, SCION_TIME_TRAILER_LEN, SCION_TIME_TRAILER_LABEL } from './trailer.js';
export type { TrailingData, ScionTimeTrailer, ScionTimeTrailerInput, Timespec, TimespecInput } from './trailer.js';
export type { LegacyScionHeader } from './legacy.js';
