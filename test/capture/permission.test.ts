// Without CAP_NET_RAW the documented error appears: the library's and the CLI's. The capability
// is dropped for a child with setpriv (util-linux), which then runs the built dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CI } from './helpers/privileges.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const CLI = fileURLToPath(new URL('../transit/fixtures/transit-cli.mjs', import.meta.url));
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const skip = !hasSetpriv ? 'setpriv (util-linux) is not installed' : !isRoot ? 'not root: cannot show the drop of a capability we lack' : null;
if (skip && CI && hasSetpriv === false) throw new Error('CI needs setpriv (apt-get install util-linux)');
if (skip) console.warn(`[permission tests skipped] ${skip}`);

const DROP = ['--inh-caps=-all', '--bounding-set=-net_raw'];

function child(args: string[], withoutNetRaw: boolean) {
  const cmd = withoutNetRaw ? ['setpriv', [...DROP, process.execPath, ...args]] : [process.execPath, args];
  return spawnSync(cmd[0] as string, cmd[1] as string[], { encoding: 'utf8', timeout: 20_000 });
}

const probe = `
  import { openCapture } from ${JSON.stringify(DIST)};
  try {
    const c = await openCapture({ interface: 'lo', ports: [30041] });
    c.close();
    console.log(JSON.stringify({ opened: true }));
  } catch (e) {
    console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message, hint: e.hint }));
  }`;

describe.skipIf(skip !== null)('without CAP_NET_RAW', () => {
  it('dist/ is built (npm test builds it in pretest)', () => {
    expect(fs.existsSync(DIST), 'run: npx tsc -p tsconfig.build.json').toBe(true);
  });

  it('openCapture rejects with EPERM, names CAP_NET_RAW and suggests relay mode', () => {
    const r = child(['--input-type=module', '-e', probe], true);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, string | number>;
    expect(out).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'socket' });
    expect(out.message).toContain('needs CAP_NET_RAW');
    expect(out.message).toContain('relay mode');
    expect(out.hint).toContain('setcap cap_net_raw+ep');
  });

  it('the same child with its capabilities opens the capture (the drop is what made it fail)', () => {
    const r = child(['--input-type=module', '-e', probe], false);
    expect(JSON.parse(r.stdout.trim())).toEqual({ opened: true });
  });

  it('disptap transit prints the same explanation and exits 1', () => {
    const r = child([CLI, 'transit', '--iface', 'lo', '--in', '30041', '--out', '31000-32767', '--duration', '1'], true);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('needs CAP_NET_RAW');
    expect(r.stderr).toContain('relay mode');
  });
});
