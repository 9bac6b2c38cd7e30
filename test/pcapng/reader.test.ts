// readPcapng on files of every shape it claims to handle, including ones Wireshark's own
// tools wrote, and on damage (structured errors, never a throw).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, readPcapng } from '../../src/pcapng/index.js';
import { Bytes, cat, epb, idb, shb } from './helpers/build.js';
import { makeRecords } from './helpers/records.js';
import { TSHARK, TSHARK_MISSING } from './helpers/tshark.js';
import { tempDir } from './helpers/transpile.js';

const enc = new TextEncoder();

describe('readPcapng', () => {
  it('reads a big-endian section with µs (default), 2^-n and offset timestamps', () => {
    const le = false;
    const file = cat(
      shb(le, (b) => b.text(4, 'other-tool').text(1, 'sect').end()),
      idb(le, 101, (b) => b.text(2, 'us0').end()), // no if_tsresol: 10^-6
      idb(le, 101, (b) => b.option(9, [0x80 | 10]).end()), // 2^-10 s units
      idb(le, 1, (b) => b.option(9, [3]).option(14, new Bytes(le).u64(100n).bytes()).end()), // ms, +100 s
      epb(le, 0, 1_500_000n, [0x45, 1, 2], (b) => b.text(1, 'hi').option(2, new Bytes(le).u32(2).bytes()).end()),
      epb(le, 1, 3n * 1024n + 512n, [0x60]),
      epb(le, 2, 1_234n, [7, 7], undefined, 9),
    );
    const r = readPcapng(file);
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('pcapng');
    expect(r.sections).toMatchObject([{ byteOrder: 'be', major: 1, minor: 0, userAppl: 'other-tool', comments: ['sect'] }]);
    expect(r.interfaces.map((i) => [i.name, i.linkType, i.tsresol])).toEqual([
      ['us0', 101, { base: 10, exponent: 6 }],
      [undefined, 101, { base: 2, exponent: 10 }],
      [undefined, 1, { base: 10, exponent: 3 }],
    ]);
    expect(r.packets.map((p) => [p.interfaceId, p.timestampNs, Array.from(p.data), p.origLength, p.comments, p.flags])).toEqual([
      [0, 1_500_000_000n, [0x45, 1, 2], 3, ['hi'], 2],
      [1, 3_500_000_000n, [0x60], 1, [], null],
      [2, 101_234_000_000n, [7, 7], 9, [], null],
    ]);
  });

  it('keeps interface ids per section across sections of different byte order', () => {
    const file = cat(
      shb(true),
      idb(true, 101, (b) => b.text(2, 'a0').end()),
      epb(true, 0, 1n, [1]),
      shb(false),
      idb(false, 101, (b) => b.text(2, 'b0').end()),
      idb(false, 101, (b) => b.text(2, 'b1').end()),
      epb(false, 1, 2n, [2]),
      epb(false, 0, 3n, [3]),
    );
    const r = readPcapng(file);
    expect(r.errors).toEqual([]);
    expect(r.sections.map((s) => s.byteOrder)).toEqual(['le', 'be']);
    expect(r.interfaces.map((i) => [i.id, i.section, i.name])).toEqual([
      [0, 0, 'a0'],
      [1, 1, 'b0'],
      [2, 1, 'b1'],
    ]);
    expect(r.packets.map((p) => [p.interfaceId, p.data[0]])).toEqual([
      [0, 1],
      [2, 2],
      [1, 3],
    ]);
  });

  it('reads legacy pcap, µs little-endian and ns big-endian', () => {
    const rec = (b: Bytes, sec: number, frac: number, data: number[]) => b.u32(sec).u32(frac).u32(data.length).u32(data.length).raw(data);
    const us = new Bytes(true).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(101);
    rec(us, 10, 999_999, [0x45]);
    const ns = new Bytes(false).u32(0xa1b23c4d).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(228);
    rec(ns, 10, 999_999_999, [0x45, 0]);
    expect(readPcapng(us.bytes())).toMatchObject({
      format: 'pcap',
      errors: [],
      interfaces: [{ linkType: 101 }],
      packets: [{ timestampNs: 10_999_999_000n, origLength: 1 }],
    });
    expect(readPcapng(ns.bytes())).toMatchObject({
      format: 'pcap',
      errors: [],
      interfaces: [{ linkType: 228 }],
      packets: [{ timestampNs: 10_999_999_999n, origLength: 2 }],
    });
  });

  it('reports damage as structured errors with offsets and keeps what came before', () => {
    const good = cat(shb(true), idb(true, 101), epb(true, 0, 5n, [1, 2, 3]));
    const truncated = readPcapng(cat(good, epb(true, 0, 6n, [4, 5, 6]).subarray(0, 20)));
    expect(truncated.packets).toHaveLength(1);
    expect(truncated.errors).toEqual([{ code: 'TRUNCATED', message: expect.any(String), offset: good.length }]);

    const badTrailer = epb(true, 0, 6n, [4]);
    badTrailer[badTrailer.length - 4]! ^= 4;
    expect(readPcapng(cat(good, badTrailer)).errors).toMatchObject([{ code: 'BAD_BLOCK_LENGTH', offset: good.length }]);

    const unknownIface = readPcapng(cat(good, epb(true, 7, 6n, [4]), epb(true, 0, 7n, [5])));
    expect(unknownIface.errors).toMatchObject([{ code: 'BAD_INTERFACE', offset: good.length }]);
    expect(unknownIface.packets.map((p) => p.timestampNs)).toEqual([5_000n, 7_000n]); // reading goes on (µs default)

    const longOption = epb(true, 0, 6n, [4], (b) => b.u16(1).u16(200).u32(0));
    const opt = readPcapng(cat(good, longOption));
    expect(opt.errors).toMatchObject([{ code: 'BAD_OPTION' }]);
    expect(opt.packets).toHaveLength(2);

    expect(readPcapng(enc.encode('hello, not a capture')).errors).toMatchObject([{ code: 'NOT_PCAPNG', offset: 0 }]);
    expect(readPcapng(new Uint8Array(0))).toMatchObject({ format: 'unknown', errors: [], packets: [] });
    const badBom = shb(true);
    badBom[8] = 0;
    expect(readPcapng(badBom).errors).toMatchObject([{ code: 'BAD_BYTE_ORDER' }]);
    expect(readPcapng('nope' as unknown as Uint8Array).errors).toMatchObject([{ code: 'BAD_INPUT' }]);
  });
});

