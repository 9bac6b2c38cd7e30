// Many taps ready in one loop turn: the native side reads them all in one callback scope, so promise
// continuations run once every ready tap was read, and a handler may close another ready tap safely.
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openUdp, type UdpTap } from '../src/index.js';
import { fdIsOpen } from './helpers/fds.js';

const N = 16;

/** Sends one datagram to each port while this thread is blocked: all taps become ready together. */
function sendAllWhileBlocked(ports: number[]): void {
  const script = `
    const s = require('node:dgram').createSocket('udp4');
    const ports = ${JSON.stringify(ports)};
    let left = ports.length;
    for (const p of ports) s.send('x' + p, p, '127.0.0.1', () => { if (--left === 0) s.close(); });`;
  execFileSync(process.execPath, ['-e', script]);
}

async function openTaps(): Promise<UdpTap[]> {
  const taps: UdpTap[] = [];
  for (let i = 0; i < N; i++) taps.push(await openUdp({ address: '127.0.0.1' }));
  return taps;
}

describe('taps ready in the same loop turn', () => {
  it('every ready tap is read before the first receive() continuation runs', async () => {
    const taps = await openTaps();
    const seenAtFirstResolve: number[] = [];
    const received = taps.map((t) =>
      t.receive({ timeoutMs: 5000 }).then((m) => {
        if (seenAtFirstResolve.length === 0) for (const u of taps) seenAtFirstResolve.push(u.stats().packets);
        return m;
      }),
    );
    sendAllWhileBlocked(taps.map((t) => t.address().port));
    const msgs = await Promise.all(received);
    msgs.forEach((m, i) => expect(m.data.toString()).toBe(`x${taps[i]!.address().port}`));
    // One scope per turn: all N taps had read their datagram when the first promise job ran.
    expect(seenAtFirstResolve).toEqual(new Array(N).fill(1));
    for (const t of taps) t.close();
  });

  it('a handler that closes the other ready taps mid-turn: they deliver nothing more, fds are released', async () => {
    const taps = await openTaps();
    const fds = taps.map((t) => t.fd);
    const got: number[] = [];
    taps.forEach((t, i) =>
      t.on('message', () => {
        got.push(i);
        for (const u of taps) if (u !== t) u.close();
      }),
    );
    sendAllWhileBlocked(taps.map((t) => t.address().port));
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // room for any wrongly delivered datagram
    expect(got).toHaveLength(1);
    const first = taps[got[0]!]!;
    for (const t of taps) if (t !== first) expect(t.closed).toBe(true);
    first.close();
    for (const fd of fds) expect(fdIsOpen(fd)).toBe(false);
  });

  it('in a worker: many taps ready together are all read, and terminating the worker with them open is clean', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}).then(async ({ openUdp }) => {
        const taps = [];
        for (let i = 0; i < ${N}; i++) taps.push(await openUdp({ address: '127.0.0.1' }));
        let n = 0;
        for (const t of taps) t.on('message', () => { if (++n === taps.length) parentPort.postMessage({ done: n }); });
        parentPort.postMessage({ ports: taps.map((t) => t.address().port) });
      });`;
    const w = new Worker(code, { eval: true });
    const ports = await new Promise<number[]>((r) => w.once('message', (m: { ports: number[] }) => r(m.ports)));
    const done = new Promise<{ done: number }>((r) => w.once('message', r));
    sendAllWhileBlocked(ports);
    expect(await done).toEqual({ done: N });
    expect(await w.terminate()).toBe(1);
  });
});
