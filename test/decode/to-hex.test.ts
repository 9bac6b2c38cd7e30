// toHex calls Buffer's hex encoder on the bytes themselves (no Buffer view): it must give what
// Buffer#toString('hex') gives for plain Uint8Arrays and Buffers, at any offset into their memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/decode/bytes.js';
import { preview } from '../../src/cli/pipeline/format.js';

describe('toHex', () => {
  it('is the hex of exactly the viewed bytes, for views at any offset of plain arrays and Buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), fc.nat(300), (all, a, b) => {
        const from = Math.min(a, all.length);
        const to = Math.min(all.length, from + b);
        const plain = all.subarray(from, to);
        const buf = Buffer.from(all.buffer, all.byteOffset, all.length).subarray(from, to);
        const want = Buffer.from(all.buffer, all.byteOffset + from, to - from).toString('hex');
        expect(toHex(plain)).toBe(want);
        expect(toHex(buf)).toBe(want);
      }),
    );
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('preview: hex of at most 32 bytes for binary payloads, quoted text for printable ones', () => {
    const bin = new Uint8Array(40).map((_, i) => i);
    expect(preview(bin.subarray(1))).toBe(Buffer.from(bin.subarray(1, 33)).toString('hex') + '…');
    expect(preview(new TextEncoder().encode('hello'))).toBe('"hello"');
    expect(preview(new Uint8Array(0))).toBe('');
  });
});
