import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bytesEqual } from '../../src/decode/bytes.js';
import {
  buildScionUdp,
  decodeNtp,
  decodePayload,
  encodeNtp,
  ntpTimestamp,
  ntpTimestampFromNs,
  NTP_UNIX_OFFSET,
  type NtpDecodeResult,
  type NtpPacket,
} from '../../src/decode/index.js';
import { seq } from './samples.js';

function ok(r: NtpDecodeResult): NtpPacket {
  if (!r.ok) throw new Error(`decode failed: ${r.error.code} ${r.error.message}`);
  return r;
}

/** A chrony server reply, byte by byte (not via encodeNtp). */
const SERVER_REPLY = Uint8Array.from([
  0x24, 0x02, 0x06, 0xe9, // LI 0, VN 4, mode 4; stratum 2; poll 6; precision -23
  0x00, 0x00, 0x01, 0x80, // root delay 0x0180 / 65536 s
  0x00, 0x01, 0x00, 0x00, // root dispersion 1.0 s
  0xc0, 0x00, 0x02, 0x01, // ref id 192.0.2.1
  0xe9, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, // reference: 0xe9000000.5
  0xe9, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // origin
  0xe9, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, // receive: .25
  0xe9, 0x00, 0x00, 0x02, 0x40, 0x00, 0x10, 0x00, // transmit
]);

