// Receive core on real loopback sockets: timestamps, pktinfo, TTL/TOS, truncation, drops.
import { afterEach, describe, expect, it } from 'vitest';
import { clock, openUdp, parseControl, decodeControl, type UdpTap } from '../src/index.js';
import { closeSocket, sendTo, sleep, udpSender } from './helpers/send.js';

const taps: UdpTap[] = [];
async function tap(opts: Parameters<typeof openUdp>[0]): Promise<UdpTap> {
  const t = await openUdp(opts);
  taps.push(t);
  return t;
}
afterEach(() => {
  for (const t of taps.splice(0)) t.close();
});

describe('software RX timestamps', () => {
  it('lie between the sender clock before send and readAt, with a consistent read delay', async () => {
    const t = await tap({ address: '127.0.0.1' });
    const s = await udpSender(4);
    const before = clock.realtimeNs();
    await sendTo(s, 'ping', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    const after = clock.realtimeNs();
    expect(m.data.toString()).toBe('ping');
    expect(m.timestamps.software).toBeDefined();
    const sw = m.timestamps.software!;
    expect(sw).toBeGreaterThanOrEqual(before);
    expect(sw).toBeLessThanOrEqual(m.readAt);
    expect(m.readAt).toBeLessThanOrEqual(after);
    expect(m.readDelayNs).toBe(m.readAt - sw);
    expect(m.readDelayNs!).toBeGreaterThanOrEqual(0n);
    expect(t.timestampingOption === 65 || t.timestampingOption === 37).toBe(true);
    await closeSocket(s);
  });

  it('never decrease over a burst, and every datagram arrives in order', async () => {
    const t = await tap({ address: '127.0.0.1' });
    const s = await udpSender(4);
    const N = 200;
    for (let i = 0; i < N; i++) await sendTo(s, `m${i}`, t.address().port, '127.0.0.1');
    const got = [];
    for (let i = 0; i < N; i++) got.push(await t.receive({ timeoutMs: 2000 }));
    expect(got.map((m) => m.data.toString())).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
    for (let i = 1; i < N; i++) expect(got[i]!.timestamps.software!).toBeGreaterThanOrEqual(got[i - 1]!.timestamps.software!);
    await closeSocket(s);
  });

  it("timestamps: 'none' gives no timestamp and no read delay", async () => {
    const t = await tap({ address: '127.0.0.1', timestamps: 'none' });
    const s = await udpSender(4);
    await sendTo(s, 'x', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.timestamps).toEqual({});
    expect(m.readDelayNs).toBeUndefined();
    expect(t.timestampingFlags & 0x8).toBe(0); // no SOF_TIMESTAMPING_RX_SOFTWARE
    await closeSocket(s);
  });

  it("timestamps: 'hardware' on loopback still gives software and no hardware stamp", async () => {
    const t = await tap({ address: '127.0.0.1', timestamps: 'hardware' });
    const s = await udpSender(4);
    await sendTo(s, 'x', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.timestamps.software).toBeDefined();
    expect(m.timestamps.hardware).toBeUndefined();
    await closeSocket(s);
  });
});

describe('destination, interface, TTL and TOS', () => {
  it('IPv4: dst address and ifindex of lo, default TTL 64, TTL set by the sender', async () => {
    const t = await tap({ address: '127.0.0.1' });
    const s = await udpSender(4);
    await sendTo(s, 'a', t.address().port, '127.0.0.1');
    s.setTTL(7);
    await sendTo(s, 'b', t.address().port, '127.0.0.1');
    const a = await t.receive({ timeoutMs: 2000 });
    const b = await t.receive({ timeoutMs: 2000 });
    expect(a.dst).toEqual({ address: '127.0.0.1', ifIndex: 1 });
    expect(a.ifName).toBe('lo');
    expect(a.ttl).toBe(64);
    expect(b.ttl).toBe(7);
    expect(a.tos).toBe(0);
    expect(a.src).toEqual({ family: 4, address: '127.0.0.1', port: s.address().port });
    await closeSocket(s);
  });

  it('IPv4: the header destination is reported when bound to 0.0.0.0 (127.0.0.5 here)', async () => {
    const t = await tap({ address: '0.0.0.0' });
    const s = await udpSender(4);
    await sendTo(s, 'a', t.address().port, '127.0.0.5');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.dst).toEqual({ address: '127.0.0.5', ifIndex: 1 });
    await closeSocket(s);
  });

  it('IPv6: dst ::1 on lo, hop limit default and set by the sender, traffic class 0', async () => {
    const t = await tap({ address: '::1' });
    const s = await udpSender(6);
    await sendTo(s, 'a', t.address().port, '::1');
    s.setTTL(9);
    await sendTo(s, 'b', t.address().port, '::1');
    const a = await t.receive({ timeoutMs: 2000 });
    const b = await t.receive({ timeoutMs: 2000 });
    expect(a.src.family).toBe(6);
    expect(a.src.address).toBe('::1');
    expect(a.dst).toEqual({ address: '::1', ifIndex: 1 });
    expect(a.ifName).toBe('lo');
    expect(a.ttl).toBe(64);
    expect(b.ttl).toBe(9);
    expect(a.tos).toBe(0);
    expect(a.timestamps.software).toBeDefined();
    await closeSocket(s);
  });

  it('dual-stack IPv6 socket reports IPv4-mapped traffic with its metadata', async () => {
    const t = await tap({ address: '::', family: 6 });
    const s = await udpSender(4);
    s.setTTL(11);
    await sendTo(s, 'v4', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.src.address).toBe('::ffff:127.0.0.1');
    expect(m.dst?.ifIndex).toBe(1);
    expect(m.ttl).toBe(11);
    expect(m.timestamps.software).toBeDefined();
    await closeSocket(s);
  });

  it('metadata switches off individually', async () => {
    const t = await tap({ address: '127.0.0.1', pktinfo: false, ttl: false, tos: false, dropCounter: false });
    const s = await udpSender(4);
    await sendTo(s, 'a', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.dst).toBeUndefined();
    expect(m.ttl).toBeUndefined();
    expect(m.tos).toBeUndefined();
    expect(m.timestamps.software).toBeDefined();
    await closeSocket(s);
  });
});

