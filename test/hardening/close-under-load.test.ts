// Closing at awkward moments, under traffic: from inside a 'message' listener (the native poll
// callback is still on the stack), while an async iterator or a batch iterator waits, while TX
// timestamps are pending; then everything after close. Nothing may crash, hang, throw from a
// callback, or keep the fd. The million-datagram version is bench/soak.mjs.
import { describe, expect, it } from 'vitest';
import { openUdp, UdpTap, type RxMessage } from '../../src/index.js';
import { fdIsOpen, gcUntil, openFdCount } from '../helpers/fds.js';
import { sleep } from '../helpers/send.js';

async function flood(to: { address: string; port: number }, count: number): Promise<void> {
  const tx = await openUdp({ address: '127.0.0.1' });
  const item = { data: Buffer.alloc(100, 7), ...to };
  for (let sent = 0; sent < count; sent += 256) await tx.sendBatch(Array.from({ length: Math.min(256, count - sent) }, () => item));
  tx.close();
}

function noUncaught(): { errors: unknown[]; done: () => void } {
  const errors: unknown[] = [];
  const on = (e: unknown) => errors.push(e);
  process.on('uncaughtException', on);
  process.on('unhandledRejection', on);
  return { errors, done: () => (process.off('uncaughtException', on), process.off('unhandledRejection', on)) };
}

describe('close under load', () => {
  it('from inside a message listener, mid-batch, 200 times: no crash, fd released', async () => {
    const watch = noUncaught();
    const before = openFdCount();
    for (let round = 0; round < 200; round++) {
      const t = await openUdp({ address: '127.0.0.1', batchSize: 16 });
      const to = { address: '127.0.0.1', port: t.address().port };
      let seen = 0;
      const closed = new Promise<void>((resolve) => {
        t.on('message', () => {
          if (++seen === 5) t.close(); // later datagrams of the same batch must not be delivered to a closed tap's consumers
        });
        t.once('close', resolve);
      });
      await flood(to, 40);
      await closed;
      expect(t.closed).toBe(true);
      await sleep(1);
      expect(seen).toBe(5); // later datagrams of the round were not emitted by the closed tap
    }
    await sleep(20);
    expect(openFdCount()).toBe(before);
    watch.done();
    expect(watch.errors).toEqual([]);
  });

  it('while an iterator, a batch iterator and receive() wait: each ends cleanly', async () => {
    const watch = noUncaught();
    const t = await openUdp({ address: '127.0.0.1' });
    const to = { address: '127.0.0.1', port: t.address().port };
    const got: RxMessage[] = [];
    const iter = (async () => {
      for await (const m of t) got.push(m);
    })();
    const b = await openUdp({ address: '127.0.0.1' });
    const batches = (async () => {
      let n = 0;
      for await (const batch of b.batches()) n += batch.count;
      return n;
    })();
    await Promise.all([flood(to, 3000), flood({ address: '127.0.0.1', port: b.address().port }, 3000)]);
    await sleep(30); // let the poll callbacks run: the consumers are mid-stream when closed
    // a receive() next to the iterator: it gets a queued datagram or, if none is left, the close
    const pending = t.receive().then((m) => m, (e: unknown) => e);
    t.close();
    b.close();
    await expect(iter).resolves.toBeUndefined();
    const p = await pending;
    if (p instanceof Error) expect(p).toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    else expect(p).toHaveProperty('data');
    expect(await batches).toBeGreaterThan(0);
    expect(got.length).toBeGreaterThan(0);
    watch.done();
    expect(watch.errors).toEqual([]);
  });

  it('with TX timestamps pending: their promises reject with ERR_SOCKET_CLOSED', async () => {
    const t = await openUdp({ address: '127.0.0.1', txTimeoutMs: 60_000 });
    const rx = await openUdp({ address: '127.0.0.1' });
    const to = { address: '127.0.0.1', port: rx.address().port };
    const sent = await t.sendBatch(Array.from({ length: 64 }, () => ({ data: 'x', ...to, txTimestamps: 'hardware' as const })));
    expect(t.txStats().pending).toBe(64); // loopback never gives hardware stamps: they wait
    t.close();
    const results = await Promise.allSettled(sent.map((s) => s.tx!));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'ERR_SOCKET_CLOSED')).toBe(true);
    expect(t.txStats().pending).toBe(0);
    rx.close();
  });

  it('everything after close: receive, receiveBatch, readMsg, send, sendBatch, address; close again', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    const fd = t.fd;
    t.close();
    t.close();
    expect(fdIsOpen(fd)).toBe(false);
    const code = { code: 'ERR_SOCKET_CLOSED' };
    await expect(t.receive()).rejects.toMatchObject(code);
    await expect(t.receiveBatch()).rejects.toMatchObject(code);
    await expect(t.send('x', { address: '127.0.0.1', port: 9 })).rejects.toMatchObject(code);
    await expect(t.sendBatch([{ data: 'x', address: '127.0.0.1', port: 9 }])).rejects.toMatchObject(code);
    expect(() => t.readMsg(Buffer.alloc(8), Buffer.alloc(64))).toThrow(expect.objectContaining(code));
    expect(() => t.address()).toThrow(expect.objectContaining(code));
    const it = t[Symbol.asyncIterator]();
    await expect(it.next()).resolves.toMatchObject({ done: true });
  });

  it('an unclosed tap with queued data, a batch arena and a listener removed is collected and its fd closed', async () => {
    let fd = -1;
    await (async () => {
      const t = new UdpTap({ address: '127.0.0.1' });
      fd = t.fd;
      const to = { address: '127.0.0.1', port: t.address().port };
      await flood(to, 50);
      const batch = await t.receiveBatch({ timeoutMs: 2000 });
      expect(batch.count).toBeGreaterThan(0);
      const onMsg = () => undefined;
      t.on('message', onMsg);
      await sleep(10);
      t.off('message', onMsg);
      await flood(to, 50); // left in the kernel queue
      await sleep(10);
    })();
    expect(fdIsOpen(fd)).toBe(true);
    expect(await gcUntil(() => !fdIsOpen(fd))).toBe(true);
  });
});
