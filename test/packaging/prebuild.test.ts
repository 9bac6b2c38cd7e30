// The addon as the npm package ships it: a prebuilt N-API binary made by prebuildify (here, into a
// temporary directory) and chosen by node-gyp-build, or a source build when none matches. Judged by
// running the install step (scripts/install.mjs) and the library in temporary installed-package
// layouts, with and without a toolchain on PATH, and by comparing what the builds answer
// (test/packaging/probe.mjs: layout, cmsg table, parseControl, decodeControl, sockaddr, a loopback
// datagram through the addon's socket and through openUdp).
//
// Two compiles run in beforeAll, side by side: the prebuild, and the source build an install falls
// back to. Skipped when DISPTAP_NATIVE names another build (the ASan run): that run judges the
// sanitizer build, not packaging.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
const ARCH = process.arch;
const OTHER = ARCH === 'arm64' ? 'x64' : 'arm64';
const PREBUILD = `prebuilds/linux-${ARCH}/disptap.glibc.node`;
const SOURCE_BUILD = path.join(ROOT, 'build', 'Release', 'disptap.node');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
interface Probe {
  same: Record<string, unknown> & { tap?: { timestamped: boolean }; raw?: { timestamped: boolean } };
  run: { arch: string; addon: string[] };
}

let tmp: string;
let bareBin: string;
let prebuilt: string; // the prebuildify output file
let fallback: { pkg: string; install: Result };

/** Environment without the caller's build choices, compiler settings or npm settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|DISPTAP_|PREBUILDS_ONLY$|CC$|CXX$|LINK$|AR$|PYTHON$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

async function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout = 60_000): Promise<Result> {
  try {
    const r = await run(file, args, { cwd, env, timeout, maxBuffer: 64 << 20 });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/**
 * An installed-package layout: <dir>/node_modules/disptap with package.json, binding.gyp, the install
 * scripts, dist/ (a copy: a symlink would resolve back to this tree and its build/) and, when asked,
 * native/ and prebuilds; the dependencies are symlinks into this tree's node_modules.
 */