describe('truncation', () => {
  it('MSG_TRUNC when a datagram is longer than maxMessageSize; length says the real size', async () => {
    const t = await tap({ address: '127.0.0.1', maxMessageSize: 8 });
    const s = await udpSender(4);
    await sendTo(s, '0123456789abcdef', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.truncated).toBe(true);
    expect(m.data.toString()).toBe('01234567');
    expect(m.length).toBe(16);
    expect(m.flags & 0x20).toBe(0x20);
    await closeSocket(s);
  });

  it('MSG_CTRUNC when the control buffer is too small: the partial cmsg is reported, not misread', async () => {
    const t = await tap({ address: '127.0.0.1' });
    const s = await udpSender(4);
    await sendTo(s, 'x', t.address().port, '127.0.0.1');
    await sleep(20);
    const b = Buffer.alloc(64);
    // SCM_TIMESTAMPNS (32 bytes) fits, then a header plus 24 of SCM_TIMESTAMPING's 48 bytes
    const oob = Buffer.alloc(32 + 40);
    const r = t.readMsg(b, oob)!;
    expect(r).not.toBeNull();
    expect(r.flags & 0x8).toBe(0x8);
    const msgs = parseControl(oob.subarray(0, r.oobn));
    expect(msgs.length).toBe(2);
    expect(msgs[0]!.status).toBe('ok');
    expect(msgs[1]!.level).toBe(1);
    expect(msgs[1]!.type).toBe(t.timestampingOption);
    expect(msgs[1]!.status).toBe('short');
    expect(msgs[1]!.data.length).toBe(24);
    const meta = decodeControl(oob.subarray(0, r.oobn));
    // the whole SCM_TIMESTAMPNS still gives the software stamp; the partial one is not misread
    expect(meta.timestamps.software).toBe(msgs[0]!.data.readBigInt64LE(0) * 1_000_000_000n + msgs[0]!.data.readBigInt64LE(8));
    expect(meta.defectiveControlMessages).toBe(1);
    await closeSocket(s);
  });

  it('a tap with a too-small control buffer flags controlTruncated', async () => {
    const t = await tap({ address: '127.0.0.1', controlBufferSize: 24 }); // less than one SCM_TIMESTAMPNS
    const s = await udpSender(4);
    await sendTo(s, 'x', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.controlTruncated).toBe(true);
    expect(m.timestamps.software).toBeUndefined();
    await closeSocket(s);
  });
});

