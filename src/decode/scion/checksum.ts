/**
 * Internet checksum over the SCION pseudo header (DstIA, SrcIA, DstHost, SrcHost, u32 upper-layer
 * length, u32 protocol) and the upper layer. The pseudo header's first four fields are exactly the
 * address header bytes, so callers pass that slice.
 */

export interface ChecksumStatus {
  valid: boolean;
  /** The value the checksum field should hold. */
  expected: number;
  /** The value found in the packet. */
  received: number;
}

/** Unfolded one's-complement sum of 16-bit big-endian words; an odd tail byte is zero-padded. */
function sumWords(d: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (d[i]! << 8) | d[i + 1]!;
  if (i < end) acc += d[i]! << 8;
  return acc;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The checksum value for `upper` (whose checksum field, at `checksumAt` inside `upper`, is treated
 * as zero), as Go's slayers computes it.
 */
export function computeScionChecksum(
  addressHeader: Uint8Array,
  upper: Uint8Array,
  protocol: number,
  checksumAt: number,
): number {
  let sum = sumWords(addressHeader, 0, addressHeader.length, 0);
  const len = upper.length;
  sum += Math.floor(len / 0x10000) + (len & 0xffff) + protocol;
  sum = sumWords(upper, 0, upper.length, sum);
  // Take the stored checksum back out instead of copying the buffer to zero it.
  sum -= (upper[checksumAt]! << 8) | upper[checksumAt + 1]!;
  sum += 0xffff; // keep the sum non-negative; adding 0xffff is +0 in one's complement
  return ~fold(sum) & 0xffff;
}

export function verifyScionChecksum(
  addressHeader: Uint8Array,
  upper: Uint8Array,
  protocol: number,
  checksumAt: number,
): ChecksumStatus {
  const received = (upper[checksumAt]! << 8) | upper[checksumAt + 1]!;
  const expected = computeScionChecksum(addressHeader, upper, protocol, checksumAt);
  // When the data sums to 0xffff, both 0x0000 and 0xffff make the total fold to 0xffff.
  const valid = received === expected || (expected === 0 && received === 0xffff);
  return { valid, expected, received };
}
