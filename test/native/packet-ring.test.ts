// PacketSocket.setupRing (native/packet_socket/packet_ring.{h,cc}) at the native surface: argument
// checks before any syscall, state errors, a kernel refusal that leaves a working recvmmsg socket,
// recv(arena, max) resuming inside a block, the poll firing on a handed-over block, stats() with a
// V3 ring, and the mapping released by close(), GC and worker teardown.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CaptureArena } from '../../src/capture/arena.js';
import { encodeProgram } from '../../src/capture/bpf.js';
import { buildUdpFilter } from '../../src/capture/filter.js';
import { captureNative, type NativePacketSocket } from '../../src/capture/native.js';
import { recordAt } from '../../src/capture/record.js';
import { openUdp } from '../../src/index.js';
import { fdIsOpen, gcUntil } from '../helpers/fds.js';
import { sleep } from '../helpers/send.js';
import { captureSkipReason } from '../capture/helpers/privileges.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[packet ring tests skipped] ${skip}`);

const SOL_PACKET = 263;
const PACKET_VERSION = 10;
const PACKET_RESERVE = 12;
const ETH_P_ALL = 3;
const page = captureNative.PacketSocket.pageSize;

const socketName = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);
const mapped = (name: string) => fs.readFileSync('/proc/self/maps', 'utf8').split('\n').some((l) => l.endsWith(` ${name}`));

function packetSocket(onPoll: () => void = () => undefined): NativePacketSocket {
  return new captureNative.PacketSocket(onPoll);
}

/** A packet socket on lo that sees only UDP to `port` as it arrives ('in'). */
function watching(port: number, ring?: [number, number, number]): { s: NativePacketSocket; arena: CaptureArena } {
  const s = packetSocket();
  s.attachFilter(encodeProgram(buildUdpFilter({ ports: [{ from: port, to: port }], portMatch: 'either', direction: 'in', snapLength: 2048 })));
  if (ring) s.setupRing(...ring);
  s.bind(1, ETH_P_ALL);
  return { s, arena: new CaptureArena(s, 8, 2048, 64) };
}

