/** BFD control packets (RFC 5880) as carried by SCION with NextHdr 203 (BFD/SCION). */

import { copy, u32, ByteWriter } from '../bytes.js';
import { decodeError, decodeWarning, EncodeError, type DecodeError, type DecodeWarning } from '../errors.js';
import { PROTO_BFD } from './common.js';

export const BFD_CONTROL_LEN = 24;

const STATE_NAMES = ['AdminDown', 'Down', 'Init', 'Up'] as const;
/** A BFD session state, named (RFC 5880 §4.1). */
export type BfdStateName = (typeof STATE_NAMES)[number];

const DIAGNOSTIC_NAMES: readonly string[] = [
  'None',
  'ControlDetectionTimeExpired',
  'EchoFunctionFailed',
  'NeighborSignaledSessionDown',
  'ForwardingPlaneReset',
  'PathDown',
  'ConcatenatedPathDown',
  'AdministrativelyDown',
  'ReverseConcatenatedPathDown',
];

const AUTH_NAMES: Readonly<Record<number, string>> = {
  0: 'Reserved',
  1: 'SimplePassword',
  2: 'KeyedMD5',
  3: 'MeticulousKeyedMD5',
  4: 'KeyedSHA1',
  5: 'MeticulousKeyedSHA1',
};

/** The name of a BFD diagnostic code (RFC 5880 §4.1); `Reserved(n)` beyond the defined ones. */
export function bfdDiagnosticName(d: number): string {
  return DIAGNOSTIC_NAMES[d] ?? `Reserved(${d})`;
}

/** The authentication section of a BFD control packet (RFC 5880 §4.2-4.4). */
export interface BfdAuth {
  authType: number;
  authTypeName: string;
  /** Auth Len as on the wire (whole section). */
  authLen: number;
  /** Section bytes after type and length (key id, ...), kept for encoding. */
  data: Uint8Array;
  keyId?: number;
  /** Simple password, as latin1 text. */
  password?: string;
  /** MD5 / SHA1 variants. */
  sequence?: number;
  /** MD5 digest or SHA1 hash. */
  digest?: Uint8Array;
}

/** A decoded BFD control packet carried over SCION (next header 203), as the border routers exchange them. */
export interface BfdControl {
  type: 'bfd';
  protocol: 203;
  version: number;
  diagnostic: number;
  diagnosticName: string;
  state: number;
  stateName: BfdStateName;
  poll: boolean;
  final: boolean;
  controlPlaneIndependent: boolean;
  authPresent: boolean;
  demand: boolean;
  multipoint: boolean;
  detectMultiplier: number;
  /** Length field as on the wire. */
  length: number;
  myDiscriminator: number;
  yourDiscriminator: number;
  /** Microseconds. */
  desiredMinTxInterval: number;
  requiredMinRxInterval: number;
  requiredMinEchoRxInterval: number;
  auth?: BfdAuth;
  /** Bytes of the SCION payload after the BFD Length. */
  extra?: Uint8Array;
}

/** A BFD control packet for the encoders: `state` and `myDiscriminator` are required, the rest has defaults. */
export interface BfdControlInput {
  type: 'bfd';
  version?: number;
  diagnostic?: number;
  /** 0 AdminDown, 1 Down, 2 Init, 3 Up. */
  state: number;
  poll?: boolean;
  final?: boolean;
  controlPlaneIndependent?: boolean;
  /** Defaults to whether auth is given. */
  authPresent?: boolean;
  demand?: boolean;
  multipoint?: boolean;
  detectMultiplier?: number;
  length?: number;
  myDiscriminator: number;
  yourDiscriminator?: number;
  desiredMinTxInterval?: number;
  requiredMinRxInterval?: number;
  requiredMinEchoRxInterval?: number;
  auth?: { authType: number; authLen?: number; data: Uint8Array };
  extra?: Uint8Array;
}

export type BfdDecodeResult =
  | { ok: true; bfd: BfdControl; warnings: DecodeWarning[] }
  | { ok: false; error: DecodeError; warnings: DecodeWarning[] };

function decodeAuth(d: Uint8Array, o: number, end: number): BfdAuth | DecodeError {
  if (end - o < 3) return decodeError('TRUNCATED', `BFD authentication section needs 3 bytes, ${end - o} left`, o);
  const authType = d[o]!;
  const authLen = d[o + 1]!;
  if (authLen < 3 || o + authLen > end) {
    return decodeError('BAD_LENGTH', `BFD Auth Len ${authLen} does not fit the ${end - o} bytes left`, o + 1);
  }
  const auth: BfdAuth = { authType, authTypeName: AUTH_NAMES[authType] ?? `Unknown(${authType})`, authLen, data: copy(d, o + 2, o + authLen), keyId: d[o + 2]! };
  if (authType === 1) {
    auth.password = Buffer.from(d.subarray(o + 3, o + authLen)).toString('latin1');
  } else if (authType >= 2 && authType <= 5 && authLen >= 8) {
    auth.sequence = u32(d, o + 4);
    auth.digest = copy(d, o + 8, o + authLen);
  }
  return auth;
}

