// The batch encoders' reused output buffer: the same memory while it is big enough, grown when a
// round needs more, and never kept beyond its cap (a burst of jumbo datagrams gets a one-off buffer).
import { describe, expect, it } from 'vitest';
import { BLOCK_SCRATCH_MAX, blockScratch } from '../../src/pcapng/block-scratch.js';

describe('blockScratch', () => {
  it('hands out the same buffer while it is big enough, and a bigger one when a round needs it', () => {
    const a = blockScratch(1000);
    expect(a.length).toBeGreaterThanOrEqual(1000);
    expect(blockScratch(500)).toBe(a);
    const b = blockScratch(a.length + 1);
    expect(b).not.toBe(a);
    expect(b.length).toBeGreaterThan(a.length);
    expect(blockScratch(10)).toBe(b);
  });

  it('does not keep a buffer beyond its cap: a larger round gets its own, the kept one stays', () => {
    const kept = blockScratch(BLOCK_SCRATCH_MAX);
    expect(kept.length).toBe(BLOCK_SCRATCH_MAX);
    const big = blockScratch(BLOCK_SCRATCH_MAX + 1);
    expect(big.length).toBe(BLOCK_SCRATCH_MAX + 1);
    // (identity compared by hand: vitest's not.toBe deep-compares two distinct 4 MiB buffers, ~25 s)
    expect(blockScratch(BLOCK_SCRATCH_MAX + 1) === big).toBe(false);
    expect(blockScratch(100)).toBe(kept);
  });
});