describe('readMsg (Go ReadMsgUDP twin)', () => {
  it('copies payload and the raw control bytes; null when nothing is queued', async () => {
    const t = await tap({ address: '127.0.0.1' });
    expect(t.readMsg(Buffer.alloc(16), Buffer.alloc(256))).toBeNull();
    const s = await udpSender(4);
    await sendTo(s, 'hello', t.address().port, '127.0.0.1');
    await sleep(20);
    const b = Buffer.alloc(16);
    const oob = Buffer.alloc(256);
    const r = t.readMsg(b, oob)!;
    expect(r.n).toBe(5);
    expect(b.subarray(0, 5).toString()).toBe('hello');
    expect(r.flags).toBe(0);
    expect(r.addr).toEqual({ family: 4, address: '127.0.0.1', port: s.address().port });
    const kinds = parseControl(oob.subarray(0, r.oobn)).map((c) => `${c.level}/${c.type}`);
    // kernel order: SCM_TIMESTAMPNS, SCM_TIMESTAMPING, IP_PKTINFO, IP_TTL, IP_TOS (no SO_RXQ_OVFL before any drop)
    expect(kinds).toEqual([`1/${t.timestampingOption === 65 ? 64 : 35}`, `1/${t.timestampingOption}`, '0/8', '0/2', '0/1']);
    const meta = decodeControl(oob.subarray(0, r.oobn));
    expect(meta.dst).toEqual({ family: 4, address: '127.0.0.1', ifIndex: 1, specDst: '127.0.0.1' });
    expect(meta.ttl).toBe(64);
    expect(meta.drops).toBeUndefined();
    await closeSocket(s);
  });
});

describe('drop counter', () => {
  async function drain(t: UdpTap): Promise<number> {
    let n = 0;
    for (;;) {
      try {
        await t.receive({ timeoutMs: 50 });
        n++;
      } catch {
        return n;
      }
    }
  }

  it('SO_RXQ_OVFL reports the cumulative drops of an overflowing receive buffer', async () => {
    const t = await tap({ address: '127.0.0.1', recvBufferSize: 1 });
    const s = await udpSender(4);
    const payload = Buffer.alloc(1000, 1);
    const port = t.address().port;
    for (let i = 0; i < 50; i++) await sendTo(s, payload, port, '127.0.0.1');
    const kept = await drain(t);
    expect(kept).toBeLessThan(50);
    // The counter rides on the next datagram queued after the drops.
    await sendTo(s, 'after', port, '127.0.0.1');
    const first = await t.receive({ timeoutMs: 2000 });
    expect(first.data.toString()).toBe('after');
    expect(first.drops).toBe(50 - kept);
    for (let i = 0; i < 50; i++) await sendTo(s, payload, port, '127.0.0.1');
    const kept2 = await drain(t);
    await sendTo(s, 'again', port, '127.0.0.1');
    const later = await t.receive({ timeoutMs: 2000 });
    expect(later.drops).toBe(first.drops! + 50 - kept2);
    await closeSocket(s);
  });

  it('is absent before any drop', async () => {
    const t = await tap({ address: '127.0.0.1' });
    const s = await udpSender(4);
    await sendTo(s, 'a', t.address().port, '127.0.0.1');
    const m = await t.receive({ timeoutMs: 2000 });
    expect(m.drops).toBeUndefined();
    await closeSocket(s);
  });
});
