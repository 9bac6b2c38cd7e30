/**
 * NTP (RFC 5905): the 48-byte header of modes 0-5, plus the control (mode 6) and private (mode 7)
 * message headers, which share the first byte but not the layout. encodeNtp is the inverse.
 */

import { asBytes, assertUint, copy, u16, u32, ByteWriter, type BytesLike } from './bytes.js';
import { decodeError, decodeWarning, EncodeError, type DecodeError, type DecodeWarning } from './errors.js';
import { isoFromNs } from './time.js';

/** Bytes of the NTP packet header (modes 1-5) before any extension or MAC. */
export const NTP_HEADER_LEN = 48;
export const NTP_CONTROL_HEADER_LEN = 12;
export const NTP_PRIVATE_HEADER_LEN = 4;
/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
export const NTP_UNIX_OFFSET = 2_208_988_800n;

const LEAP_NAMES = ['NoWarning', 'LastMinute61Seconds', 'LastMinute59Seconds', 'Unsynchronized'] as const;
const MODE_NAMES = ['Reserved', 'SymmetricActive', 'SymmetricPassive', 'Client', 'Server', 'Broadcast', 'Control', 'Private'] as const;
const CONTROL_OPCODES: Readonly<Record<number, string>> = {
  1: 'ReadStatus',
  2: 'ReadVariables',
  3: 'WriteVariables',
  4: 'ReadClock',
  5: 'WriteClock',
  6: 'SetTrap',
  7: 'AsyncMessage',
  8: 'Configure',
  9: 'SaveConfig',
  10: 'ReadMRU',
  11: 'ReadOrderedList',
  12: 'RequestNonce',
  31: 'UnsetTrap',
};

/** The leap indicator, named. */
export type NtpLeapName = (typeof LEAP_NAMES)[number];
/** The association mode, named (3 = Client, 4 = Server, 6 = Control, 7 = Private). */
export type NtpModeName = (typeof MODE_NAMES)[number];

/** A 64-bit NTP timestamp with its Unix-epoch reading. */
export interface NtpTimestamp {
  /** The 64-bit wire value: seconds since 1900 << 32 | fraction. */
  raw: bigint;
  /** Nanoseconds since the Unix epoch (era chosen as below); null for the all-zero "unset" value. */
  ns: bigint | null;
  iso: string | null;
}

/** A decoded NTP packet of modes 0-5: the 48-byte header and what follows it. */
export interface NtpHeader {
  kind: 'header';
  leap: number;
  leapName: NtpLeapName;
  version: number;
  mode: number;
  modeName: NtpModeName;
  stratum: number;
  /** log2 seconds (signed). */
  poll: number;
  /** log2 seconds (signed). */
  precision: number;
  /** Seconds (NTP short format). */
  rootDelay: number;
  rootDelayRaw: number;
  rootDispersion: number;
  rootDispersionRaw: number;
  referenceId: number;
  /** Kiss code / source name for stratum 0-1, dotted quad otherwise. */
  referenceIdText: string;
  referenceTimestamp: NtpTimestamp;
  originTimestamp: NtpTimestamp;
  receiveTimestamp: NtpTimestamp;
  transmitTimestamp: NtpTimestamp;
  /** Extension fields / key id + MAC after the header, raw. */
  extra?: Uint8Array;
}

/** A decoded NTP control message (mode 6, RFC 9327). */
export interface NtpControl {
  kind: 'control';
  leap: number;
  version: number;
  mode: 6;
  modeName: 'Control';
  response: boolean;
  error: boolean;
  more: boolean;
  opcode: number;
  opcodeName: string;
  sequence: number;
  status: number;
  associationId: number;
  offset: number;
  count: number;
  data: Uint8Array;
  /** Padding / authenticator after the data. */
  extra?: Uint8Array;
}

/** A decoded NTP private message (mode 7, ntpd's ntpdc). */
export interface NtpPrivate {
  kind: 'private';
  response: boolean;
  more: boolean;
  version: number;
  mode: 7;
  modeName: 'Private';
  authenticated: boolean;
  sequence: number;
  implementation: number;
  requestCode: number;
  data: Uint8Array;
}

/** Any decoded NTP message, by `kind`. */
export type NtpMessage = NtpHeader | NtpControl | NtpPrivate;

/** A successfully decoded NTP message. */
export type NtpPacket = NtpMessage & { ok: true; layer: 'ntp'; warnings: DecodeWarning[] };