describe.skipIf(skip !== null)('PacketSocket.setupRing', () => {
  it('checks its arguments before any syscall: TypeError, RangeError, never a crash', () => {
    const s = packetSocket();
    try {
      const setup = s.setupRing as unknown as (...a: unknown[]) => unknown;
      for (const args of [[], [page], [page, 2], ['4096', 2, 8], [page, 2n, 8], [page, 2, null], [page, 2, 8, 1], [page, 2, 8, false, 'yes'], [{}, [], 8]])
        expect(() => setup.apply(s, args)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
      for (const args of [
        [page + 1, 2, 8], [page / 2, 2, 8], [3 * page, 2, 8], [8 << 20, 1, 8], [page * 1.5, 2, 8], [NaN, 2, 8], [Infinity, 2, 8], [-page, 2, 8],
        [page, 0, 8], [page, 65537, 8], [page, 1.5, 8], [page, -1, 8], [page, NaN, 8],
        [4 << 20, 1024, 8], // 4 GiB in all
        [page, 2, 0], [page, 2, 10_001], [page, 2, 0.5], [page, 2, -8], [page, 2, NaN],
      ])
        expect(() => setup.apply(s, args), JSON.stringify(args)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
      // none of that reached the kernel: the socket is still version 1, without a ring
      expect(s.getIntOption(SOL_PACKET, PACKET_VERSION)).toBe(0);
      expect(mapped(socketName(s.fd))).toBe(false);
    } finally {
      s.close();
    }
  });

  it('returns the geometry, takes TPACKET_V3, and refuses a second ring or a ring after bind()', () => {
    const s = packetSocket();
    const t = packetSocket();
    try {
      expect(s.setupRing(2 * page, 3, 10, false, true)).toEqual({ blockSize: 2 * page, blockCount: 3, frameSize: 2048, bytes: 6 * page });
      expect(s.getIntOption(SOL_PACKET, PACKET_VERSION)).toBe(2);
      expect(mapped(socketName(s.fd))).toBe(true);
      expect(() => s.setupRing(page, 2, 8)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
      expect(s.stats()).toEqual([0, 0, 0, 0]);
      t.bind(1, 0);
      expect(() => t.setupRing(page, 2, 8)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
      expect(mapped(socketName(t.fd))).toBe(false);
    } finally {
      s.close();
      t.close();
    }
    expect(() => s.setupRing(page, 2, 8)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });

  it('a ring the kernel refuses throws Node-style and leaves a working recvmmsg socket', async () => {
    const tx = await openUdp({ address: '127.0.0.1' });
    const rx = await openUdp({ address: '127.0.0.1' });
    const s = packetSocket();
    try {
      // a reserve larger than a block: PACKET_RX_RING says EINVAL
      s.setIntOption(SOL_PACKET, PACKET_RESERVE, 2 * page, 'PACKET_RESERVE');
      expect(() => s.setupRing(page, 2, 8)).toThrow(expect.objectContaining({ code: 'EINVAL', errno: -22, syscall: 'setsockopt', address: 'PACKET_RX_RING' }));
      expect(s.getIntOption(SOL_PACKET, PACKET_VERSION)).toBe(0); // back to TPACKET_V1
      expect(mapped(socketName(s.fd))).toBe(false);
      const port = rx.address().port;
      s.attachFilter(encodeProgram(buildUdpFilter({ ports: [{ from: port, to: port }], portMatch: 'either', direction: 'in', snapLength: 2048 })));
      s.bind(1, ETH_P_ALL);
      const arena = new CaptureArena(s, 8, 2048, 64);
      await tx.send('still recvmmsg', { address: '127.0.0.1', port });
      let n = 0;
      for (let i = 0; i < 100 && n === 0; i++, await sleep(5)) n = s.recv(arena.id, 8);
      expect(n).toBe(1);
      expect(recordAt(arena, 0, arena.readAt, false)!.data.toString()).toBe('still recvmmsg');
    } finally {
      s.close();
      tx.close();
      rx.close();
    }
  });

  it('recv(arena, max) takes a block over several calls, in order, and releases it; 0 when none is ready', async () => {
    const tx = await openUdp({ address: '127.0.0.1' });
    const rx = await openUdp({ address: '127.0.0.1' });
    const { s, arena } = watching(rx.address().port, [page, 4, 5]);
    try {
      expect(s.recv(arena.id, 8)).toBe(0);
      const N = 10;
      await tx.sendBatch(Array.from({ length: N }, (_, i) => ({ data: `p${i}`, address: '127.0.0.1', port: rx.address().port })));
      await sleep(50); // the block is retired
      const got: string[] = [];
      const counts: number[] = [];
      for (let n; (n = s.recv(arena.id, 3)) > 0; ) {
        counts.push(n);
        for (let i = 0; i < n; i++) {
          const r = recordAt(arena, i, arena.readAt, false)!;
          expect(r.length).toBe(r.data.length);
          got.push(r.data.toString());
        }
      }
      expect(got).toEqual(Array.from({ length: N }, (_, i) => `p${i}`));
      expect(counts.slice(0, 3)).toEqual([3, 3, 3]);
      expect(s.recv(arena.id, 3)).toBe(0);
      // the blocks went back to the kernel: the ring keeps taking packets
      await tx.send('again', { address: '127.0.0.1', port: rx.address().port });
      await sleep(50);
      expect(s.recv(arena.id, 8)).toBe(1);
      expect(recordAt(arena, 0, arena.readAt, false)!.data.toString()).toBe('again');
      expect(s.stats()).toEqual([N + 1, 0, 0, 0]);
      // max 0 reads nothing and loses nothing
      expect(s.recv(arena.id, 0)).toBe(0);
    } finally {
      s.close();
      tx.close();
      rx.close();
    }
  });

  it('the socket polls readable when a block is handed over, and not once it was read', async () => {
    const tx = await openUdp({ address: '127.0.0.1' });
    const rx = await openUdp({ address: '127.0.0.1' });
    const port = rx.address().port;
    let fired = 0;
    const read: string[] = [];
    let onPoll = (): void => undefined;
    const s = packetSocket(() => onPoll());
    try {
      s.attachFilter(encodeProgram(buildUdpFilter({ ports: [{ from: port, to: port }], portMatch: 'either', direction: 'in', snapLength: 2048 })));
      s.setupRing(page, 2, 5);
      s.bind(1, ETH_P_ALL);
      const arena = new CaptureArena(s, 8, 2048, 64);
      onPoll = () => {
        fired++;
        for (let n; (n = s.recv(arena.id, 8)) > 0; ) for (let i = 0; i < n; i++) read.push(recordAt(arena, i, arena.readAt, false)!.data.toString());
      };
      s.startPoll(1);
      await tx.send('wake', { address: '127.0.0.1', port });
      const deadline = Date.now() + 1000;
      while (read.length === 0 && Date.now() < deadline) await sleep(5);
      expect(read).toEqual(['wake']);
      expect(fired).toBeGreaterThan(0);
      // every block back with the kernel: no more callbacks (no busy loop)
      const after = fired;
      await sleep(50);
      expect(fired).toBe(after);
    } finally {
      s.close();
      tx.close();
      rx.close();
    }
  });

  it('close() unmaps the ring and closes the fd; an unreferenced socket is collected with its ring', async () => {
    const s = packetSocket();
    s.setupRing(page, 2, 8);
    const fd = s.fd;
    const name = socketName(fd);
    expect(mapped(name)).toBe(true);
    s.close();
    expect(mapped(name)).toBe(false);
    expect(fdIsOpen(fd)).toBe(false);
    expect(() => s.recv(0, 1)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));

    let lost = '';
    (() => {
      const t = packetSocket();
      t.setupRing(page, 2, 8);
      lost = socketName(t.fd);
    })();
    expect(mapped(lost)).toBe(true);
    expect(await gcUntil(() => !mapped(lost))).toBe(true);
  });

  it('a terminated worker leaves no ring mapped', async () => {
    const addon = fs
      .readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((l) => l.slice(l.indexOf('/')))
      .find((p) => p.endsWith('/disptap.node'))!;
    expect(addon).toBeTruthy();
    const code = `
      const { parentPort } = require('node:worker_threads');
      const fs = require('node:fs');
      const n = require(${JSON.stringify(addon)});
      const s = new n.PacketSocket(() => {});
      s.setupRing(${page}, 4, 8);
      s.bind(1, 0);
      s.startPoll(1);
      parentPort.postMessage(fs.readlinkSync('/proc/self/fd/' + s.fd));
      setInterval(() => {}, 1000);`;
    const w = new Worker(code, { eval: true });
    const name = await new Promise<string>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(mapped(name)).toBe(true);
    await w.terminate();
    expect(await gcUntil(() => !mapped(name))).toBe(true);
  });
});
