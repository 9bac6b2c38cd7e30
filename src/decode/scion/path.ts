/** SCION path types: Empty, SCION (PathMeta + InfoFields + HopFields), OneHop, EPIC; others raw. */

import { copy, u16, u32, ByteWriter } from '../bytes.js';
import { decodeError, decodeWarning, EncodeError, type DecodeError, type DecodeWarning } from '../errors.js';
import { PATH_EMPTY, PATH_EPIC, PATH_ONEHOP, PATH_SCION, pathTypeName } from './common.js';

export const INFO_FIELD_LEN = 8;
export const HOP_FIELD_LEN = 12;
export const PATH_META_LEN = 4;
/** Most hop fields a standard path can have (segment lengths sum to at most 64). */
export const MAX_HOPS = 64;
export const ONEHOP_PATH_LEN = INFO_FIELD_LEN + 2 * HOP_FIELD_LEN;
export const EPIC_META_LEN = 16;
/** One ExpTime unit: 24 h / 256 = 337.5 s. */
export const EXP_TIME_UNIT_SECONDS = 86400 / 256;

/** The path meta header of a standard SCION path: current info and hop field, segment lengths. */
export interface PathMeta {
  currInf: number;
  currHf: number;
  /** Bits 23-18, must be 0. */
  reserved: number;
  segLen: [number, number, number];
}

/** A decoded info field: one path segment's direction, peering flag, SegID and timestamp. */
export interface InfoField {
  /** C flag: segment traversed in construction direction. */
  consDir: boolean;
  /** P flag: peering segment. */
  peering: boolean;
  /** Flag bits other than C and P, in place (flags & 0xfc). */
  flagsReserved: number;
  /** Byte 1, reserved. */
  reserved: number;
  segId: number;
  /** Unix seconds. */
  timestamp: number;
  timestampIso: string;
}

/** A decoded hop field: interfaces, expiry (with its absolute time), router alerts and MAC. */
export interface HopField {
  /** I flag (bit 1): router alert on the construction-direction ingress. */
  consIngressAlert: boolean;
  /** E flag (bit 0): router alert on the construction-direction egress. */
  consEgressAlert: boolean;
  /** Flag bits other than I and E, in place (flags & 0xfc). */
  flagsReserved: number;
  expTime: number;
  consIngress: number;
  consEgress: number;
  /** 6-byte MAC. */
  mac: Uint8Array;
  /** Lifetime relative to the segment's InfoField timestamp: (1 + ExpTime) * 337.5 s. */
  expiresAfterSeconds: number;
  /** Absolute expiry (unix seconds) from the owning InfoField's timestamp. */
  expiresAt: number;
  expiresAtIso: string;
}

/** The Empty path (PathType 0) of AS-local traffic. */
export interface EmptyPath {
  type: 'empty';
  /** Bytes inside HdrLen after the path's own length (should not exist). */
  extra?: Uint8Array;
}

/** A decoded standard SCION path (PathType 1). */
export interface StandardPath {
  type: 'scion';
  meta: PathMeta;
  infoFields: InfoField[];
  hopFields: HopField[];
  extra?: Uint8Array;
}

/** A decoded one-hop path (PathType 2). */
export interface OneHopPath {
  type: 'onehop';
  info: InfoField;
  firstHop: HopField;
  secondHop: HopField;
  extra?: Uint8Array;
}

/** A decoded EPIC path (PathType 3): packet ID and validation fields over a standard path. */
export interface EpicPath {
  type: 'epic';
  pktId: { timestamp: number; counter: number };
  /** Penultimate hop validation field, 4 bytes. */
  phvf: Uint8Array;
  /** Last hop validation field, 4 bytes. */
  lhvf: Uint8Array;
  scion: StandardPath;
  extra?: Uint8Array;
}

/** A path type this decoder does not parse (COLIBRI, unassigned): kept as bytes. */
export interface RawPath {
  type: 'raw';
  pathType: number;
  name: string;
  data: Uint8Array;
}

/** A decoded path header, by `type`. */
export type PathHeader = EmptyPath | StandardPath | OneHopPath | EpicPath | RawPath;

/** An info field for the encoders; every field defaults (0 / false). */
export interface InfoFieldInput {
  consDir?: boolean;
  peering?: boolean;
  flagsReserved?: number;
  reserved?: number;
  segId?: number;
  timestamp?: number;
}

/** A hop field for the encoders; only the interfaces are required. */
export interface HopFieldInput {
  consIngressAlert?: boolean;
  consEgressAlert?: boolean;
  flagsReserved?: number;
  /** Default 63 (≈ 6 h). */
  expTime?: number;
  consIngress: number;
  consEgress: number;
  /** 6 bytes; default zeros. */
  mac?: Uint8Array;
}

