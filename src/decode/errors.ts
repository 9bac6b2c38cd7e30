/**
 * Structured faults shared by every decoder in this folder. Decoders never throw: a fault stops
 * decoding and is returned next to whatever was decoded before it; oddities that do not stop
 * decoding are returned as warnings.
 */

export type DecodeErrorCode =
  /** The argument was not a Uint8Array/ArrayBuffer. */
  | 'INVALID_INPUT'
  /** The data ended before a structure that had to be there. */
  | 'TRUNCATED'
  /** SCION common header with a version other than 0. */
  | 'UNSUPPORTED_VERSION'
  /** A pre-2020 SCION header (8-byte common header, TotalLen, 8-byte lines). */
  | 'NOT_CURRENT_SCION'
  /** A STUN message (RFC 5389), e.g. a border router's NAT address discovery answer. */
  | 'STUN'
  /** HdrLen too small for the common and address headers ("negative pathLen" in Go). */
  | 'BAD_HEADER_LENGTH'
  /** A length field that contradicts the structure it describes. */
  | 'BAD_LENGTH'
  /** Path meta header or path fields inconsistent with the path region. */
  | 'BAD_PATH'
  /** Extension header repeated, misordered, or its options overrun it. */
  | 'BAD_EXTENSION'
  /** UDP Length 1..7. */
  | 'BAD_UDP_LENGTH'
  /** Dispatcher framing: the 8-byte cookie is missing. */
  | 'BAD_COOKIE'
  /** Dispatcher framing / registration: address type not NONE/IPv4/IPv6. */
  | 'BAD_ADDRESS_TYPE'
  /** Dispatcher registration request with an impossible layout. */
  | 'BAD_REGISTRATION'
  /** Data that cannot be the protocol asked for (e.g. NTP shorter than its header). */
  | 'NOT_THIS_PROTOCOL';

/** The fault that stopped a decoder, where it was, and why. */
export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /**
   * Byte offset (from the start of the decoded buffer or stream) of the structure or field at
   * fault; for a packet that is complete up to its L4 but cut short of PayloadLen, where it ends.
   */
  offset: number;
}

/** Oddities a decoder reports without stopping (reserved bits set, zero flow ID, extra bytes, …). */
export type DecodeWarningCode =
  | 'RESERVED_NOT_ZERO'
  | 'FLOW_ID_ZERO'
  | 'UNSUPPORTED_ADDRESS'
  | 'PATH_EXTRA_BYTES'
  | 'PATH_INDEX_OUT_OF_RANGE'
  | 'UDP_LENGTH_SHORT'
  | 'SPAO_TOO_SHORT'
  | 'BFD_VERSION'
  | 'BFD_LENGTH'
  | 'SCMP_EXTRA_BYTES'
  | 'QUOTE_NOT_DECODED'
  | 'NTP_VERSION';

/** An oddity a decoder noticed and decoded past. */
export interface DecodeWarning {
  code: DecodeWarningCode;
  message: string;
  offset: number;
}

export function decodeError(code: DecodeErrorCode, message: string, offset: number): DecodeError {
  return { code, message, offset };
}

export function decodeWarning(
  code: DecodeWarningCode,
  message: string,
  offset: number,
): DecodeWarning {
  return { code, message, offset };
}

/** Thrown by the encoders (never by decoders) when asked to write something unrepresentable. */
export class EncodeError extends RangeError {
  override name = 'EncodeError';
}
