// Dense slots without truncation: every datagram lands in a small dense slot first, a longer one
// continues in native overflow memory (which V8 never counts) and its round is packed into a buffer
// of its own. Lengths at and around each edge
// arrive whole through the default tap, by every API; a maxMessageSize below a datagram still
// truncates (MSG_TRUNC). And big deliveries keep order: nothing lost, nothing duplicated.
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeBatches, openUdp, type RxBatch, type RxMessage, type UdpTap } from '../src/index.js';
import { closeSocket, sendTo, udpSender } from './helpers/send.js';

const SIZES = [0, 1, 1499, 1500, 1501, 2047, 2048, 2049, 9000, 65507];

const open: UdpTap[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

async function tap(opts: Parameters<typeof openUdp>[0] = {}): Promise<UdpTap> {
  const t = await openUdp({ address: '127.0.0.1', ...opts });
  open.push(t);
  return t;
}

/** Distinct random payloads, one per size; sent one by one (a 64 KiB datagram fills a default buffer fast). */
async function sendSizes(port: number, sizes = SIZES): Promise<Buffer[]> {
  const s = await udpSender();
  const payloads = sizes.map((n) => crypto.randomBytes(n));
  for (const p of payloads) await sendTo(s, p, port, '127.0.0.1');
  await closeSocket(s);
  return payloads;
}

describe('dense slots: long datagrams arrive whole', () => {
  it('message API, default options', async () => {
    const t = await tap();
    const sent = await sendSizes(t.address().port);
    for (const p of sent) {
      const m = await t.receive({ timeoutMs: 5000 });
      expect(m.length).toBe(p.length);
      expect(m.truncated).toBe(false);
      expect(m.data.equals(p)).toBe(true);
    }
  });

  it('batch API: payloads.subarray(offsets[i], offsets[i] + lengths[i]) is the datagram, and message(i) too', async () => {
    const t = await tap();
    const sent = await sendSizes(t.address().port);
    const got: Buffer[] = [];
    while (got.length < sent.length) {
      const b = await t.receiveBatch({ timeoutMs: 5000 });
      for (let i = 0; i < b.count; i++) {
        expect(b.lengths[i]).toBe(b.origLengths[i]);
        const view = Buffer.from(b.payloads.subarray(b.offsets[i]!, b.offsets[i]! + b.lengths[i]!));
        expect(b.message(i).data.equals(view)).toBe(true);
        got.push(view);
      }
    }
    expect(got.map((g) => g.length)).toEqual(SIZES);
    got.forEach((g, i) => expect(g.equals(sent[i]!)).toBe(true));
  });

  it('mergeBatches: the same through a merge', async () => {
    const a = await tap();
    const sent = await sendSizes(a.address().port);
    const got: Buffer[] = [];
    for await (const turn of mergeBatches([a])) {
      for (const b of turn) for (let i = 0; i < b.count; i++) got.push(Buffer.from(b.payload(i)));
      if (got.length >= sent.length) break;
    }
    got.forEach((g, i) => expect(g.equals(sent[i]!)).toBe(true));
  });

  it('many long datagrams in one round each keep their own bytes', async () => {
    const t = await tap({ recvBufferSize: 8 << 20 });
    const sizes = Array.from({ length: 40 }, (_, i) => (i % 2 ? 3000 + i : 100 + i));
    const sent = await sendSizes(t.address().port, sizes);
    const got: Buffer[] = [];
    while (got.length < sent.length) {
      const b = await t.receiveBatch({ timeoutMs: 5000 });
      for (let i = 0; i < b.count; i++) got.push(Buffer.from(b.payload(i)));
    }
    // a tap's first small arena, then one of batchSize: the rest came in one round of dense slots
    expect(t.stats().maxBatch).toBe(sent.length - 8);
    got.forEach((g, i) => expect(g.equals(sent[i]!)).toBe(true));
  });

  it('a round with a long datagram has its payloads packed end to end; the next short round reads the arena again', async () => {
    const t = await tap({ batchSize: 64 });
    const port = t.address().port;
    const sent = await sendSizes(port, [64, 9000, 64, 2049, 10]);
    const b = await t.receiveBatch({ timeoutMs: 5000 });
    expect(b.count).toBe(sent.length); // one round of dense slots
    // packed: each datagram right after the previous, the buffer exactly their sum
    let at = 0;
    for (let i = 0; i < b.count; i++) {
      expect(b.offsets[i]).toBe(at);
      expect(b.payload(i).equals(sent[i]!)).toBe(true);
      expect(b.message(i).data.equals(sent[i]!)).toBe(true);
      at += sent[i]!.length;
    }
    expect(b.payloads.length).toBe(at);
    const packed = b.payloads.buffer;
    const short = await sendSizes(port, [64, 65]);
    const c = await t.receiveBatch({ timeoutMs: 5000 });
    expect(c.count).toBe(2);
    expect(c.payloads.buffer).not.toBe(packed); // the arena's own dense slots
    expect(c.offsets[1]).toBe(2048);
    short.forEach((p, i) => expect(c.payload(i).equals(p)).toBe(true));
  });

  it('V8 counts only the dense slots: a 1024-slot arena is ~3 MiB of ArrayBuffer memory, not 1024 × 64 KiB', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const t = await tap({ batchSize: 1024 });
    const [p] = await sendSizes(t.address().port, [100]);
    const b = await t.receiveBatch({ timeoutMs: 5000 }); // the first round allocates the arena
    expect(b.payload(0).equals(p!)).toBe(true);
    // With the tails inside the ArrayBuffer (as before) this was > 64 MiB, and V8 answered many
    // growing taps with a major GC every few milliseconds.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('message payloads are copies that share no bytes, across the chunks they are cut from', async () => {
    const t = await tap({ recvBufferSize: 8 << 20 });
    // 150 × ~1000 B: more than two 64 KiB chunks, so some messages are the last of their chunk
    const sent = await sendSizes(t.address().port, Array.from({ length: 150 }, (_, i) => 1000 + (i % 9)));
    const got: RxMessage[] = [];
    for (let i = 0; i < sent.length; i++) got.push(await t.receive({ timeoutMs: 5000 }));
    // Each message still holds its own bytes after every earlier one was overwritten: an overlap
    // with a neighbour (or the next chunk starting inside this one) would show here.
    got.forEach((m, i) => {
      expect(m.data.equals(sent[i]!)).toBe(true);
      m.data.fill(0xee);
    });
  });

  it('maxMessageSize below a datagram still truncates, with the length on the wire', async () => {
    for (const max of [100, 2048, 4000]) {
      const t = await tap({ maxMessageSize: max });
      const sent = await sendSizes(t.address().port, [max - 1, max, max + 1, 9000]);
      for (const p of sent) {
        const m = await t.receive({ timeoutMs: 5000 });
        expect(m.length).toBe(p.length);
        expect(m.truncated).toBe(p.length > max);
        expect(m.data.equals(p.subarray(0, max))).toBe(true);
      }
    }
  });
});

