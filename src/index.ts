// disptap: UDP with its kernel metadata. Everything public is exported from here.
export { openUdp, UdpTap } from './udp-tap.js';
export type { ReceiveOptions, ReadMsgResult, TapAddress, Destination, SendResult, BatchItem } from './udp-tap.js';
export type { SendOptions, TxKind } from './send-control.js';
export type { TxTimestamps, TxEvent } from './tx-tracker.js';
export type { OpenUdpOptions, TimestampMode } from './options.js';
export type { RxMessage, RxMeta, RxTimestamps, SocketAddress, ExtendedError } from './rx-types.js';
export { RxBatch } from './batch.js';
export { mergeBatches } from './merge-batches.js';
export type { PresentField } from './batch.js';
export { parseControl, decodeControl } from './control.js';
export type { ControlMessage, ControlStatus } from './control.js';
export { cmsgAlign, cmsgLen, cmsgSpace, CMSG_ALIGNTO, CMSG_HDR_LEN } from './cmsg.js';
export * as constants from './constants.js';
export { clock } from './clock.js';
export { nsToDate, nsToIso, nsToMs, nsToSeconds, dateToNs } from './time.js';
export { ifNameOf, clearIfNameCache } from './ifname-cache.js';
export type { CodedError, SystemError } from './errors.js';
export type { TapStats } from './tap-stats.js';
export { parseControlPure, buildControl, describeControl } from './cmsg.js';
export type { ControlMessageInput } from './cmsg.js';
export {
  encodeSockaddr, decodeSockaddr, unmapSockaddr, isIPv4MappedSockaddr, htons, ntohs, htonl, ntohl,
  SOCKADDR_IN_LEN, SOCKADDR_IN6_LEN,
} from './sockaddr.js';
export type { Sockaddr, SockaddrIn, SockaddrIn6, SockaddrInput } from './sockaddr.js';
export { interfaces, interfaceByIndex, interfaceByName } from './interfaces.js';
export type { NetworkInterface, InterfaceFlags, InterfaceAddress } from './interfaces.js';
export {
  timestampingCapabilities, getHwTimestampConfig, setHwTimestampConfig,
  SOF_TIMESTAMPING_NAMES, HWTSTAMP_TX_NAMES, HWTSTAMP_FILTER_NAMES,
} from './hwtstamp.js';
export type {
  TimestampingCapabilities, HwTimestampConfig, HwTimestampConfigInput, HwTxType, HwTxTypeName, HwRxFilter,
  HwRxFilterName, SofTimestampingName,
} from './hwtstamp.js';
export * from './decode/index.js';
export * from './capture/index.js';
export * from './transit/index.js';
