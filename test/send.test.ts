// Send side: per-packet TTL/TOS/source address, sendmmsg, and TX timestamps from the error queue.
import { afterEach, describe, expect, it } from 'vitest';
import { openUdp, type UdpTap } from '../src/index.js';

const taps: UdpTap[] = [];
async function tap(opts: Parameters<typeof openUdp>[0]): Promise<UdpTap> {
  const t = await openUdp(opts);
  taps.push(t);
  return t;
}
afterEach(() => {
  for (const t of taps.splice(0)) t.close();
});

describe('per-packet control messages', () => {
  for (const [family, host] of [[4, '127.0.0.1'], [6, '::1']] as const) {
    it(`IPv${family}: the receiver sees the TTL/hop limit and TOS/traffic class chosen per packet`, async () => {
      const rx = await tap({ address: host });
      const tx = await tap({ address: host });
      await tx.send('a', rx.address(), { ttl: 3, tos: 0xb8 });
      await tx.send('b', rx.address(), { ttl: 200, tos: 0x04 });
      await tx.send('c', rx.address());
      const [a, b, c] = [await rx.receive({ timeoutMs: 2000 }), await rx.receive({ timeoutMs: 2000 }), await rx.receive({ timeoutMs: 2000 })];
      expect([a.ttl, a.tos]).toEqual([3, 0xb8]);
      expect([b.ttl, b.tos]).toEqual([200, 0x04]);
      expect([c.ttl, c.tos]).toEqual([64, 0]);
    });
  }

  it('source-address selection: two addresses on lo, the requested one is used', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '0.0.0.0' });
    await tx.send('x', rx.address(), { sourceAddress: '127.0.0.2' });
    await tx.send('y', rx.address(), { sourceAddress: '127.0.0.3', ifIndex: 1 });
    expect((await rx.receive({ timeoutMs: 2000 })).src.address).toBe('127.0.0.2');
    expect((await rx.receive({ timeoutMs: 2000 })).src.address).toBe('127.0.0.3');
  });

  it('sendBatch sends every item with its own options through sendmmsg', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    const items = Array.from({ length: 50 }, (_, i) => ({ data: `n${i}`, ...rx.address(), ttl: i + 1 }));
    const res = await tx.sendBatch(items);
    expect(res.map((r) => r.bytes)).toEqual(items.map((it) => it.data.length));
    for (let i = 0; i < 50; i++) {
      const m = await rx.receive({ timeoutMs: 2000 });
      expect([m.data.toString(), m.ttl]).toEqual([`n${i}`, i + 1]);
    }
  });
});

describe('TX timestamps', () => {
  it('sched ≤ software TX ≤ receiver RX software ≤ receiver readAt', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    const r = await tx.send('t', rx.address(), { txTimestamps: ['sched', 'software'] });
    const ts = await r.tx!;
    const m = await rx.receive({ timeoutMs: 2000 });
    expect(ts.id).toBe(r.id);
    expect(ts.missing).toEqual([]);
    expect(ts.sched!).toBeLessThanOrEqual(ts.software!);
    expect(ts.software!).toBeLessThanOrEqual(m.timestamps.software!);
    expect(m.timestamps.software!).toBeLessThanOrEqual(m.readAt);
  });

  it('IPv6 too, and the txTimestamp event streams each stamp', async () => {
    const rx = await tap({ address: '::1' });
    const tx = await tap({ address: '::1' });
    const events: Array<{ id: number; kind: string }> = [];
    tx.on('txTimestamp', (e: { id: number; kind: string }) => events.push(e));
    const r = await tx.send('t6', rx.address(), { txTimestamps: 'software' });
    const ts = await r.tx!;
    const m = await rx.receive({ timeoutMs: 2000 });
    expect(ts.software!).toBeLessThanOrEqual(m.timestamps.software!);
    expect(events).toEqual([{ id: 0, kind: 'software', timestamp: ts.software }]);
  });

  it('10,000 sends: every one matched exactly once, ids in order, nothing pending afterwards', async () => {
    const rx = await tap({ address: '127.0.0.1', recvBufferSize: 8 << 20, dropCounter: true });
    const tx = await tap({ address: '127.0.0.1' });
    const N = 10_000;
    const seen = new Map<number, number>();
    tx.on('txTimestamp', (e: { id: number }) => seen.set(e.id, (seen.get(e.id) ?? 0) + 1));
    const pending: Array<Promise<{ id: number; software?: bigint }>> = [];
    const ids: number[] = [];
    const heapBefore = process.memoryUsage().heapUsed;
    let received = 0;
    const drain = (async () => {
      for await (const b of rx.batches()) {
        received += b.count;
        if (received >= N) break;
      }
    })();
    for (let i = 0; i < N; i++) {
      const r = await tx.send(`p${i}`, rx.address(), { txTimestamps: 'software' });
      ids.push(r.id!);
      pending.push(r.tx!);
      if (i % 500 === 499) await Promise.all(pending.slice(-500)); // keep the error queue moving
    }
    const all = await Promise.all(pending);
    await drain;
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(all.map((t) => t.id)).toEqual(ids);
    expect(all.every((t) => typeof t.software === 'bigint')).toBe(true);
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(tx.txStats()).toMatchObject({ pending: 0, matched: N, expired: 0, evicted: 0, unmatched: 0 });
    expect(received).toBe(N);
    // bounded: nothing retained per send once matched (generous bound against GC noise)
    (globalThis as { gc?: () => void }).gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 << 20);
  });

  it('hardware TX on loopback: the software stamp arrives, hardware is reported missing, no hang', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    const r = await tx.send('h', rx.address(), { txTimestamps: ['software', 'hardware'], txTimeoutMs: 200 });
    const ts = await r.tx!;
    expect(ts.software).toBeDefined();
    expect(ts.hardware).toBeUndefined();
    expect(ts.missing).toEqual(['hardware']);
    const only = await tx.send('h2', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 200 });
    const err = await only.tx!.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', missing: ['hardware'], id: only.id });
    expect((err as Error).message).toMatch(/hardware timestamping/);
  });

  it('pending entries are bounded: beyond maxPendingTx the oldest is evicted with a clear error', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1', maxPendingTx: 2 });
    const a = await tx.send('a', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 5000 });
    await tx.send('b', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 5000 });
    await tx.send('c', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 5000 });
    await expect(a.tx!).rejects.toMatchObject({ code: 'ERR_TX_EVICTED', id: a.id });
    expect(tx.txStats().pending).toBe(2);
    tx.close();
    expect(tx.txStats().pending).toBe(0);
  });

  it('close rejects TX promises still waiting', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    const r = await tx.send('a', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 5000 });
    tx.close();
    await expect(r.tx!).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });

  it('sendBatch with TX timestamps: consecutive ids, each matched', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    await tx.send('first', rx.address(), { txTimestamps: 'software' });
    const res = await tx.sendBatch(Array.from({ length: 20 }, (_, i) => ({ data: `b${i}`, ...rx.address(), txTimestamps: 'software' as const })));
    expect(res.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stamps = await Promise.all(res.map((r) => r.tx!));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!.software!).toBeGreaterThanOrEqual(stamps[i - 1]!.software!);
  });
});

