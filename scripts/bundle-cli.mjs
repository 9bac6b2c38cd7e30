#!/usr/bin/env node
// Bundles the command (dist/cli/main.js, as tsc emitted it) into one file in its place: Node's
// ESM loader then resolves, reads and links one module instead of ~200, which was most of a
// command's start (a `watch --passive` idling 2 s: 0.42 s CPU unbundled, 0.29 s bundled, side by
// side on 12-07).
// The package's dependencies stay imports (npm installs them; prom-client is loaded only when
// --metrics asks for it), and so do Node's built-ins. The library (dist/index.js) is not bundled.
//
// Run after `tsc -p tsconfig.build.json` (npm run build:ts does both). Without rolldown (a
// production install has no devDependencies) tsc's unbundled main.js stays: it works, only
// starts slower. Set DISPTAP_BUNDLE_REQUIRED=1 to fail instead. (CI does not need it:
// test/packaging/cli-bundle.test.ts fails when dist/cli/main.js is not the bundle.)
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/cli/main.js');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const deps = Object.keys(pkg.dependencies ?? {});
const required = process.env.DISPTAP_BUNDLE_REQUIRED === '1';

if (!fs.existsSync(entry)) {
  console.error(`bundle-cli: ${entry} is missing: run tsc -p tsconfig.build.json first`);
  process.exit(1);
}
if (fs.readFileSync(entry, 'utf8').includes(BUNDLE_MARK())) {
  console.error('bundle-cli: dist/cli/main.js is already the bundle (run tsc again to rebuild it)');
  process.exit(0);
}

let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch (e) {
  const why = `bundle-cli: rolldown is not installed (${e.code ?? e.message}); dist/cli/main.js stays unbundled`;
  console.error(why);
  process.exit(required ? 1 : 0);
}

const external = (id) =>
  id.startsWith('node:') || builtinModules.includes(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));
const bundle = await rolldown({ input: entry, platform: 'node', external, logLevel: 'warn' });
const tmp = `${entry}.${process.pid}.tmp`;
try {
  const { output } = await bundle.write({ file: tmp, format: 'esm', codeSplitting: false, sourcemap: false, postBanner: BUNDLE_MARK() });
  if (output.length !== 1) throw new Error(`expected one chunk, got ${output.length}`);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, entry);
  // tsc's map describes the unbundled file
  fs.rmSync(`${entry}.map`, { force: true });
} finally {
  await bundle.close();
  fs.rmSync(tmp, { force: true });
}
console.error(`bundle-cli: dist/cli/main.js bundled (${(fs.statSync(entry).size / 1024).toFixed(0)} KiB)`);

/** The line that marks the bundle (test/packaging/cli-bundle.test.ts looks for it). */
function BUNDLE_MARK() {
  return '// disptap: bundled by scripts/bundle-cli.mjs from the tsc output of src/cli/main.ts';
}
