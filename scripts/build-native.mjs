#!/usr/bin/env node
// Builds the addon with node-gyp against the running Node's own headers. We pass --nodedir
// ourselves (the prefix of process.execPath) instead of relying on a machine-level npm setting.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const prefix = path.resolve(path.dirname(process.execPath), '..');
const args = ['rebuild', `--nodedir=${prefix}`, '--jobs=2'];
if (process.env.DISPTAP_DEBUG === '1') args.push('--debug');
if (!fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  console.error(`disptap: Node headers not found under ${prefix}/include/node; install the nodejs headers`);
  process.exit(1);
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const r = spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);
