import { describe, it, expect } from 'vitest';
import { bytesEqual } from '../../src/decode/bytes.js';
import {
  decodeScion,
  encodeScion,
  formatAS,
  parseIA,
  scionPathFromSegments,
  svcFromName,
  svcName,
  tryParseIA,
  EncodeError,
  type ScionDecodeResult,
  type ScionPacket,
  type ScionPacketInput,
} from '../../src/decode/index.js';
import { MAC, SAMPLE_INPUTS, SAMPLE_PACKETS, seq, bytes, THREE_SEGMENT_PATH } from './samples.js';

function ok(r: ScionDecodeResult): ScionPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

function roundTrip(input: ScionPacketInput): ScionPacket {
  const wire = encodeScion(input);
  const p = ok(decodeScion(wire));
  expect(bytesEqual(encodeScion(p), wire)).toBe(true);
  expect(bytesEqual(encodeScion(p, { recompute: true }), wire)).toBe(true);
  return p;
}

const udp = { type: 'udp', srcPort: 1000, dstPort: 2000, payload: seq(5) } as const;
const addr = { dstIA: '1-ff00:0:110', srcIA: '1-64512', dst: '10.1.1.1', src: '10.2.2.2' };

describe('ISD-AS text', () => {
  it('prints BGP-range ASes in decimal and others as hex groups', () => {
    expect(formatAS(0)).toBe('0');
    expect(formatAS(64512)).toBe('64512');
    expect(formatAS(0xffffffff)).toBe('4294967295');
    expect(formatAS(0x1_0000_0000)).toBe('1:0:0');
    expect(formatAS(0xff00_0000_0110)).toBe('ff00:0:110');
    expect(formatAS(0xffff_ffff_ffff)).toBe('ffff:ffff:ffff');
  });

  it('parses what it prints and rejects junk', () => {
    expect(parseIA('1-ff00:0:110')).toEqual({ isd: 1, as: 0xff0000000110, text: '1-ff00:0:110' });
    expect(parseIA('65535-4294967295').text).toBe('65535-4294967295');
    expect(tryParseIA('1-4294967296')).toBeUndefined();
    expect(tryParseIA('65536-1')).toBeUndefined();
    expect(tryParseIA('1-ff00:0')).toBeUndefined();
    expect(tryParseIA('1-10000:0:0')).toBeUndefined();
    expect(() => parseIA('nope')).toThrow(EncodeError);
  });

  it('round-trips IAs through the address header', () => {
    const p = roundTrip({ address: { ...addr, dstIA: '65535-ffff:ffff:ffff', srcIA: { isd: 0, as: 0 } }, l4: udp });
    expect(p.address.dstIA).toEqual({ isd: 65535, as: 0xffffffffffff, text: '65535-ffff:ffff:ffff' });
    expect(p.address.srcIA.text).toBe('0-0');
  });
});

