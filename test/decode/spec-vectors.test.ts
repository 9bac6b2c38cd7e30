// Hand-assembled packets from the specifications (test/decode/spec-vectors.ts), decoded and every
// field compared with the value written into the bytes. The expectations below are the values in
// the hex comments, never the decoder's or the encoder's output.
import { describe, expect, it } from 'vitest';
import { decodeNtp, decodeScion, toJson, type NtpDecodeResult, type NtpPacket, type ScionDecodeResult, type ScionPacket } from '../../src/decode/index.js';
import {
  ADDRESS_COMBOS,
  BFD_KEYED_MD5,
  BFD_KEYED_SHA1,
  BFD_METICULOUS_KEYED_MD5,
  BFD_METICULOUS_KEYED_SHA1,
  BFD_SIMPLE_PASSWORD,
  DST_HOSTS,
  E2E_SPAO_SHA1,
  EPIC_PATH,
  HBH_E2E_SPAO,
  NTP_CONTROL_ERROR_RESPONSE,
  NTP_CONTROL_READVAR_REQUEST,
  NTP_CONTROL_READVAR_RESPONSE,
  NTP_PRIVATE_AUTHENTICATED,
  NTP_PRIVATE_MONLIST_REQUEST,
  NTP_PRIVATE_MONLIST_RESPONSE,
  ONEHOP_PATH,
  QUOTED_PACKET,
  SCION_PATH_3_SEGMENTS,
  SCION_UDP_NTP_CONTROL,
  SCION_VECTORS,
  SCMP_DESTINATION_UNREACHABLE,
  SCMP_ECHO_REPLY,
  SCMP_ECHO_REPLY_BEHIND_E2E,
  SCMP_ECHO_REQUEST,
  SCMP_EXTERNAL_INTERFACE_DOWN,
  SCMP_INTERNAL_CONNECTIVITY_DOWN,
  SCMP_PACKET_TOO_BIG,
  SCMP_PARAMETER_PROBLEM,
  SCMP_TRACEROUTE_REPLY,
  SCMP_TRACEROUTE_REQUEST,
  SPAO_CASES,
  SPAO_MAC16,
  SRC_HOSTS,
  addressComboPacket,
  hbhE2eSpaoPacket,
  wire,
} from './spec-vectors.js';

function ok(r: ScionDecodeResult): ScionPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

