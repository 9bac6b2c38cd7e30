// The ways to consume a tap: receive(), async iteration, 'message', batches, abort and timeout.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openUdp, RxBatch, type RxMessage } from '../src/index.js';
import { closeSocket, sendTo, sleep, udpSender } from './helpers/send.js';

describe('consumers', () => {
  it("'message' events deliver every datagram with metadata", async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    const s = await udpSender(4);
    const got: RxMessage[] = [];
    const done = new Promise<void>((res) => t.on('message', (m: RxMessage) => { got.push(m); if (got.length === 3) res(); }));
    for (const x of ['1', '2', '3']) await sendTo(s, x, t.address().port, '127.0.0.1');
    await done;
    expect(got.map((m) => m.data.toString())).toEqual(['1', '2', '3']);
    expect(got.every((m) => m.timestamps.software !== undefined && m.dst?.ifIndex === 1)).toBe(true);
    t.close();
    await closeSocket(s);
  });

  it('timeoutMs rejects with ETIMEDOUT; an AbortSignal rejects with ABORT_ERR; the tap stays usable', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    await expect(t.receive({ timeoutMs: 20 })).rejects.toMatchObject({ code: 'ETIMEDOUT', name: 'TimeoutError' });
    const ac = new AbortController();
    const p = t.receive({ signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORT_ERR', name: 'AbortError' });
    await expect(t.receive({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORT_ERR' });
    const s = await udpSender(4);
    await sendTo(s, 'still here', t.address().port, '127.0.0.1');
    expect((await t.receive({ timeoutMs: 2000 })).data.toString()).toBe('still here');
    t.close();
    await closeSocket(s);
  });

  it('loses nothing when one receive() reads a whole batch: the rest waits for later calls', async () => {
    const t = await openUdp({ address: '127.0.0.1', batchSize: 16 });
    const s = await udpSender(4);
    for (let i = 0; i < 40; i++) await sendTo(s, String(i), t.address().port, '127.0.0.1');
    await sleep(20);
    const first = await t.receive();
    await sleep(20);
    const rest = [];
    for (let i = 1; i < 40; i++) rest.push((await t.receive({ timeoutMs: 2000 })).data.toString());
    expect([first.data.toString(), ...rest]).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    t.close();
    await closeSocket(s);
  });

  it('receiveBatch gives struct-of-arrays that agree with the materialised messages', async () => {
    const t = await openUdp({ address: '127.0.0.1', batchSize: 32 });
    const s = await udpSender(4);
    s.setTTL(33);
    for (let i = 0; i < 10; i++) await sendTo(s, `payload-${i}`, t.address().port, '127.0.0.1');
    await sleep(20);
    const b = await t.receiveBatch({ timeoutMs: 2000 });
    expect(b).toBeInstanceOf(RxBatch);
    expect(b.count).toBe(10);
    for (let i = 0; i < b.count; i++) {
      const m = b.message(i);
      expect(b.payload(i).toString()).toBe(`payload-${i}`);
      expect(m.data.toString()).toBe(`payload-${i}`);
      expect(b.lengths[i]).toBe(m.data.length);
      expect(b.swTimestamps[i]).toBe(m.timestamps.software);
      expect(b.hwTimestamps[i]).toBe(0n);
      expect(b.ttl[i]).toBe(33);
      expect(b.has(i, 'ttl')).toBe(true);
      expect(b.ifIndex[i]).toBe(1);
      expect(b.srcPort[i]).toBe(s.address().port);
      expect(b.srcAddress(i)).toBe('127.0.0.1');
      expect(m.readAt).toBe(b.readAt);
    }
    expect(() => b.message(10)).toThrow(RangeError);
    // taking the next batch releases this one
    const next = t.receiveBatch({ timeoutMs: 30 }).catch((e: unknown) => e);
    expect(b.released).toBe(true);
    expect(() => b.payload(0)).toThrow(expect.objectContaining({ code: 'ERR_BATCH_RELEASED' }));
    expect(await next).toMatchObject({ code: 'ETIMEDOUT' });
    t.close();
    await closeSocket(s);
  });

  it('batches() iterates until close, with every datagram exactly once', async () => {
    const t = await openUdp({ address: '127.0.0.1', batchSize: 8 });
    const s = await udpSender(4);
    const N = 100;
    const seen: number[] = [];
    const loop = (async () => {
      for await (const b of t.batches()) {
        for (let i = 0; i < b.count; i++) seen.push(Number(b.payload(i).toString()));
        if (seen.length >= N) t.close();
      }
    })();
    for (let i = 0; i < N; i++) await sendTo(s, String(i), t.address().port, '127.0.0.1');
    await loop;
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
    await closeSocket(s);
  });

  it('works inside a worker thread (the env loop, not the default loop) and the worker exits cleanly', async () => {
    const url = new URL('../dist/index.js', import.meta.url).href;
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(url)}).then(async ({ openUdp }) => {
        const t = await openUdp({ address: '127.0.0.1' });
        parentPort.postMessage({ port: t.address().port });
        const m = await t.receive({ timeoutMs: 5000 });
        parentPort.postMessage({ data: m.data.toString(), sw: m.timestamps.software !== undefined, ifName: m.ifName });
        // leave one tap open on purpose: env teardown must close its handle
        await openUdp({ address: '127.0.0.1' }).then((x) => x.receive().catch(() => {}));
      });`;
    const w = new Worker(code, { eval: true });
    const msgs: Array<Record<string, unknown>> = [];
    const exited = new Promise<number>((res) => w.on('exit', res));
    const s = await udpSender(4);
    await new Promise<void>((res) => w.on('message', (m: Record<string, unknown>) => { msgs.push(m); if (msgs.length === 1) void sendTo(s, 'from main', m.port as number, '127.0.0.1'); if (msgs.length === 2) res(); }));
    expect(msgs[1]).toEqual({ data: 'from main', sw: true, ifName: 'lo' });
    await w.terminate();
    expect(await exited).toBe(1);
    await closeSocket(s);
  });
});

describe('tap.stats()', () => {
  it('counts packets, bytes, truncations and kernel drops of what was read', async () => {
    const t = await openUdp({ address: '127.0.0.1', maxMessageSize: 100, recvBufferSize: 1 });
    const s = await udpSender(4);
    const port = t.address().port;
    await sendTo(s, Buffer.alloc(10), port, '127.0.0.1');
    await t.receive({ timeoutMs: 2000 });
    await sendTo(s, Buffer.alloc(150), port, '127.0.0.1');
    await t.receive({ timeoutMs: 2000 });
    for (let i = 0; i < 40; i++) await sendTo(s, Buffer.alloc(1000), port, '127.0.0.1');
    let kept = 0;
    for (;;) {
      try { await t.receive({ timeoutMs: 50 }); kept++; } catch { break; }
    }
    await sendTo(s, 'x', port, '127.0.0.1');
    const last = await t.receive({ timeoutMs: 2000 });
    const st = t.stats();
    expect(st.packets).toBe(3 + kept);
    expect(st.bytes).toBe(10 + 150 + 1000 * kept + 1);
    expect(st.truncated).toBe(1 + kept);
    expect(st.kernelDrops).toBe(last.drops);
    expect(st.kernelDrops).toBe(40 - kept);
    expect(st.tx.pending).toBe(0);
    t.close();
    await closeSocket(s);
  });
});
