// PcapngWriter: interface mapping, lifecycle, argument errors, and a full round trip.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, dissectUdp, parseMetaComment, readPcapng, type CaptureRecord } from '../../src/pcapng/index.js';
import { makeRecords } from './helpers/records.js';
import { tempDir } from './helpers/transpile.js';

const base: CaptureRecord = {
  timestampNs: 1_760_000_000_123_456_789n,
  timestampSource: 'hardware',
  ifName: 'eth0',
  ifIndex: 2,
  src: { address: '192.0.2.1', port: 30041 },
  dst: { address: '192.0.2.2', port: 30042 },
  payload: Uint8Array.of(1, 2, 3),
};

describe('PcapngWriter', () => {
  let dir: string;
  let n = 0;
  const fresh = () => path.join(dir, `w${n++}.pcapng`);
  beforeAll(() => {
    dir = tempDir('disptap-pcapng-writer-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips records through readPcapng: timestamps, interfaces, headers, metadata, flags', async () => {
    const file = fresh();
    const records = makeRecords(120, 9);
    const w = await PcapngWriter.open(file, { comment: 'cmdline' });
    records.forEach((r, i) => expect(w.write(r)).toBe(i + 1));
    await w.close();
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.sections).toMatchObject([{ userAppl: 'disptap', comments: ['cmdline'] }]);
    expect(f.interfaces.every((i) => i.tsresol.base === 10 && i.tsresol.exponent === 9)).toBe(true);
    expect(f.packets).toHaveLength(records.length);
    f.packets.forEach((p, i) => {
      const r = records[i]!;
      expect(p.timestampNs).toBe(r.timestampNs);
      expect(f.interfaces[p.interfaceId]!.name).toBe(r.ifName);
      expect(f.interfaces[p.interfaceId]!.description).toBe(`ifindex ${r.ifIndex}`);
      expect(p.flags).toBe(r.direction === 'in' ? 1 : 2);
      const d = dissectUdp(p.data)!;
      expect([d.src.port, d.dst.port, d.ttl, d.tos]).toEqual([r.src.port, r.dst.port, r.ttl, r.tos]);
      expect(Buffer.from(d.payload).equals(Buffer.from(r.payload))).toBe(true);
      expect(parseMetaComment(p.comments)).toEqual({
        ts: r.timestampSource,
        dst: expect.stringMatching(new RegExp(`:${r.dst.port}$`)),
        ifindex: String(r.ifIndex),
        ttl: String(r.ttl),
        tos: `0x${r.tos!.toString(16).padStart(2, '0')}`,
        'read-delay': `${r.readDelayNs}ns`,
        drops: String(r.drops),
      });
      expect(p.comments.slice(1)).toEqual(r.comments ?? []);
    });
  });

  it('adds an interface block the first time an (ifName, ifIndex) is seen, even mid-file', async () => {
    const file = fresh();
    const w = await PcapngWriter.open(file);
    w.write(base);
    w.write({ ...base, ifName: 'lo', ifIndex: 1 });
    w.write(base);
    w.write({ ...base, ifIndex: 3 }); // same name, other index: another interface
    w.write({ ...base, ifName: 'lo', ifIndex: 1 });
    await w.close();
    expect(w.interfaces.map((i) => [i.id, i.name, i.ifIndex])).toEqual([
      [0, 'eth0', 2],
      [1, 'lo', 1],
      [2, 'eth0', 3],
    ]);
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => p.interfaceId)).toEqual([0, 1, 0, 2, 1]);
    // IDBs sit right before their first packet, not at the start of the file
    const idbOffsets = [...findBlocks(fs.readFileSync(file), 1)];
    expect(idbOffsets[1]).toBeGreaterThan(f.packets[0]!.offset);
    expect(idbOffsets[2]).toBeGreaterThan(f.packets[2]!.offset);
  });

  it('writes nothing for a record it rejects', async () => {
    const w = await PcapngWriter.open(fresh());
    const before = w.bytesWritten;
    expect(() => w.write({ ...base, timestampNs: 5 as unknown as bigint })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => w.write({ ...base, timestampNs: -1n })).toThrow(RangeError);
    expect(() => w.write({ ...base, dst: { address: 'nowhere', port: 1 } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ADDRESS' }));
    expect(() => w.write({ ...base, ttl: 300 })).toThrow(RangeError);
    expect(w.bytesWritten).toBe(before);
    expect(w.interfaces).toEqual([]);
    expect(w.packets).toBe(0);
    await w.close();
  });

  it('close() is idempotent; write() after close throws ERR_PCAPNG_CLOSED', async () => {
    const file = fresh();
    const w = await PcapngWriter.open(file);
    w.write(base);
    await w.close();
    await w.close();
    w.closeSync();
    expect(() => w.write(base)).toThrow(expect.objectContaining({ code: 'ERR_PCAPNG_CLOSED' }));
    expect(readPcapng(fs.readFileSync(file)).packets).toHaveLength(1);
  });

  it("open() errors are Node errors with codes: 'wx' on an existing file, a missing directory", async () => {
    const file = fresh();
    fs.writeFileSync(file, 'keep me');
    await expect(PcapngWriter.open(file, { flags: 'wx' })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    await expect(PcapngWriter.open(path.join(dir, 'no/such/dir/x.pcapng'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fromFd() writes to a caller-owned fd and leaves it open', () => {
    const file = fresh();
    const fd = fs.openSync(file, 'w');
    const w = PcapngWriter.fromFd(fd);
    w.write(base);
    w.closeSync();
    expect(fs.fstatSync(fd).size).toBe(w.bytesWritten); // still open
    fs.closeSync(fd);
    expect(readPcapng(fs.readFileSync(file))).toMatchObject({ errors: [], packets: [{ timestampNs: base.timestampNs }] });
  });
});

describe('PcapngWriter.fromFd on a file that already has content', () => {
  it('appends after it and never truncates into it', () => {
    const dir = tempDir('disptap-pcapng-append-');
    try {
      const file = path.join(dir, 'log');
      fs.writeFileSync(file, 'existing\n');
      const fd = fs.openSync(file, 'a');
      const w = PcapngWriter.fromFd(fd, { closeFd: true });
      w.write(base);
      w.closeSync();
      const bytes = fs.readFileSync(file);
      expect(bytes.subarray(0, 9).toString()).toBe('existing\n');
      expect(bytes.length).toBe(9 + w.bytesWritten);
      expect(readPcapng(bytes.subarray(9))).toMatchObject({ errors: [], packets: [{ timestampNs: base.timestampNs }] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function* findBlocks(bytes: Uint8Array, type: number): Generator<number> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 8 <= bytes.length; off += v.getUint32(off + 4, true)) {
    if (v.getUint32(off, true) === type) yield off;
  }
}
