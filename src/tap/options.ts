// Validation of openUdp options: everything is checked before any syscall.
import { parseAddress, toMappedIPv6, validatePort, type Family, type ParsedAddress } from '../sys/address.js';
import { CMSG_HDR_LEN } from '../cmsg/macros.js';
import { invalidArg } from '../sys/errors.js';
import { native } from '../sys/native.js';

/** Which RX timestamps a tap asks the kernel for: none, software (SO_TIMESTAMPING RX_SOFTWARE), or software and hardware. */
export type TimestampMode = 'none' | 'software' | 'hardware';

/** Options of {@link openUdp}; every one is optional (README, "Receiving", has the table with defaults). */
export interface OpenUdpOptions {
  /** Local address to bind: '127.0.0.1', '::1', '0.0.0.0', '::' (default: the family's any address). */
  address?: string;
  /** Local port; 0 lets the kernel choose (see tap.address()). Default 0. */
  port?: number;
  /** 4 or 6; inferred from address when omitted. */
  family?: Family;
  reuseAddr?: boolean;
  reusePort?: boolean;
  /** SO_RCVBUF bytes (SO_RCVBUFFORCE when more than rmem_max is asked and allowed). */
  recvBufferSize?: number;
  /** IPv6 sockets only: refuse IPv4-mapped traffic. Default false. */
  ipv6Only?: boolean;
  /** Kernel RX timestamps. Default 'software'. */
  timestamps?: TimestampMode;
  /** IP_PKTINFO / IPV6_RECVPKTINFO: destination address and arrival interface. Default true. */
  pktinfo?: boolean;
  /** IP_RECVTTL / IPV6_RECVHOPLIMIT. Default true. */
  ttl?: boolean;
  /** IP_RECVTOS / IPV6_RECVTCLASS. Default true. */
  tos?: boolean;
  /** SO_RXQ_OVFL: cumulative kernel drop counter. Default true. */
  dropCounter?: boolean;
  /** Bytes per datagram slot; longer datagrams arrive truncated (MSG_TRUNC). Default 65536. */
  maxMessageSize?: number;
  /**
   * Datagrams per recvmmsg call, and so per batch: 1..1024 (the kernel's UIO_MAXIOV). Default 256,
   * reached once a round fills the small arenas a tap starts with; a value given here is used from
   * the start.
   */
  batchSize?: number;
  /** Control bytes per datagram; default sized from the enabled options with CMSG_SPACE. */
  controlBufferSize?: number;
  /** Messages queued for receive()/iteration before reading pauses (kernel buffers the rest). Default 8192. */
  highWaterMark?: number;
  /** How long send()'s tx promise waits for TX timestamps from the error queue. Default 2000 ms. */
  txTimeoutMs?: number;
  /** TX timestamps awaited at once; beyond it the oldest is rejected (ERR_TX_EVICTED). Default 65536. */
  maxPendingTx?: number;
}

export interface ResolvedOptions {
  family: Family;
  bind: ParsedAddress;
  addressText: string;
  port: number;
  reuseAddr: boolean;
  reusePort: boolean;
  recvBufferSize: number | undefined;
  ipv6Only: boolean;
  timestamps: TimestampMode;
  pktinfo: boolean;
  ttl: boolean;
  tos: boolean;
  dropCounter: boolean;
  maxMessageSize: number;
  batchSize: number;
  /** batchSize was not given: arenas start small and grow to it once a round fills one. */
  growBatches: boolean;
  controlBufferSize: number | undefined;
  highWaterMark: number;
  txTimeoutMs: number;
  maxPendingTx: number;
}

const KNOWN = new Set([
  'address', 'port', 'family', 'reuseAddr', 'reusePort', 'recvBufferSize', 'ipv6Only', 'timestamps',
  'pktinfo', 'ttl', 'tos', 'dropCounter', 'maxMessageSize', 'batchSize', 'controlBufferSize', 'highWaterMark', 'txTimeoutMs', 'maxPendingTx',
]);

function bool(o: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', `options.${key} must be a boolean, got ${typeof v}`);
  return v;
}

