// mergeBatches(): one consumer for many taps, one array of batches per event-loop turn.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { mergeBatches, openUdp, type RxBatch, type UdpTap } from '../src/index.js';
import { MAX_BATCH_ARENAS } from '../src/tap/rx/batch-queue.js';
import { closeSocket, sendTo, sleep, udpSender } from './helpers/send.js';

// These tests judge order and counts, not speed: every wait is for a condition, with a deadline
// only there to turn a hang into a failure.
const PATIENCE_MS = 10_000;

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${PATIENCE_MS} ms`);
    await sleep(5);
  }
}

/** Sends `per` datagrams to each destination while this thread is blocked: all become ready at once. */
function sendWhileBlocked(dests: Array<{ address: string; port: number }>, per = 1): void {
  const script = `
    const dgram = require('node:dgram');
    const dests = ${JSON.stringify(dests)};
    const s4 = dgram.createSocket('udp4'), s6 = dgram.createSocket('udp6');
    let left = dests.length * ${per};
    const done = () => { if (--left === 0) { s4.close(); s6.close(); } };
    for (const d of dests) for (let i = 0; i < ${per}; i++) (d.address.includes(':') ? s6 : s4).send(d.port + ':' + i, d.port, d.address, done);`;
  execFileSync(process.execPath, ['-e', script]);
}

const BATCH = 64;
async function openMixed(n: number): Promise<UdpTap[]> {
  const taps: UdpTap[] = [];
  for (let i = 0; i < n; i++) taps.push(await openUdp({ address: i % 2 ? '::1' : '127.0.0.1', recvBufferSize: 4 << 20, batchSize: BATCH }));
  return taps;
}
const dest = (t: UdpTap) => ({ address: t.address().address, port: t.address().port });

describe('mergeBatches', () => {
  it('taps ready in one turn arrive as one array; every datagram once, each batch names its tap', async () => {
    const taps = await openMixed(8);
    const it = mergeBatches(taps);
    const first = it.next();
    await sleep(20); // let start() hook the taps before the datagrams land
    sendWhileBlocked(taps.map(dest), 3);
    const r = await first;
    expect(r.done).toBe(false);
    const batches = r.value as RxBatch[];
    // all eight sockets were ready before the loop woke: one array holds every tap's batch
    expect(new Set(batches.map((b) => b.tap))).toEqual(new Set(taps));
    const seen = new Map<UdpTap, string[]>();
    for (const b of batches) for (let i = 0; i < b.count; i++) seen.set(b.tap, [...(seen.get(b.tap) ?? []), b.payload(i).toString()]);
    for (const t of taps) expect(seen.get(t)).toEqual([0, 1, 2].map((i) => `${t.address().port}:${i}`));
    for (const b of batches) expect(b.swTimestamps[0]).toBeGreaterThan(0n);
    await it.return();
    for (const t of taps) t.close();
  });

  it("an array's batches are released when the next array is asked for", async () => {
    const taps = await openMixed(2);
    const s = await udpSender(4);
    const it = mergeBatches(taps);
    const p = it.next();
    await sendTo(s, 'a', taps[0]!.address().port, '127.0.0.1');
    const a = (await p).value as RxBatch[];
    expect(a[0]!.released).toBe(false);
    const p2 = it.next();
    expect(a[0]!.released).toBe(true);
    expect(() => a[0]!.payload(0)).toThrow(expect.objectContaining({ code: 'ERR_BATCH_RELEASED' }));
    await sendTo(s, 'b', taps[0]!.address().port, '127.0.0.1');
    expect(((await p2).value as RxBatch[])[0]!.payload(0).toString()).toBe('b');
    await it.return();
    for (const t of taps) t.close();
    await closeSocket(s);
  });

  it('a slow consumer: taps stop reading at their arena limit, the kernel holds the rest, nothing is lost', async () => {
    const taps = await openMixed(4);
    const it = mergeBatches(taps);
    const first = it.next();
    await sleep(20);
    // 4 taps × 600 datagrams: more than 4 arenas of 64 slots each per tap
    sendWhileBlocked(taps.map(dest), 600);
    const got = new Map<UdpTap, number>();
    let r = await first;
    // The consumer holds the first array and asks for nothing: each tap fills its arenas with full
    // batches (all 600 were queued before the loop woke) and stops there, however long we wait.
    const limit = MAX_BATCH_ARENAS * BATCH;
    expect(limit).toBeLessThan(600);
    const packets = () => taps.map((t) => t.stats().packets);
    await until(`every tap to read ${limit} datagrams`, () => packets().every((p) => p >= limit));
    expect(packets()).toEqual([limit, limit, limit, limit]);
    await sleep(50);
    expect(packets()).toEqual([limit, limit, limit, limit]); // still nothing more read while all arenas are out
    while (!r.done) {
      for (const b of r.value) got.set(b.tap, (got.get(b.tap) ?? 0) + b.count);
      if ([...got.values()].reduce((x, y) => x + y, 0) === 2400) break;
      r = await it.next();
    }
    expect(taps.map((t) => got.get(t))).toEqual([600, 600, 600, 600]);
    expect(taps.map((t) => t.stats().kernelDrops)).toEqual([0, 0, 0, 0]);
    await it.return();
    for (const t of taps) t.close();
  });

  it('ends when every tap closes; after break the taps are ordinary taps again', async () => {
    const taps = await openMixed(3);
    const s = await udpSender(4);
    let arrays = 0;
    const loop = (async () => {
      for await (const batches of mergeBatches(taps.slice(0, 2))) arrays += batches.length > 0 ? 1 : 0;
      return arrays;
    })();
    await sendTo(s, 'x', taps[0]!.address().port, '127.0.0.1');
    await until("the merge to hand over the array holding 'x'", () => arrays === 1);
    taps[0]!.close();
    taps[1]!.close();
    expect(await loop).toBe(1);

    // break out: the tap reads for receive() again
    const t = taps[2]!;
    setTimeout(() => void sendTo(s, 'before', t.address().port, '127.0.0.1'), 20);
    for await (const batches of mergeBatches([t])) {
      expect(batches[0]!.payload(0).toString()).toBe('before');
      break;
    }
    const m = t.receive({ timeoutMs: PATIENCE_MS });
    await sendTo(s, 'after', t.address().port, '127.0.0.1');
    expect((await m).data.toString()).toBe('after');
    t.close();
    await closeSocket(s);
  });

  it("a tap's socket error (ECONNREFUSED on a connected tap) rejects next()", async () => {
    const gone = dgram.createSocket('udp4');
    await new Promise<void>((r) => gone.bind(0, '127.0.0.1', r));
    const port = gone.address().port;
    await new Promise<void>((r) => gone.close(() => r()));
    const [a, b] = await openMixed(2);
    a!.connect({ address: '127.0.0.1', port });
    const it = mergeBatches([a!, b!]);
    const p = it.next();
    await a!.send('anyone?', { address: '127.0.0.1', port });
    await expect(p).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'recvmsg', port });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    a!.close();
    b!.close();
  });

  it('a tap can be in one merge at a time: the second merge rejects and hooks none of its taps', async () => {
    const [a, b] = await openMixed(2);
    const first = mergeBatches([a!]);
    const p = first.next();
    await sleep(5);
    const second = mergeBatches([b!, a!]);
    await expect(second.next()).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
    // b was released again: it reads for receive()
    const s = await udpSender(6);
    const m = b!.receive({ timeoutMs: PATIENCE_MS });
    await sendTo(s, 'still mine', b!.address().port, '::1');
    expect((await m).data.toString()).toBe('still mine');
    await first.return();
    expect(await p).toEqual({ value: undefined, done: true });
    a!.close();
    b!.close();
    await closeSocket(s);
  });

  it('rejects anything but an array of taps, before touching any tap', async () => {
    const [a] = await openMixed(1);
    for (const bad of [undefined, null, 'x', {}, [a, {}], [1]])
      expect(() => mergeBatches(bad as unknown as UdpTap[])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    // a still works on its own
    const m = a!.receive({ timeoutMs: PATIENCE_MS });
    await a!.send('ok', a!.address());
    expect((await m).data.toString()).toBe('ok');
    a!.close();
  });
});
