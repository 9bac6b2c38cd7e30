/** Hop-by-Hop (200) and End-to-End (201) extension headers with their TLV options (Pad1, PadN, SPAO). */

import { copy, u32, u48, ByteWriter } from '../bytes.js';
import { decodeError, decodeWarning, EncodeError, type DecodeError, type DecodeWarning } from '../errors.js';
import { LINE_LEN, protocolName } from './common.js';

export const OPT_PAD1 = 0;
export const OPT_PADN = 1;
export const OPT_SPAO = 2;
/** SPI, algorithm, RSV, 48-bit timestamp / sequence number. */
export const SPAO_METADATA_LEN = 12;

/** Which SCION extension header: hop-by-hop (NextHdr 200) or end-to-end (201). */
export type ExtensionKind = 'hop-by-hop' | 'end-to-end';

/**
 * DRKey reading of an SPI in 1..2^21-1: `0 (11 bits) | R R R | T | D | Protocol Identifier (16)`
 * (authenticator-option.rst; Go's slayers.PacketAuthSPI since the 2023 SPAO update, which dropped
 * the earlier draft's epoch bit and moved T and D down to bits 17 and 16).
 */
export interface SpaoDrkeySpi {
  /** T, bit 17. */
  keyType: 'AS-host' | 'host-host';
  /** D, bit 16. */
  direction: 'sender-side' | 'receiver-side';
  /** R, bits 20-18: reserved, must be 0. */
  reserved: number;
  protocolId: number;
}

/** A decoded SCION Packet Authenticator Option (SPAO, option type 2). */
export interface SpaoOption {
  kind: 'spao';
  optType: 2;
  dataLen: number;
  spi: number;
  /** Present when the SPI is in the DRKey range. */
  drkey?: SpaoDrkeySpi;
  algorithm: number;
  algorithmName: string;
  reserved: number;
  /** 48-bit Timestamp / Sequence Number. */
  timestampSeq: bigint;
  authenticator: Uint8Array;
}

/** One option of an extension header: padding, SPAO, or an option this decoder keeps raw. */
export type ExtensionOption =
  | { kind: 'pad1'; optType: 0 }
  | { kind: 'padN'; optType: 1; dataLen: number; data: Uint8Array }
  | SpaoOption
  /** Unknown option types, and SPAO too short to parse. */
  | { kind: 'raw'; optType: number; dataLen: number; data: Uint8Array };

/** A decoded hop-by-hop or end-to-end extension header with its options. */
export interface ExtensionHeader {
  kind: ExtensionKind;
  nextHdr: number;
  nextHdrName: string;
  /** Total length in 4-byte units minus 1, as on the wire. */
  extLen: number;
  /** Total length in bytes. */
  length: number;
  options: ExtensionOption[];
}

/** One extension option for the encoders, by `kind`. */
export type ExtensionOptionInput =
  | { kind: 'pad1' }
  | { kind: 'padN'; data?: Uint8Array; dataLen?: number }
  | {
      kind: 'spao';
      dataLen?: number;
      spi: number;
      algorithm?: number;
      reserved?: number;
      timestampSeq?: bigint;
      authenticator: Uint8Array;
    }
  | { kind: 'raw'; optType: number; dataLen?: number; data: Uint8Array };

/** An extension header for the encoders; lengths and NextHdr are derived when omitted. */
export interface ExtensionHeaderInput {
  /** Derived from what follows when omitted. */
  nextHdr?: number;
  /** Derived from the options when omitted (and the options are then padded to 4 bytes). */
  extLen?: number;
  options: ExtensionOptionInput[];
}

const SPAO_ALGORITHMS: Readonly<Record<number, string>> = {
  0: 'AES-CMAC',
  1: 'SHA1-AES-CBC',
  253: 'Experimental253',
  254: 'Experimental254',
  255: 'Reserved',
};

/** The name of an SPAO algorithm number ('AES-CMAC', …); `Unknown(n)` otherwise. */
export function spaoAlgorithmName(a: number): string {
  return SPAO_ALGORITHMS[a] ?? `Unknown(${a})`;
}

/** The DRKey reading of an SPI (key type, direction, protocol); `undefined` outside the DRKey range 1..2^21-1. */
export function spaoDrkey(spi: number): SpaoDrkeySpi | undefined {
  if (spi <= 0 || spi >= 1 << 21) return undefined;
  return {
    keyType: spi & (1 << 17) ? 'host-host' : 'AS-host',
    direction: spi & (1 << 16) ? 'receiver-side' : 'sender-side',
    reserved: (spi >>> 18) & 0x7,
    protocolId: spi & 0xffff,
  };
}

export type ExtensionDecodeResult =
  | { ok: true; ext: ExtensionHeader; warnings: DecodeWarning[] }
  | { ok: false; error: DecodeError; warnings: DecodeWarning[] };

/**
 * Decode one extension header at d[o]; `limit` is where the SCION payload (or the data) ends.
 * The caller checks repetition and order.
 */
