// A short pass of the N-API surface fuzzer (scripts/napi-fuzz.sh → fuzz/napi/surface.mjs) against
// the plain build, so `npm test` runs it too (CI runs it for longer under ASan), and proof that the
// harness cannot pass silently: a run told to abort, to die of SIGSEGV or to see a native error
// without a code must fail, naming the seed and the line that replays it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/napi-fuzz.sh');
const DRIVER = path.join(ROOT, 'fuzz/napi/surface.mjs');
const ADDON = process.env.DISPTAP_NATIVE ?? path.join(ROOT, 'build/Release/disptap.node');

/** scripts/napi-fuzz.sh without sanitizers (NAPI_FUZZ_PLAIN=1), against the addon the tests use. */
function harness(env: Record<string, string>, timeout = 90_000) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-napifuzz-smoke-'));
  if (env.NAPI_FUZZ_INJECT) {
    // A deliberate SIGSEGV makes a preloaded ASan write a report: keep it out of asan-test.sh's log
    // folder (where any report fails the whole run); the last log_path given wins.
    for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS'] as const)
      if (process.env[k]) env[k] = `${process.env[k]}:log_path=${path.join(out, 'injected')}`;
  }
  try {
    const r = spawnSync('bash', [SCRIPT], {
      encoding: 'utf8',
      // Under scripts/asan-test.sh DISPTAP_NATIVE is the ASan addon and LD_PRELOAD its runtime, which
      // scripts/asan-preload.cjs strips from bash: NAPI_FUZZ_PRELOAD hands it to the driver's node.
      env: { ...process.env, NAPI_FUZZ_PLAIN: '1', DISPTAP_NATIVE: ADDON, NAPI_FUZZ_OUT: out, NAPI_FUZZ_PRELOAD: process.env.LD_PRELOAD ?? '', ...env },
      timeout,
    });
    return { status: r.status, text: `${r.stdout}\n${r.stderr}` };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe('N-API surface fuzzer', () => {
  it('runs ~3 s (two seeds, then the worker-termination mode) with a fixed seed and finds nothing', () => {
    const { status, text } = harness({ NAPI_FUZZ_SECONDS: '3', NAPI_FUZZ_SEED: '20240607', NAPI_FUZZ_RUNS: '2' });
    expect(status, text).toBe(0);
    expect(text).toMatch(/napi-fuzz\[0\]: ok \(steps=\d+/);
    expect(text).toMatch(/napi-fuzz\[1\]: ok \(steps=\d+/);
    expect(text).toMatch(/napi-fuzz\[2\]: ok \(steps=\d+ workers=\d+ terminated=\d+/);
    expect(text).toContain('seed 20240607 single: ok');
    expect(text).toContain('seed 20240609 workers: ok');
  }, 120_000);

  it.each([
    ['abort', 'died of signal 6'],
    ['segv', 'died of signal 11'],
    ['nocode', 'exit 1'],
  ])('a run that hits %s at step 150 fails, with the seed and a replay line', (kind, why) => {
    const { status, text } = harness({
      NAPI_FUZZ_SECONDS: '5',
      NAPI_FUZZ_SEED: '4242',
      NAPI_FUZZ_RUNS: '1',
      NAPI_FUZZ_WORKERS: '0',
      NAPI_FUZZ_INJECT: `${kind}@150`,
    });
    expect(status, text).toBe(1);
    expect(text).toContain(`napi-fuzz[0]: FINDING: ${why}; seed 4242, mode single`);
    expect(text).toMatch(/napi-fuzz\[0\]: replay: .*node --expose-gc fuzz\/napi\/surface\.mjs --seed 4242 /);
    // the automatic replay with --trace reproduces it and shows the ops before it
    expect(text).toContain('the replay with --trace failed too');
    expect(text).toMatch(new RegExp(`main#150 inject ${kind}`));
    expect(text).toContain('seed 4242 single: FINDING');
    if (kind === 'nocode') {
      expect(text).toMatch(/FINDING uncoded-error \[main\] seed=4242 step=150/);
      // the summary at the very end repeats the finding's own line (CI keeps only a log's end)
      const summary = text.slice(text.lastIndexOf('napi-fuzz summary'));
      expect(summary).toMatch(/seed 4242 single: FINDING \(exit 1\)\n\s+napi-fuzz: FINDING uncoded-error \[main\] seed=4242 step=150/);
    }
  }, 120_000);

  it('a run stuck in the main thread is found, named by the watchdog, dumped and killed', () => {
    const { status, text } = harness({
      NAPI_FUZZ_SECONDS: '2',
      NAPI_FUZZ_SEED: '31',
      NAPI_FUZZ_RUNS: '1',
      NAPI_FUZZ_WORKERS: '0',
      NAPI_FUZZ_INJECT: 'hang@100',
      NAPI_FUZZ_GRACE: '4',
      NAPI_FUZZ_STALL_SECONDS: '2',
      NAPI_FUZZ_REPLAY: '0',
    });
    expect(status, text).toBe(1);
    expect(text).toContain('napi-fuzz[0]: FINDING: hung (killed after 6 s); seed 31, mode single');
    expect(text).toContain('napi-fuzz: STALL [main] seed=31: no progress for 2 s at step 100, busy in: inject hang');
    if (spawnSync('gdb', ['--version']).status === 0) expect(text).toMatch(/the main thread when it was killed[^]*Thread 1 [^]*#0 /);
  }, 60_000);

  it('the worker-termination mode reports an abort too (inside the main thread driving between workers)', () => {
    const { status, text } = harness({
      NAPI_FUZZ_SECONDS: '5',
      NAPI_FUZZ_SEED: '99',
      NAPI_FUZZ_RUNS: '0',
      NAPI_FUZZ_INJECT: 'abort@60',
      NAPI_FUZZ_REPLAY: '0',
    });
    expect(status, text).toBe(1);
    expect(text).toContain('napi-fuzz[0]: FINDING: died of signal 6; seed 99, mode workers');
    expect(text).toMatch(/replay: .*--seed 99 .*--workers/);
  }, 120_000);

  it('the driver prints its seed first, and a seed replays the same operations', () => {
    const run = () =>
      spawnSync(process.execPath, ['--expose-gc', DRIVER, '--seed', '777', '--steps', '400', '--seconds', '60', '--trace', '-'], {
        encoding: 'utf8',
        env: { ...process.env, DISPTAP_NATIVE: ADDON },
        timeout: 60_000,
      });
    const a = run();
    const b = run();
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout.split('\n')[0]).toMatch(/^napi-fuzz: seed=777 mode=single/);
    // the op names (not what the kernel answered) are the same in both runs
    const ops = (s: string) => s.split('\n').filter((l) => /^main#\d+ [a-zA-Z]+$/.test(l));
    expect(ops(a.stderr).length).toBeGreaterThan(300);
    expect(ops(b.stderr)).toEqual(ops(a.stderr));
  }, 120_000);
});
