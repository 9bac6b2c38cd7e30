// Shell-outs for the tests that judge us by the system's own tools (ip, ethtool) and run children
// in namespaces or without capabilities.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a command; throws with its stderr on failure. */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command and ignores failure (cleanup). */
export function tryRun(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: 'ignore' });
}

export function ipJson<T>(args: string[]): T {
  return JSON.parse(run('ip', ['-j', ...args])) as T;
}

/**
 * The built package for child processes: dist/, which `npm test` rebuilds first (pretest), so a
 * child gets exactly the sources under test without a compile per test file.
 */
export function buildDistForChildren(): string {
  const index = path.join(ROOT, 'dist', 'index.js');
  if (!fs.existsSync(index)) throw new Error('dist/ is missing: run `npm run build:ts` (npm test does it first)');
  return new URL(`file://${index}`).href;
}

/** Kept for callers from before dist/ was shared; nothing to remove any more. */
export function removeDistForChildren(): void {}

/**
 * Runs `node --input-type=module -e <body>` (optionally behind a wrapper such as
 * `ip netns exec NS` or `setpriv …`), with `lib` bound to the built package; the body prints JSON
 * with `out(value)`. Returns the parsed value.
 */
export function runChild<T>(wrapper: string[], body: string): T {
  const lib = buildDistForChildren();
  const script = `import * as lib from ${JSON.stringify(lib)};
const out = (v) => process.stdout.write(JSON.stringify(v));
const attempt = (f) => { try { return { ok: f() }; } catch (e) { return { error: { name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall } }; } };
${body}`;
  const [cmd, ...args] = [...wrapper, process.execPath, '--input-type=module', '-e', script];
  const r = spawnSync(cmd!, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
