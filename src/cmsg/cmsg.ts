// CMSG_ALIGN / CMSG_LEN / CMSG_SPACE as the C macros compute them on 64-bit Linux, plus a pure
// TypeScript control-message walker (the twin of the native parseControl), a builder for sendmsg
// control buffers and human names for cmsgs.
import os from 'node:os';
import * as C from '../sys/constants.js';
import type { ControlMessage, ControlStatus } from './control.js';
import { invalidArg } from '../sys/errors.js';

/** Alignment of control messages: sizeof(size_t). */
export const CMSG_ALIGNTO = 8;
/** Size of struct cmsghdr (size_t len; int level; int type), aligned. */
export const CMSG_HDR_LEN = 16;

const LITTLE_ENDIAN = os.endianness() === 'LE';
/** Largest n the helpers take: msg_controllen is a size_t, but nothing sane is above 4 GiB. */
const MAX_LEN = 0xffffffff;

function checkLen(n: unknown, fn: string): number {
  if (typeof n !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: n must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LEN)
    throw invalidArg('ERR_OUT_OF_RANGE', `${fn}: n must be an integer in 0..${MAX_LEN}, got ${n}`, RangeError);
  return n;
}

// Arithmetic, not `&`: bitwise operators would cut n to 32 signed bits.
export function cmsgAlign(n: number): number {
  return Math.ceil(checkLen(n, 'cmsgAlign') / CMSG_ALIGNTO) * CMSG_ALIGNTO;
}
export function cmsgLen(n: number): number {
  return CMSG_HDR_LEN + checkLen(n, 'cmsgLen');
}
export function cmsgSpace(n: number): number {
  return CMSG_HDR_LEN + cmsgAlign(checkLen(n, 'cmsgSpace'));
}

// Data length each known (level, type) needs before it is decoded; mirrors RequiredLength() in
// native/cmsg/cmsg.cc so both parsers call the same messages 'short'.
const REQUIRED: ReadonlyMap<number, ReadonlyMap<number, number>> = new Map([
  [C.SOL_SOCKET, new Map([
    [C.SCM_TIMESTAMPING, 48], [C.SCM_TIMESTAMPING_NEW, 48],
    [C.SCM_TIMESTAMPNS, 16], [C.SCM_TIMESTAMPNS_NEW, 16], [C.SCM_TIMESTAMP, 16], [C.SCM_TIMESTAMP_NEW, 16],
    [C.SO_RXQ_OVFL, 4], [C.SCM_TIMESTAMPING_PKTINFO, 16],
  ])],
  [C.IPPROTO_IP, new Map([[C.IP_PKTINFO, 12], [C.IP_TTL, 4], [C.IP_TOS, 1], [C.IP_RECVERR, 16]])],
  [C.IPPROTO_IPV6, new Map([[C.IPV6_PKTINFO, 20], [C.IPV6_HOPLIMIT, 4], [C.IPV6_TCLASS, 4], [C.IPV6_RECVERR, 16]])],
]);

function requiredLength(level: number, type: number): number {
  return REQUIRED.get(level)?.get(type) ?? 0;
}

/**
 * The pure-TypeScript twin of parseControl (src/cmsg/control.ts): the same messages, offsets, data and
 * statuses for the same bytes. Steps by CMSG_ALIGN(cmsg_len), never reads past the buffer, and stops
 * after a truncated or malformed message.
 */