describe('big deliveries keep order', () => {
  const N = 10_000;

  async function burst(port: number): Promise<void> {
    const tx = await openUdp({ address: '127.0.0.1' });
    for (let sent = 0; sent < N; sent += 1000) {
      await tx.sendBatch(
        Array.from({ length: 1000 }, (_, k) => {
          const b = Buffer.alloc(8);
          b.writeUInt32BE(sent + k);
          return { data: b, address: '127.0.0.1', port };
        }),
      );
    }
    tx.close();
  }

  const seq = (d: Uint8Array): number => Buffer.from(d.buffer, d.byteOffset, d.byteLength).readUInt32BE(0);

  it('message API: 10,000 in order, none lost or duplicated', async () => {
    const t = await tap({ recvBufferSize: 64 << 20 });
    await burst(t.address().port);
    const got: number[] = [];
    for await (const m of t) {
      got.push(seq(m.data));
      if (got.length === N) break;
    }
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('batch API: 10,000 in order; a batch stays valid until the next is requested', async () => {
    const t = await tap({ recvBufferSize: 64 << 20 });
    await burst(t.address().port);
    const got: number[] = [];
    let previous: RxBatch | undefined;
    for await (const b of t.batches()) {
      expect(b.released).toBe(false);
      if (previous) expect(previous.released).toBe(true); // released when this one was requested
      for (let i = 0; i < b.count; i++) got.push(seq(b.payload(i)));
      previous = b;
      if (got.length === N) break;
    }
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(Math.max(...(await Promise.resolve([t.stats().maxBatch])))).toBeGreaterThan(64);
  });

  it('mergeBatches: 10,000 from each of two taps, each in order', async () => {
    const a = await tap({ recvBufferSize: 64 << 20 });
    const b = await tap({ recvBufferSize: 64 << 20 });
    await burst(a.address().port);
    await burst(b.address().port);
    const got = new Map<UdpTap, number[]>([
      [a, []],
      [b, []],
    ]);
    for await (const turn of mergeBatches([a, b])) {
      for (const batch of turn) for (let i = 0; i < batch.count; i++) got.get(batch.tap)!.push(seq(batch.payload(i)));
      if (got.get(a)!.length === N && got.get(b)!.length === N) break;
    }
    expect(got.get(a)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(got.get(b)).toEqual(Array.from({ length: N }, (_, i) => i));
  });
});
