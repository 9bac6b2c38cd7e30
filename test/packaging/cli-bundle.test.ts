// The command is one bundled file (scripts/bundle-cli.mjs, run by `npm test`'s pretest, build:ts
// and prepare): it imports only Node's built-ins and the package's declared dependencies, keeps
// prom-client lazy, finds its native addon and package.json from where it lies, and the build
// keeps tsc's unbundled file where rolldown is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const MARK = '// disptap: bundled by scripts/bundle-cli.mjs';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

/** Every module specifier the file imports statically or dynamically. */
function specifiers(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.add(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.add(m[1]!);
  return [...out];
}

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

describe('the bundled command (dist/cli/main.js)', () => {
  it('is one file importing only built-ins and declared dependencies, prom-client not among them', () => {
    const text = fs.readFileSync(MAIN, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n'), 'shebang first').toBe(true);
    expect(text.split('\n', 3)[1], 'run npm run build:ts (tsc + scripts/bundle-cli.mjs)').toContain(MARK);
    const specs = specifiers(text);
    expect(specs.length).toBeGreaterThan(5); // the parser sees the imports at all
    const deps = Object.keys(pkg.dependencies);
    const foreign = specs.filter((s) => !(s.startsWith('node:') || builtinModules.includes(s) || deps.some((d) => s === d || s.startsWith(`${d}/`))));
    expect(foreign).toEqual([]); // no relative import: nothing of dist/ is loaded besides it
    expect(specs).toContain('commander');
    expect(specs.filter((s) => s.startsWith('prom-client'))).toEqual([]);
    expect(fs.statSync(MAIN).mode & 0o111).not.toBe(0);
  });

  it('requires ipaddr.js instead of importing it, in the command and in every library module', () => {
    // An ESM import of that 38 KB CommonJS file runs Node's export lexer over it long enough for
    // V8 to optimize the lexer: ~70 ms of CPU at every start (src/sys/ipaddr.ts).
    expect(specifiers(fs.readFileSync(MAIN, 'utf8'))).not.toContain('ipaddr.js');
    const importers = (fs.readdirSync(path.join(ROOT, 'dist'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.js'))
      .filter((f) => specifiers(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8')).includes('ipaddr.js'));
    expect(importers).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, 'dist/sys/ipaddr.js'), 'utf8')).toMatch(/createRequire\(import\.meta\.url\)\(['"]ipaddr\.js['"]\)/);
  });

  it('answers --version from package.json and finds its native addon (ifaces --json lists lo)', () => {
    const v = spawnSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const ifs = spawnSync(process.execPath, [MAIN, 'ifaces', '--json'], { encoding: 'utf8' });
    expect(ifs.status, ifs.stderr).toBe(0);
    expect(ifs.stdout).toContain('"lo"');
  });

  it('the build keeps tsc\'s unbundled file when rolldown is missing, and fails on it when required', () => {
    // A tree with the script and an entry but no node_modules: `import('rolldown')` fails there.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-bundle-'));
    temps.push(dir);
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'dist/cli'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'scripts/bundle-cli.mjs'), path.join(dir, 'scripts/bundle-cli.mjs'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', type: 'module', dependencies: {} }));
    const entry = path.join(dir, 'dist/cli/main.js');
    const unbundled = "#!/usr/bin/env node\nimport { a } from './a.js';\nconsole.log(a);\n";
    fs.writeFileSync(entry, unbundled);
    fs.writeFileSync(path.join(dir, 'dist/cli/a.js'), 'export const a = 42;\n');
    const env = { ...process.env, NODE_PATH: '' };
    const soft = spawnSync(process.execPath, [path.join(dir, 'scripts/bundle-cli.mjs')], { encoding: 'utf8', env, cwd: dir });
    expect(soft.status, soft.stderr).toBe(0);
    expect(soft.stderr).toMatch(/rolldown is not installed.*stays unbundled/);
    expect(fs.readFileSync(entry, 'utf8')).toBe(unbundled);
    expect(spawnSync(process.execPath, [entry], { encoding: 'utf8' }).stdout).toBe('42\n');
    const hard = spawnSync(process.execPath, [path.join(dir, 'scripts/bundle-cli.mjs')], { encoding: 'utf8', env: { ...env, DISPTAP_BUNDLE_REQUIRED: '1' }, cwd: dir });
    expect(hard.status).toBe(1);

    // With rolldown reachable (the repository's node_modules), the same tree is bundled into one file.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const built = spawnSync(process.execPath, [path.join(dir, 'scripts/bundle-cli.mjs')], { encoding: 'utf8', env, cwd: dir });
    expect(built.status, built.stderr).toBe(0);
    const text = fs.readFileSync(entry, 'utf8');
    expect(text).toContain(MARK);
    expect(specifiers(text)).toEqual([]);
    fs.rmSync(path.join(dir, 'dist/cli/a.js'));
    expect(spawnSync(process.execPath, [entry], { encoding: 'utf8' }).stdout).toBe('42\n');
  });
});