export function parseControlPure(oob: Uint8Array): ControlMessage[] {
  if (!(oob instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'parseControlPure: control buffer must be a Uint8Array/Buffer');
  const dv = new DataView(oob.buffer, oob.byteOffset, oob.byteLength);
  const out: ControlMessage[] = [];
  const push = (offset: number, level: number, type: number, from: number, to: number, status: ControlStatus) =>
    out.push({ offset, level, type, data: Buffer.from(oob.subarray(from, to)), status });
  let off = 0;
  while (off < oob.length) {
    const avail = oob.length - off;
    if (avail < CMSG_HDR_LEN) {
      push(off, -1, -1, off, oob.length, 'malformed');
      break;
    }
    // size_t cmsg_len in host order; above 2^53 it loses precision but stays far above any buffer.
    const lo = dv.getUint32(off + (LITTLE_ENDIAN ? 0 : 4), LITTLE_ENDIAN);
    const hi = dv.getUint32(off + (LITTLE_ENDIAN ? 4 : 0), LITTLE_ENDIAN);
    const declared = hi * 0x1_0000_0000 + lo;
    const level = dv.getInt32(off + 8, LITTLE_ENDIAN);
    const type = dv.getInt32(off + 12, LITTLE_ENDIAN);
    const dataOff = off + CMSG_HDR_LEN;
    if (declared < CMSG_HDR_LEN) {
      push(off, level, type, dataOff, dataOff, 'malformed');
      break;
    }
    if (declared > avail) {
      push(off, level, type, dataOff, oob.length, 'truncated');
      break;
    }
    const dataLen = declared - CMSG_HDR_LEN;
    const need = requiredLength(level, type);
    push(off, level, type, dataOff, dataOff + dataLen, need !== 0 && dataLen < need ? 'short' : 'ok');
    const step = Math.ceil(declared / CMSG_ALIGNTO) * CMSG_ALIGNTO;
    if (step >= avail) break; // the last message may lack its tail padding
    off += step;
  }
  return out;
}

export interface ControlMessageInput {
  /** cmsg_level, e.g. IPPROTO_IP. */
  level: number;
  /** cmsg_type, e.g. IP_TTL. */
  type: number;
  data: Uint8Array;
}

function int32(v: unknown, what: string): number {
  if (typeof v !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: ${what} must be a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff)
    throw invalidArg('ERR_OUT_OF_RANGE', `buildControl: ${what} must be an int32, got ${v}`, RangeError);
  return v;
}

/**
 * A control buffer for sendmsg: each message at a CMSG_ALIGN'd offset with cmsg_len = CMSG_LEN(data),
 * sized with CMSG_SPACE and zero-filled (glibc's CMSG_NXTHDR misreads stale padding).
 */
export function buildControl(messages: readonly ControlMessageInput[]): Buffer {
  if (!Array.isArray(messages)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'buildControl: expected an array of { level, type, data }');
  let total = 0;
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: messages[${i}] must be an object`);
    int32(m.level, `messages[${i}].level`);
    int32(m.type, `messages[${i}].type`);
    if (!(m.data instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: messages[${i}].data must be a Uint8Array`);
    total += cmsgSpace(m.data.length);
  });
  const buf = Buffer.alloc(total);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  for (const m of messages) {
    dv.setBigUint64(off, BigInt(cmsgLen(m.data.length)), LITTLE_ENDIAN);
    dv.setInt32(off + 8, m.level, LITTLE_ENDIAN);
    dv.setInt32(off + 12, m.type, LITTLE_ENDIAN);
    buf.set(m.data, off + CMSG_HDR_LEN);
    off += cmsgSpace(m.data.length);
  }
  return buf;
}

const LEVEL_NAMES: ReadonlyMap<number, string> = new Map([
  [C.SOL_SOCKET, 'SOL_SOCKET'],
  [C.IPPROTO_IP, 'IPPROTO_IP'],
  [C.IPPROTO_IPV6, 'IPPROTO_IPV6'],
  [C.IPPROTO_UDP, 'IPPROTO_UDP'],
]);

function byNumber(names: Record<string, number>): ReadonlyMap<number, string> {
  return new Map(Object.entries(names).map(([name, value]) => [value, name] as const));
}

