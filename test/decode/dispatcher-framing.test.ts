import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { concatBytes } from '../../src/decode/bytes.js';
import {
  buildScionUdp,
  decodeDispatcherFrame,
  decodeDispatcherStream,
  decodeRegistration,
  DispatcherStreamDecoder,
  encodeConfirmation,
  encodeDispatcherFrame,
  encodeRegistration,
  encodeScionTimeTrailer,
  scionTimeMode,
  summarize,
  toJson,
  type DispatcherEvent,
  type DispatcherFrame,
} from '../../src/decode/index.js';
import { fixture, seq } from './samples.js';

const COOKIE = [0xde, 0x00, 0xad, 0x01, 0xbe, 0x02, 0xef, 0x03];
const packet = fixture('scion-bfd.bin');

/** A frame written byte by byte: IPv4 next hop 10.0.0.9:30042 carrying the BFD vector. */
const HAND_FRAME = Uint8Array.from([...COOKIE, 1, 0, 0, 0, packet.length, 10, 0, 0, 9, 0x75, 0x5a, ...packet]);

/** Registration: SCMP on, UDP, 1-ff00:0:110, port 31337, public 127.0.0.1, SVC 0x4244. */
const HAND_REGISTRATION = Uint8Array.from([0x03, 17, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00, 0x01, 0x10, 0x7a, 0x69, 1, 127, 0, 0, 1, 0x42, 0x44]);

function frames(events: DispatcherEvent[]): DispatcherFrame[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));
}

const stream = concatBytes([
  encodeDispatcherFrame({ payload: HAND_REGISTRATION }),
  encodeDispatcherFrame({ payload: encodeConfirmation(31337) }),
  HAND_FRAME,
  encodeDispatcherFrame({ address: 'fd00::1', port: 31337, payload: fixture('scion-udp.bin') }),
]);

describe('dispatcher frames', () => {
  it('decodes cookie, address type, length, address, port and the SCION packet inside', () => {
    const r = decodeDispatcherFrame(HAND_FRAME);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame).toMatchObject({ addressType: 1, addressTypeName: 'IPv4', length: 60, address: '10.0.0.9', port: 30042, frameLength: 13 + 4 + 2 + 60 });
    expect(r.frame.content).toMatchObject({ kind: 'scion', packet: { ok: true, l4: { type: 'bfd', stateName: 'Up' } } });
    expect(encodeDispatcherFrame({ address: '10.0.0.9', port: 30042, payload: packet })).toEqual(HAND_FRAME);
  });

  it('IPv6 hop, registration and confirmation frames in one stream', () => {
    const f = frames(decodeDispatcherStream([stream]));
    expect(f.map((x) => x.content.kind)).toEqual(['registration', 'confirmation', 'scion', 'scion']);
    expect(f[0]!.content).toMatchObject({ kind: 'registration', registration: { ok: true, publicPort: 31337 } });
    expect(f[1]!.content).toEqual({ kind: 'confirmation', port: 31337 });
    expect(f[3]).toMatchObject({ addressTypeName: 'IPv6', address: 'fd00::1', port: 31337, content: { packet: { ok: true, l4: { dstPort: 80 } } } });
  });

  it('the fork’s 52-byte trailer inside a frame is decoded as the Scion Time trailer', () => {
    const udp = buildScionUdp({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 123, dstPort: 31000, payload: seq(48) });
    const trailer = encodeScionTimeTrailer({ kernel: { sec: 1_600_000_000n, nsec: 1n }, interfaceId: 2 });
    const r = decodeDispatcherFrame(encodeDispatcherFrame({ address: '10.0.0.1', port: 30041, payload: concatBytes([udp, trailer]) }));
    expect(r.ok && r.frame.content.kind === 'scion' && r.frame.content.packet.ok && r.frame.content.packet.trailing?.scionTime).toMatchObject({
      kernel: { iso: '2020-09-13T12:26:40.000000001Z' },
      interfaceId: 2,
    });
  });

  it('decodeDispatcherFrame wants exactly one frame', () => {
    expect(decodeDispatcherFrame(concatBytes([HAND_FRAME, seq(3)]))).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH', offset: HAND_FRAME.length } });
    expect(decodeDispatcherFrame(HAND_FRAME.subarray(0, 20))).toMatchObject({ ok: false, error: { code: 'TRUNCATED' } });
    expect(decodeDispatcherFrame(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: 'TRUNCATED' } });
  });

  it('the direction hint decides ambiguous NONE frames', () => {
    const two = encodeDispatcherFrame({ payload: encodeConfirmation(80) });
    const asApp = decodeDispatcherFrame(two, { direction: 'app-to-dispatcher' });
    expect(asApp.ok && asApp.frame.content.kind).toBe('scion');
    const reg = encodeDispatcherFrame({ payload: HAND_REGISTRATION });
    const fromDispatcher = decodeDispatcherFrame(reg, { direction: 'dispatcher-to-app' });
    expect(fromDispatcher.ok && fromDispatcher.frame.content.kind).toBe('scion');
    const broken = encodeDispatcherFrame({ payload: HAND_REGISTRATION.subarray(0, 16) });
    const asReg = decodeDispatcherFrame(broken, { direction: 'app-to-dispatcher' });
    expect(asReg.ok && asReg.frame.content).toMatchObject({ kind: 'registration', registration: { ok: false, error: { code: 'TRUNCATED' } } });
  });
});

