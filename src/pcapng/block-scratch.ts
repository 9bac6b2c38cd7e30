// One reusable output buffer for the batch encoders (bulk.ts, bulk-capture.ts). The command writes
// a round's blocks (one write(2)) before it encodes the next round, so a fresh buffer per round
// (tens of KiB of external memory each, which V8 answers with full garbage collections at line
// rate) buys nothing. A writer that keeps the bytes instead of writing them (corked) copies them:
// PcapngWriter.writeBlocks(blocks, packets, borrowed = true).
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** A buffer of at least `size` bytes, the same one each call while it is big enough. */
export function blockScratch(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
  return scratch;
}
