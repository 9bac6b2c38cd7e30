import { describe, it, expect } from 'vitest';
import { bytesEqual } from '../../src/decode/bytes.js';
import {
  buildScionUdp,
  decodeScion,
  encodeScion,
  scmpCodeName,
  scmpTypeName,
  type ScionDecodeResult,
  type ScionL4,
  type ScionPacket,
  type ScionPacketInput,
  type ScmpBodyInput,
  type ScmpMessage,
} from '../../src/decode/index.js';
import { SAMPLE_INPUTS, SAMPLE_PACKETS, seq } from './samples.js';

function ok(r: ScionDecodeResult): ScionPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

const addr = { dstIA: '1-ff00:0:110', srcIA: '1-ff00:0:111', dst: '10.1.1.1', src: 'fd00::2' };

function roundTrip(input: ScionPacketInput): ScionPacket {
  const wire = encodeScion(input);
  const p = ok(decodeScion(wire));
  expect(bytesEqual(encodeScion(p), wire)).toBe(true);
  expect(bytesEqual(encodeScion(p, { recompute: true }), wire)).toBe(true);
  return p;
}

/** For inputs with deliberately inconsistent fields: exact round trip, no recompute. */
function asGiven(input: ScionPacketInput): ScionPacket {
  const wire = encodeScion(input);
  const p = ok(decodeScion(wire));
  expect(bytesEqual(encodeScion(p), wire)).toBe(true);
  return p;
}

function scmp(p: ScionPacket): ScmpMessage {
  if (p.l4.type !== 'scmp') throw new Error('not SCMP');
  return p.l4;
}

describe('UDP/SCION', () => {
  it('verifies the checksum over the pseudo header and reports the expected value when wrong', () => {
    const wire = buildScionUdp({ srcIA: '1-ff00:0:111', dstIA: '1-ff00:0:110', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 31000, dstPort: 31001, payload: seq(11) });
    // 0xdb55, summed by hand (and confirmed by test/fixtures/spec/scion_checksum.py in
    // checksum-independent.test.ts): pseudo header 0x10011 + 0x10012 (IAs) + 0x1403 (hosts)
    // + 0x13 (length 19) + 0x11 (UDP) = 0x2144a; UDP 7918+7919+0013 = 0xf244; payload
    // 0001+0203+0405+0607+0809+0a00 = 0x1e19; total 0x324a7 -> fold 0x24aa -> complement 0xdb55.
    const expected = 0xdb55;
    const good = ok(decodeScion(wire));
    expect(good.l4.type === 'udp' && good.l4.checksumStatus).toEqual({ valid: true, expected, received: expected });
    const bad = wire.slice();
    bad[36 + 6] ^= 0x55;
    const r = ok(decodeScion(bad));
    expect(r.l4.type === 'udp' && r.l4.checksumStatus).toEqual({ valid: false, expected, received: expected ^ 0x5500 });
    // The checksum covers the addresses: changing one breaks it.
    const moved = wire.slice();
    moved[31] ^= 1;
    const m = ok(decodeScion(moved));
    expect(m.l4.type === 'udp' && m.l4.checksumStatus?.valid).toBe(false);
  });

  it('jumbogram Length 0 uses the rest of the payload', () => {
    const p = roundTrip(SAMPLE_INPUTS['udp jumbogram length 0']!);
    expect(p.l4).toMatchObject({ type: 'udp', length: 0, payload: seq(10), checksumStatus: { valid: true } });
  });

  it('Length 1..7 is an error; Length beyond PayloadLen is a length error; a short Length leaves excess bytes', () => {
    const small = decodeScion(encodeScion({ address: addr, l4: { type: 'udp', srcPort: 1, dstPort: 2, length: 5, payload: seq(4) } }));
    expect(small.ok || small.error).toMatchObject({ code: 'BAD_UDP_LENGTH', offset: 52 });
    const long = decodeScion(encodeScion({ address: addr, l4: { type: 'udp', srcPort: 1, dstPort: 2, length: 40, payload: seq(4) } }));
    expect(long.ok || long.error.code).toBe('BAD_LENGTH');
    if (!long.ok) expect(long.l4).toMatchObject({ type: 'udp', srcPort: 1, dstPort: 2 });
    const excess = roundTrip({ address: addr, l4: { type: 'udp', srcPort: 1, dstPort: 2, payload: seq(4), excess: seq(3, 0xe0) } });
    expect(excess.l4).toMatchObject({ type: 'udp', length: 12, payload: seq(4), excess: seq(3, 0xe0), checksumStatus: { valid: true } });
    expect(excess.warnings.map((w) => w.code)).toEqual(['UDP_LENGTH_SHORT']);
  });

  it('names the application by the inner ports and decodes NTP inside SCION/UDP', () => {
    const p = ok(decodeScion(SAMPLE_PACKETS.find(([n]) => n === 'ntp request in scion/udp')![1]));
    expect(p.l4.type).toBe('udp');
    if (p.l4.type !== 'udp') return;
    expect(p.l4.application.layer).toBe('NTP');
    expect(p.l4.application.ntp).toMatchObject({ ok: true, kind: 'header', modeName: 'Client', version: 4 });
    const dns = ok(decodeScion(encodeScion({ address: addr, l4: { type: 'udp', srcPort: 40000, dstPort: 53, payload: seq(12) } })));
    expect(dns.l4.type === 'udp' && dns.l4.application).toEqual({ layer: 'DNS', reason: 'dst port 53' });
  });
});

