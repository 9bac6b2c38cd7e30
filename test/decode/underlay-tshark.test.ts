// The UDP/IP underlay of SCION packets, judged by the real tshark. Debian's tshark 4.0 has no SCION
// dissector and scionproto's tools/wireshark/scion.lua may not be copied into this repository (nor
// fetched: CI has no network), so tshark judges only what it knows: the IPv4/IPv6 and UDP headers,
// their checksums, and the datagram payload. The payload is then decoded by disptap and must be
// the SCION packet that was put in, with the fields its vector says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload } from '../../src/decode/index.js';
import { dissectUdp, readPcapng } from '../../src/pcapng/index.js';
import { AGG, CHECKSUM_OPTS, TSHARK, TSHARK_MISSING, TSHARK_REQUIRED, tsharkFields } from '../pcapng/helpers/tshark.js';
import { fixture } from './samples.js';
import { SCION_PATH_3_SEGMENTS, cat, toHexString, wire } from './spec-vectors.js';

/** IPv4 underlay, as a border router or the shim dispatcher would receive it, around scion-udp.bin. */
const SCION_UDP_BIN = fixture('scion-udp.bin');
const IPV4_PACKET = cat(
  wire(`
    45 | 00 | 04 98   // Version 4 IHL 5 | DSCP/ECN 0 | Total Length 1176 = 20 + 8 + 1148
    12 34 | 40 00     // Identification 0x1234 | Flags DF, Fragment Offset 0
    40 | 11 | 10 1f   // TTL 64 | Protocol 17 | Header Checksum 0x101f
    0a 00 00 01       // Source 10.0.0.1
    0a 00 00 02       // Destination 10.0.0.2
    // Header checksum by hand: 4500+0498+1234+4000+4011+0a00+0001+0a00+0002 = 0xefe0 -> ~ = 0x101f
    75 59 | 75 59     // UDP Source Port 30041 | Destination Port 30041 (SCION end-host underlay)
    04 84 | af de     // Length 1156 = 8 + 1148 | Checksum 0xafde
  `),
  SCION_UDP_BIN,
);

/** IPv6 underlay from an application socket to the shim dispatcher, around a hand-assembled vector. */
const IPV6_PACKET = cat(
  wire(`
    60 00 00 00       // Version 6 | Traffic Class 0 | Flow Label 0
    00 a9 | 11 | 40   // Payload Length 169 = 8 + 161 | Next Header 17 | Hop Limit 64
    fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01   // Source fd00::1
    fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02   // Destination fd00::2
    79 18 | 75 59     // UDP Source Port 31000 | Destination Port 30041
    00 a9 | 98 b7     // Length 169 | Checksum 0x98b7
  `),
  SCION_PATH_3_SEGMENTS,
);

/** A pcapng file written by hand (little-endian): SHB, one LINKTYPE_RAW (101) IDB, one EPB per packet. */
function pcapng(packets: readonly Uint8Array[]): Uint8Array {
  const u32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const shb = wire('0a 0d 0d 0a | 1c 00 00 00 | 4d 3c 2b 1a | 01 00 | 00 00 | ff ff ff ff ff ff ff ff | 1c 00 00 00');
  const idb = wire('01 00 00 00 | 14 00 00 00 | 65 00 | 00 00 | 00 00 00 00 | 14 00 00 00');
  const epbs = packets.map((data, i) => {
    const padded = cat(data, new Uint8Array((4 - (data.length % 4)) % 4));
    const len = 32 + padded.length;
    // interface 0 | timestamp (µs, default resolution) high, low | captured, original length
    return cat(u32(6), u32(len), u32(0), u32(0x00060000), u32(i), u32(data.length), u32(data.length), padded, u32(len));
  });
  return cat(shb, idb, ...epbs);
}

const FIELDS = [
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ip.checksum.status',
  'ipv6.src',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum',
  'udp.checksum.status',
  'data.data',
  '_ws.malformed',
  '_ws.expert.severity',
] as const;

it('tshark is available where CI requires it', () => {
  if (TSHARK_REQUIRED) expect(TSHARK, 'CI must install tshark').not.toBeNull();
  else if (!TSHARK) console.warn(`underlay tshark tests: ${TSHARK_MISSING}`);
});

