// The generated kernel filter, judged instruction by instruction on crafted packets with a cBPF
// interpreter (the kernel run is in capture.test.ts).
import { describe, expect, it } from 'vitest';
import { BpfAssembler, disassemble, encodeProgram, validateProgram } from '../../src/capture/bpf.js';
import { buildUdpFilter, ETH_P_IP, ETH_P_IPV6, MAX_FILTER_RANGES, PACKET_OUTGOING } from '../../src/capture/filter.js';
import { normalizePorts } from '../../src/capture/ports.js';
import { runBpf } from './helpers/bpf-vm.js';
import { ipv4, ipv6 } from './helpers/packets.js';

const SNAP = 65535;
const host4 = { protocol: ETH_P_IP, pktType: 0 };
const host6 = { protocol: ETH_P_IPV6, pktType: 0 };

function filter(ports: Array<number | string>, direction: 'in' | 'out' | 'both' = 'both') {
  return buildUdpFilter({ ports: normalizePorts(ports), direction, snapLength: SNAP });
}

describe('UDP port filter verdicts', () => {
  const prog = filter([30041, '31000-32767']);

  it('accepts IPv4 UDP to or from a listed port or range, with the snap length', () => {
    expect(runBpf(prog, ipv4({ dstPort: 30041 }), host4)).toBe(SNAP);
    expect(runBpf(prog, ipv4({ srcPort: 30041, dstPort: 5000 }), host4)).toBe(SNAP);
    for (const p of [31000, 31001, 32000, 32767]) expect(runBpf(prog, ipv4({ srcPort: 5000, dstPort: p }), host4)).toBe(SNAP);
    for (const p of [31000, 32767]) expect(runBpf(prog, ipv4({ srcPort: p, dstPort: 5000 }), host4)).toBe(SNAP);
  });

  it('drops IPv4 UDP on other ports, just outside the range edges', () => {
    for (const p of [30040, 30042, 30999, 32768, 0, 65535])
      expect(runBpf(prog, ipv4({ srcPort: 5000, dstPort: p }), host4), `port ${p}`).toBe(0);
  });

  it('finds the UDP header after IPv4 options (IHL > 5)', () => {
    const pkt = ipv4({ options: [0x94, 0x04, 0, 0, 1, 1, 1, 1], dstPort: 31500 });
    expect(pkt[0]! & 0xf).toBe(7);
    expect(runBpf(prog, pkt, host4)).toBe(SNAP);
    // the same bytes read at the IHL-5 offset would be the option bytes: not a match there
    expect(runBpf(prog, ipv4({ options: [0x94, 0x04, 0, 0, 1, 1, 1, 1], dstPort: 5000, srcPort: 5001 }), host4)).toBe(0);
  });

  it('passes a first fragment (ports present) and drops later fragments (no UDP header)', () => {
    expect(runBpf(prog, ipv4({ mf: true, dstPort: 30041 }), host4)).toBe(SNAP);
    // A later fragment whose payload bytes happen to look like port 30041 is still dropped.
    const later = ipv4({ fragOffset: 185, mf: true, dstPort: 30041 });
    expect(runBpf(prog, later, host4)).toBe(0);
    expect(runBpf(prog, ipv4({ fragOffset: 1, dstPort: 30041 }), host4)).toBe(0);
  });

  it('drops TCP and ICMP even on the listed ports', () => {
    const tcp = ipv4({ proto: 6, payload: new Uint8Array([0x75, 0x59, 0x75, 0x59, 0, 0, 0, 0]) });
    expect(runBpf(prog, tcp, host4)).toBe(0);
    expect(runBpf(prog, ipv4({ proto: 1 }), host4)).toBe(0);
  });

  it('accepts IPv6 UDP (next header 17) by port, drops other ports and extension-header packets', () => {
    expect(runBpf(prog, ipv6({ dstPort: 30041 }), host6)).toBe(SNAP);
    expect(runBpf(prog, ipv6({ srcPort: 32767, dstPort: 1 }), host6)).toBe(SNAP);
    expect(runBpf(prog, ipv6({ srcPort: 1, dstPort: 2 }), host6)).toBe(0);
    expect(runBpf(prog, ipv6({ dstPort: 30041, ext: [{ type: 60, len: 8 }] }), host6)).toBe(0);
    expect(runBpf(prog, ipv6({ next: 58 }), host6)).toBe(0);
  });

  it('drops non-IP ethertypes and truncated headers (a load past the end drops)', () => {
    expect(runBpf(prog, ipv4({ dstPort: 30041 }), { protocol: 0x0806, pktType: 0 })).toBe(0);
    expect(runBpf(prog, ipv4({ dstPort: 30041 }).subarray(0, 22), host4)).toBe(0);
    expect(runBpf(prog, ipv6({ dstPort: 30041 }).subarray(0, 42), host6)).toBe(0);
  });

  it('without ports accepts every IPv4/IPv6 UDP packet but nothing else', () => {
    const all = filter([]);
    expect(runBpf(all, ipv4({ dstPort: 7 }), host4)).toBe(SNAP);
    expect(runBpf(all, ipv6({ dstPort: 7 }), host6)).toBe(SNAP);
    expect(runBpf(all, ipv4({ proto: 6 }), host4)).toBe(0);
    expect(runBpf(all, ipv4({ fragOffset: 3 }), host4)).toBe(0);
  });

  it("portMatch: 'src' or 'dst' checks only that port", () => {
    const ranges = normalizePorts([30041]);
    const dstOnly = buildUdpFilter({ ports: ranges, portMatch: 'dst', snapLength: SNAP });
    const srcOnly = buildUdpFilter({ ports: ranges, portMatch: 'src', snapLength: SNAP });
    for (const [mk, ctx] of [[ipv4, host4], [ipv6, host6]] as const) {
      expect(runBpf(dstOnly, mk({ srcPort: 1, dstPort: 30041 }), ctx)).toBe(SNAP);
      expect(runBpf(dstOnly, mk({ srcPort: 30041, dstPort: 1 }), ctx)).toBe(0);
      expect(runBpf(srcOnly, mk({ srcPort: 30041, dstPort: 1 }), ctx)).toBe(SNAP);
      expect(runBpf(srcOnly, mk({ srcPort: 1, dstPort: 30041 }), ctx)).toBe(0);
    }
  });

  it('direction: in drops PACKET_OUTGOING, out keeps only it', () => {
    const pkt = ipv4({ dstPort: 30041 });
    const out = { protocol: ETH_P_IP, pktType: PACKET_OUTGOING };
    expect(runBpf(filter([30041], 'in'), pkt, host4)).toBe(SNAP);
    expect(runBpf(filter([30041], 'in'), pkt, out)).toBe(0);
    expect(runBpf(filter([30041], 'out'), pkt, host4)).toBe(0);
    expect(runBpf(filter([30041], 'out'), pkt, out)).toBe(SNAP);
    for (const t of [1, 2, 3]) expect(runBpf(filter([30041], 'in'), pkt, { protocol: ETH_P_IP, pktType: t })).toBe(SNAP);
  });

  it('agrees with a plain port check on random packets and port sets', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let round = 0; round < 40; round++) {
      const specs: string[] = [];
      for (let i = 0; i < 1 + rnd(6); i++) {
        const a = rnd(65536);
        specs.push(rnd(2) ? `${a}` : `${a}-${Math.min(65535, a + rnd(2000))}`);
      }
      const ranges = normalizePorts(specs);
      const prog2 = buildUdpFilter({ ports: ranges, snapLength: 1500 });
      const hit = (p: number) => ranges.some((r) => p >= r.from && p <= r.to);
      for (let i = 0; i < 50; i++) {
        const near = ranges[rnd(ranges.length)]!;
        const sp = rnd(2) ? rnd(65536) : Math.max(0, Math.min(65535, near.from - 1 + rnd(3)));
        const dp = rnd(2) ? rnd(65536) : Math.max(0, Math.min(65535, near.to - 1 + rnd(3)));
        const want = hit(sp) || hit(dp) ? 1500 : 0;
        expect(runBpf(prog2, ipv4({ srcPort: sp, dstPort: dp }), host4)).toBe(want);
        expect(runBpf(prog2, ipv6({ srcPort: sp, dstPort: dp }), host6)).toBe(want);
      }
    }
  });

  it('many ranges: every jump stays in reach and the program stays under BPF_MAXINSNS', () => {
    const specs = Array.from({ length: MAX_FILTER_RANGES }, (_, i) => `${i * 200}-${i * 200 + 50}`);
    const prog2 = filter(specs);
    expect(prog2.length).toBeLessThanOrEqual(4096);
    expect(runBpf(prog2, ipv4({ srcPort: 100, dstPort: 255 * 200 + 10 }), host4)).toBe(SNAP);
    expect(runBpf(prog2, ipv6({ srcPort: 255 * 200 + 51, dstPort: 100 }), host6)).toBe(0);
    expect(() => filter([...specs, '65000'])).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('assembler and program checks', () => {
  it('resolves forward labels and refuses out-of-reach, backward or dangling jumps', () => {
    const a = new BpfAssembler().ldAbs('b', 0).jeq(1, 'yes', 0).ret(0).label('yes').ret(100);
    const p = a.assemble();
    expect(p[1]).toEqual({ code: 0x15, jt: 1, jf: 0, k: 1 });
    expect(runBpf(p, new Uint8Array([1]), host4)).toBe(100);
    expect(runBpf(p, new Uint8Array([2]), host4)).toBe(0);
    const far = new BpfAssembler().jeq(1, 'end', 0);
    for (let i = 0; i < 300; i++) far.ret(0);
    far.label('end').ret(1);
    expect(() => far.assemble()).toThrow(/cBPF jumps forward by 0..255/);
    expect(() => new BpfAssembler().jeq(1, 'nowhere', 0).ret(0).assemble()).toThrow(/undefined label/);
    expect(() => new BpfAssembler().jeq(1, 5, 0).ret(0).assemble()).toThrow(/past the end/);
  });

  it('validates caller programs and encodes 4 words per instruction (negative k as uint32)', () => {
    expect(() => validateProgram([])).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => validateProgram([{ code: 6, jt: 0, jf: 0 }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => validateProgram('ret')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    const p = validateProgram([{ code: 0x20, jt: 0, jf: 0, k: -4096 }, { code: 6, jt: 0, jf: 0, k: 0 }]);
    expect(p[0]!.k).toBe(0xfffff000);
    expect(Array.from(encodeProgram(p))).toEqual([0x20, 0, 0, 0xfffff000, 6, 0, 0, 0]);
  });

  it('disassembles like tcpdump -d', () => {
    const text = disassemble(filter([30041])).join('\n');
    expect(text).toContain('(000) ld proto');
    expect(text).toContain('ldxb 4*([0]&0xf)');
    expect(text).toContain('ldh [x + 2]');
    expect(text).toContain('jeq #0x7559');
    expect(text).toContain('ret #65535');
  });
});