describe('NTP header (RFC 5905)', () => {
  it('decodes every field of a server reply; timestamps as bigint ns and ISO', () => {
    const p = ok(decodeNtp(SERVER_REPLY));
    expect(p).toMatchObject({
      kind: 'header',
      leap: 0,
      leapName: 'NoWarning',
      version: 4,
      mode: 4,
      modeName: 'Server',
      stratum: 2,
      poll: 6,
      precision: -23,
      rootDelayRaw: 0x180,
      rootDelay: 0x180 / 65536,
      rootDispersion: 1,
      referenceId: 0xc0000201,
      referenceIdText: '192.0.2.1',
    });
    // 0xe9000000 s since 1900 = 3909091328 − 2208988800 = 1700102528 s since 1970.
    expect(p.kind === 'header' && p.referenceTimestamp).toEqual({ raw: 0xe900000080000000n, ns: 1_700_102_528_500_000_000n, iso: '2023-11-16T02:42:08.500000000Z' });
    expect(p.kind === 'header' && p.receiveTimestamp.iso).toBe('2023-11-16T02:42:10.250000000Z');
    expect(p.kind === 'header' && p.transmitTimestamp.ns).toBe(1_700_102_530_250_000_000n + ((0x1000n * 1_000_000_000n) >> 32n));
    expect(p.warnings).toEqual([]);
    expect(bytesEqual(encodeNtp(p), SERVER_REPLY)).toBe(true);
  });

  it('reads kiss codes and stratum-1 source names as text; zero timestamps as unset', () => {
    const kiss = ok(decodeNtp(encodeNtp({ mode: 4, stratum: 0, leap: 3, referenceId: 'RATE' })));
    expect(kiss).toMatchObject({ leapName: 'Unsynchronized', stratum: 0, referenceIdText: 'RATE' });
    expect(kiss.kind === 'header' && kiss.originTimestamp).toEqual({ raw: 0n, ns: null, iso: null });
    const gps = ok(decodeNtp(encodeNtp({ mode: 4, stratum: 1, referenceId: 'GPS' })));
    expect(gps).toMatchObject({ referenceId: 0x47505300, referenceIdText: 'GPS' });
  });

  it('every mode 0-5 round-trips; names follow the mode', () => {
    const names = ['Reserved', 'SymmetricActive', 'SymmetricPassive', 'Client', 'Server', 'Broadcast'];
    for (let mode = 0; mode <= 5; mode++) {
      const wire = encodeNtp({ mode, version: 3, stratum: 3, poll: -4, precision: -20, rootDelay: 0.5, rootDispersion: 0.25, referenceId: '10.0.0.1', transmitTimestamp: 1_700_000_000_000_000_001n });
      const p = ok(decodeNtp(wire));
      expect(p).toMatchObject({ kind: 'header', mode, modeName: names[mode], version: 3, poll: -4, precision: -20, rootDelay: 0.5, rootDispersion: 0.25, referenceIdText: '10.0.0.1' });
      expect(p.kind === 'header' && p.transmitTimestamp.ns).toBe(1_700_000_000_000_000_001n);
      expect(bytesEqual(encodeNtp(p), wire)).toBe(true);
    }
  });

  it('mode 6 control messages: flags, opcode, count and data', () => {
    const wire = encodeNtp({ kind: 'control', response: true, more: true, opcode: 2, sequence: 7, status: 0x0615, associationId: 12, offset: 0, data: new TextEncoder().encode('offset=1.5'), extra: seq(2) });
    const p = ok(decodeNtp(wire));
    expect(p).toMatchObject({ kind: 'control', mode: 6, modeName: 'Control', version: 4, response: true, error: false, more: true, opcode: 2, opcodeName: 'ReadVariables', sequence: 7, status: 0x0615, associationId: 12, count: 10, extra: seq(2) });
    expect(p.kind === 'control' && new TextDecoder().decode(p.data)).toBe('offset=1.5');
    expect(bytesEqual(encodeNtp(p), wire)).toBe(true);
    const short = decodeNtp(wire.subarray(0, 15));
    expect(short).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 10 } });
  });

  it('mode 7 private messages', () => {
    const wire = encodeNtp({ kind: 'private', response: true, version: 2, authenticated: true, sequence: 5, implementation: 3, requestCode: 42, data: seq(8) });
    const p = ok(decodeNtp(wire));
    expect(p).toMatchObject({ kind: 'private', mode: 7, modeName: 'Private', response: true, more: false, version: 2, authenticated: true, sequence: 5, implementation: 3, requestCode: 42, data: seq(8) });
    expect(bytesEqual(encodeNtp(p), wire)).toBe(true);
  });

  it('extension fields / MAC after the header are kept; short messages are errors with the first byte decoded', () => {
    const withMac = ok(decodeNtp(encodeNtp({ mode: 3, extra: seq(20) })));
    expect(withMac.kind === 'header' && withMac.extra).toEqual(seq(20));
    expect(decodeNtp(SERVER_REPLY.subarray(0, 47))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 0 }, partial: { mode: 4, version: 4, modeName: 'Server' } });
    expect(decodeNtp(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'TRUNCATED' } });
    expect(decodeNtp(Uint8Array.from([0x3b, ...new Uint8Array(47)]))).toMatchObject({ ok: true, version: 7, warnings: [{ code: 'NTP_VERSION' }] });
  });

  it('era handling: timestamps with the top bit clear are after 2036', () => {
    expect(ntpTimestamp(0x00000001_00000000n).iso).toBe('2036-02-07T06:28:17.000000000Z');
    expect(ntpTimestamp(0x80000000_00000000n).iso).toBe('1968-01-20T03:14:08.000000000Z');
  });

  it('ns → NTP → ns is exact over the whole 1968-2104 window (fast-check)', () => {
    const S = 1_000_000_000n;
    const min = (2n ** 31n - NTP_UNIX_OFFSET) * S; // era 0, top bit set
    const max = (2n ** 32n + 2n ** 31n - NTP_UNIX_OFFSET) * S - 1n; // era 1, top bit clear
    fc.assert(
      fc.property(fc.bigInt({ min, max }), (ns) => {
        expect(ntpTimestamp(ntpTimestampFromNs(ns)).ns).toBe(ns);
      }),
      { numRuns: 300 },
    );
  });
});

describe('NTP inside SCION/UDP and via decodePayload', () => {
  it('decodePayload on port 123 gives an NTP result; NTP-over-SCION comes out nested', () => {
    const plain = decodePayload({ srcPort: 40000, dstPort: 123, payload: SERVER_REPLY });
    expect(plain).toMatchObject({ ok: true, layer: 'ntp', kind: 'header', stratum: 2, udp: { classification: { layer: 'NTP', reason: 'dst port 123' } } });
    const scion = buildScionUdp({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 123, dstPort: 31007, payload: SERVER_REPLY });
    const d = decodePayload({ srcPort: 30041, dstPort: 31007, payload: scion });
    expect(d.layer).toBe('scion');
    if (d.layer !== 'scion' || !d.ok || d.l4.type !== 'udp') throw new Error('expected SCION/UDP');
    expect(d.l4.application).toMatchObject({ layer: 'NTP', reason: 'src port 123', ntp: { ok: true, modeName: 'Server', referenceIdText: '192.0.2.1' } });
  });
});
