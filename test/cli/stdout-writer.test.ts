// StdoutWriter reuses its written chunk buffers: what reaches the file must still be every line, in
// order, byte for byte — across many chunks, with lines longer than a chunk and multi-byte text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StdoutWriter } from '../../src/cli/pipeline/stdout-writer.js';

describe('StdoutWriter', () => {
  it('writes every line in order through reused chunks', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-stdout-')), 'out.txt');
    const fd = fs.openSync(file, 'w');
    const w = new StdoutWriter(fd);
    const expected: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      // ~8 MiB in all: many 1 MiB chunks, each reused once written
      let line = `{"seq":${i},"µs":"${'x'.repeat(i % 300)}","to":"→${i}"}`;
      if (i % 20_000 === 7) line = 'L'.repeat(1_500_000) + i; // longer than a chunk
      expected.push(line);
      w.line(line);
      // lines keep coming while writes are in flight, and spare chunks are taken again
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await w.end();
    fs.closeSync(fd);
    const got = fs.readFileSync(file, 'utf8');
    expect(got.length).toBe(expected.join('\n').length + 1);
    expect(got === expected.join('\n') + '\n').toBe(true);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
