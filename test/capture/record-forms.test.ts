// The two forms a capture record can be handed on in: captureRecordToJSON (one JSON object,
// bigints as strings) and toPcapngRecord (what PcapngWriter takes), checked against real loopback
// captures, with tshark reading the file as the outside judge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureRecordToJSON, toPcapngRecord, type CaptureRecord } from '../../src/capture/index.js';
import { openUdp, type UdpTap } from '../../src/index.js';
import { PcapngWriter } from '../../src/pcapng/index.js';
import { nsToIso } from '../../src/sys/time.js';
import { TSHARK, TSHARK_MISSING, TSHARK_REQUIRED, epochToNs, tsharkFields } from '../pcapng/helpers/tshark.js';
import { captureSkipReason } from './helpers/privileges.js';
import { captureScope } from './helpers/scope.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[capture tests skipped] ${skip}`);
if (!TSHARK && !TSHARK_REQUIRED) console.warn(TSHARK_MISSING);

const { cap, sink, take } = captureScope();

describe.skipIf(skip !== null)('capture records as JSON and as pcapng records', () => {
  let tx: UdpTap;
  let dir: string;
  beforeAll(async () => {
    tx = await openUdp({ address: '127.0.0.1' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-record-forms-'));
  });
  afterAll(() => {
    tx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captureRecordToJSON: every field of both copies, ns as exact decimal strings, the payload as hex', async () => {
    const rx = await sink();
    const port = rx.address().port;
    // The smallest snap length (48): IPv4 20 + UDP 8 + the first 20 payload bytes.
    const c = await cap({ interface: 'lo', ports: [port], snapLength: 48 });
    const payload = 'hello, json: ' + 'x'.repeat(40);
    await tx.send(payload, { address: '127.0.0.1', port }, { ttl: 9, tos: 0x10 });
    const recs = await take(c, 2);
    for (const r of recs) {
      const j = captureRecordToJSON(r);
      expect(j).toEqual({
        time: nsToIso(r.timestamps.software!),
        ts: r.timestamps.software!.toString(),
        direction: r.direction,
        packetType: r.packetType,
        ifIndex: 1,
        ifName: 'lo',
        family: 4,
        src: `127.0.0.1:${tx.address().port}`,
        dst: `127.0.0.1:${port}`,
        ttl: 9,
        tos: 0x10,
        length: payload.length,
        captured: 20,
        truncated: true,
        readDelayNs: r.readDelayNs!.toString(),
        data: Buffer.from(payload.slice(0, 20)).toString('hex'),
      });
      // A JSON round trip loses nothing: the stamps come back exact.
      const back = JSON.parse(JSON.stringify(j)) as typeof j;
      expect(BigInt(back.ts!)).toBe(r.timestamps.software);
    }
    expect(recs.map((r) => captureRecordToJSON(r).direction)).toEqual(['out', 'in']);
  });

  it('captureRecordToJSON on IPv6: bracketed endpoints, no hardware stamp field without one', async () => {
    const rx6 = await sink(6);
    const tx6 = await openUdp({ address: '::1' });
    try {
      const port = rx6.address().port;
      const c = await cap({ interface: 'lo', ports: [port], direction: 'in' });
      await tx6.send('v6', { address: '::1', port });
      const [r] = await take(c, 1);
      const j = captureRecordToJSON(r!);
      expect(j).toMatchObject({ family: 6, src: `[::1]:${tx6.address().port}`, dst: `[::1]:${port}`, length: 2, captured: 2, truncated: false, data: '7636' });
      expect('hwTs' in j).toBe(false);
    } finally {
      tx6.close();
    }
  });

  it.skipIf(!TSHARK && !TSHARK_REQUIRED)('toPcapngRecord: tshark reads both copies with their direction, stamp, addresses, TTL and payload; rawPacket keeps the IP id', async () => {
    const rx = await sink();
    const port = rx.address().port;
    const plain = await cap({ interface: 'lo', ports: [port] });
    const raw = await cap({ interface: 'lo', ports: [port], rawPacket: true });
    await tx.send('to the file', { address: '127.0.0.1', port }, { ttl: 33 });
    const recs: Array<[string, CaptureRecord[]]> = [
      ['synth', await take(plain, 2)],
      ['raw', await take(raw, 2)],
    ];
    for (const [name, rs] of recs) {
      const file = path.join(dir, `${name}.pcapng`);
      const w = await PcapngWriter.open(file);
      for (const r of rs) w.write(toPcapngRecord(r, ['a note']));
      await w.close();
      const rows = tsharkFields(file, ['frame.time_epoch', 'frame.packet_flags_direction', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.id', 'udp.srcport', 'udp.dstport', 'udp.length', 'data.data', 'frame.comment']);
      expect(rows, name).toHaveLength(2);
      rs.forEach((r, k) => {
        const [epoch, dirFlag, src, dst, ttl, id, sport, dport, ulen, data, comments] = rows[k]!;
        expect(epochToNs(epoch!), name).toBe(r.timestamps.software);
        // epb_flags direction: 1 inbound, 2 outbound
        expect(Number(dirFlag), name).toBe(r.direction === 'in' ? 1 : 2);
        expect([src, dst, ttl, sport, dport, ulen], name).toEqual(['127.0.0.1', '127.0.0.1', '33', String(tx.address().port), String(port), String(8 + 11)]);
        expect(Buffer.from(data!, 'hex').toString(), name).toBe('to the file');
        expect(comments, name).toContain('a note');
        // As captured, the packet keeps the kernel's IP id; synthesized headers carry 0.
        expect(Number(id), name).toBe(name === 'raw' ? r.ip.id : 0);
      });
      if (name === 'raw') expect(rs.every((r) => r.packet !== undefined && r.packet.length === r.packetLength)).toBe(true);
    }
  });
});