/** A standard path for the encoders: info and hop fields, meta derived when omitted. */
export interface StandardPathInput {
  type: 'scion';
  /** segLen may be omitted with a single InfoField (all hops in segment 0). */
  meta?: { currInf?: number; currHf?: number; reserved?: number; segLen?: [number, number, number] };
  infoFields: InfoFieldInput[];
  hopFields: HopFieldInput[];
  extra?: Uint8Array;
}

/** A path header for the encoders, by `type`. */
export type PathInput =
  | { type: 'empty'; extra?: Uint8Array }
  | StandardPathInput
  | { type: 'onehop'; info: InfoFieldInput; firstHop: HopFieldInput; secondHop: HopFieldInput; extra?: Uint8Array }
  | {
      type: 'epic';
      pktId: { timestamp: number; counter: number };
      phvf: Uint8Array;
      lhvf: Uint8Array;
      scion: StandardPathInput;
      extra?: Uint8Array;
    }
  | { type: 'raw'; pathType: number; data: Uint8Array };

export type PathDecodeResult =
  | { ok: true; path: PathHeader; warnings: DecodeWarning[] }
  | { ok: false; error: DecodeError; partial?: PathHeader; warnings: DecodeWarning[] };

function isoSeconds(s: number): string {
  return new Date(s * 1000).toISOString();
}

export function decodeInfoField(d: Uint8Array, o: number): InfoField {
  const flags = d[o]!;
  const timestamp = u32(d, o + 4);
  return {
    consDir: (flags & 0x01) !== 0,
    peering: (flags & 0x02) !== 0,
    flagsReserved: flags & 0xfc,
    reserved: d[o + 1]!,
    segId: u16(d, o + 2),
    timestamp,
    timestampIso: isoSeconds(timestamp),
  };
}

export function decodeHopField(d: Uint8Array, o: number, infoTimestamp: number): HopField {
  const flags = d[o]!;
  const expTime = d[o + 1]!;
  const expiresAfterSeconds = (1 + expTime) * EXP_TIME_UNIT_SECONDS;
  const expiresAt = infoTimestamp + expiresAfterSeconds;
  return {
    consIngressAlert: (flags & 0x02) !== 0,
    consEgressAlert: (flags & 0x01) !== 0,
    flagsReserved: flags & 0xfc,
    expTime,
    consIngress: u16(d, o + 2),
    consEgress: u16(d, o + 4),
    mac: copy(d, o + 6, o + 12),
    expiresAfterSeconds,
    expiresAt,
    expiresAtIso: isoSeconds(expiresAt),
  };
}

/** Index of the segment (InfoField) a hop belongs to. */
export function segmentOfHop(segLen: readonly number[], hop: number): number {
  if (hop < segLen[0]!) return 0;
  if (hop < segLen[0]! + segLen[1]!) return 1;
  return 2;
}

interface Parsed<T> {
  value?: T;
  partial?: T;
  length: number;
  error?: DecodeError;
  warnings: DecodeWarning[];
}

function decodeStandard(d: Uint8Array, o: number, end: number): Parsed<StandardPath> {
  const warnings: DecodeWarning[] = [];
  if (end - o < PATH_META_LEN) {
    return { length: 0, warnings, error: decodeError('BAD_PATH', `SCION path needs a 4-byte PathMeta, path region has ${end - o}`, o) };
  }
  const line = u32(d, o);
  const meta: PathMeta = {
    currInf: line >>> 30,
    currHf: (line >>> 24) & 0x3f,
    reserved: (line >>> 18) & 0x3f,
    segLen: [(line >>> 12) & 0x3f, (line >>> 6) & 0x3f, line & 0x3f],
  };
  const path: StandardPath = { type: 'scion', meta, infoFields: [], hopFields: [] };
  let numInf = 0;
  let numHops = 0;
  for (let i = 2; i >= 0; i--) {
    const s = meta.segLen[i]!;
    if (s === 0 && numInf > 0) {
      return { partial: path, length: 0, warnings, error: decodeError('BAD_PATH', `PathMeta SegLen[${i}] is 0 but SegLen[${numInf - 1}] is not`, o) };
    }
    if (s > 0 && numInf === 0) numInf = i + 1;
    numHops += s;
  }
  if (numHops > MAX_HOPS) {
    return { partial: path, length: 0, warnings, error: decodeError('BAD_PATH', `path has ${numHops} hop fields, at most ${MAX_HOPS} allowed`, o) };
  }
  if (meta.reserved !== 0) {
    warnings.push(decodeWarning('RESERVED_NOT_ZERO', `PathMeta reserved bits are 0x${meta.reserved.toString(16)}`, o));
  }
  const length = PATH_META_LEN + numInf * INFO_FIELD_LEN + numHops * HOP_FIELD_LEN;
  const infAt = o + PATH_META_LEN;
  const hfAt = infAt + numInf * INFO_FIELD_LEN;
  for (let i = 0; i < numInf && infAt + (i + 1) * INFO_FIELD_LEN <= end; i++) {
    path.infoFields.push(decodeInfoField(d, infAt + i * INFO_FIELD_LEN));
  }
  for (let j = 0; j < numHops && hfAt + (j + 1) * HOP_FIELD_LEN <= end; j++) {
    const ts = path.infoFields[segmentOfHop(meta.segLen, j)]?.timestamp ?? 0;
    path.hopFields.push(decodeHopField(d, hfAt + j * HOP_FIELD_LEN, ts));
  }
  if (end - o < length) {
    return {
      partial: path,
      length: 0,
      warnings,
      error: decodeError('BAD_PATH', `PathMeta announces ${numInf} info and ${numHops} hop fields (${length} bytes), path region has ${end - o}`, o),
    };
  }
  if (numInf > 0 && (meta.currInf >= numInf || meta.currHf >= numHops)) {
    warnings.push(decodeWarning('PATH_INDEX_OUT_OF_RANGE', `CurrINF ${meta.currInf} / CurrHF ${meta.currHf} outside ${numInf} info / ${numHops} hop fields`, o));
  }
  return { value: path, length, warnings };
}

