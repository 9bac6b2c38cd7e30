// One Enhanced Packet Block written straight into one buffer: the per-packet path of
// PcapngWriter.write(), which passive captures and relays take for every datagram.
import { BLOCK_EPB, DIRECTION_INBOUND, DIRECTION_OUTBOUND, EPB_FLAGS, OPT_COMMENT, pad4 } from './blocks.js';

/**
 * One Enhanced Packet Block, the bytes encodeEnhancedPacket() makes (comments, then epb_flags),
 * written straight into one buffer: no option objects, no TextEncoder arrays, no concatenation.
 */
export function encodeEpbFast(
  interfaceId: number,
  timestamp: bigint,
  data: Uint8Array,
  origLength: number,
  comments: readonly string[],
  direction: 'in' | 'out' | undefined,
): Buffer {
  if (timestamp < 0n || timestamp >= 1n << 64n) throw new RangeError(`pcapng timestamp ${timestamp} does not fit 64 bits unsigned`);
  if (origLength < data.length) throw new RangeError(`origLength ${origLength} is shorter than the ${data.length} captured bytes`);
  let optLen = 0;
  const lens: number[] = [];
  for (const c of comments) {
    const n = Buffer.byteLength(c, 'utf8');
    if (n > 0xffff) throw new RangeError(`pcapng option 1 is ${n} bytes; the limit is 65535`);
    lens.push(n);
    optLen += 4 + pad4(n);
  }
  if (direction) optLen += 8;
  if (optLen) optLen += 4;
  const total = 12 + pad4(20 + data.length) + optLen;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(BLOCK_EPB, 0);
  out.writeUInt32LE(total, 4);
  out.writeUInt32LE(interfaceId, 8);
  out.writeUInt32LE(Number(timestamp >> 32n), 12);
  out.writeUInt32LE(Number(timestamp & 0xffffffffn), 16);
  out.writeUInt32LE(data.length, 20);
  out.writeUInt32LE(origLength, 24);
  out.set(data, 28);
  let off = 28 + pad4(data.length);
  for (let i = 0; i < comments.length; i++) {
    out.writeUInt16LE(OPT_COMMENT, off);
    out.writeUInt16LE(lens[i]!, off + 2);
    out.write(comments[i]!, off + 4, 'utf8');
    off += 4 + pad4(lens[i]!);
  }
  if (direction) {
    out.writeUInt16LE(EPB_FLAGS, off);
    out.writeUInt16LE(4, off + 2);
    out.writeUInt32LE(direction === 'in' ? DIRECTION_INBOUND : DIRECTION_OUTBOUND, off + 4);
    off += 8;
  }
  // opt_endofopt (zero) is already there: Buffer.alloc
  out.writeUInt32LE(total, total - 4);
  return out;
}
