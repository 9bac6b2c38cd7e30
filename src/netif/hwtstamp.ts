// What timestamping a device offers (ETHTOOL_GET_TS_INFO, as `ethtool -T`) and switching its
// hardware timestamping (SIOCGHWTSTAMP / SIOCSHWTSTAMP, as hwstamp_ctl), without external tools.
import { invalidArg } from '../sys/errors.js';
import { checkIfName } from './interfaces.js';
import { native } from '../sys/native.js';

/** SOF_TIMESTAMPING_* bit names without the prefix, index = bit number. */
export const SOF_TIMESTAMPING_NAMES = [
  'TX_HARDWARE', 'TX_SOFTWARE', 'RX_HARDWARE', 'RX_SOFTWARE', 'SOFTWARE', 'SYS_HARDWARE', 'RAW_HARDWARE',
  'OPT_ID', 'TX_SCHED', 'TX_ACK', 'OPT_CMSG', 'OPT_TSONLY', 'OPT_STATS', 'OPT_PKTINFO', 'OPT_TX_SWHW',
  'BIND_PHC', 'OPT_ID_TCP', 'OPT_RX_FILTER', 'TX_COMPLETION',
] as const;
/** A SOF_TIMESTAMPING_* flag name without the prefix. */
export type SofTimestampingName = (typeof SOF_TIMESTAMPING_NAMES)[number];

/** HWTSTAMP_TX_* names without the prefix, index = value. */
export const HWTSTAMP_TX_NAMES = ['OFF', 'ON', 'ONESTEP_SYNC', 'ONESTEP_P2P'] as const;
/** A HWTSTAMP_TX_* name without the prefix. */
export type HwTxTypeName = (typeof HWTSTAMP_TX_NAMES)[number];

/** HWTSTAMP_FILTER_* names without the prefix, index = value. */
export const HWTSTAMP_FILTER_NAMES = [
  'NONE', 'ALL', 'SOME', 'PTP_V1_L4_EVENT', 'PTP_V1_L4_SYNC', 'PTP_V1_L4_DELAY_REQ', 'PTP_V2_L4_EVENT',
  'PTP_V2_L4_SYNC', 'PTP_V2_L4_DELAY_REQ', 'PTP_V2_L2_EVENT', 'PTP_V2_L2_SYNC', 'PTP_V2_L2_DELAY_REQ',
  'PTP_V2_EVENT', 'PTP_V2_SYNC', 'PTP_V2_DELAY_REQ', 'NTP_ALL',
] as const;
/** A HWTSTAMP_FILTER_* name without the prefix. */
export type HwRxFilterName = (typeof HWTSTAMP_FILTER_NAMES)[number];

/** What an interface can timestamp (ETHTOOL_GET_TS_INFO), as `ethtool -T` shows it. */
export interface TimestampingCapabilities {
  /** Supported SOF_TIMESTAMPING flags by name ('TX_SOFTWARE', 'RX_HARDWARE', …), in bit order. */
  flags: SofTimestampingName[];
  /** The raw so_timestamping mask (keeps bits newer than this library's names). */
  flagBits: number;
  /** Index of the PTP hardware clock (/dev/ptpN), -1 if none. */
  phcIndex: number;
  /** Hardware TX timestamp modes (HWTSTAMP_TX_*) setHwTimestampConfig accepts. */
  txTypes: HwTxTypeName[];
  txTypeBits: number;
  /** Hardware RX filters (HWTSTAMP_FILTER_*) setHwTimestampConfig accepts. */
  rxFilters: HwRxFilterName[];
  rxFilterBits: number;
}

function namesOf<T extends string>(mask: number, names: readonly T[]): T[] {
  return names.filter((_, bit) => (mask >>> bit) & 1);
}

/** ETHTOOL_GET_TS_INFO for ifName. Unknown interface → code 'ENODEV'. Needs no privilege. */
export function timestampingCapabilities(ifName: string): TimestampingCapabilities {
  const [flagBits, phcIndex, txTypeBits, rxFilterBits] = native.tsInfo(checkIfName(ifName, 'timestampingCapabilities'));
  return {
    flags: namesOf(flagBits, SOF_TIMESTAMPING_NAMES),
    flagBits,
    phcIndex,
    txTypes: namesOf(txTypeBits, HWTSTAMP_TX_NAMES),
    txTypeBits,
    rxFilters: namesOf(rxFilterBits, HWTSTAMP_FILTER_NAMES),
    rxFilterBits,
  };
}

/** A name, or the raw number for values newer than this library. */
export type HwTxType = HwTxTypeName | number;
/** A name, or the raw number for filters newer than this library. */
export type HwRxFilter = HwRxFilterName | number;

/** An interface's hardware timestamping configuration (`struct hwtstamp_config`). */
export interface HwTimestampConfig {
  /** HWTSTAMP_FLAG_* (BONDED_PHC_INDEX = 1). */
  flags: number;
  tx: HwTxType;
  rxFilter: HwRxFilter;
}

/** What {@link setHwTimestampConfig} asks the driver for; `flags` defaults to 0. */
export interface HwTimestampConfigInput {
  tx: HwTxType;
  rxFilter: HwRxFilter;
  flags?: number;
}

function toConfig([flags, tx, rx]: [number, number, number]): HwTimestampConfig {
  return { flags, tx: HWTSTAMP_TX_NAMES[tx] ?? tx, rxFilter: HWTSTAMP_FILTER_NAMES[rx] ?? rx };
}

function toValue(v: unknown, names: readonly string[], what: string): number {
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i < 0) throw invalidArg('ERR_INVALID_ARG_VALUE', `setHwTimestampConfig: ${what} '${v}' is not one of ${names.join(', ')}`, RangeError);
    return i;
  }
  if (typeof v !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `setHwTimestampConfig: ${what} must be a name or a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)
    throw invalidArg('ERR_OUT_OF_RANGE', `setHwTimestampConfig: ${what} must be a non-negative int32, got ${v}`, RangeError);
  return v;
}

/**
 * SIOCGHWTSTAMP: the device's current hardware timestamping. Devices without it → code 'EOPNOTSUPP';
 * unknown interface → 'ENODEV'.
 */
export function getHwTimestampConfig(ifName: string): HwTimestampConfig {
  return toConfig(native.hwtstampGet(checkIfName(ifName, 'getHwTimestampConfig')));
}

/**
 * SIOCSHWTSTAMP: switch hardware timestamping on (e.g. { tx: 'ON', rxFilter: 'ALL' }) or off. Returns
 * what the driver applied, which may be broader than asked (e.g. 'ALL' for a PTP filter). Needs
 * CAP_NET_ADMIN → otherwise code 'EPERM'; devices without support → 'EOPNOTSUPP'; a mode the driver
 * lacks → 'ERANGE'.
 */
export function setHwTimestampConfig(ifName: string, config: HwTimestampConfigInput): HwTimestampConfig {
  const name = checkIfName(ifName, 'setHwTimestampConfig');
  if (config === null || typeof config !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'setHwTimestampConfig: config must be { tx, rxFilter }');
  const tx = toValue(config.tx, HWTSTAMP_TX_NAMES, 'tx');
  const rx = toValue(config.rxFilter, HWTSTAMP_FILTER_NAMES, 'rxFilter');
  const flags = config.flags === undefined ? 0 : toValue(config.flags, [], 'flags');
  return toConfig(native.hwtstampSet(name, flags, tx, rx));
}