/** What {@link decodeNtp} returns when it stops: the fault and what the first byte said. */
export interface NtpDecodeFailure {
  ok: false;
  layer: 'ntp';
  error: DecodeError;
  /** From the first byte, when there is one. */
  partial?: { leap: number; version: number; mode: number; modeName: NtpModeName };
  warnings: DecodeWarning[];
}

/** {@link decodeNtp}'s result: an {@link NtpPacket} (`ok: true`) or an {@link NtpDecodeFailure}. */
export type NtpDecodeResult = NtpPacket | NtpDecodeFailure;

/**
 * NTP 64-bit timestamp → ns since the Unix epoch. Era: seconds with the top bit clear are taken
 * to be in era 1 (2036-02-07 onwards), as RFC 4330 §3 suggests for a 1968-2104 window.
 */
export function ntpTimestamp(raw: bigint): NtpTimestamp {
  if (raw === 0n) return { raw, ns: null, iso: null };
  let secs = raw >> 32n;
  if (secs < 0x80000000n) secs += 0x100000000n;
  const frac = raw & 0xffffffffn;
  const ns = (secs - NTP_UNIX_OFFSET) * 1_000_000_000n + ((frac * 1_000_000_000n) >> 32n);
  return { raw, ns, iso: isoFromNs(ns) };
}

/**
 * ns since the Unix epoch → 64-bit NTP timestamp. The fraction is rounded up so that decoding
 * gives back the same ns.
 */
export function ntpTimestampFromNs(ns: bigint): bigint {
  let sec = ns / 1_000_000_000n;
  let rem = ns % 1_000_000_000n;
  if (rem < 0n) {
    rem += 1_000_000_000n;
    sec -= 1n;
  }
  const secs = (sec + NTP_UNIX_OFFSET) & 0xffffffffn;
  const frac = (rem * 0x100000000n + 999_999_999n) / 1_000_000_000n;
  return (secs << 32n) | frac;
}

function shortFormat(v: number): number {
  return v / 65536;
}

function signed8(v: number): number {
  return v > 127 ? v - 256 : v;
}

