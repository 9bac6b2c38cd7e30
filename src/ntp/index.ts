// NTP exchanges on the wire: pairing, offset and delay from kernel timestamps, two-point attribution, chrony's log.
export { NtpPairer, pairNtpRecords } from './pair.js';
export type { NtpPairOptions } from './pair.js';
export { ntpOffsetNs, ntpDelayNs, percentileNs } from './exchange.js';
export { ntpRecordFromUdp, ntpRecordFromCapture, ntpRecordFromRx } from './records.js';
export type { NtpUdpInput } from './records.js';
export { NtpSegmentJoiner, exchangeKey } from './segments.js';
export type { NtpSegment, NtpSegmentSummary } from './segments.js';
export { parseChronyMeasurements, ChronyMatcher } from './chrony-log.js';
export type { ChronyMeasurement, ChronyComparison } from './chrony-log.js';
export type {
  NtpWireRecord, NtpEndpoint, NtpTimeSource, NtpExchange, NtpExchangeMode, NtpExchangeSources, NtpUnpaired, NtpUnpairedReason,
  NtpPairEvent, NtpPairCounts,
} from './types.js';
