/**
 * STUN (RFC 5389). SCION border routers answer STUN on their internal port for NAT address
 * discovery, so a tap on SCION ports sees it; it must come out as "STUN", not as a broken packet.
 */

import { asBytes, copy, toHex, u16 } from './bytes.js';
import { decodeError, type DecodeError } from './errors.js';
import { formatIPv4, formatIPv6 } from './scion/address.js';

export const STUN_HEADER_LEN = 20;
/** The fixed STUN magic cookie (RFC 5389), bytes 4-7 of every message. */
export const STUN_MAGIC_COOKIE = 0x2112a442;

const CLASS_NAMES = ['Request', 'Indication', 'SuccessResponse', 'ErrorResponse'] as const;

const ATTRIBUTE_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'MAPPED-ADDRESS',
  0x0006: 'USERNAME',
  0x0008: 'MESSAGE-INTEGRITY',
  0x0009: 'ERROR-CODE',
  0x000a: 'UNKNOWN-ATTRIBUTES',
  0x0014: 'REALM',
  0x0015: 'NONCE',
  0x0020: 'XOR-MAPPED-ADDRESS',
  0x8022: 'SOFTWARE',
  0x8023: 'ALTERNATE-SERVER',
  0x8028: 'FINGERPRINT',
};

/** One STUN attribute, with addresses un-XORed and SOFTWARE as text. */
export interface StunAttribute {
  attrType: number;
  name: string;
  length: number;
  value: Uint8Array;
  /** MAPPED-ADDRESS / XOR-MAPPED-ADDRESS / ALTERNATE-SERVER, un-XORed. */
  address?: { family: 'IPv4' | 'IPv6'; ip: string; port: number };
  /** SOFTWARE, as text. */
  text?: string;
}

/** A decoded STUN message (RFC 5389), e.g. a border router's NAT address discovery answer. */
export interface StunMessage {
  ok: true;
  layer: 'stun';
  messageType: number;
  className: (typeof CLASS_NAMES)[number];
  method: number;
  /** 'Binding' for method 1. */
  methodName: string;
  length: number;
  transactionId: string;
  attributes: StunAttribute[];
}

/** {@link decodeStun}'s result: the message, or why the bytes are not STUN. */
export type StunDecodeResult = StunMessage | { ok: false; layer: 'stun'; error: DecodeError };

/** Header checks only: top bits 00, magic cookie, Length + 20 = datagram size, Length % 4 = 0. */
export function looksLikeStun(d: Uint8Array): boolean {
  if (d.length < STUN_HEADER_LEN || (d[0]! & 0xc0) !== 0) return false;
  if (d[4] !== 0x21 || d[5] !== 0x12 || d[6] !== 0xa4 || d[7] !== 0x42) return false;
  const len = u16(d, 2);
  return len % 4 === 0 && len + STUN_HEADER_LEN === d.length;
}

function decodeAddress(v: Uint8Array, xor: Uint8Array | undefined): StunAttribute['address'] {
  if (v.length < 8) return undefined;
  const family = v[1];
  const port = u16(v, 2) ^ (xor ? u16(xor, 0) : 0);
  const n = family === 1 ? 4 : family === 2 ? 16 : 0;
  if (n === 0 || v.length < 4 + n) return undefined;
  const raw = v.slice(4, 4 + n);
  if (xor) for (let i = 0; i < n; i++) raw[i]! ^= xor[i]!;
  return family === 1 ? { family: 'IPv4', ip: formatIPv4(raw), port } : { family: 'IPv6', ip: formatIPv6(raw), port };
}

/** Decodes a STUN message after the header checks; never throws. */
export function decodeStun(input: Uint8Array | ArrayBuffer): StunDecodeResult {
  const d = asBytes(input);
  if (!d) return { ok: false, layer: 'stun', error: decodeError('INVALID_INPUT', 'expected a Uint8Array or ArrayBuffer', 0) };
  if (!looksLikeStun(d)) {
    return { ok: false, layer: 'stun', error: decodeError('NOT_THIS_PROTOCOL', 'no STUN header (magic cookie / length mismatch)', 0) };
  }
  const messageType = u16(d, 0);
  const cls = ((messageType >> 7) & 0x2) | ((messageType >> 4) & 0x1);
  const method = (messageType & 0x000f) | ((messageType & 0x00e0) >> 1) | ((messageType & 0x3e00) >> 2);
  const attributes: StunAttribute[] = [];
  // XOR key: cookie for the port and IPv4, cookie ‖ transaction ID for IPv6.
  const xorKey = d.slice(4, 20);
  let p = STUN_HEADER_LEN;
  while (p + 4 <= d.length) {
    const attrType = u16(d, p);
    const length = u16(d, p + 2);
    if (p + 4 + length > d.length) {
      return { ok: false, layer: 'stun', error: decodeError('TRUNCATED', `STUN attribute 0x${attrType.toString(16)} of ${length} bytes overruns the message`, p) };
    }
    const value = copy(d, p + 4, p + 4 + length);
    const attr: StunAttribute = { attrType, name: ATTRIBUTE_NAMES[attrType] ?? `0x${attrType.toString(16).padStart(4, '0')}`, length, value };
    if (attrType === 0x0020) attr.address = decodeAddress(value, xorKey);
    else if (attrType === 0x0001 || attrType === 0x8023) attr.address = decodeAddress(value, undefined);
    else if (attrType === 0x8022) attr.text = Buffer.from(value).toString('utf8');
    if (!attr.address) delete attr.address;
    attributes.push(attr);
    p += 4 + ((length + 3) & ~3);
  }
  return {
    ok: true,
    layer: 'stun',
    messageType,
    className: CLASS_NAMES[cls]!,
    method,
    methodName: method === 1 ? 'Binding' : `Method(0x${method.toString(16)})`,
    length: u16(d, 2),
    transactionId: toHex(d.subarray(8, 20)),
    attributes,
  };
}
