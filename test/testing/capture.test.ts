// capture() and sendAndCapture() on real loopback sockets; traffic from Node's own dgram where the
// kit's sender should not be the one judged.
import { describe, expect, it } from 'vitest';
import { clock, openUdp, type RxMessage } from '../../src/index.js';
import { capture, installMatchers, sendAndCapture } from '../../src/testing/index.js';
import { openFdCount } from '../helpers/fds.js';
import { closeSocket, sendTo, udpSender } from '../helpers/send.js';
import { rejected } from './helpers.js';

installMatchers(expect);

/** True when nothing listens on the port any more (capture closed its tap). */
async function portIsFree(port: number, address = '127.0.0.1'): Promise<boolean> {
  try {
    (await openUdp({ address, port })).close();
    return true;
  } catch {
    return false;
  }
}

describe('capture', () => {
  it('returns what arrived while the callback ran, in order, with metadata; closes its tap', async () => {
    const s = await udpSender(4);
    const fds = openFdCount();
    let port = 0;
    const msgs = await capture({ address: '127.0.0.1', port: 0 }, async (addr) => {
      expect(addr).toMatchObject({ family: 4, address: '127.0.0.1' });
      port = addr.port;
      expect(port).toBeGreaterThan(0);
      for (const p of ['a', 'b', 'c']) await sendTo(s, p, addr.port, addr.address);
    });
    expect(msgs.map((m) => m.data.toString())).toEqual(['a', 'b', 'c']);
    expect(msgs).toHaveMonotonicRxTimestamps();
    for (const m of msgs) {
      expect(m).toArriveOn('lo');
      expect(m.src.port).toBe((s.address() as { port: number }).port);
    }
    expect(await portIsFree(port)).toBe(true);
    expect(openFdCount()).toBe(fds);
    await closeSocket(s);
  });

  it('defaults to 127.0.0.1 and takes openUdp options (IPv6, timestamps off)', async () => {
    const a = await capture({}, async (addr) => {
      expect(addr.address).toBe('127.0.0.1');
    });
    expect(a).toEqual([]);
    const s = await udpSender(6);
    const msgs = await capture({ address: '::1', timestamps: 'none' }, async (addr) => {
      await sendTo(s, 'v6', addr.port, '::1');
    });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.src.family).toBe(6);
    expect(msgs[0]!.timestamps).toEqual({});
    await closeSocket(s);
  });

  it('count waits for datagrams still to come after the callback returned', async () => {
    const s = await udpSender(4);
    const t0 = Date.now();
    const msgs = await capture({ port: 0, count: 2, timeoutMs: 5000 }, (addr) => {
      // not awaited: these arrive after the callback is done
      setTimeout(() => void sendTo(s, 'late1', addr.port, addr.address), 30);
      setTimeout(() => void sendTo(s, 'late2', addr.port, addr.address), 60);
    });
    expect(msgs.map((m) => m.data.toString())).toEqual(['late1', 'late2']);
    expect(Date.now() - t0).toBeLessThan(4000); // woke on the 2nd datagram, not at the timeout
    await closeSocket(s);
  });

  it('without count, a datagram sent after the settle time is not captured', async () => {
    const s = await udpSender(4);
    const msgs = await capture({ port: 0, settleMs: 5 }, (addr) => {
      setTimeout(() => void sendTo(s, 'too late', addr.port, addr.address).catch(() => undefined), 200);
    });
    expect(msgs).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    await closeSocket(s);
  });

  it('count not reached: returns what arrived once timeoutMs passed (the test judges)', async () => {
    const s = await udpSender(4);
    const t0 = Date.now();
    const msgs = await capture({ port: 0, count: 3, timeoutMs: 150 }, async (addr) => {
      await sendTo(s, 'only one', addr.port, addr.address);
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(msgs).toHaveLength(1);
    await closeSocket(s);
  });

  it('settleMs 0 still sees a datagram sent just before the callback returned', async () => {
    const tx = await openUdp({ address: '127.0.0.1' });
    for (let i = 0; i < 20; i++) {
      const msgs = await capture({ port: 0, settleMs: 0 }, async (addr) => {
        await tx.send(`n${i}`, addr);
      });
      expect(msgs.map((m) => m.data.toString())).toEqual([`n${i}`]);
    }
    tx.close();
  });

  it('an error in the callback is rethrown and the tap closed', async () => {
    let port = 0;
    const e = await rejected(
      capture({ port: 0 }, (addr) => {
        port = addr.port;
        throw new Error('boom');
      }),
    );
    expect(e.message).toBe('boom');
    expect(await portIsFree(port)).toBe(true);
  });

  it('rejects bad arguments before opening anything', async () => {
    await expect(capture(null as unknown as object, () => undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(capture({}, 5 as unknown as () => void)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(capture({ count: -1 }, () => undefined)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE', message: 'capture: count must be an integer >= 0, got -1' });
    await expect(capture({ settleMs: Number.NaN }, () => undefined)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(capture({ address: 'nope' }, () => undefined)).rejects.toMatchObject({ code: 'ERR_INVALID_ADDRESS' });
  });
});

describe('sendAndCapture', () => {
  it('sends to the capture address by default; both sides come back, TX timestamps awaited', async () => {
    const before = clock.realtimeNs();
    const r = await sendAndCapture({ address: '127.0.0.1', port: 0 }, ['one', Buffer.from('two')]);
    expect(r.received.map((m) => m.data.toString())).toEqual(['one', 'two']);
    expect(r.sent.map((s) => s.data.toString())).toEqual(['one', 'two']);
    expect(r.sent.map((s) => s.bytes)).toEqual([3, 3]);
    expect(r.sent.map((s) => s.id)).toEqual([0, 1]);
    expect(r.address).toMatchObject({ family: 4, address: '127.0.0.1' });
    expect(r.received[0]!.src.port).toBe(r.sender.port);
    r.sent.forEach((s, i) => {
      const m = r.received[i]!;
      expect(s.sentAt).toBeGreaterThanOrEqual(before);
      expect(s.tx).toMatchObject({ id: s.id, missing: [] });
      expect(s.sentAt).toBeLessThanOrEqual(s.tx!.software!);
      expect(s.tx).toHaveTxTimestampBefore(m);
      expect(s).toHaveTxTimestampBefore(m); // a sent entry works as well as its .tx
      expect(m).toHaveRxTimestampBetween(s.sentAt, m.readAt);
    });
  });

  it('send options are merged over { txTimestamps: "software" }; txTimestamps: [] asks for none', async () => {
    const r = await sendAndCapture({ port: 0 }, 'ttl', { send: { ttl: 17, tos: 0x10 } });
    expect(r.received[0]).toHaveBeenSentWithTtl(17);
    expect(r.received[0]!.tos).toBe(0x10);
    expect(r.sent[0]!.tx?.software).toBeTypeOf('bigint');
    const n = await sendAndCapture({ port: 0 }, 'none', { send: { txTimestamps: [] } });
    expect(n.sent[0]!.tx).toBeUndefined();
    expect(n.sent[0]!.id).toBeUndefined();
    expect(() => expect(n.sent[0]).toHaveTxTimestampBefore(n.received[0]!)).toThrow('but the send asked for no TX timestamps');
  });

  it('a TX kind that never comes is reported missing, not thrown (hardware on loopback)', async () => {
    const partial = await sendAndCapture({ port: 0 }, 'hw', { send: { txTimestamps: ['software', 'hardware'], txTimeoutMs: 100 } });
    expect(partial.sent[0]!.tx).toMatchObject({ missing: ['hardware'] });
    const only = await sendAndCapture({ port: 0 }, 'hw', { send: { txTimestamps: 'hardware', txTimeoutMs: 100 } });
    expect(only.sent[0]!.tx).toEqual({ id: 0, missing: ['hardware'] });
    expect(() => expect(only.sent[0]!.tx).toHaveTxTimestampBefore(only.received[0]!, { kind: 'hardware' })).toThrow(
      'but the hardware TX timestamp is missing: the kernel reported no hardware SCM_TSTAMP_SND stamp before the deadline (missing: hardware)',
    );
  });

  it('IPv6 capture with an IPv6 sender', async () => {
    const r = await sendAndCapture({ address: '::1', port: 0 }, 'six');
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.src).toMatchObject({ family: 6, address: '::1', port: r.sender.port });
    expect(r.sent[0]!.tx).toHaveTxTimestampBefore(r.received[0]!);
  });

  it('to: a function gets the capture address first (register a backend with a relay)', async () => {
    const relay = await openUdp({ address: '127.0.0.1' });
    let backend: { address: string; port: number } | undefined;
    relay.on('message', (m: RxMessage) => {
      if (backend) void relay.send(m.data, backend, { ttl: 30 });
    });
    const r = await sendAndCapture({ port: 0 }, ['x', 'y'], {
      to: (addr) => {
        backend = addr;
        return relay.address();
      },
    });
    expect(r.received.map((m) => m.data.toString())).toEqual(['x', 'y']);
    expect(r.received[0]!.src.port).toBe(relay.address().port);
    expect(r.received[0]).toHaveBeenSentWithTtl(30);
    r.received.forEach((m, i) => expect(r.sent[i]!.tx).toHaveTxTimestampBefore(m, { withinNs: 1_000_000_000n }));
    relay.close();
  });

  it('a destination that never forwards gives an empty received after timeoutMs', async () => {
    const sink = await openUdp({ address: '127.0.0.1' }); // nobody reads it: nothing is forwarded
    const r = await sendAndCapture({ port: 0, timeoutMs: 100 }, 'lost', { to: sink.address() });
    expect(r.sent).toHaveLength(1);
    expect(r.received).toEqual([]);
    sink.close();
  });

  it('rejects bad data and options', async () => {
    await expect(sendAndCapture({}, 5 as unknown as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(sendAndCapture({}, ['a', 5 as unknown as string])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(sendAndCapture({}, 'a', null as unknown as object)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(sendAndCapture({}, 'a', { send: { ttl: 999 } })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });
});