describe('common header', () => {
  it('decodes every field and warns about reserved bits and a zero FlowID', () => {
    const p = roundTrip({ common: { version: 0, trafficClass: 0xfe, flowId: 0, reserved: 0x1234 }, address: addr, l4: udp });
    expect(p.common).toMatchObject({ trafficClass: 0xfe, flowId: 0, nextHdr: 17, nextHdrName: 'UDP', hdrLen: 9, hdrBytes: 36, payloadLen: 13, pathType: 0, pathTypeName: 'Empty', reserved: 0x1234 });
    expect(p.warnings.map((w) => w.code).sort()).toEqual(['FLOW_ID_ZERO', 'RESERVED_NOT_ZERO']);
  });

  it('rejects versions other than 0 with the common header attached', () => {
    const wire = encodeScion({ common: { version: 1 }, address: addr, l4: udp });
    const r = decodeScion(wire);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'UNSUPPORTED_VERSION', offset: 0 });
    expect(r.common?.version).toBe(1);
  });

  it('reports HdrLen shorter than the address header (Go: negative pathLen)', () => {
    const wire = encodeScion({ common: { hdrLen: 8 }, address: addr, l4: udp });
    const r = decodeScion(wire);
    expect(r.ok || r.error).toMatchObject({ code: 'BAD_HEADER_LENGTH', offset: 5 });
    if (!r.ok) expect(r.address?.dst).toEqual({ type: 'ipv4', ip: '10.1.1.1' });
  });

  it('encoder keeps given length fields (for broken test traffic) unless asked to recompute', () => {
    const input: ScionPacketInput = { common: { payloadLen: 100 }, address: addr, l4: udp };
    const broken = decodeScion(encodeScion(input));
    expect(broken.ok || broken.error.code).toBe('TRUNCATED');
    expect(decodeScion(encodeScion(input, { recompute: true })).ok).toBe(true);
  });

  it('encoder refuses values that do not fit', () => {
    expect(() => encodeScion({ common: { flowId: 1 << 20 }, address: addr, l4: udp })).toThrow(EncodeError);
    expect(() => encodeScion({ address: { ...addr, dst: 'not-an-ip' }, l4: udp })).toThrow(EncodeError);
    expect(() => encodeScion({ address: addr, l4: { ...udp, srcPort: 70000 } })).toThrow(/l4.srcPort/);
    expect(() => encodeScion({ address: addr, path: { type: 'raw', pathType: 4, data: seq(3) }, l4: udp })).toThrow(/multiple of 4/);
  });
});

describe('host addresses', () => {
  it('IPv4, IPv6 and SVC in both positions', () => {
    const p = roundTrip({ address: { ...addr, dst: '2001:db8:0:0:1::', src: 'DS' }, l4: udp });
    // RFC 5952: the longest zero run is compressed.
    expect(p.address.dst).toEqual({ type: 'ipv6', ip: '2001:db8:0:0:1::' });
    expect(p.address.src).toEqual({ type: 'svc', svc: 1, name: 'DS', multicast: false, pad: 0 });
    expect(p.common).toMatchObject({ dstAddrType: 0, dstAddrLen: 3, srcAddrType: 1, srcAddrLen: 0 });
  });

  it('names SVC values, multicast and NONE', () => {
    expect(svcName(0x0002)).toBe('CS');
    expect(svcName(0x8002)).toBe('CS_M');
    expect(svcName(0x0010)).toBe('Wildcard');
    expect(svcName(0xffff)).toBe('NONE');
    expect(svcName(0x0004)).toBe('SIG');
    expect(svcName(0x0099)).toBe('UNKNOWN(0x99)');
    expect(svcFromName('wildcard_m')).toBe(0x8010);
    const p = ok(decodeScion(SAMPLE_PACKETS.find(([n]) => n === 'svc multicast dst')![1]));
    expect(p.address.dst).toMatchObject({ type: 'svc', svc: 0x8010, name: 'Wildcard_M', multicast: true });
  });

  it('packs IPv4-mapped IPv6 text as IPv4 (like Go), but keeps an explicit ipv6 object as IPv6', () => {
    const mapped = ok(decodeScion(encodeScion({ address: { ...addr, dst: '::ffff:192.0.2.1' }, l4: udp })));
    expect(mapped.address.dst).toEqual({ type: 'ipv4', ip: '192.0.2.1' });
    const explicit = roundTrip({ address: { ...addr, dst: { type: 'ipv6', ip: '::ffff:192.0.2.1' } }, l4: udp });
    expect(explicit.address.dst).toEqual({ type: 'ipv6', ip: '::ffff:192.0.2.1' });
  });

  it('keeps undefined type/length combinations raw with a warning', () => {
    const p = roundTrip(SAMPLE_INPUTS['unknown address type (8-byte)']!);
    expect(p.address.dst).toEqual({ type: 'unknown', addrType: 2, addrLen: 1, raw: seq(8) });
    expect(p.warnings.map((w) => w.code)).toContain('UNSUPPORTED_ADDRESS');
    if (p.l4.type === 'udp') expect(p.l4.checksumStatus?.valid).toBe(true);
  });

  it('reports a truncated address header', () => {
    const wire = encodeScion({ address: { ...addr, dst: '2001:db8::1' }, l4: udp });
    const r = decodeScion(wire.subarray(0, 30));
    expect(r.ok || r.error).toMatchObject({ code: 'TRUNCATED', offset: 12 });
    if (!r.ok) expect(r.common?.dstAddrLen).toBe(3);
  });
});