export function decodeBfd(d: Uint8Array, o: number, end: number): BfdDecodeResult {
  const warnings: DecodeWarning[] = [];
  if (end - o < BFD_CONTROL_LEN) {
    return { ok: false, error: decodeError('TRUNCATED', `BFD control packet needs ${BFD_CONTROL_LEN} bytes, ${end - o} left`, o), warnings };
  }
  const b0 = d[o]!;
  const b1 = d[o + 1]!;
  const length = d[o + 3]!;
  const state = b1 >> 6;
  const bfd: BfdControl = {
    type: 'bfd',
    protocol: PROTO_BFD,
    version: b0 >> 5,
    diagnostic: b0 & 0x1f,
    diagnosticName: bfdDiagnosticName(b0 & 0x1f),
    state,
    stateName: STATE_NAMES[state]!,
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    controlPlaneIndependent: (b1 & 0x08) !== 0,
    authPresent: (b1 & 0x04) !== 0,
    demand: (b1 & 0x02) !== 0,
    multipoint: (b1 & 0x01) !== 0,
    detectMultiplier: d[o + 2]!,
    length,
    myDiscriminator: u32(d, o + 4),
    yourDiscriminator: u32(d, o + 8),
    desiredMinTxInterval: u32(d, o + 12),
    requiredMinRxInterval: u32(d, o + 16),
    requiredMinEchoRxInterval: u32(d, o + 20),
  };
  if (bfd.version !== 1) warnings.push(decodeWarning('BFD_VERSION', `BFD version ${bfd.version}, expected 1`, o));
  if (length > end - o) {
    return { ok: false, error: decodeError('TRUNCATED', `BFD Length ${length} exceeds the ${end - o} bytes left`, o + 3), warnings };
  }
  let bodyEnd = o + BFD_CONTROL_LEN;
  if (bfd.authPresent) {
    const auth = decodeAuth(d, bodyEnd, end);
    if ('code' in auth) return { ok: false, error: auth, warnings };
    bfd.auth = auth;
    bodyEnd += auth.authLen;
  }
  if (length !== bodyEnd - o) {
    warnings.push(decodeWarning('BFD_LENGTH', `BFD Length ${length}, but the control packet is ${bodyEnd - o} bytes`, o + 3));
  }
  if (bodyEnd < end) bfd.extra = copy(d, bodyEnd, end);
  return { ok: true, bfd, warnings };
}

export function encodeBfd(b: BfdControlInput, recompute: boolean): Uint8Array {
  const version = b.version ?? 1;
  const diagnostic = b.diagnostic ?? 0;
  if (version > 7 || diagnostic > 31 || b.state < 0 || b.state > 3) {
    throw new EncodeError('l4: BFD version ≤ 7, diagnostic ≤ 31, state 0..3');
  }
  const authPresent = b.authPresent ?? b.auth !== undefined;
  const flags =
    (b.poll ? 0x20 : 0) | (b.final ? 0x10 : 0) | (b.controlPlaneIndependent ? 0x08 : 0) |
    (authPresent ? 0x04 : 0) | (b.demand ? 0x02 : 0) | (b.multipoint ? 0x01 : 0);
  const authBytes = b.auth ? 2 + b.auth.data.length : 0;
  const w = new ByteWriter();
  w.u8((version << 5) | diagnostic)
    .u8((b.state << 6) | flags)
    .u8(b.detectMultiplier ?? 3, 'l4.detectMultiplier')
    .u8(recompute || b.length === undefined ? BFD_CONTROL_LEN + authBytes : b.length, 'l4.length')
    .u32(b.myDiscriminator, 'l4.myDiscriminator')
    .u32(b.yourDiscriminator ?? 0, 'l4.yourDiscriminator')
    .u32(b.desiredMinTxInterval ?? 1_000_000, 'l4.desiredMinTxInterval')
    .u32(b.requiredMinRxInterval ?? 1_000_000, 'l4.requiredMinRxInterval')
    .u32(b.requiredMinEchoRxInterval ?? 0, 'l4.requiredMinEchoRxInterval');
  if (b.auth) {
    w.u8(b.auth.authType, 'l4.auth.authType')
      .u8(recompute || b.auth.authLen === undefined ? authBytes : b.auth.authLen, 'l4.auth.authLen')
      .bytes(b.auth.data, 'l4.auth.data');
  }
  if (b.extra) w.bytes(b.extra, 'l4.extra');
  return w.finish();
}
