/**
 * UDP with its kernel metadata: RX/TX timestamps, destination and interface, TTL/TOS, drops; the
 * SCION, dispatcher and NTP decoders; interfaces and hardware timestamping; passive capture and
 * dispatcher transit times.
 *
 * @module disptap
 */
// disptap: UDP with its kernel metadata. Everything public is exported from here.
export { openUdp, UdpTap } from './tap/udp-tap.js';
export type { ReceiveOptions, ReadMsgResult, TapAddress, Destination, SendResult, BatchItem } from './tap/udp-tap.js';
export type { SendOptions, TxKind } from './tap/tx/send-control.js';
export type { TxTimestamps, TxEvent } from './tap/tx/tx-tracker.js';
export type { OpenUdpOptions, TimestampMode } from './tap/options.js';
export type { RxMessage, RxMeta, RxTimestamps, SocketAddress, ExtendedError } from './tap/rx/rx-types.js';
export { RxBatch } from './tap/rx/batch.js';
export { mergeBatches } from './tap/merge-batches.js';
export type { PresentField } from './tap/rx/batch.js';
export { parseControl, decodeControl } from './cmsg/control.js';
export type { ControlMessage, ControlStatus } from './cmsg/control.js';
export { cmsgAlign, cmsgLen, cmsgSpace, CMSG_ALIGNTO, CMSG_HDR_LEN } from './cmsg/macros.js';
/** Named Linux constants (SOL_*, SO_*, SCM_*, IP_*, IPV6_*, MSG_*, SOF_TIMESTAMPING_*, IFF_*, HWTSTAMP_*), x86-64 and arm64 values. */
export * as constants from './sys/constants.js';
export { clock } from './sys/clock.js';
export { nsToDate, nsToIso, nsToMs, nsToSeconds, dateToNs } from './sys/time.js';
export { ifNameOf, clearIfNameCache } from './netif/ifname-cache.js';
export type { CodedError, ErrorCode, SystemError } from './sys/errors.js';
export type { TapStats } from './tap/tap-stats.js';
export { parseControlPure } from './cmsg/walk.js';
export { buildControl } from './cmsg/build.js';
export type { ControlMessageInput } from './cmsg/build.js';
export { describeControl } from './cmsg/names.js';
export {
  encodeSockaddr, decodeSockaddr, unmapSockaddr, isIPv4MappedSockaddr, htons, ntohs, htonl, ntohl,
  SOCKADDR_IN_LEN, SOCKADDR_IN6_LEN,
} from './sys/sockaddr.js';
export type { Sockaddr, SockaddrIn, SockaddrIn6, SockaddrInput } from './sys/sockaddr.js';
export { interfaces, interfaceByIndex, interfaceByName } from './netif/interfaces.js';
export type { NetworkInterface, InterfaceFlags, InterfaceAddress } from './netif/interfaces.js';
export {
  timestampingCapabilities, getHwTimestampConfig, setHwTimestampConfig,
  SOF_TIMESTAMPING_NAMES, HWTSTAMP_TX_NAMES, HWTSTAMP_FILTER_NAMES,
} from './netif/hwtstamp.js';
export type {
  TimestampingCapabilities, HwTimestampConfig, HwTimestampConfigInput, HwTxType, HwTxTypeName, HwRxFilter,
  HwRxFilterName, SofTimestampingName,
} from './netif/hwtstamp.js';
export { rxMessageToPcapngRecord } from './tap/rx/pcapng.js';
export { PcapngWriter, readPcapng, dissectUdp, formatMetaComment, parseMetaComment, META_PREFIX } from './pcapng/index.js';
export type {
  CaptureRecord as PcapngRecord, CaptureInterface as PcapngWriterInterface, WriterOptions as PcapngWriterOptions,
  FdWriterOptions as PcapngFdWriterOptions, PcapngFile, PcapngInterface, PcapngPacket, PcapngSection,
  ReadError as PcapngReadError, ReadErrorCode as PcapngReadErrorCode, PacketMeta as PcapngPacketMeta,
  TimestampSource as PcapngTimestampSource, Endpoint as PcapngEndpoint, DissectedUdp, Direction as PcapngDirection,
} from './pcapng/index.js';
export * from './decode/index.js';
export * from './capture/index.js';
export * from './transit/index.js';
export * from './ntp/index.js';
export * from './unix-relay/index.js';
