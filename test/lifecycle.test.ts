// Errors, close semantics and resource release: fds and uv handles never leak.
import { describe, expect, it } from 'vitest';
import { openUdp, UdpTap } from '../src/index.js';
import { fdIsOpen, gcUntil, openFdCount } from './helpers/fds.js';
import { closeSocket, sendTo, udpSender } from './helpers/send.js';

describe('Node-style errors', () => {
  it('EADDRINUSE carries code, errno, syscall, address and port', async () => {
    const a = await openUdp({ address: '127.0.0.1' });
    const port = a.address().port;
    const err = await openUdp({ address: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '127.0.0.1', port });
    expect((err as Error).message).toContain(`bind EADDRINUSE 127.0.0.1:${port}`);
    a.close();
  });

  it('reusePort lets two taps share a port', async () => {
    const a = await openUdp({ address: '127.0.0.1', reusePort: true });
    const b = await openUdp({ address: '127.0.0.1', port: a.address().port, reusePort: true });
    expect(b.address().port).toBe(a.address().port);
    a.close();
    b.close();
  });

  it('EADDRNOTAVAIL for an address this host does not have', async () => {
    await expect(openUdp({ address: '192.0.2.1' })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'bind', address: '192.0.2.1' });
  });

  it('no fd leaks on failed opens', async () => {
    const a = await openUdp({ address: '127.0.0.1' });
    const before = openFdCount();
    for (let i = 0; i < 200; i++) await openUdp({ address: '127.0.0.1', port: a.address().port }).catch(() => undefined);
    expect(openFdCount()).toBe(before);
    a.close();
  });

  it.each([
    [{ address: 'not-an-ip' }, TypeError, 'ERR_INVALID_ADDRESS'],
    [{ address: '127.0.0.256' }, TypeError, 'ERR_INVALID_ADDRESS'],
    [{ address: 42 }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    [{ address: '127.0.0.1', port: 65536 }, RangeError, 'ERR_SOCKET_BAD_PORT'],
    [{ address: '127.0.0.1', port: -1 }, RangeError, 'ERR_SOCKET_BAD_PORT'],
    [{ address: '127.0.0.1', port: 1.5 }, RangeError, 'ERR_SOCKET_BAD_PORT'],
    [{ address: '127.0.0.1', port: '80' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    [{ address: '127.0.0.1', family: 5 }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    [{ address: '::1', family: 4 }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    [{ address: '127.0.0.1', timestamps: 'hw' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    [{ address: '127.0.0.1', pktinfo: 'yes' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    [{ address: '127.0.0.1', recvBufferSize: 0 }, RangeError, 'ERR_OUT_OF_RANGE'],
    [{ address: '127.0.0.1', batchSize: 5000 }, RangeError, 'ERR_OUT_OF_RANGE'],
    [{ address: '127.0.0.1', bogus: true }, TypeError, 'ERR_INVALID_ARG_VALUE'],
  ])('rejects %j before any syscall', async (opts, Ctor, code) => {
    const before = openFdCount();
    const err = await openUdp(opts as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Ctor);
    expect(err).toMatchObject({ code });
    expect(openFdCount()).toBe(before);
  });

  it('rejects bad receive options and bad readMsg buffers', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    await expect(t.receive({ timeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(() => t.readMsg('x' as never, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => t.readMsg(Buffer.alloc(1), 3 as never)).toThrow(TypeError);
    t.close();
  });
});

describe('close', () => {
  it('rejects a pending receive with a clear error, and is idempotent', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    const p = t.receive();
    t.close();
    await expect(p).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    t.close();
    await expect(t.receive()).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    expect(() => t.address()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(() => t.readMsg(Buffer.alloc(1), Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });

  it('ends an async iteration cleanly', async () => {
    const t = await openUdp({ address: '127.0.0.1' });
    const s = await udpSender(4);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const m of t) {
        seen.push(m.data.toString());
        if (seen.length === 2) setImmediate(() => t.close());
      }
    })();
    await sendTo(s, 'a', t.address().port, '127.0.0.1');
    await sendTo(s, 'b', t.address().port, '127.0.0.1');
    await loop;
    expect(seen).toEqual(['a', 'b']);
    await closeSocket(s);
  });

  it('releases the fd: 10,000 open/close cycles leave the fd count unchanged', async () => {
    const before = openFdCount();
    for (let i = 0; i < 10_000; i++) {
      const t = await openUdp({ address: '127.0.0.1' });
      if (i % 1000 === 0) {
        // exercise the poll handle too
        const p = t.receive();
        t.close();
        await p.catch(() => undefined);
      } else t.close();
    }
    expect(openFdCount()).toBe(before);
  });

  it('an unclosed idle tap collected by GC releases its fd', async () => {
    let fd = -1;
    (() => {
      const t = new UdpTap({ address: '127.0.0.1' });
      fd = t.fd;
    })();
    expect(fdIsOpen(fd)).toBe(true);
    expect(await gcUntil(() => !fdIsOpen(fd))).toBe(true);
  });

  it('a tap that was polling and then went idle is collectable too', async () => {
    let fd = -1;
    await (async () => {
      const t = new UdpTap({ address: '127.0.0.1' });
      fd = t.fd;
      await t.receive({ timeoutMs: 10 }).catch(() => undefined);
    })();
    expect(await gcUntil(() => !fdIsOpen(fd))).toBe(true);
  });
});

describe('socket options', () => {
  it('recvBufferSize reports the effective size (SO_RCVBUFFORCE beyond rmem_max when allowed)', async () => {
    const small = await openUdp({ address: '127.0.0.1', recvBufferSize: 65536 });
    expect(small.recvBufferSize).toBe(2 * 65536); // the kernel doubles for bookkeeping
    small.close();
    const rmemMax = Number((await import('node:fs')).readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    // Four times the cap, within the option's int range (a benchmark may have raised rmem_max).
    const ask = Math.min(rmemMax * 4, 2 ** 31 - 1);
    const big = await openUdp({ address: '127.0.0.1', recvBufferSize: ask });
    // The kernel doubles what it takes, at most INT_MAX / 2 of it.
    if (process.getuid?.() === 0) expect(big.recvBufferSize).toBe(2 * Math.min(ask, 2 ** 30 - 1));
    else expect(big.recvBufferSize).toBe(2 * Math.min(rmemMax, 2 ** 30 - 1)); // capped without CAP_NET_ADMIN
    big.close();
  });

  it('ipv6Only: an IPv6-only tap gets no IPv4 traffic and shares the port number with an IPv4 tap', async () => {
    const v6 = await openUdp({ address: '::', ipv6Only: true });
    const port = v6.address().port;
    const v4 = await openUdp({ address: '0.0.0.0', port });
    const s = await udpSender(4);
    await sendTo(s, 'to v4', port, '127.0.0.1');
    expect((await v4.receive({ timeoutMs: 2000 })).data.toString()).toBe('to v4');
    await expect(v6.receive({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const dual = await openUdp({ address: '::' });
    await expect(openUdp({ address: '0.0.0.0', port: dual.address().port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    for (const t of [v6, v4, dual]) t.close();
    await closeSocket(s);
  });
});
