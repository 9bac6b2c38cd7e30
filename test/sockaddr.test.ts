// sockaddr bytes and byte order: exact layouts, the pure-TS codec against the C one on random input,
// and both against the bytes the kernel itself reads (sendmsg) and writes (getsockname, recvmsg).
import dgram from 'node:dgram';
import os from 'node:os';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAddress } from '../src/sys/address.js';
import {
  decodeSockaddr,
  encodeSockaddr,
  htonl,
  htons,
  isIPv4MappedSockaddr,
  ntohl,
  ntohs,
  openUdp,
  unmapSockaddr,
  type Sockaddr,
  type UdpTap,
} from '../src/index.js';
import { native } from '../src/sys/native.js';
import { recvRaw } from './helpers/raw.js';

const RUNS = { numRuns: 400 };

function nativeDecode(bytes: Uint8Array): Sockaddr {
  const [family, addr, port, flowinfo, scopeId] = native.sockaddr.decode(bytes);
  const address = formatAddress(family, addr);
  return family === 4 ? { family, address, port } : { family, address, port, flowinfo, scopeId };
}

function outcome<T>(f: () => T): { ok: T } | { error: { name: string; code: unknown; message: string } } {
  try {
    return { ok: f() };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { error: { name: err.name, code: err.code, message: err.message } };
  }
}

describe('exact layouts', () => {
  it('sockaddr_in: family in host order, port and address in network order, zero padding', () => {
    const b = encodeSockaddr({ family: 4, address: '192.0.2.1', port: 0x1234 });
    expect([...b]).toEqual([2, 0, 0x12, 0x34, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeSockaddr(b)).toEqual({ family: 4, address: '192.0.2.1', port: 0x1234 });
  });

  it('sockaddr_in6: flowinfo in network order, scope id in host order', () => {
    const b = encodeSockaddr({ family: 6, address: '2001:db8::1', port: 443, flowinfo: 0x000abcde, scopeId: 0x01020304 });
    expect([...b]).toEqual([
      10, 0, 0x01, 0xbb, 0x00, 0x0a, 0xbc, 0xde,
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
      0x04, 0x03, 0x02, 0x01,
    ]);
    expect(decodeSockaddr(b)).toEqual({ family: 6, address: '2001:db8::1', port: 443, flowinfo: 0xabcde, scopeId: 0x01020304 });
  });

  it('the struct sizes are the platform’s', () => {
    expect(native.sockaddr.inLength).toBe(16);
    expect(native.sockaddr.in6Length).toBe(28);
  });

  it('decode ignores bytes past the struct (a sockaddr_storage)', () => {
    const storage = Buffer.alloc(128, 0xee);
    encodeSockaddr({ family: 6, address: '::1', port: 9 }).copy(storage);
    expect(decodeSockaddr(storage)).toEqual({ family: 6, address: '::1', port: 9, flowinfo: 0, scopeId: 0 });
  });
});

describe('htons / ntohs / htonl / ntohl', () => {
  it('swap on this little-endian host, as libc does', () => {
    expect(os.endianness()).toBe('LE');
    expect(htons(0x1234)).toBe(0x3412);
    expect(ntohs(0x3412)).toBe(0x1234);
    expect(htonl(0x12345678)).toBe(0x78563412);
    expect(ntohl(0xfeffffff)).toBe(0xfffffffe);
    expect(htonl(0x80)).toBe(0x80000000); // unsigned, never negative
  });

  it('equal the libc functions on random input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), (s, l) => {
        expect(htons(s)).toBe(native.sockaddr.htons(s));
        expect(ntohs(s)).toBe(native.sockaddr.ntohs(s));
        expect(htonl(l)).toBe(native.sockaddr.htonl(l));
        expect(ntohl(l)).toBe(native.sockaddr.ntohl(l));
        expect(ntohs(htons(s))).toBe(s);
        expect(ntohl(htonl(l))).toBe(l);
      }),
      RUNS,
    );
  });

  it('reject what is not a 16/32-bit unsigned integer', () => {
    for (const [f, bad] of [[htons, 0x10000], [ntohs, -1], [htonl, 2 ** 32], [ntohl, 1.5], [htons, NaN]] as const)
      expect(() => f(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    expect(() => htons('1' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('pure TypeScript vs the C codec', () => {
  const v4 = fc.record({
    family: fc.constant(4 as const),
    bytes: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    port: fc.integer({ min: 0, max: 65535 }),
  });
  const v6 = fc.record({
    family: fc.constant(6 as const),
    bytes: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    port: fc.integer({ min: 0, max: 65535 }),
    flowinfo: fc.integer({ min: 0, max: 0xffffffff }),
    scopeId: fc.integer({ min: 0, max: 0xffffffff }),
  });

  it('encode: the same bytes for random addresses, ports, flowinfo and scope ids', () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), (s) => {
        const flowinfo = s.family === 6 ? s.flowinfo : 0;
        const scopeId = s.family === 6 ? s.scopeId : 0;
        const address = formatAddress(s.family, s.bytes);
        const ts = encodeSockaddr(s.family === 4 ? { family: 4, address, port: s.port } : { family: 6, address, port: s.port, flowinfo, scopeId });
        expect(ts).toEqual(native.sockaddr.encode(s.family, s.bytes, s.port, flowinfo, scopeId));
        expect(decodeSockaddr(ts)).toEqual(nativeDecode(ts));
      }),
      RUNS,
    );
  });

  it('decode: the same result or the same error on random bytes', () => {
    // Mostly plausible families, so the length checks and both layouts are hit, plus anything.
    const familyBytes = fc.oneof(
      fc.constantFrom([2, 0], [10, 0], [1, 0], [0, 0], [0, 2], [0, 10]),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })),
    );
    const input = fc.tuple(familyBytes, fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 42 })).map(
      ([fam, rest, cut]) => Uint8Array.from([...fam, ...rest]).subarray(0, cut),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        expect(outcome(() => decodeSockaddr(bytes))).toEqual(outcome(() => nativeDecode(bytes)));
      }),
      { numRuns: 1000 },
    );
  });

  it('decode reads an unaligned view of a larger buffer correctly', () => {
    const big = Buffer.alloc(40);
    encodeSockaddr({ family: 6, address: 'fe80::2', port: 53, scopeId: 3 }).copy(big, 5);
    const view = big.subarray(5, 33);
    expect(decodeSockaddr(view)).toEqual(nativeDecode(view));
    expect(decodeSockaddr(view)).toMatchObject({ address: 'fe80::2', port: 53, scopeId: 3 });
  });
});

