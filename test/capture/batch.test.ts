// A capture's read rounds as arrays ('batch' events): the same packets, fields and order as
// records, nothing made per packet when only batches are taken, stats kept, close and listener
// removal respected.
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { captureReadDelays, isDatagram, openCapture, packetLength, type CaptureBatch, type CaptureRecord } from '../../src/capture/index.js';
import { clock } from '../../src/sys/clock.js';
import { formatAddress } from '../../src/sys/address.js';
import { openUdp } from '../../src/index.js';
import { sleep, udpSender } from '../helpers/send.js';
import { captureSkipReason } from './helpers/privileges.js';
import { captureScope } from './helpers/scope.js';

const skip = await captureSkipReason();
const { open } = captureScope();

interface Seen {
  dir: 'in' | 'out';
  src: string;
  dst: string;
  payload: string;
  length: number;
  packetLength: number;
  ttl: number;
  tos: number;
  sw: bigint;
  delay: number;
  readAt: bigint;
}

/** Copies what a test needs out of a round (the view is reused by the next one). */
function copyRound(b: CaptureBatch, into: Seen[]): void {
  const delays = captureReadDelays(b, new Float64Array(b.count));
  for (let i = 0; i < b.count; i++) {
    if (!isDatagram(b, i)) continue;
    const fam = b.family[i] === 4 ? 4 : 6;
    const off = i * b.slotSize + b.payloadOffset[i]!;
    into.push({
      dir: b.pktType[i] === 4 ? 'out' : 'in',
      src: `${formatAddress(fam, b.addresses, i * 32)}:${b.srcPort[i]}`,
      dst: `${formatAddress(fam, b.addresses, i * 32 + 16)}:${b.dstPort[i]}`,
      payload: Buffer.from(b.data.subarray(off, off + b.payloadLen[i]!)).toString('hex'),
      length: b.udpLength[i]! - 8,
      packetLength: packetLength(b, i),
      ttl: b.ttl[i]!,
      tos: b.tos[i]!,
      sw: b.software[i]!,
      delay: delays[i]!,
      readAt: b.readAt,
    });
  }
}

