// The writer's files judged by the real tshark: counts, ns timestamps, headers, comments.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, resolvePair, type CaptureRecord } from '../../src/pcapng/index.js';
import { makeRecords } from './helpers/records.js';
import { AGG, CHECKSUM_OPTS, TSHARK, TSHARK_MISSING, TSHARK_REQUIRED, capinfos, epochToNs, tshark, tsharkFields } from './helpers/tshark.js';
import { tempDir } from './helpers/transpile.js';

it('tshark is available where CI requires it', () => {
  if (TSHARK_REQUIRED) expect(TSHARK, 'CI must install tshark (see .ci/run)').not.toBeNull();
  else if (!TSHARK) console.warn(`pcapng tshark tests: ${TSHARK_MISSING}`);
});

const FIELDS = [
  'frame.time_epoch',
  'frame.interface_name',
  'frame.interface_description',
  'frame.len',
  'frame.cap_len',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'ip.ttl',
  'ipv6.hlim',
  'ip.dsfield',
  'ipv6.tclass',
  'ip.checksum.status',
  'udp.checksum.status',
  'frame.comment',
  'frame.packet_flags_direction',
  'frame.protocols',
  '_ws.malformed',
  '_ws.expert.severity',
] as const;
type Field = (typeof FIELDS)[number];

// Random payloads on random ports would otherwise meet port-based dissectors (LWAPP, ...) that
// call them malformed; here only our headers are judged. The NTP test covers dissection above UDP.
const PAYLOAD_AS_DATA = ['-d', 'udp.port==1-65535,data'];

function rows(file: string): Record<Field, string>[] {
  return tsharkFields(file, FIELDS, [...CHECKSUM_OPTS, ...PAYLOAD_AS_DATA]).map((cols) => {
    const r = {} as Record<Field, string>;
    FIELDS.forEach((f, i) => (r[f] = cols[i] ?? ''));
    return r;
  });
}

const PI_WARN = 0x00600000; // epan/proto.h: PI_NOTE < PI_WARN < PI_ERROR

async function writeAll(file: string, records: readonly CaptureRecord[]): Promise<PcapngWriter> {
  const w = await PcapngWriter.open(file, { comment: 'disptap test' });
  for (const r of records) w.write(r);
  await w.close();
  return w;
}

