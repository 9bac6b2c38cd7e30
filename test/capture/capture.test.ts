// Passive capture on the real loopback: both copies of each datagram, kernel timestamps, the
// kernel filter, IPv6, truncation, batching, lifecycle.
import dgram from 'node:dgram';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type CaptureRecord } from '../../src/capture/index.js';
import { clock } from '../../src/sys/clock.js';
import { openUdp, type UdpTap } from '../../src/index.js';
import { fdIsOpen, gcUntil } from '../helpers/fds.js';
import { sendTo, sleep, udpSender } from '../helpers/send.js';
import { captureSkipReason } from './helpers/privileges.js';
import { captureScope } from './helpers/scope.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[capture tests skipped] ${skip}`);

const { open, cap, sink, take } = captureScope();




describe.skipIf(skip !== null)('passive capture on lo', () => {
  let tx: UdpTap;
  beforeAll(async () => {
    tx = await openUdp({ address: '127.0.0.1' });
    return () => tx.close();
  });

  it('sees each datagram twice on lo: the sent copy, then the delivered one, each with a kernel timestamp', async () => {
    const rx = await sink();
    const port = rx.address().port;
    const c = await cap({ interface: 'lo', ports: [port] });
    const before = clock.realtimeNs();
    await tx.send('over lo', { address: '127.0.0.1', port }, { ttl: 7, tos: 0xb8 });
    const [a, b] = await take(c, 2);
    const after = clock.realtimeNs();
    expect(a!.direction).toBe('out');
    expect(a!.packetType).toBe('outgoing');
    expect(b!.direction).toBe('in');
    expect(b!.packetType).toBe('host');
    for (const r of [a!, b!]) {
      expect(r.data.toString()).toBe('over lo');
      expect(r.length).toBe(7);
      expect(r.truncated).toBe(false);
      expect(r.src).toEqual({ family: 4, address: '127.0.0.1', port: tx.address().port });
      expect(r.dst).toEqual({ family: 4, address: '127.0.0.1', port, ifIndex: 1 });
      expect(r.ifIndex).toBe(1);
      expect(r.ifName).toBe('lo');
      expect(r.ttl).toBe(7);
      expect(r.tos).toBe(0xb8);
      expect(r.ip).toMatchObject({ family: 4, headerLength: 20, totalLength: 35, moreFragments: false });
      expect(r.packetLength).toBe(35);
      const sw = r.timestamps.software!;
      expect(sw).toBeGreaterThanOrEqual(before);
      expect(sw).toBeLessThanOrEqual(after);
      expect(r.readDelayNs).toBe(r.readAt - sw);
    }
    expect(a!.timestamps.software!).toBeLessThanOrEqual(b!.timestamps.software!);
    expect(a!.ip.id).toBe(b!.ip.id);
    expect(c.timestampingOption === 65 || c.timestampingOption === 37).toBe(true);
  });

  it('filters in the kernel: traffic to other ports is never seen, and the kernel counted only ours', async () => {
    const rx = await sink();
    const other = await sink();
    const port = rx.address().port;
    const c = await cap({ interface: 'lo', ports: [port] });
    const s = await udpSender();
    open.push(s);
    for (let i = 0; i < 100; i++) {
      await sendTo(s, `noise ${i}`, other.address().port, '127.0.0.1');
      if (i % 10 === 0) await sendTo(s, `ours ${i / 10}`, port, '127.0.0.1');
    }
    await sleep(100);
    const got = await take(c, 20);
    await expect(c.receive({ timeoutMs: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(got.every((r) => r.dst.port === port && r.data.toString().startsWith('ours'))).toBe(true);
    const st = c.stats();
    // tp_packets counts what passed the BPF program: 10 datagrams × 2 copies, none of the 100 others.
    expect(st.packets).toBe(20);
    expect(st.records).toBe(20);
    expect(st.kernelDrops).toBe(0);
    expect(st.skipped).toEqual({});
  });

  it('matches the source port too, and port ranges', async () => {
    const a = await sink();
    const b = await sink();
    const pa = a.address().port;
    const c = await cap({ interface: 'lo', ports: [`${pa}-${pa}`] });
    await sendTo(a, 'from the watched port', b.address().port, '127.0.0.1');
    const [r] = await take(c, 1);
    expect(r!.src.port).toBe(pa);
    expect(r!.dst.port).toBe(b.address().port);
  });

  it('direction: in keeps only the delivered copy (filtered in the kernel)', async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in' });
    for (let i = 0; i < 5; i++) await tx.send(`d${i}`, { address: '127.0.0.1', port: rx.address().port });
    const got = await take(c, 5);
    expect(got.map((r) => r.direction)).toEqual(['in', 'in', 'in', 'in', 'in']);
    await sleep(50);
    expect(c.stats().packets).toBe(5);
  });

  it('IPv6 on ::1: addresses, hop limit, traffic class', async () => {
    const rx = await sink(6);
    const t6 = await openUdp({ address: '::1' });
    open.push(t6);
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in' });
    await t6.send('v6', { address: '::1', port: rx.address().port }, { ttl: 3, tos: 0x2e });
    const [r] = await take(c, 1);
    expect(r!.src).toEqual({ family: 6, address: '::1', port: t6.address().port });
    expect(r!.dst).toMatchObject({ family: 6, address: '::1', port: rx.address().port });
    expect(r!.ttl).toBe(3);
    expect(r!.tos).toBe(0x2e);
    expect(r!.ip.family).toBe(6);
    expect(r!.ip.headerLength).toBe(40);
    expect(r!.data.toString()).toBe('v6');
  });

  it('a short snap length truncates the payload but keeps the real length', async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', snapLength: 64, rawPacket: true });
    await tx.send(Buffer.alloc(500, 7), { address: '127.0.0.1', port: rx.address().port });
    const [r] = await take(c, 1);
    expect(r!.length).toBe(500);
    expect(r!.data.length).toBe(64 - 28);
    expect(r!.truncated).toBe(true);
    expect(r!.packet!.length).toBe(64);
    expect(r!.packetLength).toBe(528);
  });

  it('keeps up with a burst through recvmmsg batches: nothing lost, timestamps in order', async () => {
    const rx = await sink();
    const c = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', batchSize: 32 });
    const N = 3000;
    const records: CaptureRecord[] = [];
    c.on('record', (r) => records.push(r));
    const items = Array.from({ length: N }, (_, i) => ({ data: `b${i}`, address: '127.0.0.1', port: rx.address().port }));
    for (let i = 0; i < N; i += 500) await tx.sendBatch(items.slice(i, i + 500));
    const deadline = Date.now() + 5000;
    while (records.length < N && Date.now() < deadline) await sleep(20);
    expect(c.stats().kernelDrops).toBe(0); // first: a full ring says so before a short count does
    expect(records.length).toBe(N);
    expect(records.map((r) => r.data.toString())).toEqual(items.map((i) => i.data));
    for (let i = 1; i < N; i++) expect(records[i]!.timestamps.software!).toBeGreaterThanOrEqual(records[i - 1]!.timestamps.software!);
  });

  it("'any' captures on every interface; iteration ends on close", async () => {
    const rx = await sink();
    const c = await cap({ interface: 'any', ports: [rx.address().port], direction: 'in' });
    expect(c.ifIndex).toBe(0);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const r of c) seen.push(`${r.ifName}:${r.data.toString()}`);
    })();
    await tx.send('anywhere', { address: '127.0.0.1', port: rx.address().port });
    const deadline = Date.now() + 2000;
    while (seen.length < 1 && Date.now() < deadline) await sleep(10);
    c.close();
    await loop;
    expect(seen).toEqual(['lo:anywhere']);
  });

  it('close is idempotent, rejects waiting receives and releases the fd', async () => {
    const c = await cap({ interface: 'lo', ports: [9] });
    const fd = c.fd;
    expect(fdIsOpen(fd)).toBe(true);
    const pending = c.receive();
    c.close();
    c.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    await expect(c.receive()).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    expect(fdIsOpen(fd)).toBe(false);
  });

  it('an idle capture nobody closed is collected, and its fd released', async () => {
    let fd = -1;
    await (async () => {
      const c = await openCapture({ interface: 'lo', ports: [9] });
      fd = c.fd;
    })();
    expect(fdIsOpen(fd)).toBe(true);
    expect(await gcUntil(() => !fdIsOpen(fd))).toBe(true);
  });

  it('receive honours timeoutMs and AbortSignal', async () => {
    // a port held by a socket of ours that nobody sends to (port 9 may see other tests' traffic)
    const quiet = (await sink()).address().port;
    const c = await cap({ interface: 'lo', ports: [quiet] });
    await expect(c.receive({ timeoutMs: 30 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const ac = new AbortController();
    const p = c.receive({ signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  it("timestamps: 'hardware' asks the NIC too (lo has none, software stays); 'none' gives none", async () => {
    const rx = await sink();
    const hw = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', timestamps: 'hardware' });
    const none = await cap({ interface: 'lo', ports: [rx.address().port], direction: 'in', timestamps: 'none' });
    await tx.send('ts', { address: '127.0.0.1', port: rx.address().port });
    const [h] = await take(hw, 1);
    const [n] = await take(none, 1);
    expect(h!.timestamps.software).toBeDefined();
    expect(h!.timestamps.hardware).toBeUndefined();
    expect(n!.timestamps).toEqual({});
    expect(n!.readDelayNs).toBeUndefined();
    expect(none.timestampingOption).toBe(0);
  });

  it('a custom BPF program replaces the generated one', async () => {
    const rx = await sink();
    // ret #0 for everything: the socket must see nothing, whatever the traffic
    const c = await cap({ interface: 'lo', filter: [{ code: 0x06, jt: 0, jf: 0, k: 0 }] });
    await tx.send('x', { address: '127.0.0.1', port: rx.address().port });
    await expect(c.receive({ timeoutMs: 150 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(c.stats().packets).toBe(0);
  });
});

describe('openCapture option checks (before any syscall)', () => {
  it('rejects bad options with Node-style codes', async () => {
    await expect(openCapture({ interface: 'no-such-if0' })).rejects.toMatchObject({ code: 'ENODEV', syscall: 'if_nametoindex' });
    await expect(openCapture({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(openCapture({ interface: 'lo', ports: ['70000'] })).rejects.toMatchObject({ code: 'ERR_SOCKET_BAD_PORT' });
    await expect(openCapture({ interface: 'lo', ports: ['5-1'] })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(openCapture({ interface: 'lo', ports: ['abc'] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(openCapture({ interface: 'lo', direction: 'sideways' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(openCapture({ interface: 'lo', bogus: 1 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(openCapture({ interface: 'lo', ports: [1], filter: [{ code: 6, jt: 0, jf: 0, k: 0 }] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(openCapture({ interface: 'lo', snapLength: 10 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });
});
