// Every receive arena has exactly one owner, the socket's arena table, and is freed when it is
// replaced. Before the fix the table only appended: a tap whose batch buffers were transferred away
// (structuredClone / postMessage with a transfer list) registered a fresh arena each time while the
// native side kept the old one's header vectors (~208 KiB at batchSize 1024) and its references
// until the socket closed: RSS +289 MiB over 1,500 batches (+309 MiB measured here before the fix).
//
// The bound is about correctness (the leak is hundreds of MiB), not timing. This file holds the one
// RSS measurement of the public API: a leak freed by an earlier test's close() would be reused by a
// later one in the same process and hide from RSS. The native table's own tests (reference release
// judged by WeakRefs, replacement by id) are in test/native/arena-table.test.ts.
import { describe, expect, it } from 'vitest';
import { openUdp } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const MiB = 1024 * 1024;
// Under ASan (scripts/asan-test.sh preloads its runtime) freed memory sits in the quarantine
// (256 MiB) and RSS says nothing about leaks: the loop still runs, the RSS bound is not applied.
const underAsan = /asan/.test(process.env.LD_PRELOAD ?? '');

function rss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

describe('receive arenas of a tap whose batches are transferred away', () => {
  it('1,500 batches (batchSize 1024), each batch’s buffer transferred away: RSS grows < 64 MiB', async () => {
    const rx = await openUdp({ address: '127.0.0.1', batchSize: 1024, maxMessageSize: 64 });
    const tx = await openUdp({ address: '127.0.0.1' });
    const to = { address: '127.0.0.1', port: rx.address().port };
    const round = async (i: number) => {
      await tx.send(`d${i}`, to);
      const b = await rx.receiveBatch({ timeoutMs: 5000 });
      expect(b.payload(0).toString()).toBe(`d${i}`);
      const ab = b.payloads.buffer as ArrayBuffer;
      structuredClone(ab, { transfer: [ab] });
    };
    for (let i = 0; i < 100; i++) await round(i); // the allocator's working set
    const before = rss();
    for (let i = 0; i < 1500; i++) {
      await round(i);
      if (i % 100 === 99) gc();
    }
    const grown = rss() - before;
    rx.close();
    tx.close();
    if (!underAsan) expect(grown / MiB).toBeLessThan(64);
  }, 120_000);
});