function referenceText(stratum: number, d: Uint8Array, o: number): string {
  const b = d.subarray(o, o + 4);
  if (stratum <= 1) {
    const chars = Array.from(b).filter((c) => c !== 0);
    if (chars.every((c) => c >= 0x20 && c < 0x7f)) return String.fromCharCode(...chars);
    return '0x' + Array.from(b, (c) => c.toString(16).padStart(2, '0')).join('');
  }
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

function ts(d: Uint8Array, o: number): NtpTimestamp {
  return ntpTimestamp((BigInt(u32(d, o)) << 32n) | BigInt(u32(d, o + 4)));
}

/** Decodes an NTP message of any mode; never throws. */
export function decodeNtp(input: BytesLike): NtpDecodeResult {
  const warnings: DecodeWarning[] = [];
  const d = asBytes(input);
  if (!d) return { ok: false, layer: 'ntp', error: decodeError('INVALID_INPUT', 'expected a Uint8Array or ArrayBuffer', 0), warnings };
  if (d.length === 0) return { ok: false, layer: 'ntp', error: decodeError('TRUNCATED', 'empty NTP message', 0), warnings };
  const b0 = d[0]!;
  const leap = b0 >> 6;
  const version = (b0 >> 3) & 0x7;
  const mode = b0 & 0x7;
  const partial = { leap, version, mode, modeName: MODE_NAMES[mode]! };
  if (version < 1 || version > 4) warnings.push(decodeWarning('NTP_VERSION', `NTP version ${version}`, 0));
  const need = mode === 6 ? NTP_CONTROL_HEADER_LEN : mode === 7 ? NTP_PRIVATE_HEADER_LEN : NTP_HEADER_LEN;
  if (d.length < need) {
    return { ok: false, layer: 'ntp', error: decodeError('TRUNCATED', `NTP ${partial.modeName} message needs ${need} bytes, got ${d.length}`, 0), partial, warnings };
  }
  if (mode === 6) {
    const count = u16(d, 10);
    if (d.length < NTP_CONTROL_HEADER_LEN + count) {
      return { ok: false, layer: 'ntp', error: decodeError('TRUNCATED', `NTP control Count ${count} exceeds the ${d.length - 12} data bytes`, 10), partial, warnings };
    }
    const b1 = d[1]!;
    const opcode = b1 & 0x1f;
    const end = NTP_CONTROL_HEADER_LEN + count;
    return {
      ok: true,
      layer: 'ntp',
      kind: 'control',
      leap,
      version,
      mode: 6,
      modeName: 'Control',
      response: (b1 & 0x80) !== 0,
      error: (b1 & 0x40) !== 0,
      more: (b1 & 0x20) !== 0,
      opcode,
      opcodeName: CONTROL_OPCODES[opcode] ?? `Unknown(${opcode})`,
      sequence: u16(d, 2),
      status: u16(d, 4),
      associationId: u16(d, 6),
      offset: u16(d, 8),
      count,
      data: copy(d, NTP_CONTROL_HEADER_LEN, end),
      ...(end < d.length ? { extra: copy(d, end) } : {}),
      warnings,
    };
  }
  if (mode === 7) {
    return {
      ok: true,
      layer: 'ntp',
      kind: 'private',
      response: (b0 & 0x80) !== 0,
      more: (b0 & 0x40) !== 0,
      version,
      mode: 7,
      modeName: 'Private',
      authenticated: (d[1]! & 0x80) !== 0,
      sequence: d[1]! & 0x7f,
      implementation: d[2]!,
      requestCode: d[3]!,
      data: copy(d, NTP_PRIVATE_HEADER_LEN),
      warnings,
    };
  }
  const stratum = d[1]!;
  const rootDelayRaw = u32(d, 4);
  const rootDispersionRaw = u32(d, 8);
  return {
    ok: true,
    layer: 'ntp',
    kind: 'header',
    leap,
    leapName: LEAP_NAMES[leap]!,
    version,
    mode,
    modeName: MODE_NAMES[mode]!,
    stratum,
    poll: signed8(d[2]!),
    precision: signed8(d[3]!),
    rootDelay: shortFormat(rootDelayRaw),
    rootDelayRaw,
    rootDispersion: shortFormat(rootDispersionRaw),
    rootDispersionRaw,
    referenceId: u32(d, 12),
    referenceIdText: referenceText(stratum, d, 12),
    referenceTimestamp: ts(d, 16),
    originTimestamp: ts(d, 24),
    receiveTimestamp: ts(d, 32),
    transmitTimestamp: ts(d, 40),
    ...(d.length > NTP_HEADER_LEN ? { extra: copy(d, NTP_HEADER_LEN) } : {}),
    warnings,
  };
}

/** A timestamp for encodeNtp: bigint ns since the Unix epoch, a decoded NtpTimestamp, or unset (0). */
export type NtpTimestampInput = bigint | { raw: bigint } | null | undefined;

/** What {@link encodeNtp} writes for modes 0-5; every field optional. */
export interface NtpHeaderInput {
  kind?: 'header';
  leap?: number;
  /** Default 4. */
  version?: number;
  /** Default 3 (client). */
  mode?: number;
  stratum?: number;
  poll?: number;
  precision?: number;
  /** Seconds; rootDelayRaw wins when both are given. */
  rootDelay?: number;
  rootDelayRaw?: number;
  rootDispersion?: number;
  rootDispersionRaw?: number;
  /** A u32, a 1-4 character ASCII code ('GPS', 'RATE') or a dotted IPv4 address. */
  referenceId?: number | string;
  referenceTimestamp?: NtpTimestampInput;
  originTimestamp?: NtpTimestampInput;
  receiveTimestamp?: NtpTimestampInput;
  transmitTimestamp?: NtpTimestampInput;
  extra?: Uint8Array;
}

/** What {@link encodeNtp} writes for a control message (mode 6). */
export interface NtpControlInput {
  kind: 'control';
  leap?: number;
  version?: number;
  response?: boolean;
  error?: boolean;
  more?: boolean;
  opcode: number;
  sequence?: number;
  status?: number;
  associationId?: number;
  offset?: number;
  /** Default: data length. */
  count?: number;
  data?: Uint8Array;
  extra?: Uint8Array;
}

/** What {@link encodeNtp} writes for a private message (mode 7). */
export interface NtpPrivateInput {
  kind: 'private';
  response?: boolean;
  more?: boolean;
  version?: number;
  authenticated?: boolean;
  sequence?: number;
  implementation?: number;
  requestCode: number;
  data?: Uint8Array;
}

/** An NTP message to encode, by `kind` (default `header`). */
export type NtpInput = NtpHeaderInput | NtpControlInput | NtpPrivateInput;

function tsRaw(t: NtpTimestampInput, field: string): bigint {
  if (t === null || t === undefined) return 0n;
  const raw = typeof t === 'bigint' ? ntpTimestampFromNs(t) : t.raw;
  if (raw < 0n || raw > 0xffffffffffffffffn) throw new EncodeError(`${field}: out of range`);
  return raw;
}

function refId(r: number | string | undefined): number {
  if (r === undefined) return 0;
  if (typeof r === 'number') return assertUint(r, 0xffffffff, 'referenceId');
  const quad = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(r);
  const bytes = quad ? quad.slice(1).map(Number) : Array.from(r, (c) => c.charCodeAt(0));
  if (bytes.length > 4 || bytes.some((b) => b > 255)) throw new EncodeError(`referenceId: ${JSON.stringify(r)} does not fit 4 bytes`);
  while (bytes.length < 4) bytes.push(0);
  return bytes[0]! * 0x1000000 + bytes[1]! * 0x10000 + bytes[2]! * 0x100 + bytes[3]!;
}

function signedByte(v: number, field: string): number {
  if (!Number.isInteger(v) || v < -128 || v > 127) throw new EncodeError(`${field}: ${v} is not in -128..127`);
  return v & 0xff;
}

function shortRaw(raw: number | undefined, seconds: number | undefined, field: string): number {
  if (raw !== undefined) return raw;
  if (seconds === undefined) return 0;
  return assertUint(Math.round(seconds * 65536), 0xffffffff, field);
}

/** Build an NTP message (for test traffic); throws EncodeError on out-of-range fields. */
export function encodeNtp(m: NtpInput): Uint8Array {
  const w = new ByteWriter();
  if (m.kind === 'control') {
    const data = m.data ?? new Uint8Array(0);
    w.u8(((m.leap ?? 0) << 6) | (assertUint(m.version ?? 4, 7, 'version') << 3) | 6, 'leap')
      .u8((m.response ? 0x80 : 0) | (m.error ? 0x40 : 0) | (m.more ? 0x20 : 0) | assertUint(m.opcode, 0x1f, 'opcode'))
      .u16(m.sequence ?? 0, 'sequence').u16(m.status ?? 0, 'status').u16(m.associationId ?? 0, 'associationId')
      .u16(m.offset ?? 0, 'offset').u16(m.count ?? data.length, 'count').bytes(data, 'data');
    if (m.extra) w.bytes(m.extra, 'extra');
    return w.finish();
  }
  if (m.kind === 'private') {
    w.u8((m.response ? 0x80 : 0) | (m.more ? 0x40 : 0) | (assertUint(m.version ?? 2, 7, 'version') << 3) | 7)
      .u8((m.authenticated ? 0x80 : 0) | assertUint(m.sequence ?? 0, 0x7f, 'sequence'))
      .u8(m.implementation ?? 0, 'implementation').u8(m.requestCode, 'requestCode')
      .bytes(m.data ?? new Uint8Array(0), 'data');
    return w.finish();
  }
  const leap = assertUint(m.leap ?? 0, 3, 'leap');
  const version = assertUint(m.version ?? 4, 7, 'version');
  const mode = assertUint(m.mode ?? 3, 7, 'mode');
  if (mode >= 6) throw new EncodeError(`mode ${mode} messages need kind 'control' or 'private'`);
  w.u8((leap << 6) | (version << 3) | mode)
    .u8(m.stratum ?? 0, 'stratum')
    .u8(signedByte(m.poll ?? 0, 'poll'))
    .u8(signedByte(m.precision ?? 0, 'precision'))
    .u32(shortRaw(m.rootDelayRaw, m.rootDelay, 'rootDelay'), 'rootDelayRaw')
    .u32(shortRaw(m.rootDispersionRaw, m.rootDispersion, 'rootDispersion'), 'rootDispersionRaw')
    .u32(refId(m.referenceId), 'referenceId')
    .u64(tsRaw(m.referenceTimestamp, 'referenceTimestamp'), 'referenceTimestamp')
    .u64(tsRaw(m.originTimestamp, 'originTimestamp'), 'originTimestamp')
    .u64(tsRaw(m.receiveTimestamp, 'receiveTimestamp'), 'receiveTimestamp')
    .u64(tsRaw(m.transmitTimestamp, 'transmitTimestamp'), 'transmitTimestamp');
  if (m.extra) w.bytes(m.extra, 'extra');
  return w.finish();
}
