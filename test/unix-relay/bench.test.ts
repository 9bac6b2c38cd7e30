// bench/unix-relay.mjs runs and prints its table (tiny counts: this checks that it works, not speed).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers/cli.js';

describe('npm run bench:unix-relay', () => {
  it('measures every row against the direct connection', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/unix-relay.mjs'), '--frames', '3000', '--pings', '50', '--reps', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\| (direct|library|cli)/.test(l));
    expect(rows.map((l) => l.split('|')[1]!.trim())).toEqual(['direct', 'library', 'cli --json', 'cli --write']);
    for (const l of rows) {
      const [, , fps, ratio, p50] = l.split('|').map((c) => c.trim());
      expect(Number(fps!.replace(/,/g, ''))).toBeGreaterThan(0);
      expect(Number(ratio)).toBeGreaterThan(0);
      expect(p50).toMatch(/^\d+\.\d µs$/);
    }
  }, 130_000);
});
