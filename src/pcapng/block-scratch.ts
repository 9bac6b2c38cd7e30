// One reusable output buffer for the batch encoders (bulk.ts, bulk-capture.ts). The command writes
// a round's blocks (one write(2)) before it encodes the next round, so a fresh buffer per round
// (tens of KiB of external memory each, which V8 answers with full garbage collections at line
// rate) buys nothing. A writer that keeps the bytes instead of writing them (corked) copies them:
// PcapngWriter.writeBlocks(blocks, packets, borrowed = true).
//
// Only rounds of ordinary datagrams are kept for: a round of 64 KiB datagrams (up to 1024 of them)
// gets a buffer of its own, so one such burst does not pin tens of MiB for the rest of the run.
export const BLOCK_SCRATCH_MAX = 4 << 20;

let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A buffer of at least `size` bytes: the same one each call while it is big enough, grown up to
 * BLOCK_SCRATCH_MAX; beyond that a fresh one that is not kept.
 */
export function blockScratch(size: number): Buffer {
  if (size > BLOCK_SCRATCH_MAX) return Buffer.allocUnsafeSlow(size);
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.min(BLOCK_SCRATCH_MAX, Math.max(size, scratch.length * 2)));
  return scratch;
}
