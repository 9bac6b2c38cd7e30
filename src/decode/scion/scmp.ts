/** SCMP (NextHdr 202): every type and code by name, bodies decoded, error quotes decoded by the caller. */

import { assertUint, copy, u16, u64, ByteWriter } from '../bytes.js';
import { decodeError, decodeWarning, EncodeError, type DecodeWarning } from '../errors.js';
import { computeScionChecksum, verifyScionChecksum } from './checksum.js';
import { PROTO_SCMP } from './common.js';
import { readIA, writeIA, type IAInput } from './ia.js';
import type { QuoteDecoder, ScmpDecodeResult, ScmpMessage, ScmpQuote } from './types.js';

export type { QuoteDecoder, ScmpBody, ScmpDecodeResult, ScmpMessage, ScmpQuote } from './types.js';

export const SCMP_HEADER_LEN = 4;
/** A SCION packet carrying an SCMP error, quote included, is at most this long. */
export const MAX_SCMP_PACKET_LEN = 1232;

/** SCMP error type: Destination Unreachable. */
export const SCMP_DESTINATION_UNREACHABLE = 1;
/** SCMP error type: Packet Too Big (carries the MTU). */
export const SCMP_PACKET_TOO_BIG = 2;
/** SCMP error type: Parameter Problem (carries a pointer to the fault). */
export const SCMP_PARAMETER_PROBLEM = 4;
/** SCMP error type: External Interface Down (IA and interface ID). */
export const SCMP_EXTERNAL_INTERFACE_DOWN = 5;
/** SCMP error type: Internal Connectivity Down (IA, ingress and egress interface IDs). */
export const SCMP_INTERNAL_CONNECTIVITY_DOWN = 6;
/** SCMP informational type: Echo Request. */
export const SCMP_ECHO_REQUEST = 128;
/** SCMP informational type: Echo Reply. */
export const SCMP_ECHO_REPLY = 129;
/** SCMP informational type: Traceroute Request. */
export const SCMP_TRACEROUTE_REQUEST = 130;
/** SCMP informational type: Traceroute Reply. */
export const SCMP_TRACEROUTE_REPLY = 131;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'DestinationUnreachable',
  2: 'PacketTooBig',
  4: 'ParameterProblem',
  5: 'ExternalInterfaceDown',
  6: 'InternalConnectivityDown',
  100: 'PrivateExperimentation100',
  101: 'PrivateExperimentation101',
  127: 'ReservedErrorExpansion',
  128: 'EchoRequest',
  129: 'EchoReply',
  130: 'TracerouteRequest',
  131: 'TracerouteReply',
  200: 'PrivateExperimentation200',
  201: 'PrivateExperimentation201',
  255: 'ReservedInfoExpansion',
};

const CODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: {
    0: 'NoRoute',
    1: 'AdminDeny',
    2: 'BeyondScopeOfSourceAddr',
    3: 'AddressUnreachable',
    4: 'PortUnreachable',
    5: 'SourceAddressFailedPolicy',
    6: 'RejectRouteToDest',
  },
  4: {
    0: 'ErroneousHeaderField',
    1: 'UnknownNextHdrType',
    16: 'InvalidCommonHeader',
    17: 'UnknownSCIONVersion',
    18: 'FlowIDRequired',
    19: 'InvalidPacketSize',
    20: 'UnknownPathType',
    21: 'UnknownAddressFormat',
    32: 'InvalidAddressHeader',
    33: 'InvalidSourceAddress',
    34: 'InvalidDestinationAddress',
    35: 'NonLocalDelivery',
    48: 'InvalidPath',
    49: 'UnknownHopFieldIngressInterface',
    50: 'UnknownHopFieldEgressInterface',
    51: 'InvalidHopFieldMAC',
    52: 'PathExpired',
    53: 'InvalidSegmentChange',
    64: 'InvalidExtensionHeader',
    65: 'UnknownHopByHopOption',
    66: 'UnknownEndToEndOption',
    71: 'ReservationExpired',
  },
};

/** The name of an SCMP type ('EchoRequest', 'PacketTooBig', …); `Unknown(n)` otherwise. */
export function scmpTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `Unknown(${t})`;
}

