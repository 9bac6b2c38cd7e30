// The native IP/UDP parser on crafted, truncated and random packets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePacket } from '../../src/capture/parse.js';
import { ipv4, ipv6 } from './helpers/packets.js';

describe('parsePacket', () => {
  it('IPv4 UDP: addresses, ports, TTL, TOS, DF, id, payload location', () => {
    const payload = new Uint8Array([0xaa, 0xbb, 0xcc]);
    const p = parsePacket(ipv4({ src: [192, 0, 2, 1], dst: [192, 0, 2, 2], srcPort: 31000, dstPort: 30041, ttl: 9, tos: 0xb8, id: 77, payload }));
    expect(p).toMatchObject({
      status: 'udp', family: 4, protocol: 17, src: '192.0.2.1', dst: '192.0.2.2', srcPort: 31000, dstPort: 30041,
      ttl: 9, tos: 0xb8, ipId: 77, dontFragment: true, moreFragments: false, l4Offset: 20, payloadOffset: 28, payloadLength: 3, udpLength: 11, ipLength: 31,
    });
  });

  it('IPv4 options move the UDP header (IHL)', () => {
    const p = parsePacket(ipv4({ options: [1, 1, 1, 1, 1, 1, 1, 1], dstPort: 5 }));
    expect(p).toMatchObject({ status: 'udp', l4Offset: 28, payloadOffset: 36, dstPort: 5 });
  });

  it('clips the payload to the IP total length (link padding) and to the UDP length', () => {
    const padded = parsePacket(ipv4({ payload: new Uint8Array(2), trailer: 20 }));
    expect(padded.payloadLength).toBe(2);
    const shortUdp = parsePacket(ipv4({ payload: new Uint8Array(10), udpLength: 12 }));
    expect(shortUdp.payloadLength).toBe(4);
  });

  it('first fragment: UDP parsed, payload partial; later fragment: no UDP', () => {
    const first = parsePacket(ipv4({ mf: true, payload: new Uint8Array(16), udpLength: 3000 }));
    expect(first).toMatchObject({ status: 'udp', moreFragments: true, udpLength: 3000, payloadLength: 16 });
    const later = parsePacket(ipv4({ fragOffset: 2, payload: new Uint8Array(16) }));
    expect(later).toMatchObject({ status: 'fragment', fragOffset: 16, srcPort: 0, dstPort: 0, payloadLength: 0 });
  });

  it('IPv6 UDP with traffic class, flow label, hop limit; through extension headers', () => {
    const p = parsePacket(ipv6({ tclass: 0x2e, flowLabel: 0xbeef, hopLimit: 3, srcPort: 1, dstPort: 2, payload: new Uint8Array(5) }));
    expect(p).toMatchObject({ status: 'udp', family: 6, src: 'fd00::1', dst: 'fd00::2', tos: 0x2e, flowLabel: 0xbeef, ttl: 3, payloadOffset: 48, payloadLength: 5 });
    const ext = parsePacket(ipv6({ ext: [{ type: 0, len: 8 }, { type: 60, len: 16 }], dstPort: 9 }));
    expect(ext).toMatchObject({ status: 'udp', l4Offset: 64, dstPort: 9 });
    const frag0 = parsePacket(ipv6({ ext: [{ type: 44, len: 8, mf: true, id: 99 }] }));
    expect(frag0).toMatchObject({ status: 'udp', moreFragments: true, ipId: 99 });
    const frag1 = parsePacket(ipv6({ ext: [{ type: 44, len: 8, fragOffset: 10 }] }));
    expect(frag1).toMatchObject({ status: 'fragment', fragOffset: 80 });
  });

  it('names why it stopped: not IP, truncated, malformed, not UDP', () => {
    expect(parsePacket(new Uint8Array([]), 0x0800).status).toBe('truncatedIp');
    expect(parsePacket(new Uint8Array([0x12, 0, 0])).status).toBe('notIp');
    expect(parsePacket(ipv4().subarray(0, 19)).status).toBe('truncatedIp');
    expect(parsePacket(ipv4().subarray(0, 25)).status).toBe('truncatedUdp');
    expect(parsePacket(ipv6().subarray(0, 39)).status).toBe('truncatedIp');
    const bad = ipv4();
    bad[0] = 0x44;
    expect(parsePacket(bad).status).toBe('malformedIp');
    expect(parsePacket(ipv4({ options: new Array(40).fill(1) }).subarray(0, 30)).status).toBe('truncatedIp');
    expect(parsePacket(ipv4({ proto: 6 })).status).toBe('notUdp');
    expect(parsePacket(ipv4({ udpLength: 4 })).status).toBe('malformedUdp');
    // an IPv6 packet claimed to be IPv4 by the link layer is refused, not misparsed
    expect(parsePacket(ipv6(), 0x0800).status).toBe('notIp');
    const chain = parsePacket(ipv6({ ext: Array.from({ length: 9 }, () => ({ type: 60, len: 8 })) }));
    expect(chain.status).toBe('malformedIp');
  });

  it('never points outside the bytes it was given (random and mutated packets)', () => {
    const seedPackets = [ipv4(), ipv4({ options: [1, 1, 1, 1] }), ipv6(), ipv6({ ext: [{ type: 0, len: 8 }] }), ipv4({ mf: true })];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          fc.tuple(fc.constantFrom(...seedPackets), fc.nat(), fc.nat(255), fc.nat(200)).map(([p, at, v, cut]) => {
            const b = Uint8Array.from(p);
            b[at % b.length] = v;
            return b.subarray(0, cut % (b.length + 1));
          }),
        ),
        fc.constantFrom(0, 0x0800, 0x86dd),
        (bytes, eth) => {
          const p = parsePacket(bytes, eth);
          expect(p.payloadOffset + p.payloadLength).toBeLessThanOrEqual(bytes.length);
          expect(p.payloadLength).toBeGreaterThanOrEqual(0);
          if (p.status === 'udp') {
            expect(p.payloadOffset).toBe(p.l4Offset + 8);
            expect(p.l4Offset + 8).toBeLessThanOrEqual(bytes.length);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
