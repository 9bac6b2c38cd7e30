// The TPACKET_V3 mmap ring of a passive capture (PacketSocket.setupRing): the same records as the
// recvmmsg path, bursts larger than an arena (a block taken over several reads), a full ring
// (kernel drops counted), truncation, the mapping's lifetime, the block retire timeout.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type CaptureRecord } from '../../src/capture/index.js';
import { captureNative } from '../../src/capture/native.js';
import { resolveCaptureOptions, ringGeometry } from '../../src/capture/options.js';
import { clock } from '../../src/sys/clock.js';
import { openUdp, type UdpTap } from '../../src/index.js';
import { fdIsOpen, gcUntil } from '../helpers/fds.js';
import { sleep } from '../helpers/send.js';
import { captureSkipReason } from './helpers/privileges.js';
import { captureScope } from './helpers/scope.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[capture ring tests skipped] ${skip}`);

const { open, cap, sink, take } = captureScope();




/** Every record field that does not depend on when it was read. */
function facts(r: CaptureRecord): Record<string, unknown> {
  return {
    data: r.data.toString('hex'),
    length: r.length,
    src: r.src,
    dst: r.dst,
    ifIndex: r.ifIndex,
    ifName: r.ifName,
    direction: r.direction,
    packetType: r.packetType,
    ttl: r.ttl,
    tos: r.tos,
    ip: r.ip,
    udpChecksum: r.udpChecksum,
    truncated: r.truncated,
    flags: r.flags,
    packetLength: r.packetLength,
    packet: r.packet?.toString('hex'),
  };
}

/** The socket inode behind an fd ('socket:[123]'), as /proc/self/maps names a mapping of it. */
function socketName(fd: number): string {
  return fs.readlinkSync(`/proc/self/fd/${fd}`);
}

function mapped(name: string): boolean {
  return fs.readFileSync('/proc/self/maps', 'utf8').split('\n').some((l) => l.endsWith(` ${name}`));
}