/** Name of a code; types defined with the single code 0 give 'None'. */
export function scmpCodeName(t: number, c: number): string {
  const table = CODE_NAMES[t];
  if (table) return table[c] ?? `Unknown(${c})`;
  if (TYPE_NAMES[t] !== undefined && c === 0) return 'None';
  return `Unknown(${c})`;
}

/** The quoted offending packet of an SCMP error, for the encoders. */
export type ScmpQuoteInput = Uint8Array | { data: Uint8Array };

/** An SCMP message body for the encoders, by `kind`. */
export type ScmpBodyInput =
  | { kind: 'destination-unreachable'; unused?: number; quote?: ScmpQuoteInput }
  | { kind: 'packet-too-big'; reserved?: number; mtu: number; quote?: ScmpQuoteInput }
  | { kind: 'parameter-problem'; reserved?: number; pointer: number; quote?: ScmpQuoteInput }
  | { kind: 'external-interface-down'; ia: IAInput; interfaceId: bigint; quote?: ScmpQuoteInput }
  | { kind: 'internal-connectivity-down'; ia: IAInput; ingressInterfaceId: bigint; egressInterfaceId: bigint; quote?: ScmpQuoteInput }
  | { kind: 'echo'; identifier: number; sequence: number; data?: Uint8Array }
  | { kind: 'traceroute'; identifier: number; sequence: number; ia?: IAInput; interfaceId?: bigint; extra?: Uint8Array }
  | { kind: 'raw'; data: Uint8Array };

/** An SCMP message for the encoders; the checksum is computed unless given. */
export interface ScmpInput {
  type: 'scmp';
  scmpType: number;
  code?: number;
  checksum?: number;
  body: ScmpBodyInput;
}

const FIXED_BODY: Readonly<Record<number, number>> = {
  1: 4,
  2: 4,
  4: 4,
  5: 16,
  6: 24,
  128: 4,
  129: 4,
  130: 20,
  131: 20,
};

export function decodeScmp(
  d: Uint8Array,
  o: number,
  end: number,
  addressHeader: Uint8Array,
  complete: boolean,
  decodeQuote: QuoteDecoder,
): ScmpDecodeResult {
  const warnings: DecodeWarning[] = [];
  if (end - o < SCMP_HEADER_LEN) {
    return { ok: false, error: decodeError('TRUNCATED', `SCMP header needs 4 bytes, ${end - o} left`, o), warnings };
  }
  const scmpType = d[o]!;
  const code = d[o + 1]!;
  const b = o + SCMP_HEADER_LEN;
  const scmp: ScmpMessage = {
    type: 'scmp',
    protocol: PROTO_SCMP,
    scmpType,
    code,
    typeName: scmpTypeName(scmpType),
    codeName: scmpCodeName(scmpType, code),
    informational: scmpType >= 128,
    checksum: u16(d, o + 2),
    body: { kind: 'raw', data: copy(d, b, end) },
  };
  const need = FIXED_BODY[scmpType];
  if (need !== undefined && end - b < need) {
    return {
      ok: false,
      error: decodeError('TRUNCATED', `SCMP ${scmp.typeName} body needs ${need} bytes, ${end - b} left`, b),
      scmp,
      warnings,
    };
  }
  const quote = (from: number): ScmpQuote => {
    const data = copy(d, from, end);
    const decoded = decodeQuote(data);
    if (!decoded) {
      warnings.push(decodeWarning('QUOTE_NOT_DECODED', 'quoted packet nested too deep, kept raw', from));
      return { data };
    }
    return { data, decoded };
  };
  switch (scmpType) {
    case SCMP_DESTINATION_UNREACHABLE:
      scmp.body = { kind: 'destination-unreachable', unused: u16(d, b) * 0x10000 + u16(d, b + 2), quote: quote(b + 4) };
      break;
    case SCMP_PACKET_TOO_BIG:
      scmp.body = { kind: 'packet-too-big', reserved: u16(d, b), mtu: u16(d, b + 2), quote: quote(b + 4) };
      break;
    case SCMP_PARAMETER_PROBLEM:
      scmp.body = { kind: 'parameter-problem', reserved: u16(d, b), pointer: u16(d, b + 2), quote: quote(b + 4) };
      break;
    case SCMP_EXTERNAL_INTERFACE_DOWN:
      scmp.body = { kind: 'external-interface-down', ia: readIA(d, b), interfaceId: u64(d, b + 8), quote: quote(b + 16) };
      break;
    case SCMP_INTERNAL_CONNECTIVITY_DOWN:
      scmp.body = {
        kind: 'internal-connectivity-down',
        ia: readIA(d, b),
        ingressInterfaceId: u64(d, b + 8),
        egressInterfaceId: u64(d, b + 16),
        quote: quote(b + 24),
      };
      break;
    case SCMP_ECHO_REQUEST:
    case SCMP_ECHO_REPLY:
      scmp.body = { kind: 'echo', identifier: u16(d, b), sequence: u16(d, b + 2), data: copy(d, b + 4, end) };
      break;
    case SCMP_TRACEROUTE_REQUEST:
    case SCMP_TRACEROUTE_REPLY: {
      scmp.body = { kind: 'traceroute', identifier: u16(d, b), sequence: u16(d, b + 2), ia: readIA(d, b + 4), interfaceId: u64(d, b + 12) };
      if (end > b + 20) {
        scmp.body.extra = copy(d, b + 20, end);
        warnings.push(decodeWarning('SCMP_EXTRA_BYTES', `${end - b - 20} bytes after the traceroute body`, b + 20));
      }
      break;
    }
    default:
      break;
  }
  if (complete) scmp.checksumStatus = verifyScionChecksum(addressHeader, d.subarray(o, end), PROTO_SCMP, 2);
  return { ok: true, scmp, warnings };
}

