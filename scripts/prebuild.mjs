#!/usr/bin/env node
// Makes the prebuilt N-API binaries that ship inside the npm package (run by `prepack`):
//
//   node scripts/prebuild.mjs                 # prebuilds/linux-x64/ and prebuilds/linux-arm64/ (cross)
//   node scripts/prebuild.mjs --arch x64      # only these (repeatable); or DISPTAP_PREBUILD_ARCHS=x64
//   node scripts/prebuild.mjs --out DIR       # DIR/prebuilds/… instead of the package root
//
// prebuildify (--napi --strip --tag-libc) runs node-gyp in a scratch copy of binding.gyp, native/
// and package.json, so build/ of this tree — which the tests, the ASan scripts and other work load —
// is never rebuilt or deleted by packing. Like scripts/build-native.mjs it builds against the
// running Node's own headers (--nodedir, via npm_config_nodedir): nothing is downloaded. An N-API
// binary is ABI-stable, so one file per platform serves every Node version the package supports.
// An architecture other than the host's is cross-compiled with Debian's cross toolchain
// (apt-get install g++-aarch64-linux-gnu); without it that architecture is skipped with a warning,
// or, for `npm publish` and with DISPTAP_PREBUILD_STRICT=1, the build stops.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    arch: { type: 'string', multiple: true },
    out: { type: 'string', default: root },
    keep: { type: 'boolean', default: false },
  },
});
const fromEnv = process.env.DISPTAP_PREBUILD_ARCHS?.split(/[\s,]+/).filter(Boolean);
const archs = values.arch ?? fromEnv ?? ['x64', 'arm64'];
const out = path.resolve(values.out);
const prefix = path.resolve(path.dirname(process.execPath), '..');
const triples = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const say = (line) => console.error(`disptap prebuild: ${line}`);

if (process.platform !== 'linux') {
  say(`prebuilt binaries are made on Linux only (this is ${process.platform})`);
  process.exit(1);
}
if (!fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  say(`Node headers not found under ${prefix}/include/node`);
  process.exit(1);
}
const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

/** Compiler environment for one architecture, or a sentence saying what is missing. */
function toolchain(arch) {
  if (arch === os.arch()) return { env: {}, strip: 'strip' };
  const triple = triples[arch];
  if (!triple) return `no cross toolchain known for ${arch}`;
  if (!has(`${triple}-g++`)) return `${triple}-g++ not found (Debian/Ubuntu: apt-get install g++-${triple}); or DISPTAP_PREBUILD_ARCHS=${os.arch()} to build the host's only`;
  return {
    env: { CC: `${triple}-gcc`, CXX: `${triple}-g++`, LINK: `${triple}-g++`, AR: `${triple}-ar` },
    strip: `${triple}-strip`,
  };
}

function build(arch, tools) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `disptap-prebuild-${arch}-`));
  for (const f of ['binding.gyp', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(work, f));
  fs.cpSync(path.join(root, 'native'), path.join(work, 'native'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  fs.rmSync(path.join(out, 'prebuilds', `linux-${arch}`), { recursive: true, force: true });
  const args = [
    path.join(root, 'node_modules', 'prebuildify', 'bin.js'),
    '--napi', '--strip', '--tag-libc', `--arch=${arch}`, `--target=${process.versions.node}`,
    `--strip-bin=${tools.strip}`, `--cwd=${work}`, `--out=${out}`,
  ];
  const env = { ...process.env, ...tools.env, npm_config_nodedir: prefix };
  const started = Date.now();
  const log = fs.openSync(path.join(work, 'build.log'), 'w');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', log, log], env });
    child.on('exit', (code, signal) => {
      fs.closeSync(log);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      if (code !== 0) {
        process.stderr.write(fs.readFileSync(path.join(work, 'build.log'), 'utf8').split('\n').slice(-40).join('\n'));
        say(`linux-${arch} failed (${code ?? signal}) after ${seconds} s; log ${path.join(work, 'build.log')}`);
        resolve(false);
        return;
      }
      const dir = path.join(out, 'prebuilds', `linux-${arch}`);
      for (const f of fs.readdirSync(dir)) say(`${path.join(dir, f)} (${fs.statSync(path.join(dir, f)).size} bytes, ${seconds} s)`);
      if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
      resolve(true);
    });
  });
}

// Strict (every architecture or nothing) for `npm publish` and the CI pack check; a plain `npm pack`
// (or a git dependency's prepack) skips a cross architecture whose toolchain is missing, loudly.
const strict = process.env.npm_command === 'publish' || process.env.DISPTAP_PREBUILD_STRICT === '1';
let plans = archs.map((arch) => [arch, toolchain(arch)]);
const missing = plans.filter(([, t]) => typeof t === 'string');
for (const [arch, why] of missing) say(`${strict ? 'cannot build' : 'WARNING: skipping'} linux-${arch}: ${why}`);
if (missing.length && strict) process.exit(1);
plans = plans.filter(([, t]) => typeof t !== 'string');
// Both builds at once: each is mostly one compiler process at a time.
const results = await Promise.all(plans.map(([arch, tools]) => build(arch, tools)));
process.exit(results.every(Boolean) ? 0 : 1);