function layout(name: string, opts: { prebuilds?: Record<string, string | Buffer>; native?: boolean; dist?: boolean }): string {
  const dir = path.join(tmp, name);
  const pkg = path.join(dir, 'node_modules', 'disptap');
  fs.mkdirSync(path.join(pkg, 'scripts'), { recursive: true });
  for (const f of ['package.json', 'binding.gyp', 'scripts/install.mjs', 'scripts/build-native.mjs']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
  if (opts.dist !== false) fs.cpSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  if (opts.native) fs.cpSync(path.join(ROOT, 'native'), path.join(pkg, 'native'), { recursive: true });
  for (const [rel, content] of Object.entries(opts.prebuilds ?? {})) {
    fs.mkdirSync(path.dirname(path.join(pkg, rel)), { recursive: true });
    if (typeof content === 'string') fs.copyFileSync(content, path.join(pkg, rel));
    else fs.writeFileSync(path.join(pkg, rel), content);
  }
  for (const dep of [...Object.keys(PKG.dependencies)]) {
    const link = path.join(dir, 'node_modules', dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), link, 'dir');
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  return pkg;
}

/** The install step as npm runs it (cwd = the package), with the given PATH. */
function install(pkg: string, PATH: string, timeout = 60_000): Promise<Result> {
  return exec(process.execPath, ['scripts/install.mjs'], pkg, cleanEnv({ PATH }), timeout);
}

async function probe(pkg: string, modes: string[], env: Record<string, string> = {}): Promise<Probe> {
  const r = await exec(process.execPath, [PROBE, pkg, ...modes], pkg, cleanEnv(env));
  if (r.code !== 0) throw new Error(`probe of ${pkg} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as Probe;
}

const skip = !!process.env.DISPTAP_NATIVE || process.platform !== 'linux';

describe.skipIf(skip)('prebuilt binaries and the install step', () => {
  beforeAll(async () => {
    if (!fs.readFileSync(path.join(ROOT, 'dist', 'sys', 'native.js'), 'utf8').includes('node-gyp-build'))
      throw new Error('dist/ is older than src/sys/native.ts: run `npm run build:ts` (npm test does)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-prebuild-test-'));
    bareBin = path.join(tmp, 'bin');
    fs.mkdirSync(bareBin);
    // What a machine without a toolchain has on PATH: node and a shell.
    fs.symlinkSync(process.execPath, path.join(bareBin, 'node'));
    fs.symlinkSync('/bin/sh', path.join(bareBin, 'sh'));

    // The fallback install: a prebuild for another architecture only, a toolchain on PATH.
    const fbPkg = layout('fallback', { native: true, prebuilds: { [`prebuilds/linux-${OTHER}/disptap.glibc.node`]: Buffer.from('not for this machine') } });
    const [pre, fb] = await Promise.all([
      exec(process.execPath, [path.join(ROOT, 'scripts/prebuild.mjs'), '--arch', ARCH, '--out', path.join(tmp, 'out')], ROOT, cleanEnv(), 540_000),
      install(fbPkg, process.env.PATH ?? '', 540_000),
    ]);
    if (pre.code !== 0) throw new Error(`scripts/prebuild.mjs failed: ${pre.stderr.slice(-4000)}`);
    prebuilt = path.join(tmp, 'out', PREBUILD);
    fallback = { pkg: fbPkg, install: fb };
  }, 600_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`prebuildify wrote ${PREBUILD}, a stripped ${ARCH} ELF shared object`, () => {
    expect(fs.existsSync(prebuilt)).toBe(true);
    const head = fs.readFileSync(prebuilt).subarray(0, 20);
    expect(head.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(head.readUInt16LE(18)).toBe(ARCH === 'arm64' ? 183 : 62); // e_machine: EM_AARCH64 / EM_X86_64
    const syms = spawnSync('readelf', ['-S', '-W', prebuilt], { encoding: 'utf8' });
    if (syms.status === 0) expect(syms.stdout).not.toContain('.symtab');
  });

  it('needs no glibc newer than 2.17 and no libstdc++ newer than GCC 11 (GLIBCXX_3.4.29), as the README says', () => {
    const r = spawnSync('objdump', ['-T', prebuilt], { encoding: 'utf8' });
    if (r.status !== 0) return; // no binutils: nothing to judge with
    const newest = (prefix: string): number[] =>
      [...r.stdout.matchAll(new RegExp(`\\(${prefix}_([0-9.]+)\\)`, 'g'))]
        .map((m) => m[1]!.split('.').map(Number))
        .sort((a, b) => { for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0); return 0; })
        .pop() ?? [];
    const atMost = (v: number[], max: number[]) => { for (let i = 0; i < max.length; i++) if ((v[i] ?? 0) !== max[i]) return (v[i] ?? 0) < max[i]!; return true; };
    expect(atMost(newest('GLIBC'), [2, 17]), `GLIBC_${newest('GLIBC').join('.')}`).toBe(true);
    expect(atMost(newest('GLIBCXX'), [3, 4, 29]), `GLIBCXX_${newest('GLIBCXX').join('.')}`).toBe(true);
  });

  it('loading from the prebuild and from source builds gives the same results', async () => {
    const prePkg = layout('prebuilt', { prebuilds: { [PREBUILD]: prebuilt } });
    const fromPrebuild = await probe(prePkg, ['raw', 'tap']);
    const fromSource = await probe(ROOT, ['raw', 'tap']);
    const fromFallback = await probe(fallback.pkg, ['raw', 'tap']);
    expect(fromPrebuild.run.addon).toEqual([path.join(prePkg, PREBUILD)]);
    expect(fromSource.run.addon).toEqual([SOURCE_BUILD]);
    expect(fromFallback.run.addon).toEqual([path.join(fallback.pkg, 'build', 'Release', 'disptap.node')]);
    expect(fromPrebuild.same.tap?.timestamped).toBe(true);
    expect(fromPrebuild.same.raw?.timestamped).toBe(true);
    expect(fromPrebuild.same).toEqual(fromSource.same);
    expect(fromFallback.same).toEqual(fromSource.same);
  });

  it('DISPTAP_NATIVE still wins over prebuilds/, and build/Release over prebuilds/', async () => {
    const pkg = layout('override', { prebuilds: { [PREBUILD]: prebuilt } });
    expect((await probe(pkg, [], { DISPTAP_NATIVE: SOURCE_BUILD })).run.addon).toEqual([SOURCE_BUILD]);
    fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(SOURCE_BUILD, path.join(pkg, 'build', 'Release', 'disptap.node'));
    expect((await probe(pkg, [])).run.addon).toEqual([path.join(pkg, 'build', 'Release', 'disptap.node')]);
  });

  it('install step: a matching prebuild is used with no compiler, make or python3 on PATH', async () => {
    const pkg = layout('install-ok', { prebuilds: { [PREBUILD]: prebuilt } });
    const r = await install(pkg, bareBin);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
  });

  it('install step: no matching prebuild and a toolchain → builds from source, and says why', () => {
    expect(fallback.install.stderr).toContain(`disptap: no prebuilt binary for linux-${ARCH} (glibc, Node ${process.version}) (prebuilt: linux-${OTHER}); building from source`);
    expect(fallback.install.code).toBe(0);
    expect(fs.existsSync(path.join(fallback.pkg, 'build', 'Release', 'disptap.node'))).toBe(true);
  });

  it('install step: no matching prebuild and no toolchain → exit 1 naming what is missing', async () => {
    const pkg = layout('install-none', { dist: false, native: true, prebuilds: { [`prebuilds/linux-${OTHER}/disptap.glibc.node`]: Buffer.from('x') } });
    const r = await install(pkg, bareBin);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`disptap: no prebuilt binary for linux-${ARCH} (glibc, Node ${process.version}) (prebuilt: linux-${OTHER}); building from source`);
    expect(lines[1]).toBe(
      `disptap: cannot install: no prebuilt binary for linux-${ARCH} (glibc, Node ${process.version}) (prebuilt: linux-${OTHER}), ` +
        'and building from source needs a C++ compiler (g++ or clang++), make, python3, not found on this machine.',
    );
    expect(lines[2]).toContain('Debian/Ubuntu: apt-get install g++ make python3');
    expect(lines[3]).toContain(`Prebuilt binaries in this package: linux-${OTHER}`);
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
  });

  it('install step: a prebuild that does not load here and no toolchain → exit 1 saying why', async () => {
    const pkg = layout('install-broken', { dist: false, native: true, prebuilds: { [PREBUILD]: Buffer.alloc(4096, 'this is not an ELF file ') } });
    const r = await install(pkg, bareBin);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^disptap: the prebuilt binary does not load here: .*disptap\.glibc\.node: invalid ELF header; building from source$/m);
    expect(r.stderr).toMatch(/needs a C\+\+ compiler \(g\+\+ or clang\+\+\), make, python3, not found on this machine/);
  });

  it('install step: --build-from-source skips the prebuild (and without a toolchain says so)', async () => {
    const pkg = layout('install-forced', { dist: false, native: true, prebuilds: { [PREBUILD]: prebuilt } });
    const r = await exec(process.execPath, ['scripts/install.mjs'], pkg, cleanEnv({ PATH: bareBin, npm_config_build_from_source: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('disptap: cannot install: a build from source was asked for, and building from source needs');
  });

  it('at run time, no addon for this machine → an error naming the platform, what shipped and how to build', async () => {
    const pkg = layout('load-none', { prebuilds: { [`prebuilds/linux-${OTHER}/disptap.glibc.node`]: Buffer.from('x') } });
    const r = await exec(process.execPath, ['--input-type=module', '-e', "await import('disptap')"], path.dirname(path.dirname(pkg)), cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: disptap: no native addon for linux-${ARCH} (glibc, Node ${process.version}): none built (looked for ${path.join(pkg, 'build/Release/disptap.node')}`);
    expect(r.stderr).toContain(`(prebuilt: linux-${OTHER}). Build it from source with \`npm rebuild disptap\` (needs a C++ compiler, make and python3)`);
  });

  it('at run time, a prebuild that does not load → an error naming the file and the way out', async () => {
    const pkg = layout('load-broken', { prebuilds: { [PREBUILD]: Buffer.alloc(4096, 'this is not an ELF file ') } });
    const r = await exec(process.execPath, ['--input-type=module', '-e', "await import('disptap')"], path.dirname(path.dirname(pkg)), cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: disptap: cannot load the native addon ${path.join(pkg, PREBUILD)}: `);
    expect(r.stderr).toContain('invalid ELF header. The prebuilt binary does not fit this system; build from source with `npm rebuild disptap --build-from-source`');
  });
});