function withExtra<T extends { extra?: Uint8Array }>(p: T, d: Uint8Array, from: number, end: number, warnings: DecodeWarning[]): T {
  if (from < end) {
    p.extra = copy(d, from, end);
    warnings.push(decodeWarning('PATH_EXTRA_BYTES', `${end - from} bytes inside HdrLen after the path`, from));
  }
  return p;
}

/** Decode the path region d[o, end) of the given type. */
export function decodePath(d: Uint8Array, o: number, end: number, pathType: number): PathDecodeResult {
  const warnings: DecodeWarning[] = [];
  switch (pathType) {
    case PATH_EMPTY:
      return { ok: true, path: withExtra<EmptyPath>({ type: 'empty' }, d, o, end, warnings), warnings };
    case PATH_SCION: {
      const r = decodeStandard(d, o, end);
      warnings.push(...r.warnings);
      if (!r.value) return { ok: false, error: r.error!, partial: r.partial, warnings };
      return { ok: true, path: withExtra(r.value, d, o + r.length, end, warnings), warnings };
    }
    case PATH_ONEHOP: {
      if (end - o < ONEHOP_PATH_LEN) {
        return { ok: false, error: decodeError('BAD_PATH', `OneHop path needs ${ONEHOP_PATH_LEN} bytes, path region has ${end - o}`, o), warnings };
      }
      const info = decodeInfoField(d, o);
      const path: OneHopPath = {
        type: 'onehop',
        info,
        firstHop: decodeHopField(d, o + INFO_FIELD_LEN, info.timestamp),
        secondHop: decodeHopField(d, o + INFO_FIELD_LEN + HOP_FIELD_LEN, info.timestamp),
      };
      return { ok: true, path: withExtra(path, d, o + ONEHOP_PATH_LEN, end, warnings), warnings };
    }
    case PATH_EPIC: {
      if (end - o < EPIC_META_LEN) {
        return { ok: false, error: decodeError('BAD_PATH', `EPIC path needs ${EPIC_META_LEN} bytes of metadata, path region has ${end - o}`, o), warnings };
      }
      const pktId = { timestamp: u32(d, o), counter: u32(d, o + 4) };
      const phvf = copy(d, o + 8, o + 12);
      const lhvf = copy(d, o + 12, o + 16);
      const r = decodeStandard(d, o + EPIC_META_LEN, end);
      warnings.push(...r.warnings);
      if (!r.value) {
        const partial: EpicPath | undefined = r.partial ? { type: 'epic', pktId, phvf, lhvf, scion: r.partial } : undefined;
        return { ok: false, error: r.error!, partial, warnings };
      }
      const path: EpicPath = { type: 'epic', pktId, phvf, lhvf, scion: r.value };
      return { ok: true, path: withExtra(path, d, o + EPIC_META_LEN + r.length, end, warnings), warnings };
    }
    default:
      return { ok: true, path: { type: 'raw', pathType, name: pathTypeName(pathType), data: copy(d, o, end) }, warnings };
  }
}

/** Wire path type number of a path object. */
export function pathTypeOf(p: PathInput | PathHeader): number {
  switch (p.type) {
    case 'empty':
      return PATH_EMPTY;
    case 'scion':
      return PATH_SCION;
    case 'onehop':
      return PATH_ONEHOP;
    case 'epic':
      return PATH_EPIC;
    case 'raw':
      return p.pathType;
  }
}

