// SCION upper-layer checksums judged by values computed outside the decoder: a separate Python
// implementation (test/fixtures/spec/scion_checksum.py, pseudo header + RFC 1071), the known-valid
// checksum of the reference vector scion-udp.bin (0xb7d2), and sums worked out by hand below.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildScionUdp, decodeScion, encodeScion, type ScionDecodeResult, type ScionPacket } from '../../src/decode/index.js';
import { fixture, seq } from './samples.js';
import { ADDRESS_COMBOS, SCION_VECTORS, addressComboPacket, toHexString, wire } from './spec-vectors.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/spec/scion_checksum.py', import.meta.url));

function probePython(): string | null {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'python3' : null;
}
const PYTHON = probePython();
const PYTHON_MISSING = 'SKIPPED: python3 not found on PATH (the independent checksum implementation is a Python script)';
const PYTHON_REQUIRED = process.env.CI === 'true' || process.env.CI === '1';

interface PyChecksum {
  protocol: number;
  length: number;
  checksum: number;
  received: number;
  verifies: boolean;
}

/** Run the Python implementation over many packets in one process. */
function pyChecksums(packets: readonly Uint8Array[]): PyChecksum[] {
  const r = spawnSync(PYTHON!, [SCRIPT], { input: packets.map(toHexString).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scion_checksum.py failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PyChecksum);
}

function ok(r: ScionDecodeResult): ScionPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

function status(p: ScionPacket) {
  if (p.l4.type !== 'udp' && p.l4.type !== 'scmp') throw new Error(`no checksum on ${p.l4.type}`);
  return { checksum: p.l4.checksum, ...p.l4.checksumStatus! };
}

const WITH_CHECKSUM = SCION_VECTORS.filter(([, x]) => x[4] !== 203); // all but the BFD vectors

/**
 * UDP over IPv4/IPv4, empty path, payload 7b fb: the pseudo header and UDP header sum to 0x8404
 * (one's complement), the payload adds 0x7bfb, total 0xffff, so the checksum computes to 0x0000.
 * As in UDP over IP, 0xffff is its other representation; a receiver's sum is 0xffff either way.
 */
function zeroSumPacket(checksum: string): Uint8Array {
  return wire(`
    00 00 00 07 | 11 09 00 0a | 00 00 00 00   // FlowID 7 | UDP, HdrLen 9, PayloadLen 10 | empty path, IPv4/IPv4
    00 01 ff 00 00 00 01 10 | 00 01 ff 00 00 00 01 11 | 0a 01 02 03 | 0a 04 05 06
    12 34 | 56 78 | 00 0a | ${checksum}   // ports, Length 10, Checksum
    7b fb
  `);
}

it('python3 is available where CI requires it', () => {
  if (PYTHON_REQUIRED) expect(PYTHON, 'CI must have python3 for the independent checksum').not.toBeNull();
  else if (!PYTHON) console.warn(PYTHON_MISSING);
});

describe('checksums fixed by hand (no Python needed)', () => {
  it('reference vector scion-udp.bin: the decoder agrees with its known-valid checksum 0xb7d2', () => {
    expect(status(ok(decodeScion(fixture('scion-udp.bin'))))).toEqual({ checksum: 0xb7d2, valid: true, expected: 0xb7d2, received: 0xb7d2 });
  });

  it('IPv4 -> IPv4 UDP vector, summed by hand: 0x51fd', () => {
    // Pseudo header: DstIA 0001+ff00+0000+0110 = 0x10011, SrcIA 0001+ff00+0000+0111 = 0x10012,
    // hosts 0a01+0203+0a04+0506 = 0x1b0e, length 0x0009 + protocol 0x0011 = 0x001a  -> 0x21b4b.
    // UDP: 1234+5678+0009+(checksum 0)+2a00 (odd byte padded) = 0x92b5.    Total 0x2ae00.
    // Fold: 0xae00 + 0x2 = 0xae02; complement: 0x51fd.
    const x = addressComboPacket(...ADDRESS_COMBOS[0]!);
    expect(status(ok(decodeScion(x)))).toEqual({ checksum: 0x51fd, valid: true, expected: 0x51fd, received: 0x51fd });
  });

  it('SCMP echo request vector, summed by hand: 0xda5c (protocol 202, length = SCMP message)', () => {
    // DstIA 1-ff00:0:111 + SrcIA 1-ff00:0:110 = 0x20023; hosts 0a04+0506+0a00+00fe = 0x1a08;
    // length 0x000c + protocol 0x00ca = 0x00d6 -> 0x21b01. SCMP 8000+(0)+abcd+0001+7069+6e67 =
    // 0x20a9e. Total 0x4259f; fold 0x259f + 0x4 = 0x25a3; complement 0xda5c.
    const x = SCION_VECTORS.find(([n]) => n === 'SCMP 128 echo request')![1];
    expect(status(ok(decodeScion(x)))).toEqual({ checksum: 0xda5c, valid: true, expected: 0xda5c, received: 0xda5c });
  });

  it('a datagram summing to 0xffff: checksum 0x0000, and 0xffff on the wire is accepted too', () => {
    expect(status(ok(decodeScion(zeroSumPacket('00 00'))))).toEqual({ checksum: 0, valid: true, expected: 0, received: 0 });
    expect(status(ok(decodeScion(zeroSumPacket('ff ff'))))).toEqual({ checksum: 0xffff, valid: true, expected: 0, received: 0xffff });
    expect(status(ok(decodeScion(zeroSumPacket('ff fe'))))).toMatchObject({ valid: false, expected: 0 });
  });

  it('reference vector scion-scmp-dest-unreachable.bin (checksum field 0): the right value is 0xc458', () => {
    // 0xc458 from scion_checksum.py; cross-checked in the Python section below.
    expect(status(ok(decodeScion(fixture('scion-scmp-dest-unreachable.bin'))))).toEqual({ checksum: 0, valid: false, expected: 0xc458, received: 0 });
  });
});

describe.skipIf(!PYTHON)(`independent Python implementation${PYTHON ? '' : ` — ${PYTHON_MISSING}`}`, () => {
  it('is itself right: it finds the known-valid 0xb7d2 in scion-udp.bin and the hand sums above', () => {
    const [udp, scmp, combo, zero, zeroFfff] = pyChecksums([
      fixture('scion-udp.bin'),
      fixture('scion-scmp-dest-unreachable.bin'),
      addressComboPacket(...ADDRESS_COMBOS[0]!),
      zeroSumPacket('00 00'),
      zeroSumPacket('ff ff'),
    ]);
    expect(udp).toEqual({ protocol: 17, length: 1032, checksum: 0xb7d2, received: 0xb7d2, verifies: true });
    expect(scmp).toEqual({ protocol: 202, length: 26, checksum: 0xc458, received: 0, verifies: false });
    expect(combo).toMatchObject({ checksum: 0x51fd, verifies: true });
    expect(zero).toMatchObject({ checksum: 0, verifies: true });
    expect(zeroFfff).toMatchObject({ checksum: 0, verifies: true });
  });

  it('every hand-assembled UDP/SCMP vector carries the checksum Python computes, and the decoder agrees', () => {
    const py = pyChecksums(WITH_CHECKSUM.map(([, x]) => x));
    WITH_CHECKSUM.forEach(([name, x], i) => {
      const p = ok(decodeScion(x));
      const want = py[i]!;
      expect(want.verifies, name).toBe(true);
      expect(status(p), name).toEqual({ checksum: want.checksum, valid: true, expected: want.checksum, received: want.checksum });
      expect(p.l4.protocol, name).toBe(want.protocol);
    });
  });

  it("the decoder's expected value matches Python on corrupted packets (every byte of every vector flipped)", () => {
    const mutants: Uint8Array[] = [];
    for (const [, x] of WITH_CHECKSUM) {
      for (let i = 0; i < x.length; i++) {
        const y = x.slice();
        y[i]! ^= 0x5a;
        const r = decodeScion(y);
        // Only mutants the decoder still reads to a checksum: the rest are length/type errors.
        if (r.ok && (r.l4.type === 'udp' || r.l4.type === 'scmp') && r.l4.checksumStatus) mutants.push(y);
      }
    }
    expect(mutants.length).toBeGreaterThan(1000);
    const py = pyChecksums(mutants);
    const disagreements: string[] = [];
    mutants.forEach((y, i) => {
      const s = status(ok(decodeScion(y)));
      const want = py[i]!;
      if (s.expected !== want.checksum || s.valid !== want.verifies) disagreements.push(`${toHexString(y)}: decoder ${JSON.stringify(s)}, python ${JSON.stringify(want)}`);
    });
    expect(disagreements).toEqual([]);
  });

  it('packets from the project encoder get the checksum Python computes (encoder judged from outside)', () => {
    const addr = { dstIA: '1-ff00:0:110', srcIA: '1-ff00:0:111', dst: '10.1.1.1', src: 'fd00::2' };
    const packets = [
      buildScionUdp({ srcIA: '1-ff00:0:111', dstIA: '1-ff00:0:110', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 31000, dstPort: 31001, payload: seq(11) }),
      encodeScion({ address: addr, l4: { type: 'scmp', scmpType: 128, body: { kind: 'echo', identifier: 1, sequence: 1 } } }),
      encodeScion({ address: addr, endToEnd: { options: [{ kind: 'padN', dataLen: 6 }] }, l4: { type: 'scmp', scmpType: 131, body: { kind: 'traceroute', identifier: 7, sequence: 8, ia: '2-ff00:0:220', interfaceId: 9n } } }),
      encodeScion({ address: { ...addr, dst: 'CS' }, l4: { type: 'udp', srcPort: 1, dstPort: 2, payload: seq(1001) } }),
    ];
    const py = pyChecksums(packets);
    // The first two are the packets test/decode/scion-l4.test.ts builds; their checksums there,
    // 0xdb55 and 0x7701, were summed by hand and must be what Python finds.
    expect(py[0]).toMatchObject({ checksum: 0xdb55, verifies: true });
    expect(py[1]).toMatchObject({ checksum: 0x7701, verifies: true });
    packets.forEach((x, i) => {
      expect(py[i]!.verifies).toBe(true);
      expect(status(ok(decodeScion(x)))).toMatchObject({ checksum: py[i]!.checksum, valid: true });
    });
  });

  it('an SCMP checksum behind extensions uses the SCMP length and protocol 202, not the extension', () => {
    const x = SCION_VECTORS.find(([n]) => n === 'SCMP 129 behind E2E')![1];
    const [behind, plain] = pyChecksums([x, SCION_VECTORS.find(([n]) => n === 'SCMP 129 echo reply')![1]]);
    expect(behind).toEqual({ protocol: 202, length: 12, checksum: 0xd95c, received: 0xd95c, verifies: true });
    expect(plain!.checksum).toBe(behind!.checksum);
    expect(status(ok(decodeScion(x)))).toEqual({ checksum: 0xd95c, valid: true, expected: 0xd95c, received: 0xd95c });
  });
});