// One name per (level, type): the SCM_* name where an option and its cmsg share a number.
const TYPE_NAMES: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [C.SOL_SOCKET, byNumber({
    SCM_RIGHTS: C.SCM_RIGHTS, SCM_CREDENTIALS: C.SCM_CREDENTIALS, SCM_SECURITY: C.SCM_SECURITY, SCM_PIDFD: C.SCM_PIDFD,
    SO_PRIORITY: C.SO_PRIORITY, SCM_TIMESTAMP: C.SCM_TIMESTAMP, SCM_TIMESTAMPNS: C.SCM_TIMESTAMPNS, SO_MARK: C.SO_MARK,
    SCM_TIMESTAMPING: C.SCM_TIMESTAMPING, SO_RXQ_OVFL: C.SO_RXQ_OVFL, SCM_WIFI_STATUS: C.SCM_WIFI_STATUS,
    SCM_TIMESTAMPING_OPT_STATS: C.SCM_TIMESTAMPING_OPT_STATS, SCM_TIMESTAMPING_PKTINFO: C.SCM_TIMESTAMPING_PKTINFO,
    SCM_TXTIME: C.SCM_TXTIME, SCM_TIMESTAMP_NEW: C.SCM_TIMESTAMP_NEW, SCM_TIMESTAMPNS_NEW: C.SCM_TIMESTAMPNS_NEW,
    SCM_TIMESTAMPING_NEW: C.SCM_TIMESTAMPING_NEW,
  })],
  [C.IPPROTO_IP, byNumber({
    IP_TOS: C.IP_TOS, IP_TTL: C.IP_TTL, IP_OPTIONS: C.IP_OPTIONS, IP_RECVOPTS: C.IP_RECVOPTS, IP_RETOPTS: C.IP_RETOPTS,
    IP_PKTINFO: C.IP_PKTINFO, IP_RECVERR: C.IP_RECVERR, IP_ORIGDSTADDR: C.IP_ORIGDSTADDR, IP_CHECKSUM: C.IP_CHECKSUM,
    IP_RECVFRAGSIZE: C.IP_RECVFRAGSIZE,
  })],
  [C.IPPROTO_IPV6, byNumber({
    IPV6_NEXTHOP: C.IPV6_NEXTHOP, IPV6_FLOWINFO: C.IPV6_FLOWINFO, IPV6_RECVERR: C.IPV6_RECVERR,
    IPV6_PKTINFO: C.IPV6_PKTINFO, IPV6_HOPLIMIT: C.IPV6_HOPLIMIT, IPV6_HOPOPTS: C.IPV6_HOPOPTS,
    IPV6_RTHDRDSTOPTS: C.IPV6_RTHDRDSTOPTS, IPV6_RTHDR: C.IPV6_RTHDR, IPV6_DSTOPTS: C.IPV6_DSTOPTS,
    IPV6_PATHMTU: C.IPV6_PATHMTU, IPV6_TCLASS: C.IPV6_TCLASS, IPV6_ORIGDSTADDR: C.IPV6_ORIGDSTADDR,
    IPV6_RECVFRAGSIZE: C.IPV6_RECVFRAGSIZE,
  })],
  [C.IPPROTO_UDP, byNumber({ UDP_SEGMENT: C.UDP_SEGMENT, UDP_GRO: C.UDP_GRO })],
]);

/**
 * A human name for any cmsg: 'SOL_SOCKET/SCM_TIMESTAMPING', 'IPPROTO_IP/IP_PKTINFO'; numbers where
 * the name is unknown ('SOL_SOCKET/type 99', 'level 6/type 3').
 */
export function describeControl(msg: { level: number; type: number }): string {
  if (msg === null || typeof msg !== 'object' || typeof msg.level !== 'number' || typeof msg.type !== 'number')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'describeControl: expected { level: number, type: number }');
  const level = LEVEL_NAMES.get(msg.level) ?? `level ${msg.level}`;
  const type = TYPE_NAMES.get(msg.level)?.get(msg.type) ?? `type ${msg.type}`;
  return `${level}/${type}`;
}
