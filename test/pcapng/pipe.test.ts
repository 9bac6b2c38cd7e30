// Streaming to a pipe (fromFd), as `--write -` into `wireshark -k -i -` would: a full
// non-blocking pipe waits for the reader instead of tearing a block; a vanished reader is EPIPE.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, readPcapng } from '../../src/pcapng/index.js';
import { makeRecords } from './helpers/records.js';
import { tempDir } from './helpers/transpile.js';

/** Opens the FIFO's write end non-blocking once the reader has opened it (ENXIO until then). */
async function openWriteEnd(fifo: string): Promise<number> {
  for (let i = 0; i < 500; i++) {
    try {
      return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      await sleep(10);
    }
  }
  throw new Error('reader never opened the fifo');
}

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => c.on('close', (code) => resolve(code)));

describe('PcapngWriter.fromFd on a non-blocking pipe', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('disptap-pcapng-pipe-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('delivers every packet through a pipe far smaller than the capture', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const outFile = path.join(dir, 'through-pipe.pcapng');
    const out = fs.openSync(outFile, 'w');
    const cat = spawn('cat', [fifo], { stdio: ['ignore', out, 'inherit'] });
    const done = exited(cat);
    const fd = await openWriteEnd(fifo);
    const w = PcapngWriter.fromFd(fd, { closeFd: true });
    const records = makeRecords(400, 11); // ~300 KiB against a 64 KiB pipe buffer
    for (const r of records) w.write(r);
    w.closeSync();
    expect(await done).toBe(0);
    fs.closeSync(out);
    const f = readPcapng(fs.readFileSync(outFile));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => p.timestampNs)).toEqual(records.map((r) => r.timestampNs));
    expect(w.bytesWritten).toBe(fs.statSync(outFile).size);
    expect(w.bytesWritten).toBeGreaterThan(4 * 65536);
  });

  it('throws EPIPE once the reader is gone', async () => {
    const fifo = path.join(dir, 'fifo2');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const head = spawn('head', ['-c', '100', fifo], { stdio: ['ignore', 'ignore', 'inherit'] });
    const done = exited(head);
    const fd = await openWriteEnd(fifo);
    const w = PcapngWriter.fromFd(fd, { closeFd: true });
    let error: NodeJS.ErrnoException | undefined;
    const records = makeRecords(2000, 12);
    for (let i = 0; i < records.length && !error; i++) {
      try {
        w.write(records[i]!);
      } catch (e) {
        error = e as NodeJS.ErrnoException;
      }
      if (i === 0) await done; // the reader has read its 100 bytes and left
    }
    expect(error?.code).toBe('EPIPE');
    expect(() => w.write(records[0]!)).toThrow(expect.objectContaining({ code: 'EPIPE' }));
    w.closeSync();
  });
});
