import { describe, it, expect } from 'vitest';
import {
  buildScionBfd,
  buildScionUdp,
  buildScmp,
  buildScmpEcho,
  decodeNtp,
  decodePayload,
  decodeScion,
  encodeNtp,
  jsonReplacer,
  scionPathFromSegments,
  summarize,
  toJson,
  toJsonValue,
} from '../../src/decode/index.js';
import { fixture, seq } from './samples.js';

const ends = { srcIA: '1-ff00:0:111', dstIA: '1-ff00:0:110', src: '10.0.0.2', dst: '10.0.0.1' };

describe('builders', () => {
  it('buildScionUdp: complete packet, checksum computed, path optional', () => {
    const path = scionPathFromSegments([{ consDir: true, timestamp: 1_700_000_000, hops: [{ consIngress: 0, consEgress: 1 }, { consIngress: 2, consEgress: 0 }] }]);
    const r = decodeScion(buildScionUdp({ ...ends, srcPort: 31000, dstPort: 31001, payload: seq(10), path, trafficClass: 0x10, flowId: 77 }));
    expect(r).toMatchObject({ ok: true, common: { trafficClass: 0x10, flowId: 77, pathType: 1 }, l4: { type: 'udp', srcPort: 31000, dstPort: 31001, length: 18, checksumStatus: { valid: true } } });
    expect(decodeScion(buildScionUdp({ ...ends, srcPort: 1, dstPort: 2, payload: seq(1) }))).toMatchObject({ ok: true, common: { flowId: 1 }, path: { type: 'empty' } });
  });

  it('buildScmpEcho / buildScmp / buildScionBfd', () => {
    expect(decodeScion(buildScmpEcho({ ...ends, identifier: 5, sequence: 6, data: seq(4) }))).toMatchObject({ ok: true, l4: { typeName: 'EchoRequest', body: { identifier: 5, sequence: 6 }, checksumStatus: { valid: true } } });
    expect(decodeScion(buildScmpEcho({ ...ends, reply: true, identifier: 5, sequence: 6 }))).toMatchObject({ ok: true, l4: { typeName: 'EchoReply' } });
    expect(decodeScion(buildScmp({ ...ends, scmpType: 2, body: { kind: 'packet-too-big', mtu: 1400, quote: seq(20) } }))).toMatchObject({ ok: true, l4: { typeName: 'PacketTooBig', checksumStatus: { valid: true } } });
    expect(decodeScion(buildScionBfd({ ...ends, state: 3, myDiscriminator: 9, yourDiscriminator: 8, desiredMinTxInterval: 50_000 }))).toMatchObject({ ok: true, l4: { type: 'bfd', stateName: 'Up', desiredMinTxInterval: 50_000, yourDiscriminator: 8 } });
  });
});

describe('summarize', () => {
  it('an NTP client request (stratum 0, reference id 0) says ref (unspec), as tcpdump does', () => {
    const line = summarize(decodeNtp(encodeNtp({ kind: 'header', mode: 3, stratum: 0 })));
    expect(line).toMatch(/^NTPv4 Client, .*stratum 0, .*, ref \(unspec\), org /);
  });

  it('one tcpdump-like line per vector', () => {
    expect(summarize(decodeScion(fixture('scion-udp.bin')))).toBe(
      'SCION 2-ff00:0:222,10.0.0.100:1280 > 1-ff00:0:111,[2001:db8::68]:80: UDP cksum 0xb7d2 ok, length 1024, path SCION 2+2 hops INF0 HF0, tc 0xb8 flow 0xdead',
    );
    expect(summarize(decodeScion(fixture('scion-scmp-dest-unreachable.bin')))).toMatch(
      /^SCION 2-ff00:0:222,10\.0\.0\.100 > 1-ff00:0:111,\[2001:db8::68\]: SCMP DestinationUnreachable\(RejectRouteToDest\) cksum 0x0000 bad \(expected 0x[0-9a-f]{4}\), quote 18 B \[SCION !UNSUPPORTED_VERSION@0 /,
    );
    expect(summarize(decodeScion(fixture('scion-bfd.bin')))).toBe(
      'SCION 1-ff00:0:110,127.0.0.10 > 1-ff00:0:110,127.0.0.9: BFD v1 Up diag None mult 3 my 0x5fa1e9cb your 0x7cd1c05d tx 200ms rx 200ms, path Empty, tc 0xb8 flow 0xdead',
    );
  });

  it('errors, NTP-in-SCION, echo, payload classes, warnings', () => {
    expect(summarize(decodeScion(fixture('scion-udp.bin').subarray(0, 20)))).toMatch(/^SCION !TRUNCATED@12 address header needs/);
    expect(summarize(decodeScion(fixture('scion-udp.bin').subarray(0, 50)))).toMatch(/^SCION 2-ff00:0:222,10\.0\.0\.100 > 1-ff00:0:111,\[2001:db8::68\]: !TRUNCATED@\d+ /);
    const ntp = encodeNtp({ mode: 3, transmitTimestamp: 1_700_000_000_000_000_000n });
    const line = summarize(decodePayload({ srcPort: 30041, dstPort: 31000, payload: buildScionUdp({ ...ends, srcPort: 31000, dstPort: 123, payload: ntp }) }));
    expect(line).toMatch(/^30041 > 31000 SCION 1-ff00:0:111,10\.0\.0\.2:31000 > 1-ff00:0:110,10\.0\.0\.1:123: UDP cksum 0x[0-9a-f]{4} ok, length 48: NTPv4 Client, .* xmt 2023-11-14T22:13:20\.000000000Z/);
    expect(summarize(decodeScion(buildScmpEcho({ ...ends, identifier: 5, sequence: 6, data: seq(4) })))).toMatch(/SCMP EchoRequest cksum 0x[0-9a-f]{4} ok, id 5 seq 6, 4 B/);
    expect(summarize(decodePayload({ srcPort: 1, dstPort: 53, payload: seq(9) }))).toBe('1 > 53 DNS 9 B');
    expect(summarize(decodeNtp(seq(3)))).toMatch(/^NTP !TRUNCATED@0/);
    expect(summarize(decodeScion(buildScionUdp({ ...ends, flowId: 0, srcPort: 1, dstPort: 2, payload: seq(1) })))).toMatch(/\(1 warning: FLOW_ID_ZERO\)$/);
  });
});

describe('JSON', () => {
  it('bigints become strings and bytes hex; every decoded object serialises', () => {
    const r = decodeScion(buildScmp({ ...ends, scmpType: 5, body: { kind: 'external-interface-down', ia: '1-ff00:0:110', interfaceId: 2n ** 63n + 1n, quote: seq(3) } }));
    const json = toJsonValue(r) as { l4: { body: { interfaceId: string; quote: { data: string } } } };
    expect(json.l4.body.interfaceId).toBe('9223372036854775809');
    expect(json.l4.body.quote.data).toBe('000102');
    expect(() => JSON.stringify(r)).toThrow(TypeError); // plain JSON cannot, hence toJson
    expect(JSON.parse(toJson(r))).toEqual(json);
    expect(JSON.stringify({ b: Buffer.from([1, 255]), n: 5n }, jsonReplacer)).toBe('{"b":"01ff","n":"5"}');
    expect(toJson(seq(2))).toBe('"0001"');
    expect(toJson(undefined)).toBe('null');
  });
});
