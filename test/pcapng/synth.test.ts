// Synthesized IP/UDP headers: family choice, field values and checksums that verify.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dissectUdp, resolvePair, synthesizeUdp } from '../../src/pcapng/index.js';

/** Independent ones'-complement sum, for verifying (a correct checksum makes the total 0xffff). */
function onesSum(...chunks: Uint8Array[]): number {
  let s = 0;
  for (const c of chunks) {
    const b = c.length % 2 ? Uint8Array.from([...c, 0]) : c;
    for (let i = 0; i < b.length; i += 2) s += b[i]! * 256 + b[i + 1]!;
  }
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function pseudoHeader(p: Uint8Array): Uint8Array {
  const v4 = p[0]! >> 4 === 4;
  const src = v4 ? p.subarray(12, 16) : p.subarray(8, 24);
  const dst = v4 ? p.subarray(16, 20) : p.subarray(24, 40);
  const udpLen = p.length - (v4 ? 20 : 40);
  return Uint8Array.from([...src, ...dst, 0, 17, udpLen >> 8, udpLen & 0xff]);
}

describe('synthesizeUdp', () => {
  it('builds an IPv4 header byte for byte', () => {
    const p = synthesizeUdp({
      src: { address: '192.0.2.1', port: 0x1234 },
      dst: { address: '198.51.100.2', port: 123 },
      ttl: 9,
      tos: 0xb8,
      payload: Uint8Array.of(0xaa, 0xbb, 0xcc),
    });
    expect(p.family).toBe(4);
    expect(p.origLength).toBe(31);
    const h = Buffer.from(p.data).toString('hex');
    expect(h.slice(0, 20)).toBe('45b8001f000040000911'); // ver/IHL, TOS, len 31, id, DF, TTL 9, UDP
    expect(h.slice(24, 40)).toBe('c0000201c6336402');
    expect(h.slice(40, 56 - 4)).toBe('1234007b000b'); // ports, UDP length 11
    expect(onesSum(p.data.subarray(0, 20))).toBe(0xffff);
    expect(onesSum(pseudoHeader(p.data), p.data.subarray(20))).toBe(0xffff);
  });

  it('maps v4-mapped pairs to IPv4 and mixed pairs to IPv6', () => {
    expect(resolvePair('::ffff:10.0.0.1', '10.0.0.2').family).toBe(4);
    expect(resolvePair('::ffff:10.0.0.1', '::ffff:10.0.0.2').family).toBe(4);
    const mixed = resolvePair('10.0.0.1', '2001:db8::1');
    expect(mixed.family).toBe(6);
    expect(Buffer.from(mixed.src).toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(resolvePair('[fe80::1%eth0]', 'fe80::2%3').family).toBe(6);
  });

  it('builds IPv6 with hop limit, traffic class and a checksum that verifies; defaults TTL 64 TOS 0', () => {
    const p = synthesizeUdp({ src: { address: '::1', port: 1 }, dst: { address: '::1', port: 2 }, tos: 0xab, ttl: 3, payload: new Uint8Array(5) });
    expect(Buffer.from(p.data.subarray(0, 8)).toString('hex')).toBe('6ab00000000d1103');
    expect(onesSum(pseudoHeader(p.data), p.data.subarray(40))).toBe(0xffff);
    const d = synthesizeUdp({ src: { address: '127.0.0.1', port: 1 }, dst: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(0) });
    expect([d.data[1], d.data[8]]).toEqual([0, 64]);
  });

  it('a truncated datagram keeps its real length and carries no checksum', () => {
    const p = synthesizeUdp({ src: { address: '::1', port: 1 }, dst: { address: '::1', port: 2 }, payload: new Uint8Array(4), origPayloadLength: 1000 });
    expect(p.data).toHaveLength(40 + 8 + 4);
    expect(p.origLength).toBe(40 + 8 + 1000);
    expect(dissectUdp(p.data)).toMatchObject({ udpPayloadLength: 1000, udpChecksum: 0 });
  });

  it('rejects what cannot be a UDP packet', () => {
    const ok = { src: { address: '127.0.0.1', port: 1 }, dst: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(0) };
    expect(() => synthesizeUdp({ ...ok, src: { address: 'example.com', port: 1 } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ADDRESS' }));
    expect(() => synthesizeUdp({ ...ok, ttl: 256 })).toThrow(RangeError);
    expect(() => synthesizeUdp({ ...ok, tos: -1 })).toThrow(RangeError);
    expect(() => synthesizeUdp({ ...ok, dst: { address: '127.0.0.1', port: 65536 } })).toThrow(RangeError);
    expect(() => synthesizeUdp({ ...ok, payload: new Uint8Array(65508) })).toThrow(RangeError); // > 65535 - 28
    expect(synthesizeUdp({ ...ok, payload: new Uint8Array(65507) }).data).toHaveLength(65535);
    expect(() => synthesizeUdp({ ...ok, payload: new Uint8Array(4), origPayloadLength: 3 })).toThrow(RangeError);
  });

  it('property: dissect(synthesize(x)) gives x back and both checksums verify', () => {
    const v4 = fc.ipV4();
    const v6 = fc.ipV6();
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(v4, v4), fc.tuple(v6, v6), fc.tuple(v4, v6)),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 1500 }),
        ([src, dst], sport, dport, ttl, tos, payload) => {
          const p = synthesizeUdp({ src: { address: src, port: sport }, dst: { address: dst, port: dport }, ttl, tos, payload });
          const d = dissectUdp(p.data);
          expect(d).not.toBeNull();
          const pair = resolvePair(src, dst);
          expect(d!.family).toBe(pair.family);
          expect([d!.src.port, d!.dst.port, d!.ttl, d!.tos]).toEqual([sport, dport, ttl, tos]);
          expect(resolvePair(d!.src.address, d!.dst.address)).toEqual(pair);
          expect(Buffer.from(d!.payload).equals(Buffer.from(payload))).toBe(true);
          const ipHdr = p.family === 4 ? 20 : 40;
          if (p.family === 4) expect(onesSum(p.data.subarray(0, 20))).toBe(0xffff);
          expect(d!.udpChecksum).not.toBe(0);
          expect(onesSum(pseudoHeader(p.data), p.data.subarray(ipHdr))).toBe(0xffff);
        },
      ),
      { numRuns: 300 },
    );
  });
});