describe('paths', () => {
  it('Empty', () => {
    expect(roundTrip({ address: addr, l4: udp }).path).toEqual({ type: 'empty' });
  });

  it('SCION with three segments: meta, flags, info and hop fields, expiry per segment', () => {
    const p = roundTrip({ address: addr, path: THREE_SEGMENT_PATH, l4: udp });
    expect(p.path.type).toBe('scion');
    if (p.path.type !== 'scion') return;
    expect(p.path.meta).toEqual({ currInf: 1, currHf: 2, reserved: 0, segLen: [1, 2, 3] });
    expect(p.path.infoFields.map((f) => [f.consDir, f.peering, f.segId, f.timestamp])).toEqual([
      [true, false, 0x1111, 1_700_000_000],
      [false, true, 0x2222, 1_700_000_100],
      [true, false, 0x3333, 1_700_000_200],
    ]);
    expect(p.path.infoFields[0]!.timestampIso).toBe('2023-11-14T22:13:20.000Z');
    const hf = p.path.hopFields;
    expect(hf).toHaveLength(6);
    expect(hf[0]).toMatchObject({ consIngress: 0, consEgress: 41, expTime: 0, mac: MAC, expiresAfterSeconds: 337.5, expiresAt: 1_700_000_337.5 });
    expect(hf[0]!.expiresAtIso).toBe('2023-11-14T22:18:57.500Z');
    expect(hf[1]).toMatchObject({ consIngressAlert: true, consEgressAlert: false, expiresAt: 1_700_000_100 + 64 * 337.5 });
    expect(hf[2]).toMatchObject({ consIngressAlert: false, consEgressAlert: true, expTime: 255, expiresAfterSeconds: 86400 });
    expect(hf[3]).toMatchObject({ consEgressAlert: true, consIngress: 0, consEgress: 1 });
    expect(hf[5]).toMatchObject({ consIngress: 4, consEgress: 0, expiresAt: 1_700_000_200 + 64 * 337.5 });
  });

  it('OneHop', () => {
    const p = roundTrip(SAMPLE_INPUTS['udp svc/ipv6 onehop']!);
    expect(p.path).toMatchObject({ type: 'onehop', info: { consDir: true, segId: 0x4242 }, firstHop: { consEgress: 12, mac: MAC }, secondHop: { consIngress: 0, consEgress: 0 } });
  });

  it('EPIC: packet ID, hop validation fields and the SCION path inside', () => {
    const p = roundTrip(SAMPLE_INPUTS['scmp echo epic']!);
    expect(p.path).toMatchObject({ type: 'epic', pktId: { timestamp: 0x01020304, counter: 0x0a0b0c0d }, phvf: bytes(1, 2, 3, 4), lhvf: bytes(5, 6, 7, 8) });
    if (p.path.type === 'epic') {
      expect(p.path.scion.meta.segLen).toEqual([2, 0, 0]);
      expect(p.path.scion.hopFields.map((h) => h.consEgress)).toEqual([2, 0]);
    }
  });

  it('COLIBRI and unassigned path types are kept raw', () => {
    expect(roundTrip(SAMPLE_INPUTS['colibri path, tcp l4 raw']!).path).toEqual({ type: 'raw', pathType: 4, name: 'COLIBRI', data: seq(8) });
    expect(roundTrip(SAMPLE_INPUTS['unknown path type 9']!).path).toEqual({ type: 'raw', pathType: 9, name: 'Unknown(9)', data: seq(4) });
  });

  it('keeps bytes inside HdrLen after the path, with a warning', () => {
    const p = roundTrip({ address: addr, path: { type: 'onehop', info: {}, firstHop: { consIngress: 1, consEgress: 2 }, secondHop: { consIngress: 3, consEgress: 4 }, extra: seq(4) }, l4: udp });
    expect(p.path.type === 'onehop' && p.path.extra).toEqual(seq(4));
    expect(p.warnings.map((w) => w.code)).toEqual(['PATH_EXTRA_BYTES']);
  });

  it('warns when CurrINF/CurrHF point outside the path', () => {
    const path = scionPathFromSegments([{ timestamp: 1, hops: [{ consIngress: 0, consEgress: 1 }] }], { currHf: 5 });
    expect(roundTrip({ address: addr, path, l4: udp }).warnings.map((w) => w.code)).toEqual(['PATH_INDEX_OUT_OF_RANGE']);
  });

  it('rejects a zero SegLen before a non-zero one, too many hops, and a path region too short', () => {
    const gap = encodeScion({
      address: addr,
      path: { type: 'scion', meta: { segLen: [1, 0, 1] }, infoFields: [{}, {}], hopFields: [{ consIngress: 1, consEgress: 0 }, { consIngress: 2, consEgress: 0 }] },
      l4: udp,
    });
    const r1 = decodeScion(gap);
    expect(r1.ok || r1.error).toMatchObject({ code: 'BAD_PATH', offset: 36 });
    if (!r1.ok) expect(r1.path?.type).toBe('scion');

    const many = encodeScion({
      address: addr,
      path: { type: 'raw', pathType: 1, data: Uint8Array.from([0, 0x03, 0xff, 0xff, ...new Uint8Array(8 * 3 + 12 * 64)]) },
      l4: udp,
    });
    const r2 = decodeScion(many);
    expect(r2.ok || r2.error.code).toBe('BAD_PATH');
    expect(r2.ok || r2.error.message).toMatch(/hop fields/);

    const short = encodeScion({ address: addr, path: { type: 'raw', pathType: 1, data: Uint8Array.from([0, 0, 0x20, 0, ...new Uint8Array(8)]) }, l4: udp });
    const r3 = decodeScion(short);
    expect(r3.ok || r3.error.code).toBe('BAD_PATH');
    if (!r3.ok && r3.path?.type === 'scion') expect(r3.path.infoFields).toHaveLength(1);

    const onehop = decodeScion(encodeScion({ address: addr, path: { type: 'raw', pathType: 2, data: seq(8) }, l4: udp }));
    expect(onehop.ok || onehop.error.code).toBe('BAD_PATH');
    const epic = decodeScion(encodeScion({ address: addr, path: { type: 'raw', pathType: 3, data: seq(8) }, l4: udp }));
    expect(epic.ok || epic.error.code).toBe('BAD_PATH');
  });

  it('scionPathFromSegments needs 1-3 segments; several info fields need segLen', () => {
    expect(() => scionPathFromSegments([])).toThrow(EncodeError);
    expect(() => encodeScion({ address: addr, path: { type: 'scion', infoFields: [{}, {}], hopFields: [] }, l4: udp })).toThrow(/segLen/);
  });
});

