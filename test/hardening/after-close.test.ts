// Close is final and silent, whoever calls it and from wherever: once close() ran, no 'message',
// 'record', 'error' or 'txTimestamp' event, no datagram to a receive(), an iterator or a batch
// consumer. Each case queues many datagrams first, so one read round holds all of them and the
// close lands in the middle of delivering that round.
import { describe, expect, it } from 'vitest';
import { mergeBatches, openUdp, type UdpTap } from '../../src/index.js';
import { openCapture } from '../../src/capture/index.js';
import { sleep } from '../helpers/send.js';

const QUEUED = 32;

/** Sends n datagrams to the tap (which is not reading yet) and waits until the kernel queued them. */
async function queue(tap: UdpTap, n = QUEUED, port = tap.address().port): Promise<void> {
  const tx = await openUdp({ address: '127.0.0.1' });
  await tx.sendBatch(Array.from({ length: n }, (_, i) => ({ data: Buffer.from([i]), address: '127.0.0.1', port })));
  tx.close();
  await sleep(20);
}

function countEvents(tap: { on(e: string, f: (...a: unknown[]) => void): unknown }, names: string[]): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const n of names) {
    seen[n] = 0;
    tap.on(n, () => seen[n]!++);
  }
  return seen;
}

describe('after close: nothing more is delivered', () => {
  it("close() inside a 'message' listener: the rest of the round is not emitted", async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    await queue(tap);
    let messages = 0;
    const seen = countEvents(tap, ['error']);
    tap.on('message', () => {
      messages++;
      tap.close();
    });
    await sleep(50);
    expect(messages).toBe(1);
    expect(seen.error).toBe(0);
  });

  it("close() in a 'message' listener while batches are consumed: no more events, the batch loop ends", async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    await queue(tap);
    let messages = 0;
    tap.on('message', () => {
      messages++;
      if (messages === 3) tap.close();
    });
    const batches: number[] = [];
    for await (const b of tap.batches()) batches.push(b.count);
    expect(messages).toBe(3);
    expect(batches).toEqual([]);
  });

  it('close() in the body of `for await (const m of tap)`: the loop ends on the next step', async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    await queue(tap);
    let events = 0;
    const got: number[] = [];
    const it = (async () => {
      for await (const m of tap) {
        got.push(m.data[0]!);
        if (got.length === 2) {
          tap.close();
          tap.on('message', () => events++); // a listener added after close hears nothing either
        }
      }
    })();
    await it;
    expect(got).toEqual([0, 1]);
    expect(events).toBe(0);
  });

  it('close() between batches: next() is done, the lent batch is not reused', async () => {
    const tap = await openUdp({ address: '127.0.0.1', batchSize: 8 });
    await queue(tap);
    const counts: number[] = [];
    for await (const b of tap.batches()) {
      counts.push(b.count);
      tap.close();
    }
    expect(counts).toEqual([8]);
    await expect(tap.receiveBatch()).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });

  it('receive() pending at close rejects; a later receive() rejects; queued datagrams are dropped', async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    await queue(tap, 4);
    const first = await tap.receive(); // reads the round: three more stay queued in JS
    expect(first.data[0]).toBe(0);
    tap.close();
    await expect(tap.receive()).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    const other = await openUdp({ address: '127.0.0.1' });
    const pending = other.receive();
    other.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });

  it('mergeBatches: a tap closed while its batches are handed out delivers nothing more; the merge ends with the last tap', async () => {
    const a = await openUdp({ address: '127.0.0.1', batchSize: 4 });
    const b = await openUdp({ address: '127.0.0.1', batchSize: 4 });
    await queue(a);
    await queue(b);
    const fromA: number[] = [];
    const fromB: number[] = [];
    for await (const turn of mergeBatches([a, b])) {
      for (const batch of turn) (batch.tap === a ? fromA : fromB).push(batch.count);
      if (!a.closed) a.close();
      else if (fromB.reduce((s, n) => s + n, 0) >= QUEUED) b.close();
    }
    // a was closed after the first turn: whatever it had read in that turn is all it ever delivers
    const aAfterFirstTurn = fromA.length;
    expect(aAfterFirstTurn).toBeLessThanOrEqual(4); // at most one turn's worth of its batches
    expect(fromB.reduce((s, n) => s + n, 0)).toBe(QUEUED);
  });

  it('TX timestamps pending at close reject, and no txTimestamp event follows', async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    const seen = countEvents(tap, ['txTimestamp', 'error']);
    const r = await tap.send('x', { address: '127.0.0.1', port: tap.address().port }, { txTimestamps: 'software' });
    tap.close();
    await expect(r.tx).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    await sleep(30);
    expect(seen).toEqual({ txTimestamp: 0, error: 0 });
  });

  it("capture: close() inside a 'record' listener stops the round", async () => {
    const sink = await openUdp({ address: '127.0.0.1' });
    const port = sink.address().port;
    const cap = await openCapture({ interface: 'lo', ports: [port], direction: 'in' });
    const pending = cap.receive(); // start reading before traffic, so the records are queued in the kernel socket
    await queue(sink, QUEUED, port);
    const first = await pending;
    expect(first.dst.port).toBe(port);
    let records = 0;
    cap.on('record', () => {
      records++;
      cap.close();
    });
    await queue(sink, QUEUED, port);
    await sleep(50);
    expect(records).toBe(1);
    sink.close();
  });
});