describe.skipIf(!TSHARK)(`SCION underlay read by tshark${TSHARK ? '' : ` — ${TSHARK_MISSING}`}`, () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-underlay-'));
    file = path.join(dir, 'underlay.pcapng');
    fs.writeFileSync(file, pcapng([IPV4_PACKET, IPV6_PACKET]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tshark: addresses, ports, lengths, good IP and UDP checksums, payload = the SCION packet', () => {
    // Port 30041 has no dissector in tshark 4.0; "data" keeps the payload as bytes either way.
    const rows = tsharkFields(file, FIELDS, [...CHECKSUM_OPTS, '-d', 'udp.port==30041,data']).map((cols) => Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ''])));
    expect(rows).toHaveLength(2);
    const [v4, v6] = rows as [Record<string, string>, Record<string, string>];
    expect(v4).toMatchObject({
      'frame.protocols': 'raw:ip:udp:data',
      'ip.src': '10.0.0.1',
      'ip.dst': '10.0.0.2',
      'ip.checksum.status': '1', // 1 = good
      'udp.srcport': '30041',
      'udp.dstport': '30041',
      'udp.length': '1156',
      'udp.checksum': '0xafde',
      'udp.checksum.status': '1',
      'data.data': toHexString(SCION_UDP_BIN),
      '_ws.malformed': '',
    });
    expect(v6).toMatchObject({
      'frame.protocols': 'raw:ipv6:udp:data',
      'ipv6.src': 'fd00::1',
      'ipv6.dst': 'fd00::2',
      'udp.srcport': '31000',
      'udp.dstport': '30041',
      'udp.length': '169',
      'udp.checksum': '0x98b7',
      'udp.checksum.status': '1',
      'data.data': toHexString(SCION_PATH_3_SEGMENTS),
      '_ws.malformed': '',
    });
    for (const r of rows) expect(r['_ws.expert.severity']!.split(AGG).filter((s) => s !== '')).toEqual([]);
  });

  it('disptap reads the same file: same underlay fields, and the payload decodes as the SCION vector', () => {
    const f = readPcapng(new Uint8Array(fs.readFileSync(file)));
    expect(f.errors).toEqual([]);
    expect(f.interfaces.map((i) => i.linkType)).toEqual([101]);
    const [v4, v6] = f.packets.map((p) => dissectUdp(p.data));
    expect(v4).toMatchObject({ family: 4, src: { address: '10.0.0.1', port: 30041 }, dst: { address: '10.0.0.2', port: 30041 }, ttl: 64, udpPayloadLength: 1148, udpChecksum: 0xafde });
    expect(v6).toMatchObject({ family: 6, src: { address: 'fd00::1', port: 31000 }, dst: { address: 'fd00::2', port: 30041 }, ttl: 64, udpPayloadLength: 161, udpChecksum: 0x98b7 });
    expect(v4!.payload).toEqual(SCION_UDP_BIN);
    expect(v6!.payload).toEqual(SCION_PATH_3_SEGMENTS);

    // scion-udp.bin as its README describes it
    const a = decodePayload({ srcPort: v4!.src.port, dstPort: v4!.dst.port, payload: v4!.payload });
    expect(a).toMatchObject({
      ok: true,
      layer: 'scion',
      udp: { classification: { layer: 'SCION' } },
      common: { trafficClass: 0xb8, flowId: 0xdead, nextHdr: 17 },
      address: { dstIA: { text: '1-ff00:0:111' }, dst: { ip: '2001:db8::68' }, srcIA: { text: '2-ff00:0:222' }, src: { ip: '10.0.0.100' } },
      l4: { type: 'udp', srcPort: 1280, dstPort: 80, length: 1032, checksumStatus: { valid: true, expected: 0xb7d2, received: 0xb7d2 } },
    });
    // the hand-assembled three-segment vector, fields as written in spec-vectors.ts
    const b = decodePayload({ srcPort: v6!.src.port, dstPort: v6!.dst.port, payload: v6!.payload });
    expect(b).toMatchObject({
      ok: true,
      layer: 'scion',
      udp: { classification: { layer: 'SCION' } },
      common: { trafficClass: 0x5c, flowId: 0x1e2f3, hdrLen: 37, payloadLen: 13 },
      path: { type: 'scion', meta: { currInf: 1, currHf: 2, segLen: [2, 1, 3] } },
      l4: { type: 'udp', srcPort: 50000, dstPort: 31000, checksumStatus: { valid: true, expected: 0x8ea6 } },
    });
  });
});