function fromRecord(r: CaptureRecord): Seen {
  return {
    dir: r.direction,
    src: `${r.src.address}:${r.src.port}`,
    dst: `${r.dst.address}:${r.dst.port}`,
    payload: r.data.toString('hex'),
    length: r.length,
    packetLength: r.packetLength,
    ttl: r.ttl,
    tos: r.tos,
    sw: r.timestamps.software ?? 0n,
    delay: r.readDelayNs === undefined ? NaN : Number(r.readDelayNs),
    readAt: r.readAt,
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

describe.skipIf(skip !== null)("capture 'batch' events", () => {
  it('carry the same packets and fields as records, in the same order, batch first', async () => {
    const rx4 = await udpSender(4);
    const rx6 = await udpSender(6);
    open.push(rx4, rx6);
    const c = await openCapture({ interface: 'lo', ports: [rx4.address().port, rx6.address().port] });
    open.push(c);
    const fromBatches: Seen[] = [];
    const fromRecords: Seen[] = [];
    const order: string[] = [];
    let lastRound: CaptureBatch | undefined;
    c.on('batch', (b: CaptureBatch) => {
      order.push('batch');
      copyRound(b, fromBatches);
      lastRound = b;
    });
    c.on('record', (r: CaptureRecord) => {
      if (order.at(-1) !== 'record') order.push('record');
      fromRecords.push(fromRecord(r));
    });
    const tx4 = await openUdp({ address: '127.0.0.1' });
    const tx6 = await openUdp({ address: '::1' });
    open.push(tx4, tx6);
    const before = clock.realtimeNs();
    for (let k = 0; k < 20; k++) {
      await tx4.send(Buffer.alloc(1 + k * 13, k), { address: '127.0.0.1', port: rx4.address().port }, { ttl: 10 + k, tos: 4 * k });
      await tx6.send(Buffer.alloc(1 + k * 7, 255 - k), { address: '::1', port: rx6.address().port }, { ttl: 100 + k, tos: 8 * k });
    }
    await until(() => fromRecords.length === 80);
    expect(fromBatches).toEqual(fromRecords);
    expect(order[0]).toBe('batch');
    expect(order.filter((x) => x === 'batch').length).toBe(order.filter((x) => x === 'record').length);
    for (const s of fromBatches) {
      expect(s.sw).toBeGreaterThanOrEqual(before);
      expect(s.readAt).toBeGreaterThanOrEqual(s.sw);
      expect(s.delay).toBe(Number(s.readAt - s.sw));
    }
    expect(fromBatches.filter((s) => s.dir === 'out')).toHaveLength(40);
    // a wrong `out` for the read delays is refused, not written past
    const one: CaptureBatch = { ...lastRound!, count: 2 };
    expect(() => captureReadDelays(one, new Float64Array(1))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => captureReadDelays(one, new Float32Array(2) as unknown as Float64Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(captureReadDelays(one)).toHaveLength(2);
    // an index past the round is refused: the columns are as long as the arena and hold stale packets
    expect(typeof isDatagram(one, 1)).toBe('boolean');
    for (const bad of [2, -1, 0.5, NaN]) {
      expect(() => isDatagram(one, bad)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }));
      expect(() => packetLength(one, bad)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }));
    }
    expect(c.stats()).toMatchObject({ packets: 80, kernelDrops: 0, records: 80, skipped: {}, ringErrors: 0, ringFreezes: 0 });
  });

  it('only batches: a 5000-datagram burst in order across rounds, none lost or twice, counted in stats; no records made', async () => {
    const rx = await udpSender(4);
    open.push(rx);
    const port = rx.address().port;
    const c = await openCapture({ interface: 'lo', ports: [port], direction: 'in', batchSize: 16, recvBufferSize: 64 << 20 });
    open.push(c);
    const seen: Seen[] = [];
    let rounds = 0;
    let biggest = 0;
    c.on('batch', (b: CaptureBatch) => {
      rounds++;
      biggest = Math.max(biggest, b.count);
      copyRound(b, seen);
    });
    const tx = await openUdp({ address: '127.0.0.1' });
    open.push(tx);
    const N = 5000;
    for (let k = 0; k < N; k += 50) {
      const sends = [];
      for (let j = k; j < k + 50; j++) {
        const b = Buffer.alloc(8);
        b.writeUInt32LE(j, 0);
        sends.push(tx.send(b, { address: '127.0.0.1', port }));
      }
      await Promise.all(sends);
    }
    await until(() => seen.length >= N);
    await sleep(50);
    expect(seen).toHaveLength(N);
    expect(seen.every((s, i) => Buffer.from(s.payload, 'hex').readUInt32LE(0) === i)).toBe(true);
    expect(biggest).toBeLessThanOrEqual(16);
    expect(rounds).toBeGreaterThanOrEqual(N / 16);
    expect(c.stats()).toMatchObject({ packets: N, records: N, kernelDrops: 0 });
    // nothing was queued for receive(): it waits for the next packet
    await expect(c.receive({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('close() inside a batch listener: no later batch or record; removing the listener stops reading', async () => {
    const rx = await udpSender(4);
    open.push(rx);
    const port = rx.address().port;
    const tx = await openUdp({ address: '127.0.0.1' });
    open.push(tx);

    const c = await openCapture({ interface: 'lo', ports: [port], direction: 'in', batchSize: 4 });
    open.push(c);
    let batches = 0;
    let records = 0;
    c.on('record', () => records++);
    c.on('batch', () => {
      batches++;
      c.close();
    });
    await Promise.all(Array.from({ length: 20 }, (_, k) => tx.send(`x${k}`, { address: '127.0.0.1', port })));
    await until(() => batches > 0);
    await sleep(100);
    expect(batches).toBe(1);
    expect(records).toBe(0);

    const d = await openCapture({ interface: 'lo', ports: [port], direction: 'in' });
    open.push(d);
    let got = 0;
    const fn = (b: CaptureBatch): void => void (got += b.count);
    d.on('batch', fn);
    await tx.send('one', { address: '127.0.0.1', port });
    await until(() => got === 1);
    d.off('batch', fn);
    await sleep(20); // the poll stops on the next microtask
    await Promise.all(Array.from({ length: 10 }, () => tx.send('unread', { address: '127.0.0.1', port })));
    await sleep(100);
    // the kernel took them (they passed the filter), nobody read them
    const st = d.stats();
    expect(st.packets).toBe(11);
    expect(st.records).toBe(1);
  });
});
