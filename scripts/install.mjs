#!/usr/bin/env node
// The package's `install` step, in the manner of node-gyp-build:
//
//   1. a prebuilt binary in prebuilds/ that matches this platform, arch and libc, and loads → done;
//   2. otherwise (none matches, it does not load, or `npm install --build-from-source`, or
//      DISPTAP_BUILD_FROM_SOURCE=1) → build from source with scripts/build-native.mjs (node-gyp,
//      --nodedir of the running Node);
//   3. if that cannot work, say what is missing (a C++ compiler, make, python3, Node's headers) and
//      how to get it, and exit 1.
//
// A clone (a git checkout) always builds from source, as before.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const libc = fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
const system = `${process.platform}-${process.arch} (${libc}, Node ${process.version})`;
const say = (line) => console.error(`disptap: ${line}`);

// A git checkout is built from source even when an earlier `npm pack` left prebuilds/ behind: there
// the addon is expected to follow native/ as it is edited.
const clone = fs.existsSync(path.join(root, '.git'));
const fromSource =
  clone ||
  process.env.npm_config_build_from_source === 'true' ||
  process.env.DISPTAP_BUILD_FROM_SOURCE === '1' ||
  process.argv.includes('--build-from-source');

/** The matching prebuilt binary, loaded in a child process so a crash or a bad ELF cannot kill us. */
function tryPrebuild() {
  let gypBuild;
  try {
    gypBuild = require.resolve('node-gyp-build');
  } catch {
    return { ok: false, why: 'node-gyp-build is not installed' };
  }
  // PREBUILDS_ONLY: judge the shipped binaries only, not a leftover build/ of an earlier install.
  const probe = `const p = require(${JSON.stringify(gypBuild)}).path(${JSON.stringify(root)}); require(p); process.stdout.write(p);`;
  const r = spawnSync(process.execPath, ['-e', probe], {
    env: { ...process.env, PREBUILDS_ONLY: '1' },
    encoding: 'utf8',
  });
  if (r.status === 0) return { ok: true, file: r.stdout };
  const err = r.error
    ? `cannot start ${process.execPath} to try it: ${r.error.message}`
    : ((r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status ?? r.signal}`);
  if (/No native build was found/.test(err)) {
    const shipped = shippedPrebuilds();
    return { ok: false, why: `no prebuilt binary for ${system}${shipped.length ? ` (prebuilt: ${shipped.join(', ')})` : ''}` };
  }
  return { ok: false, why: `the prebuilt binary does not load here: ${err.replace(/^\w*Error: /, '')}` };
}

function onPath(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What a source build needs and this machine lacks, each with the name a user looks for. */
function missingTools() {
  const missing = [];
  const cxx = process.env.CXX?.split(' ')[0];
  if (cxx ? !onPath(cxx) : !['g++', 'c++', 'clang++'].some(onPath)) missing.push(cxx ? `the C++ compiler CXX=${cxx}` : 'a C++ compiler (g++ or clang++)');
  if (!onPath('make')) missing.push('make');
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (python ? !onPath(python) : !['python3', 'python'].some(onPath)) missing.push(python ? `python3 (${python})` : 'python3');
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) missing.push(`Node's headers (${prefix}/include/node)`);
  return missing;
}

function shippedPrebuilds() {
  try {
    return fs.readdirSync(path.join(root, 'prebuilds'));
  } catch {
    return []; // a clone: none
  }
}

let reason = clone ? 'a git checkout builds from source' : 'a build from source was asked for';
if (!fromSource) {
  const pre = tryPrebuild();
  if (pre.ok) {
    if (process.env.npm_config_loglevel === 'verbose') say(`using the prebuilt binary ${path.relative(root, pre.file)}`);
    process.exit(0);
  }
  reason = pre.why;
  say(`${reason}; building from source`);
}

const missing = missingTools();
if (missing.length) {
  const shipped = shippedPrebuilds();
  say(`cannot install: ${reason}, and building from source needs ${missing.join(', ')}, not found on this machine.`);
  say('  Debian/Ubuntu: apt-get install g++ make python3    Fedora/RHEL: dnf install gcc-c++ make python3    Alpine: apk add g++ make python3 linux-headers');
  say(`  Prebuilt binaries in this package: ${shipped.length ? `${shipped.join(', ')} (glibc ≥ 2.17, libstdc++ of GCC ≥ 11)` : 'none'}; see README.md, "Installing".`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  say(`the build from source failed (exit ${r.status ?? r.signal}); the compiler output is above. ${reason}.`);
  process.exit(r.status || 1);
}