describe('SCMP', () => {
  const quoted = buildScionUdp({ srcIA: '1-ff00:0:110', dstIA: '2-ff00:0:220', src: '10.1.1.1', dst: '10.9.9.9', srcPort: 31002, dstPort: 443, payload: seq(40) });

  const bodies: Array<[number, ScmpBodyInput, Record<string, unknown>]> = [
    [1, { kind: 'destination-unreachable', quote: quoted }, { kind: 'destination-unreachable', unused: 0 }],
    [2, { kind: 'packet-too-big', mtu: 1280, quote: quoted }, { kind: 'packet-too-big', reserved: 0, mtu: 1280 }],
    [4, { kind: 'parameter-problem', pointer: 0x1d, quote: quoted }, { kind: 'parameter-problem', pointer: 0x1d }],
    [5, { kind: 'external-interface-down', ia: '1-ff00:0:110', interfaceId: 0xfedcba9876543210n, quote: quoted }, { kind: 'external-interface-down', ia: { text: '1-ff00:0:110' }, interfaceId: 0xfedcba9876543210n }],
    [6, { kind: 'internal-connectivity-down', ia: '1-64512', ingressInterfaceId: 1n, egressInterfaceId: 2n, quote: quoted }, { kind: 'internal-connectivity-down', ingressInterfaceId: 1n, egressInterfaceId: 2n }],
    [128, { kind: 'echo', identifier: 1, sequence: 2, data: seq(8) }, { kind: 'echo', identifier: 1, sequence: 2, data: seq(8) }],
    [129, { kind: 'echo', identifier: 0xffff, sequence: 0 }, { kind: 'echo', identifier: 0xffff, sequence: 0, data: new Uint8Array(0) }],
    [130, { kind: 'traceroute', identifier: 9, sequence: 10 }, { kind: 'traceroute', identifier: 9, sequence: 10, interfaceId: 0n }],
    [131, { kind: 'traceroute', identifier: 9, sequence: 10, ia: '1-ff00:0:111', interfaceId: 42n }, { kind: 'traceroute', ia: { text: '1-ff00:0:111' }, interfaceId: 42n }],
  ];

  for (const [type, body, expected] of bodies) {
    it(`type ${type} (${scmpTypeName(type)}): body decoded, checksum valid, round trip`, () => {
      const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: type, body } }));
      expect(m).toMatchObject({ scmpType: type, code: 0, informational: type >= 128, checksumStatus: { valid: true } });
      expect(m.body).toMatchObject(expected);
      if ('quote' in m.body) {
        expect(m.body.quote.data).toEqual(quoted);
        expect(m.body.quote.decoded).toMatchObject({ ok: true, l4: { type: 'udp', srcPort: 31002, dstPort: 443 } });
      }
    });
  }

  it('names every defined type and code, and unknown ones by number', () => {
    const destinationUnreachable = ['NoRoute', 'AdminDeny', 'BeyondScopeOfSourceAddr', 'AddressUnreachable', 'PortUnreachable', 'SourceAddressFailedPolicy', 'RejectRouteToDest'];
    destinationUnreachable.forEach((n, c) => expect(scmpCodeName(1, c)).toBe(n));
    const parameterProblem: Record<number, string> = {
      0: 'ErroneousHeaderField', 1: 'UnknownNextHdrType', 16: 'InvalidCommonHeader', 17: 'UnknownSCIONVersion', 18: 'FlowIDRequired',
      19: 'InvalidPacketSize', 20: 'UnknownPathType', 21: 'UnknownAddressFormat', 32: 'InvalidAddressHeader', 33: 'InvalidSourceAddress',
      34: 'InvalidDestinationAddress', 35: 'NonLocalDelivery', 48: 'InvalidPath', 49: 'UnknownHopFieldIngressInterface',
      50: 'UnknownHopFieldEgressInterface', 51: 'InvalidHopFieldMAC', 52: 'PathExpired', 53: 'InvalidSegmentChange',
      64: 'InvalidExtensionHeader', 65: 'UnknownHopByHopOption', 66: 'UnknownEndToEndOption', 71: 'ReservationExpired',
    };
    for (const [c, n] of Object.entries(parameterProblem)) expect(scmpCodeName(4, Number(c))).toBe(n);
    for (const t of [2, 5, 6, 128, 129, 130, 131]) expect(scmpCodeName(t, 0)).toBe('None');
    expect(scmpCodeName(2, 1)).toBe('Unknown(1)');
    expect(scmpCodeName(4, 2)).toBe('Unknown(2)');
    expect(scmpTypeName(3)).toBe('Unknown(3)');
    for (const [t, n] of [[100, 'PrivateExperimentation100'], [101, 'PrivateExperimentation101'], [200, 'PrivateExperimentation200'], [201, 'PrivateExperimentation201'], [127, 'ReservedErrorExpansion'], [255, 'ReservedInfoExpansion']] as const) {
      expect(scmpTypeName(t)).toBe(n);
    }
  });

  it('decodes every Destination Unreachable and Parameter Problem code off the wire', () => {
    for (const code of [0, 1, 2, 3, 4, 5, 6]) {
      const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: 1, code, body: { kind: 'destination-unreachable', quote: quoted } } }));
      expect(m.codeName).toBe(scmpCodeName(1, code));
      expect(m.codeName).not.toMatch(/^Unknown\(/);
    }
    for (const code of [0, 1, 16, 17, 18, 19, 20, 21, 32, 33, 34, 35, 48, 49, 50, 51, 52, 53, 64, 65, 66]) {
      const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: 4, code, body: { kind: 'parameter-problem', pointer: 0, quote: quoted } } }));
      expect(m.codeName).toBe(scmpCodeName(4, code));
      expect(m.codeName).not.toMatch(/^Unknown\(/);
    }
  });

  it('keeps unknown and experimental types raw; informational flag follows the type', () => {
    for (const t of [3, 100, 127, 200, 255]) {
      const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: t, code: 7, body: { kind: 'raw', data: seq(6) } } }));
      expect(m).toMatchObject({ informational: t >= 128, body: { kind: 'raw', data: seq(6) }, codeName: 'Unknown(7)' });
    }
  });

  it('decodes a quote recursively: SCMP error quoting an SCMP error quoting UDP', () => {
    const inner = encodeScion({ address: addr, l4: { type: 'scmp', scmpType: 2, body: { kind: 'packet-too-big', mtu: 1400, quote: quoted } } });
    const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: 1, code: 4, body: { kind: 'destination-unreachable', quote: inner } } }));
    if (m.body.kind !== 'destination-unreachable') throw new Error('body');
    const level1 = m.body.quote.decoded!;
    expect(level1).toMatchObject({ ok: true, l4: { type: 'scmp', typeName: 'PacketTooBig', body: { mtu: 1400 } } });
    if (level1.ok && level1.l4.type === 'scmp' && level1.l4.body.kind === 'packet-too-big') {
      expect(level1.l4.body.quote.decoded).toMatchObject({ ok: true, l4: { type: 'udp', dstPort: 443 } });
    }
  });

  it('a quote cut short (as routers cut them at 1232 bytes) decodes as far as it goes', () => {
    const m = scmp(roundTrip({ address: addr, l4: { type: 'scmp', scmpType: 1, body: { kind: 'destination-unreachable', quote: quoted.subarray(0, 60) } } }));
    if (m.body.kind !== 'destination-unreachable') throw new Error('body');
    expect(m.body.quote.decoded).toMatchObject({ ok: false, error: { code: 'TRUNCATED' }, address: { dst: { ip: '10.9.9.9' } } });
  });

  it('stops decoding quotes nested deeper than four levels', () => {
    let pkt = quoted;
    for (let i = 0; i < 6; i++) pkt = encodeScion({ address: addr, l4: { type: 'scmp', scmpType: 1, body: { kind: 'destination-unreachable', quote: pkt } } });
    let level: ScionDecodeResult = ok(decodeScion(pkt));
    let decodedLevels = 0;
    for (;;) {
      const l4: ScionL4 | undefined = level.l4;
      if (l4?.type !== 'scmp' || l4.body.kind !== 'destination-unreachable') throw new Error('expected a quoting SCMP error');
      if (!l4.body.quote.decoded) break;
      level = l4.body.quote.decoded;
      decodedLevels++;
    }
    expect(decodedLevels).toBe(4);
    expect(level.warnings.map((w) => w.code)).toContain('QUOTE_NOT_DECODED');
  });

  it('short bodies are errors with the header kept; traceroute extra bytes are a warning', () => {
    const short = decodeScion(encodeScion({ address: addr, l4: { type: 'scmp', scmpType: 5, body: { kind: 'raw', data: seq(10) } } }));
    expect(short.ok || short.error).toMatchObject({ code: 'BAD_LENGTH' });
    if (!short.ok) expect(short.l4).toMatchObject({ type: 'scmp', typeName: 'ExternalInterfaceDown', body: { kind: 'raw' } });
    const extra = roundTrip({ address: addr, l4: { type: 'scmp', scmpType: 131, body: { kind: 'traceroute', identifier: 1, sequence: 1, extra: seq(2) } } });
    expect(extra.warnings.map((w) => w.code)).toEqual(['SCMP_EXTRA_BYTES']);
  });

  it('reports a wrong SCMP checksum with the expected value', () => {
    // The right value, summed by hand (and confirmed by test/fixtures/spec/scion_checksum.py in
    // checksum-independent.test.ts): DstIA 0x10011 + SrcIA 0x10012 + 0a01+0101 + fd00+0002
    // (fd00::2) + length 8 + protocol 0xca = 0x308f9; SCMP 8000+0000+0001+0001 = 0x8002;
    // total 0x388fb -> fold 0x88fe -> complement 0x7701.
    const right = 0x7701;
    const m = scmp(asGiven({ address: addr, l4: { type: 'scmp', scmpType: 128, checksum: 0x1234, body: { kind: 'echo', identifier: 1, sequence: 1 } } }));
    expect(m.checksumStatus).toEqual({ valid: false, expected: right, received: 0x1234 });
    const fixed = scmp(ok(decodeScion(encodeScion({ address: addr, l4: { ...m, checksum: right } }))));
    expect(fixed.checksumStatus).toEqual({ valid: true, expected: right, received: right });
  });
});

