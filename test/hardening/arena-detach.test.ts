// An RxBatch's arrays are views of the memory the native side receives into. JS can detach that
// memory (structuredClone / postMessage with a transfer list): it then belongs to another
// ArrayBuffer, which may be freed. Before the fix, the next recvmmsg wrote into it anyway — a
// heap-use-after-free reachable from the public API (ASan: WRITE in __interceptor_recvmmsg from
// UdpSocket::Recv). Now the native side re-reads its pointers every round and refuses a detached
// arena (ERR_INVALID_STATE), and the tap replaces such an arena with a fresh one.
import { describe, expect, it } from 'vitest';
import { openUdp, type RxBatch } from '../../src/index.js';
import { native } from '../../src/sys/native.js';
import { I32_FIELDS, I64_FIELDS, ADDR_STRIDE } from '../../src/tap/rx/layout.js';
import { gcUntil } from '../helpers/fds.js';
import { sleep } from '../helpers/send.js';

async function pair() {
  const rx = await openUdp({ address: '127.0.0.1', batchSize: 4, maxMessageSize: 64 });
  const tx = await openUdp({ address: '127.0.0.1' });
  const to = { address: '127.0.0.1', port: rx.address().port };
  return { rx, tx, to, close: () => (rx.close(), tx.close()) };
}

const views: Array<[string, (b: RxBatch) => ArrayBufferLike]> = [
  ['payloads', (b) => b.payloads.buffer],
  ['ttl (i32 arena)', (b) => b.ttl.buffer],
  ['swTimestamps (i64 arena)', (b) => b.swTimestamps.buffer],
  ['addresses', (b) => b.addresses.buffer],
];

describe('detached receive arenas', () => {
  it.each(views)('transferring a batch’s %s buffer: nothing is written into it afterwards, receiving goes on', async (_n, bufOf) => {
    const { rx, tx, to, close } = await pair();
    await tx.send('first', to);
    const b1 = await rx.receiveBatch({ timeoutMs: 2000 });
    expect(b1.payload(0).toString()).toBe('first');
    const ab = bufOf(b1) as ArrayBuffer;
    const stolen = new Uint8Array(structuredClone(ab, { transfer: [ab] }));
    expect(ab.byteLength).toBe(0);
    const snapshot = Buffer.from(stolen);
    for (let i = 0; i < 3; i++) {
      await tx.send(`after-${i}`, to);
      const b = await rx.receiveBatch({ timeoutMs: 2000 });
      expect(b.payload(0).toString()).toBe(`after-${i}`);
      expect(b.ttl[0]).toBe(64);
    }
    expect(Buffer.from(stolen).equals(snapshot)).toBe(true);
    close();
  });

  it('a batch transferred to a worker that drops it: receiving goes on (the use-after-free case)', async () => {
    const { Worker } = await import('node:worker_threads');
    const { rx, tx, to, close } = await pair();
    await tx.send('first', to);
    const b1 = await rx.receiveBatch({ timeoutMs: 2000 });
    const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.once("message", () => parentPort.postMessage("dropped"));', { eval: true });
    const ab = b1.payloads.buffer as ArrayBuffer;
    w.postMessage(ab, [ab]);
    await new Promise((r) => w.once('message', r));
    await w.terminate();
    // the worker's copy is gone; collect until the backing store would have been freed
    await gcUntil(() => false, 5);
    for (let i = 0; i < 20; i++) await tx.send(Buffer.alloc(60, i), to);
    let seen = 0;
    while (seen < 20) {
      const b = await rx.receiveBatch({ timeoutMs: 2000 });
      for (let i = 0; i < b.count; i++) expect(b.payload(i)).toEqual(Buffer.alloc(60, seen + i));
      seen += b.count;
    }
    close();
  });

  it('the native side refuses an arena whose arrays were detached (ERR_INVALID_STATE), before any write', async () => {
    const sock = new native.UdpSocket(4, () => undefined);
    sock.bind(Uint8Array.from([127, 0, 0, 1]), 0, 0, '127.0.0.1');
    const port = sock.localAddress().port;
    const cap = 2;
    const arrays = () => ({
      data: new Uint8Array(cap * 64),
      control: new Uint8Array(cap * 256),
      i32: new Int32Array(cap * I32_FIELDS),
      i64: new BigInt64Array(cap * I64_FIELDS + 1),
      addr: new Uint8Array(cap * ADDR_STRIDE),
    });
    for (const which of ['data', 'control', 'i32', 'i64', 'addr'] as const) {
      const a = arrays();
      const id = sock.registerArena(a.data, a.control, a.i32, a.i64, a.addr, 64, 256, cap);
      const ab = a[which].buffer as ArrayBuffer;
      const stolen = new Uint8Array(structuredClone(ab, { transfer: [ab] }));
      const before = Buffer.from(stolen);
      const tx = await openUdp({ address: '127.0.0.1' });
      await tx.send('must not land', { address: '127.0.0.1', port });
      await sleep(10);
      expect(() => sock.recv(id), which).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
      expect(Buffer.from(stolen).equals(before), which).toBe(true);
      tx.close();
    }
    sock.close();
  });
  it('an arena carved from one ArrayBuffer (as taps allocate it) is refused once that buffer is detached', async () => {
    const sock = new native.UdpSocket(4, () => undefined);
    sock.bind(Uint8Array.from([127, 0, 0, 1]), 0, 0, '127.0.0.1');
    const port = sock.localAddress().port;
    const cap = 2;
    const i64Bytes = (cap * I64_FIELDS + 1) * 8;
    const i32Bytes = cap * I32_FIELDS * 4;
    const ab = new ArrayBuffer(i64Bytes + i32Bytes + cap * 64 + cap * 256 + cap * ADDR_STRIDE);
    const i64 = new BigInt64Array(ab, 0, i64Bytes / 8);
    const i32 = new Int32Array(ab, i64Bytes, i32Bytes / 4);
    const data = new Uint8Array(ab, i64Bytes + i32Bytes, cap * 64);
    const control = new Uint8Array(ab, i64Bytes + i32Bytes + cap * 64, cap * 256);
    const addr = new Uint8Array(ab, i64Bytes + i32Bytes + cap * 64 + cap * 256, cap * ADDR_STRIDE);
    const id = sock.registerArena(data, control, i32, i64, addr, 64, 256, cap);
    const tx = await openUdp({ address: '127.0.0.1' });
    await tx.send('lands', { address: '127.0.0.1', port });
    await sleep(10);
    expect(sock.recv(id)).toBe(1);
    expect(Buffer.from(data.subarray(0, 5)).toString()).toBe('lands');
    const stolen = new Uint8Array(structuredClone(ab, { transfer: [ab] }));
    const before = Buffer.from(stolen);
    await tx.send('must not land', { address: '127.0.0.1', port });
    await sleep(10);
    expect(() => sock.recv(id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(Buffer.from(stolen).equals(before)).toBe(true);
    tx.close();
    sock.close();
  });
});
