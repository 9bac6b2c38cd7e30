// Per-packet control messages for sendmsg: source address / interface, TTL, TOS, TX timestamps.
import { parseAddress, type Family } from '../../sys/address.js';
import { buildControl } from '../../cmsg/build.js';
import * as C from '../../sys/constants.js';
import { invalidArg } from '../../sys/errors.js';

/** A TX timestamp recording point: entering the qdisc (sched), leaving for the driver (software), or the NIC (hardware). */
export type TxKind = 'sched' | 'software' | 'hardware';

/** Per-datagram send options; all optional. */
export interface SendOptions {
  /** IP_TTL / IPV6_HOPLIMIT for this datagram (0..255). */
  ttl?: number;
  /** IP_TOS / IPV6_TCLASS for this datagram (0..255). */
  tos?: number;
  /** Source address (IP_PKTINFO ipi_spec_dst / IPV6_PKTINFO); must be local. */
  sourceAddress?: string;
  /** Outgoing interface index (IP_PKTINFO / IPV6_PKTINFO). */
  ifIndex?: number;
  /** Transmit timestamps to collect from the error queue for this datagram. */
  txTimestamps?: TxKind | readonly TxKind[];
  /** How long to wait for the TX timestamps (default: the tap's txTimeoutMs). */
  txTimeoutMs?: number;
}

export interface ResolvedSend {
  control: Uint8Array | null;
  tx: ReadonlySet<TxKind>;
  txTimeoutMs: number | undefined;
}

const KNOWN = new Set(['ttl', 'tos', 'sourceAddress', 'ifIndex', 'txTimestamps', 'txTimeoutMs']);
const TX_BITS: Record<TxKind, number> = {
  sched: C.SOF_TIMESTAMPING_TX_SCHED,
  software: C.SOF_TIMESTAMPING_TX_SOFTWARE,
  hardware: C.SOF_TIMESTAMPING_TX_HARDWARE,
};

interface Part {
  level: number;
  type: number;
  data: Uint8Array;
}

function byteOpt(o: SendOptions, key: 'ttl' | 'tos'): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `send: ${key} must be a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < 0 || v > 255) throw invalidArg('ERR_OUT_OF_RANGE', `send: ${key} must be an integer in 0..255, got ${v}`, RangeError);
  return v;
}

function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** Zero-filled, CMSG_SPACE-aligned control buffer (glibc's CMSG_NXTHDR misreads unzeroed ones). */
function pack(parts: Part[]): Uint8Array | null {
  return parts.length === 0 ? null : buildControl(parts);
}

export function parseTxKinds(v: unknown): Set<TxKind> {
  const out = new Set<TxKind>();
  if (v === undefined) return out;
  const list = Array.isArray(v) ? v : [v];
  for (const k of list) {
    if (k !== 'sched' && k !== 'software' && k !== 'hardware')
      throw invalidArg('ERR_INVALID_ARG_VALUE', `send: txTimestamps must be 'sched', 'software', 'hardware' or an array of them, got ${String(k)}`);
    out.add(k);
  }
  return out;
}

/** Validates per-packet options and builds the control bytes for a socket of `family`. */
export function buildSendControl(family: Family, opts: SendOptions | undefined): ResolvedSend {
  if (opts === undefined) return { control: null, tx: new Set(), txTimeoutMs: undefined };
  if (opts === null || typeof opts !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'send: options must be an object');
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw invalidArg('ERR_INVALID_ARG_VALUE', `send: unknown option '${k}'`);
  const parts: Part[] = [];
  const ttl = byteOpt(opts, 'ttl');
  const tos = byteOpt(opts, 'tos');
  if (opts.ifIndex !== undefined && typeof opts.ifIndex !== 'number')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `send: ifIndex must be a number, got ${typeof opts.ifIndex}`);
  if (opts.ifIndex !== undefined && (!Number.isInteger(opts.ifIndex) || opts.ifIndex < 0 || opts.ifIndex > 0x7fffffff))
    throw invalidArg('ERR_OUT_OF_RANGE', `send: ifIndex must be a non-negative integer, got ${String(opts.ifIndex)}`, RangeError);
  let txTimeoutMs: number | undefined;
  if (opts.txTimeoutMs !== undefined) {
    if (typeof opts.txTimeoutMs !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `send: txTimeoutMs must be a number, got ${typeof opts.txTimeoutMs}`);
    if (!(opts.txTimeoutMs > 0) || !Number.isFinite(opts.txTimeoutMs))
      throw invalidArg('ERR_OUT_OF_RANGE', `send: txTimeoutMs must be a positive number, got ${String(opts.txTimeoutMs)}`, RangeError);
    txTimeoutMs = opts.txTimeoutMs;
  }
  const tx = parseTxKinds(opts.txTimestamps);
  if (opts.sourceAddress !== undefined || opts.ifIndex !== undefined) {
    const ifIndex = opts.ifIndex ?? 0;
    if (family === 4) {
      const data = new Uint8Array(12); // in_pktinfo { ifindex; spec_dst; addr }
      new DataView(data.buffer).setInt32(0, ifIndex, true);
      if (opts.sourceAddress !== undefined) {
        const a = parseAddress(opts.sourceAddress, 'send: sourceAddress');
        if (a.family !== 4) throw invalidArg('ERR_INVALID_ARG_VALUE', `send: sourceAddress ${opts.sourceAddress} is not IPv4`);
        data.set(a.bytes, 4);
      }
      parts.push({ level: C.IPPROTO_IP, type: C.IP_PKTINFO, data });
    } else {
      const data = new Uint8Array(20); // in6_pktinfo { addr; ifindex }
      if (opts.sourceAddress !== undefined) {
        const a = parseAddress(opts.sourceAddress, 'send: sourceAddress');
        if (a.family !== 6) throw invalidArg('ERR_INVALID_ARG_VALUE', `send: sourceAddress ${opts.sourceAddress} is not IPv6 (use ::ffff:a.b.c.d)`);
        data.set(a.bytes, 0);
      }
      new DataView(data.buffer).setUint32(16, ifIndex, true);
      parts.push({ level: C.IPPROTO_IPV6, type: C.IPV6_PKTINFO, data });
    }
  }
  if (ttl !== undefined) parts.push(family === 4 ? { level: C.IPPROTO_IP, type: C.IP_TTL, data: int32(ttl) } : { level: C.IPPROTO_IPV6, type: C.IPV6_HOPLIMIT, data: int32(ttl) });
  if (tos !== undefined) parts.push(family === 4 ? { level: C.IPPROTO_IP, type: C.IP_TOS, data: int32(tos) } : { level: C.IPPROTO_IPV6, type: C.IPV6_TCLASS, data: int32(tos) });
  if (tx.size) {
    let bits = 0;
    for (const k of tx) bits |= TX_BITS[k];
    // Only recording flags go per packet; reporting flags and OPT_ID are set on the socket.
    parts.push({ level: C.SOL_SOCKET, type: C.SO_TIMESTAMPING_OLD, data: int32(bits) });
  }
  return { control: pack(parts), tx, txTimeoutMs };
}