describe('BFD/SCION', () => {
  it('control packet fields, flags and keyed SHA1 authentication', () => {
    const p = roundTrip(SAMPLE_INPUTS['bfd with keyed sha1 auth']!);
    expect(p.common.nextHdr).toBe(203);
    expect(p.l4).toMatchObject({
      type: 'bfd',
      version: 1,
      diagnostic: 3,
      diagnosticName: 'NeighborSignaledSessionDown',
      state: 1,
      stateName: 'Down',
      poll: true,
      final: false,
      authPresent: true,
      length: 24 + 28,
      myDiscriminator: 0x11223344,
      auth: { authType: 4, authTypeName: 'KeyedSHA1', authLen: 28, keyId: 7, sequence: 5, digest: seq(20) },
    });
  });

  it('simple password auth, all flags, and bytes after the BFD length', () => {
    const p = roundTrip({
      address: addr,
      l4: {
        type: 'bfd', state: 0, myDiscriminator: 1, final: true, controlPlaneIndependent: true, demand: true, multipoint: true,
        auth: { authType: 1, data: Uint8Array.from([1, ...new TextEncoder().encode('secret')]) }, extra: seq(2),
      },
    });
    expect(p.l4).toMatchObject({ stateName: 'AdminDown', final: true, controlPlaneIndependent: true, demand: true, multipoint: true, auth: { keyId: 1, password: 'secret' }, extra: seq(2) });
  });

  it('a short control packet is an error; odd versions and length mismatches are warnings', () => {
    const short = decodeScion(encodeScion({ address: addr, l4: { type: 'raw', protocol: 203, data: seq(20) } }));
    expect(short.ok || short.error.code).toBe('BAD_LENGTH');
    const odd = asGiven({ address: addr, l4: { type: 'bfd', version: 2, length: 30, state: 3, myDiscriminator: 1, extra: seq(6) } });
    expect(odd.warnings.map((w) => w.code).sort()).toEqual(['BFD_LENGTH', 'BFD_VERSION']);
  });
});

describe('other L4', () => {
  it('TCP and unknown protocols are kept raw by number', () => {
    expect(roundTrip(SAMPLE_INPUTS['colibri path, tcp l4 raw']!).l4).toEqual({ type: 'raw', protocol: 6, protocolName: 'TCP', data: seq(20) });
    expect(roundTrip(SAMPLE_INPUTS['unknown path type 9']!).l4).toMatchObject({ type: 'raw', protocol: 254, protocolName: 'Experimental254' });
  });
});
