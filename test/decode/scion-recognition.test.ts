import { describe, it, expect } from 'vitest';
import { bytesEqual, concatBytes } from '../../src/decode/bytes.js';
import {
  buildScionUdp,
  decodeScion,
  decodeStun,
  encodeScion,
  encodeScionTimeTrailer,
  SCION_TIME_TRAILER_LABEL,
  type ScionDecodeResult,
  type ScionPacket,
} from '../../src/decode/index.js';
import { bytes, seq } from './samples.js';

function ok(r: ScionDecodeResult): ScionPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

const packet = buildScionUdp({ srcIA: '1-ff00:0:111', dstIA: '1-ff00:0:110', src: '10.0.0.2', dst: '10.0.0.1', srcPort: 123, dstPort: 31000, payload: seq(48) });

/** The fork's 52-byte block written by hand (LE), independent of encodeScionTimeTrailer. */
function handTrailer(): Uint8Array {
  const b = new Uint8Array(52);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 1_700_000_000n, true);
  v.setBigUint64(8, 123_456_789n, true);
  v.setBigUint64(16, 1_700_000_001n, true);
  v.setBigUint64(24, 5n, true);
  v.setUint32(32, 3, true);
  v.setUint32(36, 98, true);
  v.setInt32(40, -2, true);
  b.set([10, 0, 0, 1], 44);
  b.set([10, 0, 0, 2], 48);
  return b;
}

describe('trailing data and the Scion Time trailer', () => {
  it('exactly 52 bytes after PayloadLen decode as the labelled Scion Time trailer', () => {
    const wire = concatBytes([packet, handTrailer()]);
    const p = ok(decodeScion(wire));
    expect(p.l4.type === 'udp' && p.l4.checksumStatus?.valid).toBe(true);
    expect(p.trailing?.offset).toBe(packet.length);
    expect(p.trailing?.data).toEqual(handTrailer());
    expect(p.trailing?.scionTime).toEqual({
      label: SCION_TIME_TRAILER_LABEL,
      kernel: { sec: 1_700_000_000n, nsec: 123_456_789n, ns: 1_700_000_000_123_456_789n, iso: '2023-11-14T22:13:20.123456789Z' },
      hardware: { sec: 1_700_000_001n, nsec: 5n, ns: 1_700_000_001_000_000_005n, iso: '2023-11-14T22:13:21.000000005Z' },
      interfaceId: 3,
      pktLengthL2: 98,
      pktinfo: { ifindex: -2, specDst: '10.0.0.1', addr: '10.0.0.2' },
    });
    expect(p.trailing?.scionTime?.label).toMatch(/Scion Time/);
    expect(bytesEqual(encodeScion(p), wire)).toBe(true);
  });

  it('encodeScionTimeTrailer writes the same layout; zero timestamps have no ISO form', () => {
    const t = encodeScionTimeTrailer({
      kernel: { sec: 1_700_000_000n, nsec: 123_456_789n },
      hardware: { sec: 1_700_000_001n, nsec: 5n },
      interfaceId: 3,
      pktLengthL2: 98,
      pktinfo: { ifindex: -2, specDst: '10.0.0.1', addr: '10.0.0.2' },
    });
    expect(t).toEqual(handTrailer());
    const p = ok(decodeScion(concatBytes([packet, encodeScionTimeTrailer({ kernel: { sec: 1n, nsec: 0n } })])));
    expect(p.trailing?.scionTime?.hardware).toEqual({ sec: 0n, nsec: 0n, ns: 0n, iso: null });
  });

  for (const n of [1, 32, 51, 53, 104]) {
    it(`${n} trailing bytes are reported as trailing data only`, () => {
      const wire = concatBytes([packet, seq(n)]);
      const p = ok(decodeScion(wire));
      expect(p.trailing).toEqual({ offset: packet.length, data: seq(n) });
      expect(bytesEqual(encodeScion(p), wire)).toBe(true);
    });
  }
});

/** A 2019-era packet: 8-byte common header, IPv4 hosts, 16-byte path, UDP. */
function legacyPacket(): Uint8Array {
  const hdr = [0x00, 0x41, 0, 60, 6, 4, 5, 17];
  const ia = [0, 1, 0xff, 0, 0, 0, 1, 0x10, 0, 1, 0xff, 0, 0, 0, 1, 0x11];
  const hosts = [10, 0, 0, 1, 10, 0, 0, 2];
  const path = Array.from(seq(16));
  const udp = [0x75, 0x30, 0x75, 0x31, 0, 12, 0, 0, 1, 2, 3, 4];
  const b = Uint8Array.from([...hdr, ...ia, ...hosts, ...path, ...udp]);
  expect(b.length).toBe(60);
  return b;
}

describe('not current SCION', () => {
  it('recognises a pre-2020 header instead of reporting a broken packet', () => {
    const r = decodeScion(legacyPacket());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('NOT_CURRENT_SCION');
    expect(r.error.message).toMatch(/legacy \(pre-2020\)/);
    expect(r.recognised).toMatchObject({
      kind: 'legacy-scion',
      dstType: 'IPv4',
      srcType: 'IPv4',
      totalLen: 60,
      hdrLen: 6,
      currInfoField: 4,
      currHopField: 5,
      nextHdrName: 'UDP',
      dstIA: { text: '1-ff00:0:110' },
      srcIA: { text: '1-ff00:0:111' },
      dst: '10.0.0.1',
      src: '10.0.0.2',
    });
  });

  it('does not call garbage legacy', () => {
    const junk = legacyPacket();
    junk[3] = 61; // TotalLen no longer matches
    const r = decodeScion(junk);
    expect(r.ok || r.error.code).not.toBe('NOT_CURRENT_SCION');
  });

  it('recognises STUN (router NAT discovery) with its XOR-MAPPED-ADDRESS', () => {
    const txid = seq(12, 0x30);
    const port = 32853 ^ 0x2112;
    const ip = [192 ^ 0x21, 0 ^ 0x12, 2 ^ 0xa4, 1 ^ 0x42];
    const software = new TextEncoder().encode('scion');
    const stun = Uint8Array.from([
      0x01, 0x01, 0x00, 12 + 12, 0x21, 0x12, 0xa4, 0x42, ...txid,
      0x00, 0x20, 0x00, 0x08, 0x00, 0x01, port >> 8, port & 0xff, ...ip,
      0x80, 0x22, 0x00, 0x05, ...software, 0, 0, 0,
    ]);
    const r = decodeScion(stun);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'STUN', offset: 0 });
    expect(r.recognised).toMatchObject({
      kind: 'stun',
      stun: {
        className: 'SuccessResponse',
        methodName: 'Binding',
        transactionId: '303132333435363738393a3b',
        attributes: [
          { name: 'XOR-MAPPED-ADDRESS', address: { family: 'IPv4', ip: '192.0.2.1', port: 32853 } },
          { name: 'SOFTWARE', text: 'scion' },
        ],
      },
    });
    const req = decodeStun(Uint8Array.from([0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...txid]));
    expect(req).toMatchObject({ ok: true, className: 'Request', method: 1, attributes: [] });
    expect(decodeStun(bytes(1, 2, 3))).toMatchObject({ ok: false, error: { code: 'NOT_THIS_PROTOCOL' } });
  });
});