function ntpOk(r: NtpDecodeResult): NtpPacket {
  if (!r.ok) throw new Error(`NTP decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

const IA_110 = { isd: 1, as: 0xff0000000110, text: '1-ff00:0:110' };
const IA_111 = { isd: 1, as: 0xff0000000111, text: '1-ff00:0:111' };

/** A hop field as written: flags, ExpTime, interfaces, MAC, and the hand-computed expiry. */
function hop(i: boolean, e: boolean, expTime: number, consIngress: number, consEgress: number, mac: string, expiresAfterSeconds: number, expiresAt: number, expiresAtIso: string) {
  return { consIngressAlert: i, consEgressAlert: e, flagsReserved: 0, expTime, consIngress, consEgress, mac: wire(mac), expiresAfterSeconds, expiresAt, expiresAtIso };
}

function info(consDir: boolean, peering: boolean, segId: number, timestamp: number, timestampIso: string) {
  return { consDir, peering, flagsReserved: 0, reserved: 0, segId, timestamp, timestampIso };
}

describe('the hex helper', () => {
  it('reads hex with comments and separators, and rejects anything else', () => {
    expect(wire('01 | 0a // one ten\n ff')).toEqual(Uint8Array.from([1, 10, 255]));
    expect(() => wire('0g')).toThrow();
    expect(() => wire('012')).toThrow();
  });
});

describe('paths', () => {
  it('SCION path (type 1), three segments: PathMeta, every InfoField and HopField, IPv4 dst / IPv6 src', () => {
    const p = ok(decodeScion(SCION_PATH_3_SEGMENTS));
    expect(p.length).toBe(161);
    expect(p.common).toEqual({
      version: 0,
      trafficClass: 0x5c,
      flowId: 0x1e2f3,
      nextHdr: 17,
      nextHdrName: 'UDP',
      hdrLen: 37,
      hdrBytes: 148,
      payloadLen: 13,
      pathType: 1,
      pathTypeName: 'SCION',
      dstAddrType: 0,
      dstAddrLen: 0,
      srcAddrType: 0,
      srcAddrLen: 3,
      reserved: 0,
    });
    expect(p.address).toEqual({
      dstIA: IA_110,
      srcIA: { isd: 2, as: 0xff0000000220, text: '2-ff00:0:220' },
      dst: { type: 'ipv4', ip: '192.0.2.1' },
      src: { type: 'ipv6', ip: '2001:db8::1:2' },
    });
    expect(p.path).toEqual({
      type: 'scion',
      meta: { currInf: 1, currHf: 2, reserved: 0, segLen: [2, 1, 3] },
      infoFields: [
        info(false, false, 0x1a2b, 0x65000000, '2023-09-12T06:06:56.000Z'),
        info(true, true, 0x3c4d, 0x65000100, '2023-09-12T06:11:12.000Z'),
        info(true, false, 0x5e6f, 0x65000200, '2023-09-12T06:15:28.000Z'),
      ],
      // ExpTime e: expiry = InfoField timestamp of the hop's own segment + (1 + e) × 337.5 s
      hopFields: [
        hop(false, false, 63, 0, 11, '11 12 13 14 15 16', 21600, 1694520416, '2023-09-12T12:06:56.000Z'),
        hop(true, false, 255, 12, 0, '21 22 23 24 25 26', 86400, 1694585216, '2023-09-13T06:06:56.000Z'),
        hop(false, true, 1, 257, 514, '31 32 33 34 35 36', 675, 1694499747, '2023-09-12T06:22:27.000Z'),
        hop(true, true, 128, 3, 4, '41 42 43 44 45 46', 43537.5, 1694542865.5, '2023-09-12T18:21:05.500Z'),
        hop(false, false, 16, 65535, 5, '51 52 53 54 55 56', 5737.5, 1694505065.5, '2023-09-12T07:51:05.500Z'),
        hop(false, false, 63, 6, 0, '61 62 63 64 65 66', 21600, 1694520928, '2023-09-12T12:15:28.000Z'),
      ],
    });
    expect(p.l4).toMatchObject({
      type: 'udp',
      srcPort: 50000,
      dstPort: 31000,
      length: 13,
      checksum: 0x8ea6,
      checksumStatus: { valid: true, expected: 0x8ea6, received: 0x8ea6 },
      payload: new TextEncoder().encode('hello'),
    });
    expect(p.l4.type === 'udp' && p.l4.excess).toBeUndefined();
    expect(p.trailing).toBeUndefined();
    expect(p.warnings).toEqual([]);
  });

  it('OneHop path (type 2): one InfoField, two HopFields, no PathMeta; SVC destination', () => {
    const p = ok(decodeScion(ONEHOP_PATH));
    expect(p.common).toMatchObject({ trafficClass: 0, flowId: 1, nextHdr: 17, hdrLen: 17, hdrBytes: 68, payloadLen: 12, pathType: 2, pathTypeName: 'OneHop', dstAddrType: 1, dstAddrLen: 0, srcAddrType: 0, srcAddrLen: 0 });
    expect(p.address).toEqual({ dstIA: IA_110, srcIA: IA_111, dst: { type: 'svc', svc: 2, name: 'CS', multicast: false, pad: 0 }, src: { type: 'ipv4', ip: '10.0.0.1' } });
    expect(p.path).toEqual({
      type: 'onehop',
      info: info(true, false, 0xbeef, 1600000000, '2020-09-13T12:26:40.000Z'),
      firstHop: hop(false, false, 63, 0, 41, 'a1 a2 a3 a4 a5 a6', 21600, 1600021600, '2020-09-13T18:26:40.000Z'),
      secondHop: hop(false, false, 0, 0, 0, '00 00 00 00 00 00', 337.5, 1600000337.5, '2020-09-13T12:32:17.500Z'),
    });
    expect(p.l4).toMatchObject({ type: 'udp', srcPort: 30041, dstPort: 30252, length: 12, checksum: 0x6c8b, checksumStatus: { valid: true }, payload: wire('de ad be ef') });
    expect(p.warnings).toEqual([]);
  });

  it('EPIC-HP path (type 3): PktID, PHVF, LHVF, then the full SCION path; IPv6 dst in a BGP-range AS', () => {
    const p = ok(decodeScion(EPIC_PATH));
    expect(p.common).toMatchObject({ trafficClass: 0xb8, flowId: 0xfffff, hdrLen: 25, payloadLen: 16, pathType: 3, pathTypeName: 'EPIC', dstAddrLen: 3, srcAddrLen: 0 });
    expect(p.address).toEqual({
      dstIA: { isd: 64, as: 64512, text: '64-64512' },
      srcIA: IA_110,
      dst: { type: 'ipv6', ip: '2001:db8:a::b' },
      src: { type: 'ipv4', ip: '198.51.100.7' },
    });
    expect(p.path).toEqual({
      type: 'epic',
      pktId: { timestamp: 0x00112233, counter: 0x44556677 },
      phvf: wire('88 99 aa bb'),
      lhvf: wire('cc dd ee ff'),
      scion: {
        type: 'scion',
        meta: { currInf: 0, currHf: 1, reserved: 0, segLen: [2, 0, 0] },
        infoFields: [info(false, false, 0x0102, 0x65432100, '2023-11-02T04:09:36.000Z')],
        hopFields: [
          hop(false, true, 63, 0, 5, 'b1 b2 b3 b4 b5 b6', 21600, 1698919776, '2023-11-02T10:09:36.000Z'),
          hop(true, false, 63, 6, 0, 'c1 c2 c3 c4 c5 c6', 21600, 1698919776, '2023-11-02T10:09:36.000Z'),
        ],
      },
    });
    expect(p.l4).toMatchObject({ type: 'udp', srcPort: 40000, dstPort: 31000, length: 16, checksum: 0x8a09, checksumStatus: { valid: true }, payload: wire('00 01 02 03 04 05 06 07') });
    expect(p.warnings).toEqual([]);
  });
});

describe('address types: every DT/DL × ST/SL combination of IPv4, IPv6 and SVC', () => {
  for (const combo of ADDRESS_COMBOS) {
    const [dst, src, byte9, hdrLen, checksum] = combo;
    it(`${dst} -> ${src} (byte 9 = 0x${byte9}, HdrLen ${parseInt(hdrLen, 16)})`, () => {
      const p = ok(decodeScion(addressComboPacket(...combo)));
      const nibble = (k: string) => (k === 'ipv4' ? [0, 0] : k === 'ipv6' ? [0, 3] : [1, 0]);
      const [dt, dl] = nibble(dst);
      const [st, sl] = nibble(src);
      expect(p.common).toMatchObject({ hdrLen: parseInt(hdrLen, 16), pathType: 0, dstAddrType: dt, dstAddrLen: dl, srcAddrType: st, srcAddrLen: sl });
      expect(p.address).toEqual({ dstIA: IA_110, srcIA: IA_111, dst: DST_HOSTS[dst].decoded, src: SRC_HOSTS[src].decoded });
      expect(p.path).toEqual({ type: 'empty' });
      const ck = parseInt(checksum.replace(' ', ''), 16);
      expect(p.l4).toMatchObject({ type: 'udp', srcPort: 0x1234, dstPort: 0x5678, length: 9, checksum: ck, checksumStatus: { valid: true, expected: ck, received: ck }, payload: wire('2a') });
      expect(p.warnings).toEqual([]);
    });
  }
});

describe('extension headers', () => {
  it('Hop-by-Hop Pad1, PadN and an experimental option; End-to-End SPAO; then UDP', () => {
    const p = ok(decodeScion(HBH_E2E_SPAO));
    expect(p.common).toMatchObject({ nextHdr: 200, nextHdrName: 'HopByHop', payloadLen: 54 });
    expect(p.hopByHop).toEqual({
      kind: 'hop-by-hop',
      nextHdr: 201,
      nextHdrName: 'EndToEnd',
      extLen: 2,
      length: 12,
      options: [
        { kind: 'pad1', optType: 0 },
        { kind: 'padN', optType: 1, dataLen: 3, data: wire('00 00 00') },
        { kind: 'raw', optType: 253, dataLen: 2, data: wire('ab cd') },
      ],
    });
    expect(p.endToEnd).toMatchObject({ kind: 'end-to-end', nextHdr: 17, nextHdrName: 'UDP', extLen: 7, length: 32 });
    expect(p.endToEnd!.options).toHaveLength(1);
    expect(p.l4).toMatchObject({ type: 'udp', srcPort: 1234, dstPort: 5678, length: 10, checksum: 0x8167, checksumStatus: { valid: true }, payload: wire('4f 4b') });
    expect(p.warnings).toEqual([]);
  });

  for (const c of SPAO_CASES) {
    it(`SPAO: ${c.name}`, () => {
      const p = ok(decodeScion(hbhE2eSpaoPacket(c.hex)));
      const expected: Record<string, unknown> = {
        kind: 'spao',
        optType: 2,
        dataLen: 28,
        spi: c.spi,
        algorithm: c.algorithm,
        algorithmName: c.algorithmName,
        reserved: c.reserved,
        timestampSeq: c.timestampSeq,
        authenticator: SPAO_MAC16,
      };
      if (c.drkey) expected.drkey = c.drkey;
      expect(p.endToEnd!.options).toEqual([expected]);
    });
  }

  it('SPAO with SHA1-AES-CBC: 36-byte authenticator (hash + MAC); E2E directly after the SCION header', () => {
    const p = ok(decodeScion(E2E_SPAO_SHA1));
    expect(p.common).toMatchObject({ nextHdr: 201, payloadLen: 62 });
    expect(p.hopByHop).toBeUndefined();
    expect(p.endToEnd).toEqual({
      kind: 'end-to-end',
      nextHdr: 17,
      nextHdrName: 'UDP',
      extLen: 12,
      length: 52,
      options: [
        {
          kind: 'spao',
          optType: 2,
          dataLen: 48,
          spi: 0x00020005,
          drkey: { keyType: 'host-host', direction: 'sender-side', reserved: 0, protocolId: 5 },
          algorithm: 1,
          algorithmName: 'SHA1-AES-CBC',
          reserved: 0,
          timestampSeq: 42n,
          authenticator: wire('a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf'),
        },
      ],
    });
    expect(p.l4).toMatchObject({ type: 'udp', checksum: 0x8167, checksumStatus: { valid: true } });
  });
});

describe('BFD/SCION (NextHdr 203) with each RFC 5880 authentication type', () => {
  const common = { type: 'bfd', protocol: 203, version: 1, extra: undefined };

  function bfd(x: Uint8Array) {
    const p = ok(decodeScion(x));
    expect(p.common).toMatchObject({ nextHdr: 203, nextHdrName: 'BFD', hdrLen: 9, pathType: 0 });
    expect(p.address).toEqual({ dstIA: IA_110, srcIA: IA_110, dst: { type: 'ipv4', ip: '127.0.0.9' }, src: { type: 'ipv4', ip: '127.0.0.10' } });
    expect(p.warnings).toEqual([]);
    return p.l4;
  }

  it('simple password (§4.2)', () => {
    expect(bfd(BFD_SIMPLE_PASSWORD)).toEqual({
      ...common,
      diagnostic: 1,
      diagnosticName: 'ControlDetectionTimeExpired',
      state: 3,
      stateName: 'Up',
      poll: true,
      final: false,
      controlPlaneIndependent: false,
      authPresent: true,
      demand: false,
      multipoint: false,
      detectMultiplier: 3,
      length: 35,
      myDiscriminator: 1,
      yourDiscriminator: 2,
      desiredMinTxInterval: 1_000_000,
      requiredMinRxInterval: 500_000,
      requiredMinEchoRxInterval: 0,
      auth: { authType: 1, authTypeName: 'SimplePassword', authLen: 11, keyId: 5, password: 's3cr3t!!', data: wire('05 73 33 63 72 33 74 21 21') },
    });
  });

  it('keyed MD5 (§4.3)', () => {
    expect(bfd(BFD_KEYED_MD5)).toEqual({
      ...common,
      diagnostic: 2,
      diagnosticName: 'EchoFunctionFailed',
      state: 2,
      stateName: 'Init',
      poll: false,
      final: true,
      controlPlaneIndependent: false,
      authPresent: true,
      demand: false,
      multipoint: false,
      detectMultiplier: 5,
      length: 48,
      myDiscriminator: 0x12345678,
      yourDiscriminator: 0x9abcdef0,
      desiredMinTxInterval: 200_000,
      requiredMinRxInterval: 200_000,
      requiredMinEchoRxInterval: 50_000,
      auth: {
        authType: 2,
        authTypeName: 'KeyedMD5',
        authLen: 24,
        keyId: 1,
        sequence: 16,
        digest: wire('00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff'),
        data: wire('01 00 00 00 00 10 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff'),
      },
    });
  });

  it('meticulous keyed MD5 (§4.3)', () => {
    expect(bfd(BFD_METICULOUS_KEYED_MD5)).toEqual({
      ...common,
      diagnostic: 3,
      diagnosticName: 'NeighborSignaledSessionDown',
      state: 1,
      stateName: 'Down',
      poll: false,
      final: false,
      controlPlaneIndependent: true,
      authPresent: true,
      demand: false,
      multipoint: false,
      detectMultiplier: 2,
      length: 48,
      myDiscriminator: 3,
      yourDiscriminator: 0,
      desiredMinTxInterval: 1_000_000,
      requiredMinRxInterval: 1_000_000,
      requiredMinEchoRxInterval: 0,
      auth: {
        authType: 3,
        authTypeName: 'MeticulousKeyedMD5',
        authLen: 24,
        keyId: 2,
        sequence: 0xfffffffe,
        digest: wire('f0 e1 d2 c3 b4 a5 96 87 78 69 5a 4b 3c 2d 1e 0f'),
        data: wire('02 00 ff ff ff fe f0 e1 d2 c3 b4 a5 96 87 78 69 5a 4b 3c 2d 1e 0f'),
      },
    });
  });

  it('keyed SHA1 (§4.4)', () => {
    const hash = 'a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3';
    expect(bfd(BFD_KEYED_SHA1)).toEqual({
      ...common,
      diagnostic: 7,
      diagnosticName: 'AdministrativelyDown',
      state: 0,
      stateName: 'AdminDown',
      poll: false,
      final: false,
      controlPlaneIndependent: false,
      authPresent: true,
      demand: true,
      multipoint: false,
      detectMultiplier: 255,
      length: 52,
      myDiscriminator: 0xffffffff,
      yourDiscriminator: 1,
      desiredMinTxInterval: 1,
      requiredMinRxInterval: 2,
      requiredMinEchoRxInterval: 3,
      auth: { authType: 4, authTypeName: 'KeyedSHA1', authLen: 28, keyId: 3, sequence: 0x12345678, digest: wire(hash), data: wire(`03 00 12 34 56 78 ${hash}`) },
    });
  });

  it('meticulous keyed SHA1 (§4.4)', () => {
    const hash = 'c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3';
    expect(bfd(BFD_METICULOUS_KEYED_SHA1)).toEqual({
      ...common,
      diagnostic: 8,
      diagnosticName: 'ReverseConcatenatedPathDown',
      state: 3,
      stateName: 'Up',
      poll: false,
      final: false,
      controlPlaneIndependent: false,
      authPresent: true,
      demand: false,
      multipoint: true,
      detectMultiplier: 3,
      length: 52,
      myDiscriminator: 0x5fa1e9cb,
      yourDiscriminator: 0x7cd1c05d,
      desiredMinTxInterval: 200_000,
      requiredMinRxInterval: 200_000,
      requiredMinEchoRxInterval: 0,
      auth: { authType: 5, authTypeName: 'MeticulousKeyedSHA1', authLen: 28, keyId: 255, sequence: 1, digest: wire(hash), data: wire(`ff 00 00 00 00 01 ${hash}`) },
    });
  });
});

describe('SCMP: every type, every field', () => {
  const quotedUdp = { type: 'udp', srcPort: 0x1234, dstPort: 0x5678, length: 9, checksum: 0x51fd, checksumStatus: { valid: true } };

  function scmp(x: Uint8Array, payloadLen: number) {
    const p = ok(decodeScion(x));
    expect(p.common).toMatchObject({ nextHdr: 202, nextHdrName: 'SCMP', hdrLen: 9, payloadLen });
    expect(p.address).toEqual({ dstIA: IA_111, srcIA: IA_110, dst: { type: 'ipv4', ip: '10.4.5.6' }, src: { type: 'ipv4', ip: '10.0.0.254' } });
    expect(p.warnings).toEqual([]);
    if (p.l4.type !== 'scmp') throw new Error(`expected SCMP, got ${p.l4.type}`);
    return p.l4;
  }

  /** The quote is the IPv4/IPv4 UDP packet, byte for byte, and decodes as such. */
  function expectQuote(q: { data: Uint8Array; decoded?: ScionDecodeResult }) {
    expect(q.data).toEqual(QUOTED_PACKET);
    expect(q.decoded).toMatchObject({ ok: true, address: { dstIA: IA_110, srcIA: IA_111, dst: { ip: '10.1.2.3' }, src: { ip: '10.4.5.6' } }, l4: quotedUdp });
  }

  it('type 1 Destination Unreachable, code 4: unused word, quote', () => {
    const m = scmp(SCMP_DESTINATION_UNREACHABLE, 53);
    expect(m).toMatchObject({ scmpType: 1, code: 4, typeName: 'DestinationUnreachable', codeName: 'PortUnreachable', informational: false, checksum: 0xd2d0, checksumStatus: { valid: true, expected: 0xd2d0, received: 0xd2d0 } });
    expect(m.body).toMatchObject({ kind: 'destination-unreachable', unused: 0 });
    if (m.body.kind === 'destination-unreachable') expectQuote(m.body.quote);
  });

  it('type 2 Packet Too Big: reserved, MTU, quote', () => {
    const m = scmp(SCMP_PACKET_TOO_BIG, 53);
    expect(m).toMatchObject({ scmpType: 2, code: 0, typeName: 'PacketTooBig', codeName: 'None', informational: false, checksum: 0xccd4, checksumStatus: { valid: true } });
    expect(m.body).toMatchObject({ kind: 'packet-too-big', reserved: 0, mtu: 1280 });
    if (m.body.kind === 'packet-too-big') expectQuote(m.body.quote);
  });

  it('type 4 Parameter Problem, code 33: reserved, pointer, quote', () => {
    const m = scmp(SCMP_PARAMETER_PROBLEM, 53);
    expect(m).toMatchObject({ scmpType: 4, code: 33, typeName: 'ParameterProblem', codeName: 'InvalidSourceAddress', checksum: 0xcf93, checksumStatus: { valid: true } });
    expect(m.body).toMatchObject({ kind: 'parameter-problem', reserved: 0, pointer: 32 });
    if (m.body.kind === 'parameter-problem') {
      expectQuote(m.body.quote);
      // The pointer names the quoted packet's SrcHostAddr: 10.4.5.6.
      expect(Array.from(m.body.quote.data.subarray(32, 36))).toEqual([10, 4, 5, 6]);
    }
  });

  it('type 5 External Interface Down: ISD-AS, 64-bit interface ID, quote', () => {
    const m = scmp(SCMP_EXTERNAL_INTERFACE_DOWN, 65);
    expect(m).toMatchObject({ scmpType: 5, code: 0, typeName: 'ExternalInterfaceDown', codeName: 'None', checksum: 0xbe92, checksumStatus: { valid: true } });
    expect(m.body).toMatchObject({ kind: 'external-interface-down', ia: { isd: 1, as: 0xff0000000120, text: '1-ff00:0:120' }, interfaceId: 0x0102030405060708n });
    if (m.body.kind === 'external-interface-down') expectQuote(m.body.quote);
  });

  it('type 6 Internal Connectivity Down: ISD-AS, ingress and egress interface IDs, quote', () => {
    const m = scmp(SCMP_INTERNAL_CONNECTIVITY_DOWN, 73);
    expect(m).toMatchObject({ scmpType: 6, code: 0, typeName: 'InternalConnectivityDown', checksum: 0x6ac2, checksumStatus: { valid: true } });
    expect(m.body).toMatchObject({
      kind: 'internal-connectivity-down',
      ia: { isd: 2, as: 0xff0000000220, text: '2-ff00:0:220' },
      ingressInterfaceId: 1n,
      egressInterfaceId: 0xfedcba9876543210n,
    });
    if (m.body.kind === 'internal-connectivity-down') expectQuote(m.body.quote);
  });

  it('types 128/129 Echo Request/Reply: identifier, sequence, data', () => {
    const req = scmp(SCMP_ECHO_REQUEST, 12);
    expect(req).toEqual({
      type: 'scmp', protocol: 202, scmpType: 128, code: 0, typeName: 'EchoRequest', codeName: 'None', informational: true,
      checksum: 0xda5c, checksumStatus: { valid: true, expected: 0xda5c, received: 0xda5c },
      body: { kind: 'echo', identifier: 0xabcd, sequence: 1, data: wire('70 69 6e 67') },
    });
    const rep = scmp(SCMP_ECHO_REPLY, 12);
    expect(rep).toEqual({
      type: 'scmp', protocol: 202, scmpType: 129, code: 0, typeName: 'EchoReply', codeName: 'None', informational: true,
      checksum: 0xd95c, checksumStatus: { valid: true, expected: 0xd95c, received: 0xd95c },
      body: { kind: 'echo', identifier: 0xabcd, sequence: 1, data: wire('70 69 6e 67') },
    });
  });

  it('types 130/131 Traceroute Request/Reply: identifier, sequence, ISD-AS, interface ID', () => {
    expect(scmp(SCMP_TRACEROUTE_REQUEST, 24)).toEqual({
      type: 'scmp', protocol: 202, scmpType: 130, code: 0, typeName: 'TracerouteRequest', codeName: 'None', informational: true,
      checksum: 0x4f97, checksumStatus: { valid: true, expected: 0x4f97, received: 0x4f97 },
      body: { kind: 'traceroute', identifier: 0x1357, sequence: 2, ia: { isd: 0, as: 0, text: '0-0' }, interfaceId: 0n },
    });
    expect(scmp(SCMP_TRACEROUTE_REPLY, 24)).toEqual({
      type: 'scmp', protocol: 202, scmpType: 131, code: 0, typeName: 'TracerouteReply', codeName: 'None', informational: true,
      checksum: 0x4e5e, checksumStatus: { valid: true, expected: 0x4e5e, received: 0x4e5e },
      body: { kind: 'traceroute', identifier: 0x1357, sequence: 2, ia: { isd: 1, as: 0xff0000000130, text: '1-ff00:0:130' }, interfaceId: 7n },
    });
  });

  it('SCMP behind an End-to-End header (PadN only)', () => {
    const p = ok(decodeScion(SCMP_ECHO_REPLY_BEHIND_E2E));
    expect(p.endToEnd).toEqual({ kind: 'end-to-end', nextHdr: 202, nextHdrName: 'SCMP', extLen: 0, length: 4, options: [{ kind: 'padN', optType: 1, dataLen: 0, data: new Uint8Array(0) }] });
    expect(p.l4).toMatchObject({ scmpType: 129, checksum: 0xd95c, checksumStatus: { valid: true }, body: { identifier: 0xabcd, sequence: 1 } });
  });
});

describe('NTP mode 6 (control, RFC 9327) and mode 7 (private, ntpdc)', () => {
  it('mode 6 read-variables request', () => {
    expect(ntpOk(decodeNtp(NTP_CONTROL_READVAR_REQUEST))).toEqual({
      ok: true, layer: 'ntp', kind: 'control', leap: 0, version: 2, mode: 6, modeName: 'Control',
      response: false, error: false, more: false, opcode: 2, opcodeName: 'ReadVariables',
      sequence: 1, status: 0, associationId: 0, offset: 0, count: 0, data: new Uint8Array(0), warnings: [],
    });
  });

  it('mode 6 response: R and M bits, status word, Count bytes of data, padding kept apart', () => {
    expect(ntpOk(decodeNtp(NTP_CONTROL_READVAR_RESPONSE))).toEqual({
      ok: true, layer: 'ntp', kind: 'control', leap: 0, version: 2, mode: 6, modeName: 'Control',
      response: true, error: false, more: true, opcode: 2, opcodeName: 'ReadVariables',
      sequence: 1, status: 0x0615, associationId: 0, offset: 0, count: 14,
      data: new TextEncoder().encode('leap=0, sync=1'), extra: wire('00 00'), warnings: [],
    });
  });

  it('mode 6 error response: E bit, error code in the status word, association ID', () => {
    expect(ntpOk(decodeNtp(NTP_CONTROL_ERROR_RESPONSE))).toMatchObject({
      kind: 'control', version: 4, response: true, error: true, more: false, opcode: 1, opcodeName: 'ReadStatus',
      sequence: 0x1234, status: 0x0400, associationId: 0xabcd, offset: 0, count: 0,
    });
  });

  it('mode 7 monlist request and response: R, M, VN, A, sequence, implementation, request code', () => {
    expect(ntpOk(decodeNtp(NTP_PRIVATE_MONLIST_REQUEST))).toEqual({
      ok: true, layer: 'ntp', kind: 'private', response: false, more: false, version: 2, mode: 7, modeName: 'Private',
      authenticated: false, sequence: 0, implementation: 3, requestCode: 42, data: wire('00 00 00 00'), warnings: [],
    });
    expect(ntpOk(decodeNtp(NTP_PRIVATE_MONLIST_RESPONSE))).toEqual({
      ok: true, layer: 'ntp', kind: 'private', response: true, more: true, version: 2, mode: 7, modeName: 'Private',
      authenticated: false, sequence: 5, implementation: 3, requestCode: 42, data: wire('00 01 00 48 c0 00 02 01'), warnings: [],
    });
  });

  it('mode 7 authenticated request, version 1', () => {
    expect(ntpOk(decodeNtp(NTP_PRIVATE_AUTHENTICATED))).toMatchObject({
      kind: 'private', response: false, more: false, version: 1, authenticated: true, sequence: 126, implementation: 2, requestCode: 4, data: new Uint8Array(0),
    });
  });

  it('a mode 6 message in SCION/UDP to port 123 is decoded as NTP control', () => {
    const p = ok(decodeScion(SCION_UDP_NTP_CONTROL));
    expect(p.l4).toMatchObject({ type: 'udp', srcPort: 31000, dstPort: 123, length: 20, checksum: 0x5c08, checksumStatus: { valid: true }, payload: NTP_CONTROL_READVAR_REQUEST });
    if (p.l4.type !== 'udp') return;
    expect(p.l4.application.layer).toBe('NTP');
    expect(p.l4.application.ntp).toMatchObject({ ok: true, kind: 'control', opcodeName: 'ReadVariables', sequence: 1 });
  });
});

describe('every byte of every vector is read', () => {
  // Flipping any single byte must change what the decoder reports (a field, a checksum status or an
  // error): a byte that could be flipped unnoticed would be a field the decoder skips.
  for (const [name, x] of SCION_VECTORS) {
    it(name, () => {
      const original = toJson(decodeScion(x));
      const unnoticed: number[] = [];
      for (let i = 0; i < x.length; i++) {
        const y = x.slice();
        y[i]! ^= 0xff;
        if (toJson(decodeScion(y)) === original) unnoticed.push(i);
      }
      expect(unnoticed).toEqual([]);
    });
  }
});
