// cork()/uncork(): many packets in one write, and a failed write loses them cleanly — counted,
// thrown once with how many, the interface block written again with the next packet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngWriter } from '../../src/pcapng/writer.js';
import { readPcapng } from '../../src/pcapng/reader.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-cork-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const rec = (i: number) => ({
  timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
  timestampSource: 'software' as const,
  ifName: 'lo',
  ifIndex: 1,
  src: { address: '127.0.0.1', port: 1000 + i },
  dst: { address: '127.0.0.1', port: 30041 },
  payload: Buffer.from(`p${i}`),
});

describe('PcapngWriter cork', () => {
  it('writes corked packets in one write(2) at uncork, in order, with their frame numbers', async () => {
    const file = path.join(dir, 'a.pcapng');
    const w = await PcapngWriter.open(file);
    w.write(rec(0));
    const before = fs.statSync(file).size;
    w.cork();
    expect([w.write(rec(1)), w.write(rec(2)), w.write(rec(3))]).toEqual([2, 3, 4]);
    expect(fs.statSync(file).size).toBe(before); // nothing yet
    w.uncork();
    expect(fs.statSync(file).size).toBeGreaterThan(before);
    w.closeSync();
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => Buffer.from(p.data.subarray(28)).toString())).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(f.interfaces).toHaveLength(1);
  });

  it('copies borrowed blocks written while corked: the caller may reuse its buffer right away', async () => {
    // the blocks of two packets, taken from another writer's file (interface 0 = lo, as below)
    const other = path.join(dir, 'src.pcapng');
    const src = await PcapngWriter.open(other);
    src.write(rec(1));
    src.write(rec(2));
    src.closeSync();
    const bytes = fs.readFileSync(other);
    const epb = (k: number): Buffer => {
      const at = readPcapng(bytes).packets[k]!.offset;
      return Buffer.from(bytes.subarray(at, at + bytes.readUInt32LE(at + 4)));
    };
    const [one, two] = [epb(0), epb(1)];
    expect(one.length).toBe(two.length);
    const file = path.join(dir, 'borrowed.pcapng');
    const w = await PcapngWriter.open(file);
    w.write(rec(0));
    w.cork();
    const scratch = Buffer.from(one);
    expect(w.writeBlocks(scratch, 1, true)).toBe(2);
    scratch.set(two); // reused as the batch encoders reuse theirs
    expect(w.writeBlocks(scratch, 1, true)).toBe(3);
    w.uncork();
    w.closeSync();
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => Buffer.from(p.data.subarray(28)).toString())).toEqual(['p0', 'p1', 'p2']);
  });

  it('a failed uncork loses exactly the corked packets; the next packet rewrites its interface block', async () => {
    const fifo = path.join(dir, 'f.pcapng');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = fs.promises.open(fifo, 'r');
    const w = await PcapngWriter.open(fifo);
    const fh = await reader;
    const head = Buffer.alloc(64 * 1024);
    await fh.read(head, 0, head.length, null); // the section header
    await fh.close(); // the reader goes away: the next write fails with EPIPE
    w.cork();
    w.write(rec(1));
    w.write(rec(2));
    let err: (NodeJS.ErrnoException & { packets?: number }) | undefined;
    try {
      w.uncork();
    } catch (e) {
      err = e as NodeJS.ErrnoException & { packets?: number };
    }
    expect(err?.code).toBe('EPIPE');
    expect(err?.packets).toBe(2);
    expect(w.packets).toBe(0);
    expect(w.interfaces).toHaveLength(0);
    w.closeSync();
  });
});