describe('rejections', () => {
  it('short buffers and unknown families, with the same codes as the C decoder', () => {
    const cases: [Uint8Array, string, RegExp][] = [
      [new Uint8Array(0), 'ERR_SOCKADDR_TOO_SHORT', /0 bytes, the family field needs 2/],
      [Uint8Array.of(2), 'ERR_SOCKADDR_TOO_SHORT', /1 bytes/],
      [encodeSockaddr({ family: 4, address: '1.2.3.4', port: 1 }).subarray(0, 15), 'ERR_SOCKADDR_TOO_SHORT', /15 bytes, sockaddr_in needs 16/],
      [encodeSockaddr({ family: 6, address: '::1', port: 1 }).subarray(0, 27), 'ERR_SOCKADDR_TOO_SHORT', /27 bytes, sockaddr_in6 needs 28/],
      [Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'ERR_SOCKADDR_UNKNOWN_FAMILY', /family 1: only AF_INET/],
      [new Uint8Array(28), 'ERR_SOCKADDR_UNKNOWN_FAMILY', /family 0/],
    ];
    for (const [bytes, code, msg] of cases) {
      expect(() => decodeSockaddr(bytes)).toThrow(expect.objectContaining({ name: 'RangeError', code, message: expect.stringMatching(msg) }));
      expect(() => native.sockaddr.decode(bytes)).toThrow(expect.objectContaining({ code }));
    }
    expect(() => decodeSockaddr('x' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('encode rejects bad families, ports, addresses and fields that do not belong', () => {
    const bad: [unknown, string][] = [
      [null, 'ERR_INVALID_ARG_TYPE'],
      [{ family: 5, address: '1.2.3.4', port: 1 }, 'ERR_INVALID_ARG_VALUE'],
      [{ family: 4, address: '1.2.3.4', port: 65536 }, 'ERR_SOCKET_BAD_PORT'],
      [{ family: 4, address: '1.2.3.4', port: '80' }, 'ERR_INVALID_ARG_TYPE'],
      [{ family: 4, address: 'example.org', port: 1 }, 'ERR_INVALID_ADDRESS'],
      [{ family: 4, address: '2001:db8::1', port: 1 }, 'ERR_INVALID_ADDRESS'],
      [{ family: 4, address: '1.2.3.4', port: 1, scopeId: 2 }, 'ERR_INVALID_ARG_VALUE'],
      [{ family: 4, address: '1.2.3.4', port: 1, flowinfo: 2 }, 'ERR_INVALID_ARG_VALUE'],
      [{ family: 4, address: '1.2.3.4%1', port: 1 }, 'ERR_INVALID_ADDRESS'],
      [{ family: 6, address: '1.2.3.4%1', port: 1 }, 'ERR_INVALID_ADDRESS'],
      [{ family: 6, address: '::1', port: 1, flowinfo: 2 ** 32 }, 'ERR_OUT_OF_RANGE'],
      [{ family: 6, address: '::1', port: 1, scopeId: -1 }, 'ERR_OUT_OF_RANGE'],
      [{ family: 6, address: 'fe80::1%1', port: 1, scopeId: 2 }, 'ERR_INVALID_ARG_VALUE'],
      [{ family: 6, address: 'fe80::1%no-such-if0', port: 1 }, 'ERR_INVALID_ADDRESS'],
    ];
    for (const [input, code] of bad)
      expect(() => encodeSockaddr(input as Parameters<typeof encodeSockaddr>[0]), JSON.stringify(input)).toThrow(expect.objectContaining({ code }));
  });

  it('a zone sets the scope id (by number or by interface name)', () => {
    expect(decodeSockaddr(encodeSockaddr({ family: 6, address: 'fe80::1%7', port: 1 }))).toMatchObject({ address: 'fe80::1', scopeId: 7 });
    expect(decodeSockaddr(encodeSockaddr({ family: 6, address: 'fe80::1%lo', port: 1 }))).toMatchObject({ scopeId: native.ifNameToIndex('lo') });
    expect(decodeSockaddr(encodeSockaddr({ family: 6, address: 'fe80::1%7', port: 1, scopeId: 7 }))).toMatchObject({ scopeId: 7 });
  });
});

describe('IPv4-mapped IPv6', () => {
  it('family 6 maps IPv4 text to ::ffff:a.b.c.d; decode keeps it family 6', () => {
    const b = encodeSockaddr({ family: 6, address: '10.1.2.3', port: 7 });
    expect(b).toEqual(encodeSockaddr({ family: 6, address: '::ffff:10.1.2.3', port: 7 }));
    expect([...b.subarray(8, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]);
    const sa = decodeSockaddr(b);
    expect(sa).toEqual({ family: 6, address: '::ffff:10.1.2.3', port: 7, flowinfo: 0, scopeId: 0 });
    expect(isIPv4MappedSockaddr(sa)).toBe(true);
    expect(unmapSockaddr(sa)).toEqual({ family: 4, address: '10.1.2.3', port: 7 });
  });

  it('family 4 unmaps ::ffff:a.b.c.d; other IPv6 is refused', () => {
    expect(encodeSockaddr({ family: 4, address: '::ffff:10.1.2.3', port: 7 })).toEqual(encodeSockaddr({ family: 4, address: '10.1.2.3', port: 7 }));
    expect(encodeSockaddr({ family: 4, address: '::ffff:a01:203', port: 7 })).toEqual(encodeSockaddr({ family: 4, address: '10.1.2.3', port: 7 }));
    // '::a.b.c.d' is the IPv4-compatible form (zeros, no ffff), not a mapped address.
    expect(() => encodeSockaddr({ family: 4, address: '::10.1.2.3', port: 7 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ADDRESS' }));
    expect([...encodeSockaddr({ family: 6, address: '::10.1.2.3', port: 7 }).subarray(8, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3]);
  });

  it('unmapSockaddr leaves everything else alone', () => {
    const plain: Sockaddr = { family: 6, address: '2001:db8::1', port: 1, flowinfo: 0, scopeId: 0 };
    expect(isIPv4MappedSockaddr(plain)).toBe(false);
    expect(unmapSockaddr(plain)).toBe(plain);
    const v4: Sockaddr = { family: 4, address: '1.2.3.4', port: 1 };
    expect(unmapSockaddr(v4)).toBe(v4);
  });
});

describe('against the kernel', () => {
  const taps: UdpTap[] = [];
  const sockets: dgram.Socket[] = [];
  afterEach(() => {
    for (const t of taps.splice(0)) t.close();
    for (const s of sockets.splice(0)) s.close();
  });

  async function sender(type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket> {
    const s = dgram.createSocket(type);
    sockets.push(s);
    await new Promise<void>((res) => s.bind(0, address, res));
    return s;
  }

  for (const [family, address] of [[4, '127.0.0.1'], [6, '::1']] as const) {
    it(`getsockname of an IPv${family} socket: decode gives its address, encode gives the kernel's bytes`, async () => {
      const tap = await openUdp({ address, port: 0 });
      taps.push(tap);
      const raw = native.rawmsg.getsockname(tap.fd);
      expect(raw.length).toBe(family === 4 ? 16 : 28);
      const sa = decodeSockaddr(raw);
      expect(sa).toMatchObject({ family, address, port: tap.address().port });
      expect(encodeSockaddr(sa)).toEqual(raw);
      expect(nativeDecode(raw)).toEqual(sa);
    });

    it(`recvmsg msg_name of an IPv${family} datagram is the sender, byte for byte`, async () => {
      const tap = await openUdp({ address, port: 0 });
      taps.push(tap);
      const s = await sender(family === 4 ? 'udp4' : 'udp6', address);
      s.send('hello', tap.address().port, address);
      const [n, , data, name] = await recvRaw(tap.fd);
      expect([n, data.toString()]).toEqual([5, 'hello']);
      const sa = decodeSockaddr(name);
      expect(sa).toMatchObject({ family, address, port: s.address().port });
      expect(encodeSockaddr(sa)).toEqual(name);
    });
  }

  it('a dual-stack socket names an IPv4 sender as ::ffff:a.b.c.d (sockaddr_in6)', async () => {
    const tap = await openUdp({ address: '::', port: 0, ipv6Only: false });
    taps.push(tap);
    const s = await sender('udp4', '127.0.0.1');
    s.send('x', tap.address().port, '127.0.0.1');
    const [, , , name] = await recvRaw(tap.fd);
    expect(name.length).toBe(28);
    const sa = decodeSockaddr(name);
    expect(sa).toMatchObject({ family: 6, address: '::ffff:127.0.0.1', port: s.address().port });
    expect(unmapSockaddr(sa)).toEqual({ family: 4, address: '127.0.0.1', port: s.address().port });
    expect(encodeSockaddr({ family: 6, address: '127.0.0.1', port: s.address().port })).toEqual(name);
  });

  it('the raw probes reject fds and sizes that are not integers in range', () => {
    expect(() => native.rawmsg.getsockname(NaN)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => native.rawmsg.recvmsg(0, -1, 0, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => native.rawmsg.recvmsg(0, 16, 2 ** 21, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => native.rawmsg.recvmsg(0, 16, 0, 0.5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => native.rawmsg.sendmsg(0, null, new Uint8Array(129), null)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => native.rawmsg.getsockname(2 ** 31 - 1)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'getsockname' }));
  });

  for (const [family, address] of [[4, '127.0.0.1'], [6, '::1']] as const) {
    it(`sendmsg accepts encodeSockaddr's IPv${family} bytes as msg_name and delivers there`, async () => {
      const from = await openUdp({ address, port: 0 });
      taps.push(from);
      const to = await sender(family === 4 ? 'udp4' : 'udp6', address);
      const got = new Promise<[string, dgram.RemoteInfo]>((res) => to.once('message', (m, r) => res([m.toString(), r])));
      const name = encodeSockaddr({ family, address, port: to.address().port });
      expect(native.rawmsg.sendmsg(from.fd, Buffer.from('via sendmsg'), name, null)).toBe(11);
      const [text, rinfo] = await got;
      expect(text).toBe('via sendmsg');
      expect(rinfo.port).toBe(from.address().port);
    });
  }
});
