// A capture whose process dies (SIGTERM, SIGKILL, uncaught error) is still a valid pcapng
// holding every packet the process reported as written.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../../src/pcapng/index.js';
import { TSHARK, TSHARK_MISSING, epochToNs, tshark, tsharkFields } from './helpers/tshark.js';
import { tempDir, transpilePcapng } from './helpers/transpile.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/capture-child.mjs');

interface Printed {
  frame: number;
  ts: bigint;
  srcPort: number;
}

interface ChildResult {
  printed: Printed[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the child until it has printed `killAfter` packets, then sends `signal` (or lets it die on its own). */
function runChild(modulePath: string, file: string, mode: string, killAfter: number, signal: NodeJS.Signals | null): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, modulePath, file, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const printed: Printed[] = [];
    let buf = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // a hung child must not hang the suite
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [frame, ts, port] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        printed.push({ frame: Number(frame), ts: BigInt(ts!), srcPort: Number(port) });
      }
      if (signal && !sent && printed.length >= killAfter) {
        sent = true;
        child.kill(signal); // lands while the child is still writing
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ printed, code, signal: sig, stderr });
    });
  });
}

describe('a killed capture is a valid file with every printed packet', () => {
  let dir: string;
  let modulePath: string;
  beforeAll(() => {
    dir = tempDir('disptap-pcapng-durable-');
    modulePath = transpilePcapng(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, NodeJS.Signals | null, number][] = [
    ['SIGTERM', 'run', 'SIGTERM', 200],
    ['SIGKILL', 'run', 'SIGKILL', 200],
    ['SIGINT', 'run', 'SIGINT', 50],
    ['an uncaught error', 'throw-after-137', null, 0],
  ];

  it.each(cases)('%s', async (_name, mode, signal, killAfter) => {
    const file = path.join(dir, `${mode}-${signal ?? 'none'}.pcapng`);
    const r = await runChild(modulePath, file, mode, killAfter, signal);
    if (signal) {
      expect(r.signal, r.stderr).toBe(signal);
      expect(r.printed.length).toBeGreaterThanOrEqual(killAfter);
    } else {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('deliberate uncaught error after 137 packets');
      expect(r.printed).toHaveLength(137);
    }
    expect(r.printed.map((p) => p.frame)).toEqual(r.printed.map((_, i) => i + 1));

    // our reader: no damage, and the printed packets are a prefix of the file
    const read = readPcapng(fs.readFileSync(file));
    expect(read.errors).toEqual([]);
    // the signal may land between write() and the print: at most one packet more than printed
    expect(read.packets.length - r.printed.length).toBeGreaterThanOrEqual(0);
    expect(read.packets.length - r.printed.length).toBeLessThanOrEqual(1);
    r.printed.forEach((p, i) => expect(read.packets[i]!.timestampNs).toBe(p.ts));

    if (!TSHARK) {
      console.warn(`durability: tshark check ${TSHARK_MISSING}`);
      return;
    }
    const check = tshark(['-r', file, '-q']);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stderr).toBe(''); // e.g. "appears to have been cut short in the middle of a packet"
    const rows = tsharkFields(file, ['frame.number', 'frame.time_epoch', 'udp.srcport', '_ws.malformed']);
    expect(rows).toHaveLength(read.packets.length);
    r.printed.forEach((p, i) => {
      expect(Number(rows[i]![0]), `frame ${p.frame}`).toBe(p.frame);
      expect(epochToNs(rows[i]![1]!), `frame ${p.frame}`).toBe(p.ts);
      expect(Number(rows[i]![2]), `frame ${p.frame}`).toBe(p.srcPort);
      expect(rows[i]![3], `frame ${p.frame}`).toBe('');
    });
  });
});