export function intOption(o: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `options.${key} must be a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < min || v > max)
    throw invalidArg('ERR_OUT_OF_RANGE', `options.${key} must be an integer in ${min}..${max}, got ${v}`, RangeError);
  return v;
}

/** 0 (no metadata) or at least one cmsghdr: 1..15 bytes could never hold a message (MSG_CTRUNC always). */
function controlBufferSize(o: Record<string, unknown>): number | undefined {
  const v = intOption(o, 'controlBufferSize', 0, 1 << 16);
  if (v !== undefined && v > 0 && v < CMSG_HDR_LEN)
    throw invalidArg('ERR_OUT_OF_RANGE', `options.controlBufferSize must be 0 or at least ${CMSG_HDR_LEN} (one cmsghdr), got ${v}`, RangeError);
  return v;
}

/** Resolves the zone of 'fe80::1%eth0' to an ifindex, for parseAddress(). */
export function zoneResolver(field: string): (zone: string) => number {
  return (zone) => {
    const idx = native.ifNameToIndex(zone);
    if (!idx) throw invalidArg('ERR_INVALID_ADDRESS', `${field}: no interface named '${zone}'`);
    return idx;
  };
}

/**
 * Default datagrams per round. More amortises the per-round costs no further, and the arenas a
 * drained tap cycles through then outgrow the core's cache: 256 measured 5–7 % less CPU per
 * datagram than 1024 in drains at 64 B and 1200 B (bench/run.mjs receivers, interleaved).
 */
export const DEFAULT_BATCH = 256;

export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'openUdp(options): options must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw invalidArg('ERR_INVALID_ARG_VALUE', `openUdp: unknown option '${k}'`);
  let family = o.family as Family | undefined;
  if (family !== undefined && family !== 4 && family !== 6)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `options.family must be 4 or 6, got ${String(family)}`);
  const addrText = o.address === undefined ? (family === 6 ? '::' : '0.0.0.0') : o.address;
  if (typeof addrText !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `options.address must be a string, got ${typeof addrText}`);
  let bind = parseAddress(addrText, 'options.address', zoneResolver('options.address'));
  if (family === undefined) family = bind.family;
  else if (family !== bind.family) {
    // An IPv4 address on an IPv6 socket is meant as its mapped form.
    if (family === 6 && bind.family === 4) bind = toMappedIPv6(bind);
    else throw invalidArg('ERR_INVALID_ARG_VALUE', `options.address ${addrText} is not an IPv${family} address`);
  }
  // undefined only: null is a wrong value here as for every other option
  const timestamps = o.timestamps === undefined ? 'software' : o.timestamps;
  if (timestamps !== 'none' && timestamps !== 'software' && timestamps !== 'hardware')
    throw invalidArg('ERR_INVALID_ARG_VALUE', `options.timestamps must be 'none', 'software' or 'hardware', got ${String(timestamps)}`);
  return {
    family,
    bind,
    addressText: addrText,
    port: o.port === undefined ? 0 : validatePort(o.port, 'options.port'),
    reuseAddr: bool(o, 'reuseAddr', false),
    reusePort: bool(o, 'reusePort', false),
    recvBufferSize: intOption(o, 'recvBufferSize', 1, 2 ** 31 - 1),
    ipv6Only: bool(o, 'ipv6Only', false),
    timestamps,
    pktinfo: bool(o, 'pktinfo', true),
    ttl: bool(o, 'ttl', true),
    tos: bool(o, 'tos', true),
    dropCounter: bool(o, 'dropCounter', true),
    maxMessageSize: intOption(o, 'maxMessageSize', 1, 1 << 20) ?? 65536,
    batchSize: intOption(o, 'batchSize', 1, 1024) ?? DEFAULT_BATCH,
    growBatches: o.batchSize === undefined,
    controlBufferSize: controlBufferSize(o),
    highWaterMark: intOption(o, 'highWaterMark', 1, 1 << 24) ?? 8192,
    txTimeoutMs: intOption(o, 'txTimeoutMs', 1, 3_600_000) ?? 2000,
    maxPendingTx: intOption(o, 'maxPendingTx', 1, 1 << 24) ?? 65536,
  };
}