function quoteBytes(q: ScmpQuoteInput | undefined): Uint8Array {
  if (!q) return new Uint8Array(0);
  return q instanceof Uint8Array ? q : q.data;
}

function writeBody(w: ByteWriter, body: ScmpBodyInput): void {
  switch (body.kind) {
    case 'destination-unreachable':
      w.u32(body.unused ?? 0, 'l4.body.unused').bytes(quoteBytes(body.quote), 'l4.body.quote');
      return;
    case 'packet-too-big':
      w.u16(body.reserved ?? 0, 'l4.body.reserved').u16(body.mtu, 'l4.body.mtu').bytes(quoteBytes(body.quote), 'l4.body.quote');
      return;
    case 'parameter-problem':
      w.u16(body.reserved ?? 0, 'l4.body.reserved').u16(body.pointer, 'l4.body.pointer').bytes(quoteBytes(body.quote), 'l4.body.quote');
      return;
    case 'external-interface-down':
      writeIA(w, body.ia, 'l4.body.ia');
      w.u64(body.interfaceId, 'l4.body.interfaceId').bytes(quoteBytes(body.quote), 'l4.body.quote');
      return;
    case 'internal-connectivity-down':
      writeIA(w, body.ia, 'l4.body.ia');
      w.u64(body.ingressInterfaceId, 'l4.body.ingressInterfaceId')
        .u64(body.egressInterfaceId, 'l4.body.egressInterfaceId')
        .bytes(quoteBytes(body.quote), 'l4.body.quote');
      return;
    case 'echo':
      w.u16(body.identifier, 'l4.body.identifier').u16(body.sequence, 'l4.body.sequence').bytes(body.data ?? new Uint8Array(0), 'l4.body.data');
      return;
    case 'traceroute':
      w.u16(body.identifier, 'l4.body.identifier').u16(body.sequence, 'l4.body.sequence');
      writeIA(w, body.ia ?? { isd: 0, as: 0 }, 'l4.body.ia');
      w.u64(body.interfaceId ?? 0n, 'l4.body.interfaceId');
      if (body.extra) w.bytes(body.extra, 'l4.body.extra');
      return;
    case 'raw':
      w.bytes(body.data, 'l4.body.data');
      return;
    default:
      throw new EncodeError('l4.body: unknown SCMP body kind');
  }
}

export function encodeScmp(m: ScmpInput, addressHeader: Uint8Array, recompute: boolean): Uint8Array {
  const w = new ByteWriter();
  w.u8(m.scmpType, 'l4.scmpType').u8(m.code ?? 0, 'l4.code').u16(0);
  writeBody(w, m.body);
  const out = w.finish();
  const checksum = recompute || m.checksum === undefined
    ? computeScionChecksum(addressHeader, out, PROTO_SCMP, 2)
    : assertUint(m.checksum, 0xffff, 'l4.checksum');
  out[2] = checksum >>> 8;
  out[3] = checksum & 0xff;
  return out;
}
