// The shapes decodeScion() and decodeScmp() return. They live together because they are one
// recursive type: an SCMP error quotes a packet, whose decoding may be an SCMP error again.
import type { DecodeError, DecodeWarning } from '../errors.js';
import type { StunMessage } from '../stun.js';
import type { AddressHeader } from './address.js';
import type { BfdControl } from './bfd.js';
import type { ChecksumStatus } from './checksum.js';
import type { CommonHeader } from './common.js';
import type { ExtensionHeader } from './extensions.js';
import type { IA } from './ia.js';
import type { LegacyScionHeader } from './legacy.js';
import type { PathHeader } from './path.js';
import type { TrailingData } from './trailer.js';
import type { ScionUdp } from './udp.js';

/** L4 protocols without a decoder here (TCP/SCION, experimental numbers, ...). */
export interface RawL4 {
  type: 'raw';
  protocol: number;
  protocolName: string;
  data: Uint8Array;
}

/** A decoded SCION L4, by `type`: UDP, SCMP, BFD, or raw bytes. */
export type ScionL4 = ScionUdp | ScmpMessage | BfdControl | RawL4;

/** The layers of a decoded SCION packet, outermost first. */
export interface ScionLayers {
  common: CommonHeader;
  address: AddressHeader;
  path: PathHeader;
  hopByHop?: ExtensionHeader;
  endToEnd?: ExtensionHeader;
  l4: ScionL4;
  /** Bytes after HdrLen*4 + PayloadLen. */
  trailing?: TrailingData;
}

/** A SCION packet decoded to the end. */
export interface ScionPacket extends ScionLayers {
  ok: true;
  layer: 'scion';
  /** Bytes decoded, trailing data included. */
  length: number;
  warnings: DecodeWarning[];
}

/** What the bytes turned out to be instead of current SCION. */
export type NotCurrentScion = LegacyScionHeader | { kind: 'stun'; stun: StunMessage };

/** A SCION decode that stopped: the fault, the layers decoded before it, and what the bytes are if not current SCION. */
export interface ScionDecodeFailure extends Partial<ScionLayers> {
  ok: false;
  layer: 'scion';
  error: DecodeError;
  warnings: DecodeWarning[];
  recognised?: NotCurrentScion;
}

/** {@link decodeScion}'s result: a {@link ScionPacket} (`ok: true`) or a {@link ScionDecodeFailure}. */
export type ScionDecodeResult = ScionPacket | ScionDecodeFailure;

/** The quoted (offending) packet of an SCMP error, and its decoding. */
export interface ScmpQuote {
  data: Uint8Array;
  /** Absent only when quotes nest too deep. */
  decoded?: ScionDecodeResult;
}

/** A decoded SCMP message body, by `kind`. */
export type ScmpBody =
  | { kind: 'destination-unreachable'; unused: number; quote: ScmpQuote }
  | { kind: 'packet-too-big'; reserved: number; mtu: number; quote: ScmpQuote }
  | { kind: 'parameter-problem'; reserved: number; pointer: number; quote: ScmpQuote }
  | { kind: 'external-interface-down'; ia: IA; interfaceId: bigint; quote: ScmpQuote }
  | { kind: 'internal-connectivity-down'; ia: IA; ingressInterfaceId: bigint; egressInterfaceId: bigint; quote: ScmpQuote }
  | { kind: 'echo'; identifier: number; sequence: number; data: Uint8Array }
  | { kind: 'traceroute'; identifier: number; sequence: number; ia: IA; interfaceId: bigint; extra?: Uint8Array }
  /** Unknown type, or a body too short for its type (see the decode error). */
  | { kind: 'raw'; data: Uint8Array };

/** A decoded SCMP message with its names, checksum verdict and body. */
export interface ScmpMessage {
  type: 'scmp';
  protocol: 202;
  scmpType: number;
  code: number;
  typeName: string;
  codeName: string;
  /** Type ≥ 128. */
  informational: boolean;
  checksum: number;
  checksumStatus?: ChecksumStatus;
  body: ScmpBody;
}

export type ScmpDecodeResult =
  | { ok: true; scmp: ScmpMessage; warnings: DecodeWarning[] }
  | { ok: false; error: DecodeError; scmp?: ScmpMessage; warnings: DecodeWarning[] };

/** Decodes a quoted packet, or returns undefined when quotes nest too deep. */
export type QuoteDecoder = (quote: Uint8Array) => ScionDecodeResult | undefined;

