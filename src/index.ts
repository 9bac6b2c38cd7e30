// disptap: UDP with its kernel metadata. Everything public is exported from here.
export { openUdp, UdpTap } from './udp-tap.js';
export type { ReceiveOptions, ReadMsgResult, TapAddress, Destination, SendResult, BatchItem } from './udp-tap.js';
export type { SendOptions, TxKind } from './send-control.js';
export type { TxTimestamps, TxEvent } from './tx-tracker.js';
export type { OpenUdpOptions, TimestampMode } from './options.js';
export type { RxMessage, RxMeta, RxTimestamps, SocketAddress, ExtendedError } from './rx-types.js';
export { RxBatch } from './batch.js';
export type { PresentField } from './batch.js';
export { parseControl, decodeControl } from './control.js';
export type { ControlMessage, ControlStatus } from './control.js';
export { cmsgAlign, cmsgLen, cmsgSpace, CMSG_ALIGNTO, CMSG_HDR_LEN } from './cmsg.js';
export * as constants from './constants.js';
export { clock } from './clock.js';
export { nsToDate, nsToIso, nsToMs, nsToSeconds, dateToNs } from './time.js';
export { ifNameOf, clearIfNameCache } from './ifname-cache.js';
export type { CodedError, SystemError } from './errors.js';
export * from './capture/index.js';
export * from './transit/index.js';
