// The native cmsg parser on crafted control buffers: the hardware path, partial and malformed input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeControl, parseControl } from '../src/index.js';
import { craft, timespecs, u32s } from './helpers/cmsg-builder.js';

const SOL_SOCKET = 1;
const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;

describe('crafted control buffers', () => {
  it('SCM_TIMESTAMPING with a hardware ts[2] and SCM_TIMESTAMPING_PKTINFO', () => {
    const sw = 1_790_000_000_123_456_789n;
    const hw = 1_790_000_000_123_400_000n;
    const buf = craft([
      { level: SOL_SOCKET, type: 37, data: timespecs(sw, 0n, hw) },
      { level: SOL_SOCKET, type: 58, data: u32s(7, 1514, 0, 0) },
    ]);
    const meta = decodeControl(buf);
    expect(meta.timestamps).toEqual({ software: sw, hardware: hw });
    expect(meta.hwIfIndex).toBe(7);
    expect(meta.l2Length).toBe(1514);
    expect(meta.legacyHardware).toBeUndefined();
    expect(meta.defectiveControlMessages).toBe(0);
  });

  it('SO_TIMESTAMPING_NEW (65) decodes like the old one; a hardware-only stamp leaves software absent', () => {
    const hw = 5_000_000_001n;
    const meta = decodeControl(craft([{ level: SOL_SOCKET, type: 65, data: timespecs(0n, 0n, hw) }]));
    expect(meta.timestamps).toEqual({ hardware: hw });
  });

  it('SCM_TIMESTAMPNS and SCM_TIMESTAMP (µs) fill the software stamp when SO_TIMESTAMPING is absent', () => {
    expect(decodeControl(craft([{ level: SOL_SOCKET, type: 35, data: timespecs(12_000_000_345n) }])).timestamps.software).toBe(
      12_000_000_345n,
    );
    const us = Buffer.alloc(16);
    us.writeBigInt64LE(12n, 0);
    us.writeBigInt64LE(345n, 8);
    expect(decodeControl(craft([{ level: SOL_SOCKET, type: 29, data: us }])).timestamps.software).toBe(12_000_345_000n);
  });

  it('IPv4 pktinfo/ttl/1-byte tos after a 4-byte SO_RXQ_OVFL (CMSG_ALIGN stepping)', () => {
    const pkt = Buffer.from([3, 0, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    const buf = craft([
      { level: SOL_SOCKET, type: 40, data: u32s(49) },
      { level: IPPROTO_IP, type: 8, data: pkt },
      { level: IPPROTO_IP, type: 2, data: u32s(17) },
      { level: IPPROTO_IP, type: 1, data: Buffer.from([0xb8]) },
    ], { padLast: false });
    const meta = decodeControl(buf);
    expect(meta.drops).toBe(49);
    expect(meta.dst).toEqual({ family: 4, address: '10.0.0.2', ifIndex: 3, specDst: '10.0.0.1' });
    expect(meta.ttl).toBe(17);
    expect(meta.tos).toBe(0xb8);
  });

  it('IPv6 pktinfo, hop limit, 4-byte traffic class', () => {
    const a = Buffer.alloc(20);
    a.set([0x20, 0x01, 0x0d, 0xb8], 0);
    a[15] = 1;
    a.writeUInt32LE(4, 16);
    const meta = decodeControl(
      craft([
        { level: IPPROTO_IPV6, type: 50, data: a },
        { level: IPPROTO_IPV6, type: 52, data: u32s(3) },
        { level: IPPROTO_IPV6, type: 67, data: u32s(0x2e) },
      ]),
    );
    expect(meta.dst).toEqual({ family: 6, address: '2001:db8::1', ifIndex: 4 });
    expect(meta.ttl).toBe(3);
    expect(meta.tos).toBe(0x2e);
  });

  it('IP_RECVERR with a TX timestamp shape (sock_extended_err + offender)', () => {
    const ee = Buffer.alloc(32);
    ee.writeUInt32LE(42, 0); // ENOMSG
    ee[4] = 4; // SO_EE_ORIGIN_TIMESTAMPING
    ee.writeUInt32LE(1, 8); // SCM_TSTAMP_SCHED
    ee.writeUInt32LE(7, 12); // OPT_ID counter
    ee.writeUInt16LE(2, 16); // AF_INET
    ee.writeUInt16BE(4242, 18);
    ee.set([127, 0, 0, 9], 20);
    const meta = decodeControl(craft([{ level: IPPROTO_IP, type: 11, data: ee }]));
    expect(meta.extendedError).toEqual({
      errno: 42, origin: 4, type: 0, code: 0, info: 1, data: 7,
      offender: { family: 4, address: '127.0.0.9', port: 4242 },
    });
  });

  it('unknown cmsgs are kept raw and counted, and do not disturb what follows', () => {
    const buf = craft([
      { level: 99, type: 1, data: Buffer.from('abc') },
      { level: SOL_SOCKET, type: 250, data: Buffer.alloc(0) },
      { level: IPPROTO_IP, type: 2, data: u32s(5) },
    ]);
    const msgs = parseControl(buf);
    expect(msgs.map((m) => [m.offset, m.level, m.type, m.data.toString('hex'), m.status])).toEqual([
      [0, 99, 1, '616263', 'ok'],
      [24, 1, 250, '', 'ok'],
      [40, 0, 2, '05000000', 'ok'],
    ]);
    const meta = decodeControl(buf);
    expect(meta.unknownControlMessages).toBe(2);
    expect(meta.ttl).toBe(5);
  });

  it('a trailing cmsg whose length runs past the buffer is "truncated" and not decoded', () => {
    const full = craft([
      { level: IPPROTO_IP, type: 2, data: u32s(5) },
      { level: SOL_SOCKET, type: 37, data: timespecs(1n, 0n, 0n) },
    ]);
    const cut = full.subarray(0, full.length - 20);
    const msgs = parseControl(cut);
    expect(msgs[1]!.status).toBe('truncated');
    expect(msgs[1]!.data.length).toBe(cut.length - 24 - 16);
    const meta = decodeControl(cut);
    expect(meta.timestamps.software).toBeUndefined();
    expect(meta.ttl).toBe(5);
    expect(meta.defectiveControlMessages).toBe(1);
  });

  it('a known type shorter than its struct is "short" (the kernel partial cmsg) and never misread', () => {
    const meta = decodeControl(craft([{ level: IPPROTO_IP, type: 8, data: Buffer.alloc(8, 0xff) }]));
    expect(meta.dst).toBeUndefined();
    expect(meta.defectiveControlMessages).toBe(1);
    expect(parseControl(craft([{ level: IPPROTO_IP, type: 8, data: Buffer.alloc(8) }]))[0]!.status).toBe('short');
  });

  it('zero-length known cmsg, cmsg_len below the header, and a fragment shorter than a header', () => {
    expect(parseControl(craft([{ level: IPPROTO_IP, type: 2, data: Buffer.alloc(0) }]))[0]!.status).toBe('short');
    const bad = craft([{ level: IPPROTO_IP, type: 2, data: u32s(5), cmsgLen: 8 }]);
    const r = parseControl(bad);
    expect(r).toHaveLength(1);
    expect(r[0]!.status).toBe('malformed');
    expect(decodeControl(bad).ttl).toBeUndefined();
    const frag = parseControl(Buffer.alloc(10, 0xaa));
    expect(frag).toEqual([{ offset: 0, level: -1, type: -1, data: Buffer.alloc(10, 0xaa), status: 'malformed' }]);
    expect(parseControl(Buffer.alloc(0))).toEqual([]);
    // a huge cmsg_len must not be trusted
    const huge = craft([{ level: SOL_SOCKET, type: 37, data: timespecs(1n, 0n, 0n), cmsgLen: 2 ** 40 }]);
    expect(parseControl(huge)[0]!.status).toBe('truncated');
  });

  it('rejects non-bytes with a TypeError carrying a code', () => {
    expect(() => parseControl('abc' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => decodeControl(null as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('never throws and never reports data past the buffer on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const msgs = parseControl(bytes);
        for (const m of msgs) {
          expect(m.offset).toBeLessThan(bytes.length);
          if (m.level !== -1) expect(m.offset + 16 + m.data.length).toBeLessThanOrEqual(bytes.length);
          expect(m.data.length).toBeLessThanOrEqual(bytes.length - m.offset);
        }
        decodeControl(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('walks mutated real-shaped buffers without throwing', () => {
    const base = craft([
      { level: SOL_SOCKET, type: 65, data: timespecs(1n, 2n, 3n) },
      { level: SOL_SOCKET, type: 40, data: u32s(1) },
      { level: IPPROTO_IP, type: 8, data: Buffer.alloc(12) },
      { level: IPPROTO_IP, type: 2, data: u32s(64) },
      { level: IPPROTO_IP, type: 1, data: Buffer.from([0]) },
    ]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(base.length), (muts, cut) => {
        const b = Buffer.from(base);
        for (const [i, v] of muts) b[i] = v;
        parseControl(b.subarray(0, cut));
        decodeControl(b.subarray(0, cut));
      }),
      { numRuns: 2000 },
    );
  });
});
