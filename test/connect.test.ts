// A connected tap hears about its peer going away (ECONNREFUSED) and keeps working when it is back.
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { openUdp, type RxMessage } from '../src/index.js';
import { sleep } from './helpers/send.js';

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('connect()', () => {
  it('reports ECONNREFUSED as an error event while listening, then receives again once the peer is back', async () => {
    const port = await freePort();
    const t = await openUdp({ address: '127.0.0.1' });
    t.connect({ address: '127.0.0.1', port });
    expect(t.remoteAddress()).toEqual({ address: '127.0.0.1', port });
    const errors: Array<{ code: string; port?: number }> = [];
    const got: RxMessage[] = [];
    t.on('error', (e: { code: string; port?: number }) => errors.push(e));
    t.on('message', (m: RxMessage) => got.push(m));
    await t.send('anyone?', { address: '127.0.0.1', port });
    for (let i = 0; i < 50 && errors.length === 0; i++) await sleep(10);
    expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'recvmsg', port });

    // the peer comes back on the same port and answers
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => peer.bind(port, '127.0.0.1', r));
    peer.on('message', (_m, rinfo) => peer.send('pong', rinfo.port, rinfo.address));
    await t.send('ping', { address: '127.0.0.1', port });
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(10);
    expect(got.map((m) => m.data.toString())).toEqual(['pong']);
    expect(got[0]!.timestamps.software).toBeDefined();
    expect(got[0]!.src.port).toBe(port);
    t.close();
    peer.close();
  });

  it('a pending receive() rejects with ECONNREFUSED and the tap stays open', async () => {
    const port = await freePort();
    const t = await openUdp({ address: '127.0.0.1' });
    t.connect({ address: '127.0.0.1', port });
    const p = t.receive({ timeoutMs: 2000 });
    await t.send('x', { address: '127.0.0.1', port });
    await expect(p).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(t.closed).toBe(false);
    await expect(t.receive({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    t.close();
  });

  it('rejects bad destinations before connect(2)', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    expect(() => t.connect({ address: 'nope', port: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ADDRESS' }));
    expect(() => t.connect({ address: '127.0.0.1', port: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    t.close();
    expect(() => t.connect({ address: '127.0.0.1', port: 1 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });
});
