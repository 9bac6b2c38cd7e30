// Throwing setters on Error.prototype (code, errno, syscall, address, port, message, …), on
// Object.prototype and on array indices must not turn a native error into a process abort.
// Before the fix the error helpers assigned properties with [[Set]] (running those setters), then
// threw with the setter's exception still pending: node-addon-api ended the process with
// "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" (exit 134) on the first failing
// bind. Now properties are defined on the new error (no setter runs), result arrays are built the
// same way, and nothing throws while an exception is pending.
//
// The cases run in a child (test/native/hostile-child.cjs): the setters would break the test runner
// itself, and an abort must fail one test, not the whole file.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../native/hostile-child.cjs');

interface CaseResult {
  name: string;
  ok: boolean;
  detail: string;
  setterCalls: number;
}

function run(mode: string): { status: number | null; stderr: string; results: CaseResult[] } {
  const r = spawnSync(process.execPath, [child, mode], { encoding: 'utf8', timeout: 60_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let results: CaseResult[] = [];
  try {
    results = (JSON.parse(last) as { results: CaseResult[] }).results;
  } catch {
    // no report: the child died before printing it; the status check below says how
  }
  return { status: r.status, stderr: r.stderr, results };
}

describe('native errors with hostile property setters installed', () => {
  it.each([
    ['Error.prototype names and Array.prototype indices', 'error-proto'],
    ['Object.prototype names and indices', 'object-proto'],
  ])('%s: every native error is a catchable JS error with its own code; no abort', (_label, mode) => {
    const { status, stderr, results } = run(mode);
    expect(stderr).not.toContain('FATAL ERROR');
    expect(status, stderr).toBe(0);
    expect(results.length).toBeGreaterThan(60);
    const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail} (setter calls ${r.setterCalls})`);
    expect(failed).toEqual([]);
  });
});