describe('ring geometry and options', () => {
  it('splits recvBufferSize into the smallest blocks one snapLength packet fits, so many blocks; at least 2', () => {
    // the default snap (65535) plus the block and frame headers: 128 KiB blocks
    expect(ringGeometry(4 << 20, 4096)).toEqual({ blockSize: 128 << 10, blockCount: 32 });
    expect(ringGeometry(4 << 20, 4096, 65535)).toEqual({ blockSize: 128 << 10, blockCount: 32 });
    expect(ringGeometry(64 << 20, 4096, 65535)).toEqual({ blockSize: 128 << 10, blockCount: 512 });
    expect(ringGeometry(3 << 20, 4096)).toEqual({ blockSize: 128 << 10, blockCount: 24 });
    // a short snap: page-sized blocks; the largest snap: 512 KiB
    expect(ringGeometry(4 << 20, 4096, 1500)).toEqual({ blockSize: 4096, blockCount: 1024 });
    expect(ringGeometry(4 << 20, 4096, 3840)).toEqual({ blockSize: 4096, blockCount: 1024 });
    expect(ringGeometry(4 << 20, 4096, 3841)).toEqual({ blockSize: 8192, blockCount: 512 });
    expect(ringGeometry(4 << 20, 4096, 262144)).toEqual({ blockSize: 512 << 10, blockCount: 8 });
    // a total below two such blocks: smaller ones, down to a page, and never fewer than 2
    expect(ringGeometry(128 << 10, 4096)).toEqual({ blockSize: 64 << 10, blockCount: 2 });
    expect(ringGeometry(8192, 4096)).toEqual({ blockSize: 4096, blockCount: 2 });
    expect(ringGeometry(4096, 4096)).toEqual({ blockSize: 4096, blockCount: 2 });
    expect(ringGeometry(4096, 65536)).toEqual({ blockSize: 65536, blockCount: 2 });
    expect(ringGeometry(4 << 20, 65536)).toEqual({ blockSize: 128 << 10, blockCount: 32 });
    // at most 65536 blocks: a huge total gets larger blocks (up to 1 MiB)
    expect(ringGeometry(2 ** 31 - 1, 4096)).toEqual({ blockSize: 128 << 10, blockCount: 16383 });
    expect(ringGeometry(2 ** 31 - 1, 4096, 100)).toEqual({ blockSize: 32 << 10, blockCount: 65535 });
  });

  it("ring defaults to true, except with timestamps 'hardware'; ringTimeoutMs to 8; both are checked", () => {
    const r = (o: Record<string, unknown>) => resolveCaptureOptions({ interface: 1, ...o }, () => 1);
    expect(r({})).toMatchObject({ ring: true, ringTimeoutMs: 8 });
    expect(r({ timestamps: 'none' }).ring).toBe(true);
    expect(r({ timestamps: 'hardware' }).ring).toBe(false);
    expect(r({ timestamps: 'hardware', ring: true }).ring).toBe(true);
    expect(r({ ring: false }).ring).toBe(false);
    expect(r({ ringTimeoutMs: 100 }).ringTimeoutMs).toBe(100);
    expect(() => r({ ring: 'yes' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => r({ ringTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => r({ ringTimeoutMs: 10_001 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => r({ ringTimeoutMs: '8' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe.skipIf(skip !== null)('capture through the TPACKET_V3 ring on lo', () => {
  let tx: UdpTap;
  beforeAll(async () => {
    tx = await openUdp({ address: '127.0.0.1' });
    return () => tx.close();
  });

  it('gives the same records as recvmmsg for the same traffic (IPv4 and IPv6, both directions)', async () => {
    const rx4 = await sink(4);
    const rx6 = await sink(6);
    const tx6 = await openUdp({ address: '::1' });
    open.push(tx6);
    const ports = [rx4.address().port, rx6.address().port];
    const ring = await cap({ interface: 'lo', ports, rawPacket: true });
    const plain = await cap({ interface: 'lo', ports, rawPacket: true, ring: false });
    expect(ring.ring).toBe(true);
    expect(plain.ring).toBe(false);
    expect(ring.recvBufferSize).toBe(4 << 20);
    expect(plain.recvBufferSize).toBeGreaterThan(0);
    const before = clock.realtimeNs();
    const sizes = [0, 1, 7, 100, 1400, 9000, 40_000];
    for (const [i, n] of sizes.entries()) {
      const payload = Buffer.alloc(n, i + 1);
      await tx.send(payload, { address: '127.0.0.1', port: ports[0]! }, { ttl: 9 + i, tos: 0x20 + 4 * i });
      await tx6.send(payload, { address: '::1', port: ports[1]! }, { ttl: 30 + i, tos: 0x2e });
    }
    const count = sizes.length * 2 * 2; // each datagram twice on lo: 'out', then 'in'
    const a = await take(ring, count);
    const b = await take(plain, count);
    const after = clock.realtimeNs();
    expect(a.map(facts)).toEqual(b.map(facts));
    expect(new Set(a.map((r) => r.direction))).toEqual(new Set(['in', 'out']));
    expect(a.filter((r) => r.src.family === 6)).toHaveLength(sizes.length * 2);
    expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
    for (const [i, r] of a.entries()) {
      expect(r.truncated).toBe(false);
      expect(r.flags).toBe(0);
      const sw = r.timestamps.software!;
      expect(sw).toBeGreaterThanOrEqual(before);
      expect(sw).toBeLessThanOrEqual(after);
      expect(r.timestamps.hardware).toBeUndefined();
      expect(r.readDelayNs).toBe(r.readAt - sw);
      expect(r.readAt).toBeGreaterThanOrEqual(sw);
      // the same packet, stamped by the same kernel: both stamps within a sane distance
      const other = b[i]!.timestamps.software!;
      expect(sw > other ? sw - other : other - sw).toBeLessThan(100_000_000n);
    }
    for (let i = 1; i < a.length; i++) expect(a[i]!.timestamps.software!).toBeGreaterThanOrEqual(a[i - 1]!.timestamps.software!);
    const rs = ring.stats();
    expect(rs).toMatchObject({ packets: count, kernelDrops: 0, records: count, skipped: {} });
    expect(plain.stats()).toMatchObject({ packets: count, kernelDrops: 0, records: count });
  });

  it('a burst larger than the arena (batchSize 4, 1000 datagrams) arrives in order, nothing lost or repeated', async () => {
    const rx = await sink();
    const port = rx.address().port;
    const c = await cap({ interface: 'lo', ports: [port], direction: 'in', batchSize: 4 });
    expect(c.ring).toBe(true);
    const N = 1000;
    const records: CaptureRecord[] = [];
    c.on('record', (r) => records.push(r));
    const items = Array.from({ length: N }, (_, i) => ({ data: `burst ${i}`, address: '127.0.0.1', port }));
    for (let i = 0; i < N; i += 250) await tx.sendBatch(items.slice(i, i + 250));
    const deadline = Date.now() + 5000;
    while (records.length < N && Date.now() < deadline) await sleep(20);
    await sleep(50); // nothing more may come
    expect(records.map((r) => r.data.toString())).toEqual(items.map((i) => i.data));
    for (let i = 1; i < N; i++) expect(records[i]!.timestamps.software!).toBeGreaterThanOrEqual(records[i - 1]!.timestamps.software!);
    expect(c.stats()).toMatchObject({ packets: N, kernelDrops: 0, records: N });
  });

  it('a tiny ring nobody reads fills: the kernel drops and counts, and packets = records + drops + skipped', async () => {
    const rx = await sink();
    const port = rx.address().port;
    // two blocks of a page: a few dozen small packets
    const c = await cap({ interface: 'lo', ports: [port], direction: 'in', recvBufferSize: 8192, ringTimeoutMs: 5 });
    expect(c.ring).toBe(true);
    expect(c.recvBufferSize).toBe(ringGeometry(8192, captureNative.PacketSocket.pageSize, 65535).blockSize * 2);
    const N = 400;
    const items = Array.from({ length: N }, (_, i) => ({ data: `fill ${i}`, address: '127.0.0.1', port }));
    for (let i = 0; i < N; i += 100) await tx.sendBatch(items.slice(i, i + 100));
    await sleep(50); // every block retired
    const records: CaptureRecord[] = [];
    for (;;) {
      try {
        records.push(await c.receive({ timeoutMs: 200 }));
      } catch (e) {
        expect(e).toMatchObject({ code: 'ETIMEDOUT' });
        break;
      }
    }
    const st = c.stats();
    const skipped = Object.values(st.skipped).reduce((s, n) => s + n, 0);
    expect(st.kernelDrops).toBeGreaterThan(0);
    expect(st.ringFreezes).toBeGreaterThan(0); // for want of room: the kernel found every block ours
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(N);
    expect(st.records).toBe(records.length);
    expect(st.packets).toBe(st.records + st.kernelDrops + skipped);
    expect(st.packets).toBe(N);
    // what got through is a prefix-ordered subset: in order, no repeats
    const seq = records.map((r) => Number(r.data.toString().split(' ')[1]));
    for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeGreaterThan(seq[i - 1]!);
    // and after the drops, the ring works again
    await tx.send('after', { address: '127.0.0.1', port });
    const [r] = await take(c, 1);
    expect(r!.data.toString()).toBe('after');
  });

  it('a snap length shorter than the datagram: truncated, with the real lengths', async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', snapLength: 64, rawPacket: true });
    expect(c.ring).toBe(true);
    await tx.send(Buffer.alloc(500, 7), { address: '127.0.0.1', port: rx.address().port });
    const [r] = await take(c, 1);
    expect(r!.length).toBe(500);
    expect(r!.data).toEqual(Buffer.alloc(64 - 28, 7));
    expect(r!.truncated).toBe(true);
    expect(r!.flags & 0x20).toBe(0x20); // MSG_TRUNC: the ring says the filter cut it
    expect(r!.packet!.length).toBe(64);
    expect(r!.packetLength).toBe(528);
  });

  it('a datagram larger than a block is cut to the block and marked truncated', async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', recvBufferSize: 8192 });
    const block = ringGeometry(8192, captureNative.PacketSocket.pageSize, 65535).blockSize;
    await tx.send(Buffer.alloc(block + 1000, 3), { address: '127.0.0.1', port: rx.address().port });
    // (read before sending more: a packet that fills a block whole makes the kernel hand over the
    // block it had open, empty, then take the other: a 2-block ring is then full until read)
    const [big] = await take(c, 1);
    await tx.send('small after', { address: '127.0.0.1', port: rx.address().port });
    const [small] = await take(c, 1);
    expect(big!.length).toBe(block + 1000);
    expect(big!.truncated).toBe(true);
    expect(big!.data.length).toBeGreaterThan(0);
    expect(big!.data.length).toBeLessThan(block);
    expect(big!.data).toEqual(Buffer.alloc(big!.data.length, 3));
    expect(big!.packetLength).toBe(block + 1000 + 28);
    expect(small!.data.toString()).toBe('small after');
    expect(small!.truncated).toBe(false);
  });

  it("timestamps 'none' through the ring: no stamps", async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', timestamps: 'none' });
    expect(c.ring).toBe(true);
    await tx.send('no stamp', { address: '127.0.0.1', port: rx.address().port });
    const [r] = await take(c, 1);
    expect(r!.timestamps).toEqual({});
    expect(r!.readDelayNs).toBeUndefined();
  });

  it("timestamps 'hardware' with ring: true: one stamp per packet (lo has no NIC clock: the software one)", async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', timestamps: 'hardware', ring: true });
    expect(c.ring).toBe(true);
    const before = clock.realtimeNs();
    await tx.send('hw?', { address: '127.0.0.1', port: rx.address().port });
    const [r] = await take(c, 1);
    expect(r!.timestamps.hardware).toBeUndefined();
    expect(r!.timestamps.software!).toBeGreaterThanOrEqual(before);
  });

  it('close() unmaps the ring and releases the fd', async () => {
    const c = await openCapture({ interface: 'lo', ports: [9] });
    const fd = c.fd;
    const name = socketName(fd);
    expect(c.ring).toBe(true);
    expect(mapped(name)).toBe(true);
    c.close();
    expect(mapped(name)).toBe(false);
    expect(fdIsOpen(fd)).toBe(false);
    c.close();
  });

  it('a capture nobody closed is collected: its ring unmapped, its fd released', async () => {
    let fd = -1;
    let name = '';
    await (async () => {
      const c = await openCapture({ interface: 'lo', ports: [9] });
      fd = c.fd;
      name = socketName(fd);
    })();
    expect(mapped(name)).toBe(true);
    expect(await gcUntil(() => !mapped(name) && !fdIsOpen(fd))).toBe(true);
  });

  it('falls back to recvmmsg when the kernel refuses the ring (ENOMEM), and still captures', async () => {
    // The methods of a native class are read-only: swap in a subclass whose setupRing fails as the
    // kernel would. (test/native/packet-ring.test.ts makes the kernel itself refuse one.)
    const binding = captureNative as unknown as { PacketSocket: typeof captureNative.PacketSocket };
    const Real = binding.PacketSocket;
    const failing = (code: string) =>
      class extends Real {
        override setupRing(): never {
          throw Object.assign(new Error(`setsockopt ${code} PACKET_RX_RING`), { code, syscall: 'setsockopt' });
        }
      };
    const rx = await sink();
    try {
      for (const code of ['ENOMEM', 'EINVAL', 'ENOPROTOOPT']) {
        binding.PacketSocket = failing(code);
        const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in' });
        expect(c.ring).toBe(false);
        expect(mapped(socketName(c.fd))).toBe(false);
        expect(c.recvBufferSize).toBeGreaterThan(0); // SO_RCVBUF
        await tx.send(`via recvmmsg ${code}`, { address: '127.0.0.1', port: rx.address().port });
        const [r] = await take(c, 1);
        expect(r!.data.toString()).toBe(`via recvmmsg ${code}`);
        expect(r!.timestamps.software).toBeDefined();
      }
      // any other error still fails the open
      binding.PacketSocket = failing('EPERM');
      await expect(openCapture({ interface: 'lo', ports: [9] })).rejects.toMatchObject({ code: 'EPERM' });
    } finally {
      binding.PacketSocket = Real;
    }
  });

  it('a lone datagram arrives within about the retire timeout', async () => {
    const rx = await sink();
    expect((await cap({ interface: 'lo', ports: [rx.address().port], ring: false })).ringTimeoutMs).toBe(0);
    expect((await cap({ interface: 'lo', ports: [rx.address().port] })).ringTimeoutMs).toBe(8);
    for (const ringTimeoutMs of [8, 100]) {
      const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', ringTimeoutMs });
      expect(c.ringTimeoutMs).toBe(ringTimeoutMs);
      // The kernel's retire timer ticks every ringTimeoutMs and hands over a block with packets that
      // was already open at the previous tick: a lone packet waits one or two periods.
      await sleep(2 * ringTimeoutMs);
      const p = c.receive({ timeoutMs: 2000 });
      const sent = Date.now();
      await tx.send(`lone ${ringTimeoutMs}`, { address: '127.0.0.1', port: rx.address().port });
      const r = await p;
      const waited = Date.now() - sent;
      expect(r.data.toString()).toBe(`lone ${ringTimeoutMs}`);
      expect(waited).toBeLessThan(ringTimeoutMs + 1000);
    }
  });

  it('a wake-up reads on past 16 rounds while the ring has full ones (a burst is not left for later turns)', async () => {
    const rx = await sink();
    const port = rx.address().port;
    const c = await cap({ interface: 'lo', ports: [port], direction: 'in', batchSize: 8 });
    const N = 1000;
    const items = Array.from({ length: N }, (_, i) => ({ data: `w${i}`, address: '127.0.0.1', port }));
    for (let i = 0; i < N; i += 250) await tx.sendBatch(items.slice(i, i + 250));
    await sleep(60); // every block retired: the whole burst waits in the ring, nobody reads yet
    let inFirstTurn = -1;
    let seen = 0;
    c.on('batch', (b) => {
      // the first wake-up's rounds all run before an immediate queued by its first round
      if (seen === 0) setImmediate(() => (inFirstTurn = seen));
      seen += b.count;
    });
    const deadline = Date.now() + 3000;
    while ((inFirstTurn < 0 || seen < N) && Date.now() < deadline) await sleep(10);
    expect(seen).toBe(N);
    // 16 rounds of 8 would be 128; the read slice goes on (all 1000 here unless the host is slow)
    expect(inFirstTurn).toBeGreaterThan(16 * 8);
  });

  it('a reader stalled for 150 ms under a trickle (a packet every 2 ms) loses nothing with the default ring', async () => {
    // Each retire tick (8 ms, rounded up to jiffies) hands over a block holding a packet or a few:
    // the ring lasts about blockCount ticks. Four 1 MiB blocks (the old geometry) lasted ~60 ms
    // and dropped ~40 of the ~75 packets sent during the stall; 32 blocks of 128 KiB last ~380 ms.
    const rx = await sink();
    const port = rx.address().port;
    const c = await cap({ interface: 'lo', ports: [port], direction: 'in' });
    const records: CaptureRecord[] = [];
    c.on('record', (r) => records.push(r));
    const N = 150;
    // a worker sends while this thread is busy: the capture's reader runs here and cannot
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const s = require('node:dgram').createSocket('udp4'); let i = 0;
       const t = setInterval(() => {
         const last = ++i === ${N};
         s.send('t' + (i - 1), ${port}, '127.0.0.1', () => { if (i === 1 || last) parentPort.postMessage(last); if (last) s.close(); });
         if (last) clearInterval(t);
       }, 2);`,
      { eval: true },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve) => worker.once('message', resolve)); // sending has begun
    const until = Date.now() + 150;
    while (Date.now() < until); // the stall: no event loop turn
    await exited;
    const deadline = Date.now() + 3000;
    while (records.length < N && Date.now() < deadline) await sleep(10);
    expect(c.stats()).toMatchObject({ kernelDrops: 0, ringFreezes: 0 });
    expect(records.map((r) => r.data.toString())).toEqual(Array.from({ length: N }, (_, i) => `t${i}`));
  });
});
