// `npm run bench:cli -- --quick` end to end with 20 000 datagrams: every row runs and keeps
// something, the table and the JSON say so. Not the speed: the box is shared and noisy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureSkipReason } from '../capture/helpers/privileges.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = await captureSkipReason(); // passive and tcpdump rows capture with AF_PACKET
if (skip) console.warn(`[bench:cli test skipped] ${skip}`);

const ROWS = ['write', 'write-q', 'text', 'json', 'passive', 'passive-q', 'relay', 'tcpdump-w', 'tcpdump-n'];

describe.skipIf(skip !== null)('bench/cli.mjs --quick', () => {
  it('runs every row once and reports a table with a positive count per row', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-test-'));
    try {
      const out = path.join(dir, 'cli.json');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/cli.mjs'), '--quick', '--count', '20000', '--no-steady', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
      expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(/^host: \d+ × .+/);
      const header = lines.findIndex((l) => l.startsWith('| row | kept / sent |'));
      expect(header).toBeGreaterThan(0);
      const table = lines.slice(header + 2).filter((l) => l.startsWith('| '));
      expect(table).toHaveLength(ROWS.length);
      for (const [i, label] of [/disptap watch --write f\.pcapng`/, /--write f\.pcapng --quiet/, /disptap watch` \(text/, /--json/, /--passive --write f\.pcapng`/, /--passive --write f\.pcapng --quiet/, /disptap relay/, /tcpdump -w/, /tcpdump -n/].entries()) {
        const cells = table[i]!.split(' | ');
        expect(cells[0], table[i]).toMatch(label);
        const [kept, sent] = cells[1]!.split(' / ').map((x) => parseInt(x, 10));
        expect(sent, table[i]).toBe(20_000);
        expect(kept, table[i]).toBeGreaterThan(0);
        expect(Number(cells[3]), `CPU µs/datagram: ${table[i]}`).not.toBeNaN();
      }
      // the JSON says the same, with one loaded run per row and the ratios to tcpdump
      const res = JSON.parse(fs.readFileSync(out, 'utf8')) as {
        count: number;
        reps: number;
        machine: { model: string };
        summary: Array<{ row: string; kept: number; sent: number; cpuUsPerDatagram: number; ratio: number | null; anchor: string | null }>;
        runs: Array<{ row: string; idle: boolean; kept: number }>;
      };
      expect([res.count, res.reps]).toEqual([20_000, 1]);
      expect(res.summary.map((s) => s.row)).toEqual(ROWS);
      expect(res.runs.map((x) => x.row).sort()).toEqual([...ROWS].sort());
      for (const s of res.summary) {
        expect(s.kept, s.row).toBeGreaterThan(0);
        expect(Number.isFinite(s.cpuUsPerDatagram), s.row).toBe(true);
        if (s.anchor) expect(s.anchor).toMatch(/^tcpdump-[wn]$/);
      }
      // one copy per datagram (on lo the passive row must not count a datagram leaving and arriving)
      for (const row of ['passive', 'tcpdump-w']) expect(res.summary.find((s) => s.row === row)!.kept, row).toBeLessThanOrEqual(20_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('measures the steady state: a burst into the same tool after two warm ones, its CPU per datagram and the ratio', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-test-'));
    try {
      const out = path.join(dir, 'cli.json');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/cli.mjs'), '--quick', '--count', '20000', '--rows', 'write-q,tcpdump-w', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 200_000 });
      expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
      const res = JSON.parse(fs.readFileSync(out, 'utf8')) as {
        summary: Array<{ row: string; steadyUsPerDatagram: number | null; steadyRatio: number | null }>;
        runs: Array<{ row: string; steady: { kept: number; sent: number; cpuS: number }; steadyUsPerDatagram: number | null }>;
      };
      for (const run of res.runs) {
        // both bursts went through the same process
        // two warm bursts, then the measured one
        expect(run.steady.sent, run.row).toBe(60_000);
        expect(run.steady.kept, run.row).toBeGreaterThan(40_000);
        expect(run.steady.cpuS, run.row).toBeGreaterThan(0);
      }
      const q = res.summary.find((s) => s.row === 'write-q')!;
      expect(q.steadyUsPerDatagram).toBeGreaterThan(0);
      expect(q.steadyRatio).toBeGreaterThan(0);
      const header = r.stdout.split('\n').find((l) => l.startsWith('| row |'))!;
      expect(header).toContain('steady µs/datagram');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 220_000);
});
