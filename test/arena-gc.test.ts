// A receive arena's overflow slots (touched only by datagrams longer than a dense slot) are not
// counted as memory by V8, which otherwise ran a major GC per 64 MiB of arenas: with 64 taps growing
// their arenas, one every ~15 ms for seconds (bench/many.mjs). What is taken off is given back when
// the buffer is collected, and the native helper refuses what is not a byte count.
import crypto from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { openUdp, type UdpTap } from '../src/index.js';
import { native } from '../src/sys/native.js';
import { allocateMostlyUntouched } from '../src/tap/rx/untouched-memory.js';
import { closeSocket, sendTo, udpSender } from './helpers/send.js';

// batchSize 512 (given, so used from the first round): an arena of 512 dense 2 KiB slots plus 512
// overflow slots of 64 KiB, ≈ 33 MiB.
const BATCH = 512;

const open: UdpTap[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

/** A full GC: --expose-gc for this process, then the function from a fresh context. */
function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('arena memory and the GC', () => {
  it('what is taken off V8’s count is given back when the buffer is collected', async () => {
    fullGc();
    const before = native.adjustExternalMemory(0);
    let buf: ArrayBuffer | null = allocateMostlyUntouched(64 << 20, 60 << 20);
    // V8 counts 64 MiB for the buffer, less the 60 taken off: 4 MiB more than before
    expect(Math.abs(native.adjustExternalMemory(0) - before - (4 << 20))).toBeLessThan(1 << 20);
    expect(buf.byteLength).toBe(64 << 20);
    buf = null;
    // Collected, V8 subtracts all 64 MiB; the registry then gives the 60 back (in a later task).
    // Other buffers this process frees meanwhile move the count a little: ± 8 MiB, against 60.
    const deadline = Date.now() + 10_000;
    let delta = Number.NaN;
    do {
      fullGc();
      await new Promise((r) => setTimeout(r, 20));
      delta = native.adjustExternalMemory(0) - before;
    } while (Math.abs(delta) > 8 << 20 && Date.now() < deadline);
    expect(Math.abs(delta), `external memory moved by ${delta} bytes`).toBeLessThanOrEqual(8 << 20);
  });

  it('a tap tells V8 of its arena without the overflow slots, and long datagrams still arrive whole', async () => {
    const t = await openUdp({ address: '127.0.0.1', batchSize: BATCH });
    open.push(t);
    const s = await udpSender();
    fullGc();
    const before = native.adjustExternalMemory(0);
    await sendTo(s, Buffer.from([7]), t.address().port, '127.0.0.1');
    const b = await t.receiveBatch({ timeoutMs: 5000 }); // the first round makes the arena
    const counted = native.adjustExternalMemory(0) - before;
    const ab = process.memoryUsage().arrayBuffers;
    expect(b.payload(0)).toEqual(Buffer.from([7]));
    expect(ab).toBeGreaterThanOrEqual(BATCH * (2048 + 65535)); // the arena is there, all 33 MiB of it
    // V8 was told of the dense slots, control, metadata and addresses (≈ 1.3 MiB), not the 32 MiB
    // of overflow slots; other allocations meanwhile move the count by far less than that.
    expect(counted, `V8 counted ${counted} bytes`).toBeGreaterThan(BATCH * 2048);
    expect(counted, `V8 counted ${counted} bytes`).toBeLessThan(BATCH * 2048 + (4 << 20));
    const long = crypto.randomBytes(9000);
    await sendTo(s, long, t.address().port, '127.0.0.1');
    expect((await t.receiveBatch({ timeoutMs: 5000 })).payload(0).equals(long)).toBe(true);
    await closeSocket(s);
  });

  it('adjustExternalMemory refuses what is not a safe integer', () => {
    for (const bad of [undefined, '1', 1n, null])
      expect(() => native.adjustExternalMemory(bad as unknown as number)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    for (const bad of [NaN, Infinity, 0.5, 2 ** 53, -(2 ** 53)])
      expect(() => native.adjustExternalMemory(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
  });
});