function writeInfo(w: ByteWriter, f: InfoFieldInput, field: string): void {
  const flags = (f.consDir ? 0x01 : 0) | (f.peering ? 0x02 : 0) | ((f.flagsReserved ?? 0) & 0xfc);
  w.u8(flags, `${field}.flags`)
    .u8(f.reserved ?? 0, `${field}.reserved`)
    .u16(f.segId ?? 0, `${field}.segId`)
    .u32(f.timestamp ?? 0, `${field}.timestamp`);
}

function writeHop(w: ByteWriter, h: HopFieldInput, field: string): void {
  const flags = (h.consEgressAlert ? 0x01 : 0) | (h.consIngressAlert ? 0x02 : 0) | ((h.flagsReserved ?? 0) & 0xfc);
  w.u8(flags, `${field}.flags`)
    .u8(h.expTime ?? 63, `${field}.expTime`)
    .u16(h.consIngress, `${field}.consIngress`)
    .u16(h.consEgress, `${field}.consEgress`)
    .bytes(h.mac ?? new Uint8Array(6), `${field}.mac`, 6);
}

function writeStandard(w: ByteWriter, p: StandardPathInput, field: string): void {
  const nInf = p.infoFields.length;
  let segLen = p.meta?.segLen;
  if (!segLen) {
    if (nInf > 1) throw new EncodeError(`${field}.meta.segLen is required with more than one info field`);
    segLen = [nInf === 1 ? p.hopFields.length : 0, 0, 0];
    if (nInf === 0 && p.hopFields.length > 0) throw new EncodeError(`${field}: hop fields without an info field`);
  }
  for (const s of segLen) {
    if (!Number.isInteger(s) || s < 0 || s > 63) throw new EncodeError(`${field}.meta.segLen: ${String(s)} is not in 0..63`);
  }
  const currInf = p.meta?.currInf ?? 0;
  const currHf = p.meta?.currHf ?? 0;
  const reserved = p.meta?.reserved ?? 0;
  if (!Number.isInteger(currInf) || currInf < 0 || currInf > 3) throw new EncodeError(`${field}.meta.currInf must be 0..3`);
  if (!Number.isInteger(currHf) || currHf < 0 || currHf > 63) throw new EncodeError(`${field}.meta.currHf must be 0..63`);
  if (!Number.isInteger(reserved) || reserved < 0 || reserved > 63) throw new EncodeError(`${field}.meta.reserved must be 0..63`);
  const line = ((currInf << 30) | (currHf << 24) | (reserved << 18) | (segLen[0] << 12) | (segLen[1] << 6) | segLen[2]) >>> 0;
  w.u32(line, `${field}.meta`);
  p.infoFields.forEach((f, i) => writeInfo(w, f, `${field}.infoFields[${i}]`));
  p.hopFields.forEach((h, i) => writeHop(w, h, `${field}.hopFields[${i}]`));
}

export function encodePath(p: PathInput, field = 'path'): Uint8Array {
  const w = new ByteWriter();
  switch (p.type) {
    case 'empty':
      break;
    case 'scion':
      writeStandard(w, p, field);
      break;
    case 'onehop':
      writeInfo(w, p.info, `${field}.info`);
      writeHop(w, p.firstHop, `${field}.firstHop`);
      writeHop(w, p.secondHop, `${field}.secondHop`);
      break;
    case 'epic':
      w.u32(p.pktId.timestamp, `${field}.pktId.timestamp`).u32(p.pktId.counter, `${field}.pktId.counter`);
      w.bytes(p.phvf, `${field}.phvf`, 4).bytes(p.lhvf, `${field}.lhvf`, 4);
      writeStandard(w, p.scion, `${field}.scion`);
      break;
    case 'raw':
      w.bytes(p.data, `${field}.data`);
      return w.finish();
    default:
      throw new EncodeError(`${field}: unknown path type`);
  }
  if (p.extra) w.bytes(p.extra, `${field}.extra`);
  return w.finish();
}

/** One segment for scionPathFromSegments. */
export interface PathSegmentInput {
  consDir?: boolean;
  peering?: boolean;
  segId?: number;
  /** Unix seconds. */
  timestamp: number;
  hops: HopFieldInput[];
}

/** Build a SCION path input from up to three segments (segLen derived from their hop counts). */
export function scionPathFromSegments(
  segments: readonly PathSegmentInput[],
  position: { currInf?: number; currHf?: number } = {},
): StandardPathInput {
  if (segments.length === 0 || segments.length > 3) throw new EncodeError('a SCION path has 1 to 3 segments');
  const segLen: [number, number, number] = [0, 0, 0];
  segments.forEach((s, i) => (segLen[i] = s.hops.length));
  return {
    type: 'scion',
    meta: { currInf: position.currInf ?? 0, currHf: position.currHf ?? 0, segLen },
    infoFields: segments.map((s) => ({ consDir: s.consDir ?? false, peering: s.peering ?? false, segId: s.segId ?? 0, timestamp: s.timestamp })),
    hopFields: segments.flatMap((s) => s.hops),
  };
}