describe('send errors', () => {
  it('EMSGSIZE is Node-style with address and port', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '127.0.0.1' });
    await expect(tx.send(Buffer.alloc(70_000), rx.address())).rejects.toMatchObject({
      code: 'EMSGSIZE', syscall: 'sendmsg', address: '127.0.0.1', port: rx.address().port,
    });
  });

  it('a source address that is not local is refused by the kernel (ENETUNREACH, nothing leaves)', async () => {
    const rx = await tap({ address: '127.0.0.1' });
    const tx = await tap({ address: '0.0.0.0' });
    await expect(tx.send('x', rx.address(), { sourceAddress: '192.0.2.7' })).rejects.toMatchObject({ syscall: 'sendmsg', code: 'ENETUNREACH', port: rx.address().port });
  });

  it.each([
    [['x', { address: 'nope', port: 1 }], 'ERR_INVALID_ADDRESS'],
    [['x', { address: '127.0.0.1', port: 0 }], 'ERR_SOCKET_BAD_PORT'],
    [['x', { address: '127.0.0.1', port: 70000 }], 'ERR_SOCKET_BAD_PORT'],
    [['x', { address: '::1', port: 9 }], 'ERR_INVALID_ARG_VALUE'],
    [[42, { address: '127.0.0.1', port: 9 }], 'ERR_INVALID_ARG_TYPE'],
    [['x', { address: '127.0.0.1', port: 9 }, { ttl: 256 }], 'ERR_OUT_OF_RANGE'],
    [['x', { address: '127.0.0.1', port: 9 }, { tos: -1 }], 'ERR_OUT_OF_RANGE'],
    [['x', { address: '127.0.0.1', port: 9 }, { txTimestamps: 'wire' }], 'ERR_INVALID_ARG_VALUE'],
    [['x', { address: '127.0.0.1', port: 9 }, { sourceAddress: '::1' }], 'ERR_INVALID_ARG_VALUE'],
    [['x', { address: '127.0.0.1', port: 9 }, { colour: 'red' }], 'ERR_INVALID_ARG_VALUE'],
  ])('rejects %j before the syscall', async (args, code) => {
    const tx = await tap({ address: '127.0.0.1' });
    await expect((tx.send as (...a: unknown[]) => Promise<unknown>)(...(args as unknown[]))).rejects.toMatchObject({ code });
    expect(tx.txStats().pending).toBe(0);
  });

  it('send after close rejects with ERR_SOCKET_CLOSED', async () => {
    const tx = await tap({ address: '127.0.0.1' });
    tx.close();
    await expect(tx.send('x', { address: '127.0.0.1', port: 9 })).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });
});

describe('destinations', () => {
  it('alternating destinations each get their datagrams (the last parsed one is reused only for the same address and port), and a bad one still fails after a good one', async () => {
    const tx = await tap({ address: '127.0.0.1' });
    const a = await tap({ address: '127.0.0.1' });
    const b = await tap({ address: '127.0.0.2' });
    const to = (t: UdpTap) => ({ address: t.address().address, port: t.address().port });
    for (let i = 0; i < 6; i++) await tx.send(`m${i}`, to(i % 2 ? b : a));
    await tx.sendBatch([{ data: 'x', ...to(a) }, { data: 'y', ...to(b) }, { data: 'z', ...to(a) }]);
    const got = async (t: UdpTap, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(Buffer.from((await t.receive({ timeoutMs: 2000 })).data).toString());
      return out;
    };
    expect(await got(a, 5)).toEqual(['m0', 'm2', 'm4', 'x', 'z']);
    expect(await got(b, 4)).toEqual(['m1', 'm3', 'm5', 'y']);
    await expect(tx.send('bad', { address: to(a).address, port: 0 })).rejects.toMatchObject({ code: 'ERR_SOCKET_BAD_PORT' });
    await expect(tx.send('bad', { address: 'not-an-address', port: to(a).port })).rejects.toMatchObject({ code: 'ERR_INVALID_ADDRESS' });
  });
});