describe.skipIf(!TSHARK)(`readPcapng on files rewritten by Wireshark's editcap${TSHARK ? '' : ` — ${TSHARK_MISSING}`}`, () => {
  let dir: string;
  let original: ReturnType<typeof readPcapng>;
  const file = () => path.join(dir, 'orig.pcapng');
  beforeAll(async () => {
    dir = tempDir('disptap-pcapng-editcap-');
    const w = await PcapngWriter.open(file());
    for (const r of makeRecords(60, 3)) w.write(r);
    await w.close();
    original = readPcapng(fs.readFileSync(file()));
    expect(original.errors).toEqual([]);
    expect(original.packets).toHaveLength(60);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function editcap(format: string, extra: string[] = []): ReturnType<typeof readPcapng> {
    const out = path.join(dir, `out.${format}`);
    const r = spawnSync('editcap', ['-F', format, ...extra, file(), out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return readPcapng(fs.readFileSync(out));
  }

  it('pcapng as written by editcap: same packets, timestamps, comments and flags', () => {
    const r = editcap('pcapng');
    expect(r.errors).toEqual([]);
    expect(r.interfaces.map((i) => i.name)).toEqual(original.interfaces.map((i) => i.name));
    const strip = (f: ReturnType<typeof readPcapng>) =>
      f.packets.map((p) => ({ i: p.interfaceId, ts: p.timestampNs, d: Buffer.from(p.data).toString('hex'), c: p.comments, f: p.flags }));
    expect(strip(r)).toEqual(strip(original));
  });

  it('legacy nanosecond pcap as written by editcap', () => {
    // one link type per pcap file: keep only the LINKTYPE_RAW packets (all of them here)
    expect(new Set(original.interfaces.map((i) => i.linkType))).toEqual(new Set([101]));
    const r = editcap('nsecpcap');
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('pcap');
    expect(r.packets.map((p) => [p.timestampNs, Buffer.from(p.data).toString('hex')])).toEqual(
      original.packets.map((p) => [p.timestampNs, Buffer.from(p.data).toString('hex')]),
    );
  });
});
