// A full disk is reported with its errno code, never swallowed, and leaves a valid file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter, readPcapng, type CaptureRecord } from '../../src/pcapng/index.js';
import { TSHARK, tshark } from './helpers/tshark.js';
import { tempDir } from './helpers/transpile.js';

function record(i: number, size: number): CaptureRecord {
  return {
    timestampNs: 1_760_000_000_000_000_000n + BigInt(i) * 1_000_001n,
    timestampSource: 'software',
    ifName: 'lo',
    ifIndex: 1,
    src: { address: '127.0.0.1', port: 40000 },
    dst: { address: '127.0.0.1', port: 30041 },
    payload: new Uint8Array(size).fill(i & 0xff),
  };
}

it('open() on /dev/full rejects with ENOSPC (the section header cannot be written)', async () => {
  await expect(PcapngWriter.open('/dev/full')).rejects.toMatchObject({ code: 'ENOSPC', syscall: 'write' });
});

it('fromFd() on /dev/full throws ENOSPC', () => {
  const fd = fs.openSync('/dev/full', 'w');
  try {
    expect(() => PcapngWriter.fromFd(fd)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
  } finally {
    fs.closeSync(fd);
  }
});

// A real filesystem running full mid-capture needs a small tmpfs, which needs mount rights.
// Mounted in beforeAll (not at import) so a filtered run never leaves a mount behind.
const NO_MOUNT = 'SKIPPED: cannot mount a tmpfs (needs root/CAP_SYS_ADMIN)';

describe('a filesystem that fills up mid-capture', () => {
  let mnt = '';
  let mounted = false;
  const open: PcapngWriter[] = [];
  beforeAll(() => {
    mnt = tempDir('disptap-pcapng-tmpfs-');
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status === 0;
    if (!mounted) console.warn(`pcapng ENOSPC mid-capture: ${NO_MOUNT}`);
  });
  afterAll(() => {
    for (const w of open) {
      try {
        w.closeSync(); // an open fd (after a failed test) would make umount EBUSY
      } catch {
        /* the test already failed; unmounting matters more */
      }
    }
    if (mounted && spawnSync('umount', [mnt]).status !== 0) spawnSync('umount', ['-l', mnt]);
    if (mnt) fs.rmSync(mnt, { recursive: true, force: true });
  });

  it('throws ENOSPC from write(), cuts the torn block off, and resumes once space is freed', async ({ skip }) => {
    skip(!mounted, NO_MOUNT);
    const ballast = path.join(mnt, 'ballast');
    fs.writeFileSync(ballast, new Uint8Array(16 * 1024));
    const file = path.join(mnt, 'cap.pcapng');
    const w = await PcapngWriter.open(file);
    open.push(w);
    let written = 0;
    let error: NodeJS.ErrnoException | undefined;
    // 1001-byte payloads straddle 4 KiB pages, so the failing write is a partial one
    for (let i = 0; i < 1000 && !error; i++) {
      try {
        w.write(record(i, 1001));
        written++;
      } catch (e) {
        error = e as NodeJS.ErrnoException;
      }
    }
    expect(error, 'the filesystem never filled up').toBeDefined();
    expect(error!.code).toBe('ENOSPC');
    expect(written).toBeGreaterThan(10);
    expect(w.packets).toBe(written);
    expect(fs.statSync(file).size).toBe(w.bytesWritten);

    const whileFull = readPcapng(fs.readFileSync(file));
    expect(whileFull.errors).toEqual([]);
    expect(whileFull.packets).toHaveLength(written);

    fs.rmSync(ballast);
    expect(w.write(record(written, 1001))).toBe(written + 1);
    await w.close();
    await w.close(); // idempotent
    const after = readPcapng(fs.readFileSync(file));
    expect(after.errors).toEqual([]);
    expect(after.packets.map((p) => p.timestampNs)).toEqual(Array.from({ length: written + 1 }, (_, i) => record(i, 0).timestampNs));
    if (TSHARK) {
      const r = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toHaveLength(written + 1);
    }
  });

  it('reports ENOSPC from the first packet when the interface block does not fit, without mapping the interface', async ({ skip }) => {
    skip(!mounted, NO_MOUNT);
    const file = path.join(mnt, 'tiny.pcapng');
    const w = await PcapngWriter.open(file);
    open.push(w);
    const filler = path.join(mnt, 'filler');
    // fill whatever is left
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, new Uint8Array(4096));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    // the section header's page still has room: the 5000-byte packet gets partly written, then fails
    let err: NodeJS.ErrnoException | undefined;
    try {
      w.write(record(0, 5000));
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    expect(err?.code).toBe('ENOSPC');
    expect(w.interfaces).toEqual([]);
    expect(readPcapng(fs.readFileSync(file))).toMatchObject({ errors: [], packets: [], interfaces: [] });
    fs.rmSync(filler);
    w.write(record(1, 10));
    expect(w.interfaces).toHaveLength(1);
    await w.close();
    const back = readPcapng(fs.readFileSync(file));
    expect(back.errors).toEqual([]);
    expect(back.interfaces).toHaveLength(1);
    expect(back.packets).toHaveLength(1);
  });
});