describe.skipIf(!TSHARK)(`pcapng read back by tshark${TSHARK ? '' : ` — ${TSHARK_MISSING}`}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('disptap-pcapng-tshark-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every packet, its ns timestamp, addresses, ports, TTL/TOS, comments and interface', async () => {
    const records = makeRecords(300, 42);
    const file = path.join(dir, 'mixed.pcapng');
    await writeAll(file, records);
    const got = rows(file);
    expect(got).toHaveLength(records.length);
    // the generator must actually exercise both families and several interfaces
    expect(new Set(got.map((r) => (r['ip.src'] ? 4 : 6)))).toEqual(new Set([4, 6]));
    expect(new Set(got.map((r) => r['frame.interface_name'])).size).toBe(3);

    records.forEach((rec, i) => {
      const row = got[i]!;
      const ctx = `packet ${i + 1}`;
      expect(row['frame.time_epoch'], ctx).toMatch(/^\d+\.\d{9}$/);
      expect(epochToNs(row['frame.time_epoch']), ctx).toBe(rec.timestampNs);
      expect(row['frame.interface_name'], ctx).toBe(rec.ifName);
      expect(row['frame.interface_description'], ctx).toBe(`ifindex ${rec.ifIndex}`);
      expect(Number(row['udp.srcport']), ctx).toBe(rec.src.port);
      expect(Number(row['udp.dstport']), ctx).toBe(rec.dst.port);
      expect(Number(row['udp.length']), ctx).toBe(8 + rec.payload.length);
      const pair = resolvePair(rec.src.address, rec.dst.address);
      if (pair.family === 4) {
        const v4 = (a: string) => a.replace(/^::ffff:/, '');
        expect(row['ip.src'], ctx).toBe(v4(rec.src.address));
        expect(row['ip.dst'], ctx).toBe(v4(rec.dst.address));
        expect(Number(row['ip.ttl']), ctx).toBe(rec.ttl);
        expect(Number(row['ip.dsfield']), ctx).toBe(rec.tos);
        expect(row['ip.checksum.status'], ctx).toBe('1'); // 1 = good
        expect(row['frame.protocols'], ctx).toMatch(/^(raw:)?ip:udp(:data)?$/);
        expect(Number(row['frame.len']), ctx).toBe(20 + 8 + rec.payload.length);
      } else {
        expect(row['ipv6.src'], ctx).toBe(rec.src.address);
        expect(row['ipv6.dst'], ctx).toBe(rec.dst.address);
        expect(Number(row['ipv6.hlim']), ctx).toBe(rec.ttl);
        expect(Number(row['ipv6.tclass']), ctx).toBe(rec.tos);
        expect(row['ip.src'], ctx).toBe('');
        expect(row['frame.protocols'], ctx).toMatch(/^raw:ipv6:udp(:data)?$/);
        expect(Number(row['frame.len']), ctx).toBe(40 + 8 + rec.payload.length);
      }
      expect(row['udp.checksum.status'], ctx).toBe('1');
      expect(row['frame.cap_len'], ctx).toBe(row['frame.len']);
      expect(Number(row['frame.packet_flags_direction']), ctx).toBe(rec.direction === 'in' ? 1 : 2);

      const comments = row['frame.comment'].split(AGG);
      const meta = comments[0]!;
      expect(meta, ctx).toContain(`ts=${rec.timestampSource}`);
      expect(meta, ctx).toContain(`ifindex=${rec.ifIndex}`);
      expect(meta, ctx).toContain(`ttl=${rec.ttl}`);
      expect(meta, ctx).toContain(`tos=0x${rec.tos!.toString(16).padStart(2, '0')}`);
      expect(meta, ctx).toContain(`read-delay=${rec.readDelayNs}ns`);
      expect(meta, ctx).toContain(`drops=${rec.drops}`);
      expect(meta, ctx).toContain(`:${rec.dst.port}`);
      expect(comments.slice(1), ctx).toEqual(rec.comments ?? []);

      expect(row['_ws.malformed'], ctx).toBe('');
      for (const sev of row['_ws.expert.severity'].split(AGG).filter(Boolean)) expect(Number(sev), ctx).toBeLessThan(PI_WARN);
    });
  });

  it('declares one interface per receiving interface, with ns resolution, and the section metadata', async () => {
    const file = path.join(dir, 'ifaces.pcapng');
    const records = makeRecords(40, 7).map((r) => ({ ...r, tos: 0 }));
    const w = await writeAll(file, records);
    expect(w.interfaces.map((i) => i.name).sort()).toEqual(['eth0', 'lo', 'scion-br0']);
    const info = capinfos(file);
    expect(info).toMatch(/Number of interfaces in file: 3\n/);
    expect(info).toMatch(/Capture application:\s+disptap/);
    expect(info).toMatch(/Capture comment:\s+disptap test/);
    expect(info).toMatch(/File timestamp precision:\s+nanoseconds \(9\)/);
    expect(info).toMatch(/File encapsulation:\s+Raw IP/);
    for (const name of ['lo', 'eth0', 'scion-br0']) expect(info).toContain(`Name = ${name}`);
  });

  it('defaults TTL 64 / TOS 0 and marks a truncated datagram as such', async () => {
    const file = path.join(dir, 'defaults.pcapng');
    const base: CaptureRecord = {
      timestampNs: 1_000_000_000_000_000_001n,
      timestampSource: 'user',
      ifName: 'lo',
      src: { address: '127.0.0.1', port: 40000 },
      dst: { address: '127.0.0.1', port: 30041 },
      payload: Uint8Array.of(1, 2, 3),
    };
    await writeAll(file, [base, { ...base, timestampNs: base.timestampNs + 1n, payload: new Uint8Array(10), origLength: 3000 }]);
    const got = rows(file);
    expect(got).toHaveLength(2);
    expect(got[0]!['ip.ttl']).toBe('64');
    expect(Number(got[0]!['ip.dsfield'])).toBe(0);
    expect(got[0]!['frame.interface_description']).toBe('');
    expect(got[0]!['frame.packet_flags_direction']).toBe('');
    expect(got[0]!['frame.comment']).toBe('disptap: ts=user dst=127.0.0.1:30041');
    expect(got[1]!['frame.len']).toBe(String(20 + 8 + 3000));
    expect(got[1]!['frame.cap_len']).toBe(String(20 + 8 + 10));
    expect(got[1]!['udp.length']).toBe(String(8 + 3000));
    expect(epochToNs(got[1]!['frame.time_epoch'])).toBe(1_000_000_000_000_000_002n);
  });

  it('keeps IPv4 with TOS 0xff and length 768..1023 from being dissected as PPP', async () => {
    const file = path.join(dir, 'ppp-quirk.pcapng');
    const rec = (payload: number, tos: number, ns: bigint): CaptureRecord => ({
      timestampNs: ns,
      timestampSource: 'software',
      ifName: 'eth0',
      ifIndex: 2,
      src: { address: '192.0.2.1', port: 30041 },
      dst: { address: '192.0.2.2', port: 30041 },
      tos,
      payload: new Uint8Array(payload),
    });
    // 20 + 8 + 800 = 828 = 0x033c: bytes 1-2 of the header read ff 03
    const w = await writeAll(file, [rec(800, 0xff, 1n), rec(800, 0xfe, 2n), rec(2000, 0xff, 3n), rec(800, 0xff, 4n)]);
    expect(w.interfaces.map((i) => [i.name, i.linkType])).toEqual([
      ['eth0', 228],
      ['eth0', 101],
    ]);
    const got = tsharkFields(file, ['frame.interface_id', 'frame.protocols', 'ip.dsfield', 'udp.srcport', 'udp.checksum.status'], CHECKSUM_OPTS);
    expect(got).toEqual([
      ['0', 'ip:udp:data', '0xff', '30041', '1'],
      ['1', 'raw:ip:udp:data', '0xfe', '30041', '1'],
      ['1', 'raw:ip:udp:data', '0xff', '30041', '1'],
      ['0', 'ip:udp:data', '0xff', '30041', '1'],
    ]);
  });

  it('dissects past UDP: an NTP request on port 123 decodes as NTP', async () => {
    const file = path.join(dir, 'ntp.pcapng');
    const ntp = new Uint8Array(48);
    ntp[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
    await writeAll(file, [
      {
        timestampNs: 1_760_000_000_000_000_123n,
        timestampSource: 'hardware',
        ifName: 'eth0',
        ifIndex: 2,
        src: { address: '2001:db8::5', port: 50123 },
        dst: { address: '2001:db8::1', port: 123 },
        payload: ntp,
      },
    ]);
    const [row] = tsharkFields(file, ['ntp.flags.vn', 'ntp.flags.mode', 'frame.protocols'], CHECKSUM_OPTS);
    expect(row).toEqual(['4', '3', 'raw:ipv6:udp:ntp']);
  });

  it('reads an empty capture (section header only) as a valid file with no packets', async () => {
    const file = path.join(dir, 'empty.pcapng');
    await (await PcapngWriter.open(file)).close();
    const r = tshark(['-r', file]);
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });
});