export function decodeExtension(d: Uint8Array, o: number, limit: number, kind: ExtensionKind): ExtensionDecodeResult {
  const warnings: DecodeWarning[] = [];
  const name = kind === 'hop-by-hop' ? 'Hop-by-Hop' : 'End-to-End';
  if (limit - o < 2) {
    return { ok: false, error: decodeError('TRUNCATED', `${name} extension header needs 2 bytes, ${Math.max(0, limit - o)} left`, o), warnings };
  }
  const nextHdr = d[o]!;
  const extLen = d[o + 1]!;
  const length = (extLen + 1) * LINE_LEN;
  if (o + length > limit) {
    return { ok: false, error: decodeError('TRUNCATED', `${name} extension of ${length} bytes (ExtLen ${extLen}) exceeds the ${limit - o} bytes left`, o), warnings };
  }
  const end = o + length;
  const options: ExtensionOption[] = [];
  let p = o + 2;
  while (p < end) {
    const t = d[p]!;
    if (t === OPT_PAD1) {
      options.push({ kind: 'pad1', optType: 0 });
      p += 1;
      continue;
    }
    if (end - p < 2) {
      return { ok: false, error: decodeError('BAD_EXTENSION', `${name} option type ${t} at the end of the extension has no length byte`, p), warnings };
    }
    const dataLen = d[p + 1]!;
    if (p + 2 + dataLen > end) {
      return { ok: false, error: decodeError('BAD_EXTENSION', `${name} option type ${t} with ${dataLen} data bytes overruns the extension`, p), warnings };
    }
    const data = copy(d, p + 2, p + 2 + dataLen);
    if (t === OPT_PADN) {
      options.push({ kind: 'padN', optType: 1, dataLen, data });
    } else if (t === OPT_SPAO && kind === 'end-to-end') {
      if (dataLen < SPAO_METADATA_LEN) {
        warnings.push(decodeWarning('SPAO_TOO_SHORT', `SPAO option with ${dataLen} data bytes (needs ${SPAO_METADATA_LEN})`, p));
        options.push({ kind: 'raw', optType: t, dataLen, data });
      } else {
        const q = p + 2;
        const spi = u32(d, q);
        const drkey = spaoDrkey(spi);
        const algorithm = d[q + 4]!;
        options.push({
          kind: 'spao',
          optType: 2,
          dataLen,
          spi,
          ...(drkey ? { drkey } : {}),
          algorithm,
          algorithmName: spaoAlgorithmName(algorithm),
          reserved: d[q + 5]!,
          timestampSeq: BigInt(u48(d, q + 6)),
          authenticator: copy(d, q + SPAO_METADATA_LEN, q + dataLen),
        });
      }
    } else {
      options.push({ kind: 'raw', optType: t, dataLen, data });
    }
    p += 2 + dataLen;
  }
  return { ok: true, ext: { kind, nextHdr, nextHdrName: protocolName(nextHdr), extLen, length, options }, warnings };
}

function writeOption(w: ByteWriter, opt: ExtensionOptionInput, field: string): void {
  switch (opt.kind) {
    case 'pad1':
      w.u8(OPT_PAD1);
      return;
    case 'padN': {
      const data = opt.data ?? new Uint8Array(opt.dataLen ?? 0);
      w.u8(OPT_PADN).u8(opt.dataLen ?? data.length, `${field}.dataLen`).bytes(data, `${field}.data`);
      return;
    }
    case 'spao': {
      const ts = opt.timestampSeq ?? 0n;
      if (ts < 0n || ts >= 1n << 48n) throw new EncodeError(`${field}.timestampSeq must fit 48 bits`);
      w.u8(OPT_SPAO)
        .u8(opt.dataLen ?? SPAO_METADATA_LEN + opt.authenticator.length, `${field}.dataLen`)
        .u32(opt.spi, `${field}.spi`)
        .u8(opt.algorithm ?? 0, `${field}.algorithm`)
        .u8(opt.reserved ?? 0, `${field}.reserved`)
        .u48(Number(ts), `${field}.timestampSeq`)
        .bytes(opt.authenticator, `${field}.authenticator`);
      return;
    }
    case 'raw':
      w.u8(opt.optType, `${field}.optType`).u8(opt.dataLen ?? opt.data.length, `${field}.dataLen`).bytes(opt.data, `${field}.data`);
      return;
    default:
      throw new EncodeError(`${field}: unknown option kind`);
  }
}

/** Encode an extension header; `nextHdr` is used when the input does not set one. */
export function encodeExtension(ext: ExtensionHeaderInput, nextHdr: number, field: string, recompute: boolean): Uint8Array {
  const w = new ByteWriter();
  w.u8(recompute || ext.nextHdr === undefined ? nextHdr : ext.nextHdr, `${field}.nextHdr`);
  w.u8(0); // ExtLen, patched below
  ext.options.forEach((o, i) => writeOption(w, o, `${field}.options[${i}]`));
  const autoLen = recompute || ext.extLen === undefined;
  if (autoLen) {
    // Pad to a 4-byte multiple as Go's serializer does: Pad1 for one byte, PadN otherwise.
    const pad = (LINE_LEN - (w.length % LINE_LEN)) % LINE_LEN;
    if (pad === 1) w.u8(OPT_PAD1);
    else if (pad > 1) w.u8(OPT_PADN).u8(pad - 2).bytes(new Uint8Array(pad - 2));
  }
  const out = w.finish();
  const extLen = autoLen ? out.length / LINE_LEN - 1 : ext.extLen!;
  if (!Number.isInteger(extLen) || extLen < 0 || extLen > 255) throw new EncodeError(`${field}.extLen: ${extLen} out of range`);
  out[1] = extLen;
  return out;
}