describe('streaming', () => {
  const whole = decodeDispatcherStream([stream]);
  // Compared as JSON text: deep equality over kilobytes of Uint8Array per split is slow.
  const wholeJson = toJson(whole);

  it('gives the same events for every split into two chunks', () => {
    expect(whole).toHaveLength(4);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(toJson(decodeDispatcherStream([stream.subarray(0, cut), stream.subarray(cut)]))).toBe(wholeJson);
    }
  });

  it('gives the same events byte by byte, and random chunkings (fast-check)', () => {
    expect(toJson(decodeDispatcherStream(Array.from(stream, (b) => Uint8Array.of(b))))).toBe(wholeJson);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((p, i) => stream.subarray(points[i]!, p));
        expect(toJson(decodeDispatcherStream(chunks))).toBe(wholeJson);
      }),
      { numRuns: 200 },
    );
  });

  it('reports frame offsets in the stream and holds partial frames', () => {
    const offsets = whole.map((e) => e.offset);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBe(13 + HAND_REGISTRATION.length);
    const dec = new DispatcherStreamDecoder();
    expect(dec.push(HAND_FRAME.subarray(0, 40))).toEqual([]);
    expect(dec.bufferedBytes).toBe(40);
    expect(dec.push(HAND_FRAME.subarray(40))).toHaveLength(1);
    expect(dec.offset).toBe(HAND_FRAME.length);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('resynchronises on a bad cookie and reports what it skipped', () => {
    const garbage = Uint8Array.from([1, 2, 3, 0xde, 0x00, 0x77, 4, 5]);
    const events = decodeDispatcherStream([concatBytes([HAND_FRAME, garbage, HAND_FRAME])]);
    expect(events.map((e) => e.kind)).toEqual(['frame', 'skipped', 'frame']);
    expect(events[1]).toMatchObject({ kind: 'skipped', offset: HAND_FRAME.length, length: garbage.length, preview: garbage, error: { code: 'BAD_COOKIE', offset: HAND_FRAME.length } });
    expect(events[2]!.offset).toBe(HAND_FRAME.length + garbage.length);
  });

  it('recovers every frame between random garbage, whatever the chunking (fast-check)', () => {
    const frame = fc.oneof(
      fc.constant({ wire: HAND_FRAME, payload: packet }),
      fc.uint8Array({ maxLength: 30 }).map((payload) => ({ wire: encodeDispatcherFrame({ address: '192.0.2.1', port: 9, payload }), payload })),
      fc.uint8Array({ maxLength: 30 }).map((payload) => ({ wire: encodeDispatcherFrame({ payload }), payload })),
    );
    // Garbage without 0xde cannot hold a cookie prefix.
    const garbage = fc.uint8Array({ maxLength: 20 }).map((g) => g.map((b) => (b === 0xde ? 0 : b)));
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, frame), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 50 }), (parts, size) => {
        const all = concatBytes(parts.flatMap(([g, f]) => [g, f.wire]));
        const chunks = Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size));
        const events = decodeDispatcherStream(chunks);
        expect(frames(events).map((f) => toJson(f.payload))).toEqual(parts.map(([, f]) => toJson(f.payload)));
        const skipped = events.reduce((n, e) => n + (e.kind === 'skipped' ? e.length : 0), 0);
        expect(skipped).toBe(parts.reduce((n, [g]) => n + g.length, 0));
        expect(events.some((e) => e.kind === 'incomplete')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('skips a frame with a bad address type or an absurd length and finds the next one', () => {
    const badType = HAND_FRAME.slice();
    badType[8] = 3;
    const ev = decodeDispatcherStream([concatBytes([badType, HAND_FRAME])]);
    expect(ev.map((e) => e.kind)).toEqual(['skipped', 'frame']);
    expect(ev[0]).toMatchObject({ length: badType.length, error: { code: 'BAD_ADDRESS_TYPE', offset: 8 } });

    // A little-endian length (2017 C dispatcher) reads as 0x3c000000 big-endian.
    const le = Uint8Array.from([...COOKIE, 1, packet.length, 0, 0, 0, 10, 0, 0, 9, 0x75, 0x5a, ...packet]);
    const ev2 = decodeDispatcherStream([concatBytes([le, HAND_FRAME])]);
    expect(ev2.map((e) => e.kind)).toEqual(['skipped', 'frame']);
    expect(ev2[0]).toMatchObject({ error: { code: 'BAD_LENGTH', message: expect.stringMatching(/little-endian it would be 60/) } });
  });

  it('reports an unfinished frame at the end of the stream', () => {
    const ev = decodeDispatcherStream([HAND_FRAME, HAND_FRAME.subarray(0, 30)]);
    expect(ev.map((e) => e.kind)).toEqual(['frame', 'incomplete']);
    expect(ev[1]).toMatchObject({ offset: HAND_FRAME.length, length: 30, error: { code: 'TRUNCATED', message: expect.stringMatching(/30 of the frame's 79 bytes/) } });
    const tiny = decodeDispatcherStream([Uint8Array.from(COOKIE.slice(0, 5))]);
    expect(tiny).toMatchObject([{ kind: 'incomplete', length: 5 }]);
  });

  it('every event summarises to one line', () => {
    const ev = decodeDispatcherStream([concatBytes([stream, seq(5, 0x11), HAND_FRAME.subarray(0, 20)])]);
    const lines = ev.map(summarize);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^dispatcher @0 NONE len 19: registration 1-ff00:0:110,127\.0\.0\.1:31337 proto 17 \+scmp timestamps TxKernelRxKernel \(0x4244\)$/);
    expect(lines[1]).toMatch(/registration confirmed, port 31337/);
    expect(lines[2]).toMatch(/IPv4 10\.0\.0\.9:30042 len 60: SCION .* BFD v1 Up/);
    expect(lines[3]).toMatch(/IPv6 \[fd00::1\]:31337 .* UDP cksum 0xb7d2 ok/);
    expect(lines[4]).toMatch(/skipped 5 B/);
    expect(lines[5]).toMatch(/incomplete/);
    for (const l of lines) expect(l).not.toContain('\n');
  });
});

describe('registration requests', () => {
  it('decodes the hand-written request, including the Scion Time mode in the SVC field', () => {
    expect(decodeRegistration(HAND_REGISTRATION)).toEqual({
      ok: true,
      command: 3,
      scmp: true,
      bindPresent: false,
      l4Protocol: 17,
      ia: { isd: 1, as: 0xff0000000110, text: '1-ff00:0:110' },
      publicPort: 31337,
      publicAddress: { type: 'IPv4', ip: '127.0.0.1' },
      svc: { value: 0x4244, name: 'TxKernelRxKernel', timestampMode: { value: 0x4244, name: 'TxKernelRxKernel', tx: true, hardware: false } },
    });
    expect(encodeRegistration({ ia: '1-ff00:0:110', publicAddress: '127.0.0.1', publicPort: 31337, svc: 'TxKernelRxKernel' })).toEqual(HAND_REGISTRATION);
  });

  it('names all four timestamp modes; other SVC values by SVC name', () => {
    expect([0x4242, 0x4243, 0x4244, 0x4245].map((v) => scionTimeMode(v))).toEqual([
      { value: 0x4242, name: 'RxKernel', tx: false, hardware: false },
      { value: 0x4243, name: 'RxKernelHw', tx: false, hardware: true },
      { value: 0x4244, name: 'TxKernelRxKernel', tx: true, hardware: false },
      { value: 0x4245, name: 'TxKernelHwRxKernelHw', tx: true, hardware: true },
    ]);
    expect(scionTimeMode(0x4246)).toBeUndefined();
    for (const v of [0x4242, 0x4243, 0x4245]) {
      const r = decodeRegistration(encodeRegistration({ ia: '1-1', publicAddress: '::1', svc: v }));
      expect(r.ok && r.svc?.timestampMode?.value).toBe(v);
    }
    const cs = decodeRegistration(encodeRegistration({ ia: '1-1', publicAddress: '10.0.0.1', svc: 0x0002 }));
    expect(cs.ok && cs.svc).toEqual({ value: 2, name: 'CS' });
  });

  it('bind address, IPv6, SCMP off, no SVC', () => {
    const r = decodeRegistration(encodeRegistration({ ia: '2-ff00:0:220', publicAddress: '2001:db8::5', publicPort: 0, scmp: false, bind: { address: '192.0.2.1', port: 40000 } }));
    expect(r).toMatchObject({ ok: true, command: 0x05, scmp: false, bindPresent: true, publicAddress: { type: 'IPv6', ip: '2001:db8::5' }, bind: { port: 40000, address: { type: 'IPv4', ip: '192.0.2.1' } } });
    expect(r.ok && r.svc).toBeUndefined();
  });

  it('rejects impossible layouts with an offset', () => {
    expect(decodeRegistration(HAND_REGISTRATION.subarray(0, 12))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 0 } });
    expect(decodeRegistration(Uint8Array.from([0x02, ...HAND_REGISTRATION.subarray(1)]))).toMatchObject({ ok: false, error: { code: 'BAD_REGISTRATION', offset: 0 } });
    const badType = HAND_REGISTRATION.slice();
    badType[12] = 3;
    expect(decodeRegistration(badType)).toMatchObject({ ok: false, error: { code: 'BAD_ADDRESS_TYPE', offset: 12 } });
    expect(decodeRegistration(concatBytes([HAND_REGISTRATION, seq(1)]))).toMatchObject({ ok: false, error: { code: 'BAD_REGISTRATION', offset: 17 } });
    expect(decodeRegistration(HAND_REGISTRATION.subarray(0, 18))).toMatchObject({ ok: false, error: { code: 'BAD_REGISTRATION' } });
    expect(decodeRegistration(HAND_REGISTRATION.subarray(0, 15))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 13 } });
    const bind = encodeRegistration({ ia: '1-1', publicAddress: '10.0.0.1', bind: { address: '10.0.0.2', port: 1 } });
    expect(decodeRegistration(bind.subarray(0, 19))).toMatchObject({ ok: false, error: { code: 'TRUNCATED', offset: 17 } });
  });
});
