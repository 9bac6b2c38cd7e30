// Just enough SCION to find an SCMP echo/traceroute and its identifiers: common header, address
// header, HBH/E2E extensions, SCMP type/code/identifier/sequence. Bounds-checked; null on anything
// else. (A full decoder lives in src/decode/scion once that lands; this stays the matcher's own.)

export const SCMP_ECHO_REQUEST = 128;
export const SCMP_ECHO_REPLY = 129;
export const SCMP_TRACEROUTE_REQUEST = 130;
export const SCMP_TRACEROUTE_REPLY = 131;

const NEXT_HBH = 200;
const NEXT_E2E = 201;
const NEXT_SCMP = 202;

export interface ScmpInfo {
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  /** ISD-AS (8 bytes) ‖ host address, hex: who sent / who it is for. */
  src: string;
  dst: string;
}

const hex = (b: Uint8Array, from: number, to: number) => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('hex');

/** SCMP informational message (type ≥ 128) with identifier and sequence, or null. */
export function scmpInfo(b: Uint8Array): ScmpInfo | null {
  if (b.length < 12 || b[0]! >> 4 !== 0) return null;
  const hdrLen = b[5]! * 4;
  const dl = ((b[9]! >> 4) & 3) + 1;
  const sl = (b[9]! & 3) + 1;
  const addrEnd = 12 + 16 + 4 * dl + 4 * sl;
  if (hdrLen < addrEnd || hdrLen > b.length) return null;
  let next = b[4]!;
  let off = hdrLen;
  for (let i = 0; i < 2 && (next === NEXT_HBH || next === NEXT_E2E); i++) {
    if (off + 2 > b.length) return null;
    const len = (b[off + 1]! + 1) * 4;
    next = b[off]!;
    off += len;
  }
  if (next !== NEXT_SCMP || off + 8 > b.length) return null;
  const type = b[off]!;
  if (type < 128) return null;
  const dstHost = 28;
  const srcHost = 28 + 4 * dl;
  return {
    type,
    code: b[off + 1]!,
    identifier: (b[off + 4]! << 8) | b[off + 5]!,
    sequence: (b[off + 6]! << 8) | b[off + 7]!,
    dst: `${hex(b, 12, 20)}/${hex(b, dstHost, dstHost + 4 * dl)}`,
    src: `${hex(b, 20, 28)}/${hex(b, srcHost, srcHost + 4 * sl)}`,
  };
}
