// disptap decode FILE: raw datagrams, hex text, our pcapng, a foreign (tcpdump-style) Ethernet pcap,
// and a damaged capture.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter } from '../../src/pcapng/index.js';
import { ROOT, ofType, run, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { scionBfd, scionNtp, scmpEcho } from './helpers/traffic.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/scion/scion-udp.bin');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-cli-decode-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A classic pcap with Ethernet frames carrying IPv4/UDP, as tcpdump writes it. */
function ethernetPcap(frames: Array<{ ts: number; sport: number; dport: number; payload: Uint8Array }>): Buffer {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts: Buffer[] = [hdr];
  for (const f of frames) {
    const udpLen = 8 + f.payload.length;
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udpLen, 2);
    ip[8] = 61; // TTL
    ip[9] = 17;
    Buffer.from([192, 0, 2, 1]).copy(ip, 12);
    Buffer.from([192, 0, 2, 2]).copy(ip, 16);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(f.sport, 0);
    udp.writeUInt16BE(f.dport, 2);
    udp.writeUInt16BE(udpLen, 4);
    const eth = Buffer.concat([Buffer.alloc(6, 0x02), Buffer.alloc(6, 0x04), Buffer.from([0x08, 0x00])]);
    const frame = Buffer.concat([eth, ip, udp, Buffer.from(f.payload)]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(f.ts), 0);
    rec.writeUInt32LE(Math.round((f.ts % 1) * 1e6), 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

describe('decode', () => {
  it('a raw SCION packet file and the same bytes as hex text decode alike', async () => {
    const r = await run(['decode', FIXTURE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [p] = ofType(r, 'packet');
    expect(p).toMatchObject({ layer: 'SCION/UDP', srcIA: '2-ff00:0:222', dstIA: '1-ff00:0:111', length: 1148, tsSource: 'user' });
    expect(p!.src).toBeUndefined();
    expect(((p!.decoded as Json).l4 as Json).checksum).toBe(0xb7d2);
    const hexFile = path.join(dir, 'udp.hex');
    const hex = fs.readFileSync(FIXTURE).toString('hex').replace(/(.{60})/g, '$1\n'); // xxd -p style
    fs.writeFileSync(hexFile, hex);
    const h = await run(['decode', hexFile, '--json']);
    expect(h.code).toBe(0);
    expect(ofType(h, 'packet')[0]!.decoded).toEqual(p!.decoded);
    const text = await run(['decode', FIXTURE]);
    expect(text.stdout).toMatch(/^.*scion-udp\.bin: 1148 B SCION\/UDP SCION 2-ff00:0:222,10\.0\.0\.100:1280 > 1-ff00:0:111,\[2001:db8::68\]:80: UDP cksum 0xb7d2 ok/);
    const verbose = await run(['decode', FIXTURE, '-v']);
    expect(verbose.stdout).toContain('"flowId": 57005');
    expectValidRecords([...r.records, ...h.records]);
  });

  it('a foreign Ethernet pcap (tcpdump) decodes down to SCION; --filter applies', async () => {
    const file = path.join(dir, 'eth.pcap');
    fs.writeFileSync(
      file,
      ethernetPcap([
        { ts: 1_700_000_000.25, sport: 30041, dport: 30041, payload: scionNtp() },
        { ts: 1_700_000_001.5, sport: 30041, dport: 31000, payload: scmpEcho(9) },
        { ts: 1_700_000_002, sport: 50000, dport: 30041, payload: scionBfd() },
      ]),
    );
    const r = await run(['decode', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pk = ofType(r, 'packet');
    expect(pk.map((p) => [p.frame, p.layer, p.tsNs, p.ttl, (p.src as Json).address])).toEqual([
      [1, 'SCION/UDP/NTP', '1700000000250000000', 61, '192.0.2.1'],
      [2, 'SCION/SCMP', '1700000001500000000', 61, '192.0.2.1'],
      [3, 'SCION/BFD', '1700000002000000000', 61, '192.0.2.1'],
    ]);
    const f = await run(['decode', file, '--json', '--filter', 'layer scmp or layer bfd']);
    expect(ofType(f, 'packet').map((p) => p.frame)).toEqual([2, 3]);
    expect(f.records.at(-1)).toMatchObject({ type: 'summary', command: 'decode', reason: 'end', packets: 3, matched: 2 });
    expectValidRecords([...r.records, ...f.records]);
  });

  it('a damaged capture: the packets before the damage, an error record, exit 1', async () => {
    const file = path.join(dir, 'cut.pcapng');
    const w = await PcapngWriter.open(file);
    for (let i = 0; i < 3; i++) {
      w.write({
        timestampNs: 1_800_000_000_000_000_000n + BigInt(i),
        timestampSource: 'software',
        ifName: 'lo',
        ifIndex: 1,
        src: { address: '127.0.0.1', port: 40000 },
        dst: { address: '127.0.0.1', port: 30041 },
        payload: scionNtp(),
        drops: i,
      });
    }
    await w.close();
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, full.length - 10));
    const r = await run(['decode', file, '--json']);
    expect(r.code).toBe(1);
    const pk = ofType(r, 'packet');
    expect(pk.map((p) => p.tsNs)).toEqual(['1800000000000000000', '1800000000000000001']);
    expect(pk.map((p) => p.drops)).toEqual([0, 1]);
    expect(ofType(r, 'error')[0]).toMatchObject({ code: 'TRUNCATED' });
    expectValidRecords(r.records);
    const text = await run(['decode', file]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/capture damaged at byte \d+: TRUNCATED/);
  });

  it('a missing file exits 1 with one line; no argument is a usage error', async () => {
    const r = await run(['decode', path.join(dir, 'nope.pcapng')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot read .*nope\.pcapng.*ENOENT/);
    expect((await run(['decode'])).code).toBe(2);
  });
});
