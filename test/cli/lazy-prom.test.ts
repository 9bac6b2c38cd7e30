// prom-client is loaded only when metrics are made: importing it is ~45 ms of every command's
// start-up. Checked in a fresh process on the built command (dist/cli), the way `disptap` runs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

/** Imports `modules` (dist paths) in a fresh Node, runs `then`, prints the packages loaded. */
function packagesAfter(modules: string[], then = ''): string[] {
  const imports = modules.map((m, i) => `const m${i} = await import(${JSON.stringify(path.join(ROOT, m))});`).join('\n');
  const code = `${imports}
${then}
const { createRequire } = await import('node:module');
const cache = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify([...new Set(cache.filter((k) => k.includes('/node_modules/')).map((k) => k.split('/node_modules/').at(-1).split('/')[0]))]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('prom-client is loaded on first use', () => {
  it('every command\'s modules load without it', () => {
    // what program.ts imports when a command runs
    const commands = ['sources/watch', 'sources/relay', 'sources/unix-relay', 'sources/passive-watch', 'commands/send', 'commands/ntp', 'commands/transit-run', 'commands/decode', 'commands/demo'];
    const loaded = packagesAfter(['dist/cli/program.js', ...commands.map((c) => `dist/cli/${c}.js`)]);
    expect(loaded).toContain('commander'); // the check sees what is loaded
    expect(loaded).not.toContain('prom-client');
  });

  it('making the metrics loads it, and they work', () => {
    const loaded = packagesAfter(['dist/cli/pipeline/metrics.js'], `
const m = new m0.Metrics(false);
m.drops.inc({ bind: 'b' }, 3);
const text = await m.registry.metrics();
if (!text.includes('disptap_kernel_drops_total{bind="b"} 3')) throw new Error(text);`);
    expect(loaded).toContain('prom-client');
  });
});