describe('extension headers', () => {
  it('Hop-by-Hop with Pad1, PadN and an unknown option; End-to-End with SPAO', () => {
    const p = roundTrip(SAMPLE_INPUTS['hbh pad + e2e spao udp']!);
    expect(p.common.nextHdr).toBe(200);
    expect(p.hopByHop).toMatchObject({ kind: 'hop-by-hop', nextHdr: 201, nextHdrName: 'EndToEnd' });
    expect(p.hopByHop!.options).toEqual([
      { kind: 'pad1', optType: 0 },
      { kind: 'padN', optType: 1, dataLen: 3, data: bytes(0, 0, 0) },
      { kind: 'raw', optType: 0x1e, dataLen: 3, data: bytes(9, 9, 9) },
      { kind: 'padN', optType: 1, dataLen: 1, data: bytes(0) }, // encoder padding to a 4-byte multiple
    ]);
    expect(p.hopByHop!.length % 4).toBe(0);
    expect(p.endToEnd).toMatchObject({ kind: 'end-to-end', nextHdr: 17, extLen: 7, length: 32 });
    expect(p.endToEnd!.options).toHaveLength(1); // 2 + 2 + 28 bytes: no padding needed
    expect(p.endToEnd!.options[0]).toEqual({
      kind: 'spao',
      optType: 2,
      dataLen: 28,
      spi: (1 << 17) | (1 << 16) | 3,
      // authenticator-option.rst: T (key type) is bit 17, D (direction) bit 16, R bits 20-18
      drkey: { keyType: 'host-host', direction: 'receiver-side', reserved: 0, protocolId: 3 },
      algorithm: 0,
      algorithmName: 'AES-CMAC',
      reserved: 0,
      timestampSeq: 0x0102030405n,
      authenticator: seq(16, 0x80),
    });
    if (p.l4.type === 'udp') expect(p.l4.checksumStatus?.valid).toBe(true);
  });

  it('SPAO with a non-DRKey SPI has no DRKey reading; option 2 in HBH is not SPAO', () => {
    const p = roundTrip({
      address: addr,
      hopByHop: { options: [{ kind: 'raw', optType: 2, data: seq(2) }] },
      endToEnd: { options: [{ kind: 'spao', spi: 0x40000000, algorithm: 1, reserved: 7, timestampSeq: 0xffffffffffffn, authenticator: seq(36) }] },
      l4: udp,
    });
    expect(p.hopByHop!.options[0]).toMatchObject({ kind: 'raw', optType: 2 });
    const spao = p.endToEnd!.options[0]!;
    expect(spao.kind).toBe('spao');
    if (spao.kind === 'spao') {
      expect(spao.drkey).toBeUndefined();
      expect(spao).toMatchObject({ algorithmName: 'SHA1-AES-CBC', reserved: 7, timestampSeq: 0xffffffffffffn });
    }
  });

  it('a too-short SPAO stays raw with a warning', () => {
    const p = roundTrip({ address: addr, endToEnd: { options: [{ kind: 'raw', optType: 2, data: seq(6) }] }, l4: udp });
    expect(p.endToEnd!.options[0]).toMatchObject({ kind: 'raw', optType: 2, dataLen: 6 });
    expect(p.warnings.map((w) => w.code)).toContain('SPAO_TOO_SHORT');
  });

  it('rejects repeated and misordered extensions as Go does', () => {
    const twoHbh = encodeScion({ address: addr, hopByHop: { nextHdr: 200, options: [] }, l4: udp });
    expect(decodeScion(twoHbh)).toMatchObject({ ok: false, error: { code: 'BAD_EXTENSION' } });
    const e2eThenHbh = encodeScion({ address: addr, endToEnd: { nextHdr: 200, options: [] }, l4: udp });
    expect(decodeScion(e2eThenHbh)).toMatchObject({ ok: false, error: { code: 'BAD_EXTENSION', message: expect.stringMatching(/after the End-to-End/) } });
    const twoE2e = encodeScion({ address: addr, endToEnd: { nextHdr: 201, options: [] }, l4: udp });
    expect(decodeScion(twoE2e)).toMatchObject({ ok: false, error: { code: 'BAD_EXTENSION', message: expect.stringMatching(/repeated/) } });
  });

  it('reports options that overrun the extension, and an ExtLen beyond PayloadLen', () => {
    const overrun = encodeScion({ address: addr, hopByHop: { options: [{ kind: 'raw', optType: 5, dataLen: 9, data: seq(2) }] }, l4: udp });
    const r = decodeScion(overrun);
    expect(r.ok || r.error).toMatchObject({ code: 'BAD_EXTENSION', offset: 38 });
    const longExt = encodeScion({ address: addr, hopByHop: { extLen: 50, options: [{ kind: 'pad1' }, { kind: 'pad1' }] }, l4: { type: 'raw', protocol: 99, data: new Uint8Array(0) } });
    const r2 = decodeScion(longExt);
    expect(r2.ok || r2.error.code).toBe('BAD_LENGTH');
    const truncated = decodeScion(longExt.subarray(0, 37));
    expect(truncated.ok || truncated.error.code).toBe('TRUNCATED');
  });
});
