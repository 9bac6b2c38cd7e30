// scripts/ci-summary.mjs prints the last line of .ci/run. These reports are shaped like the ones
// vitest 4's JSON reporter really writes for each case (a crashed worker leaves its file "passed"
// with every test "pending", or with no test at all; an unhandled error leaves no trace in the
// report, only in the exit status).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/ci-summary.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
interface FileSpec { name: string; status: 'passed' | 'failed'; message?: string; tests: Array<[string[], Status]> }

function report(files: FileSpec[], extra: Record<string, unknown> = {}) {
  const all = files.flatMap((f) => f.tests);
  return {
    numTotalTests: all.length,
    numPassedTests: all.filter(([, s]) => s === 'passed').length,
    numFailedTests: all.filter(([, s]) => s === 'failed').length,
    // what the old .ci/run added on top of numFailedTests: every failed file and describe
    numFailedTestSuites: files.filter((f) => f.status === 'failed').length * 2,
    numPendingTests: 0,
    numTodoTests: 0,
    success: files.every((f) => f.status === 'passed'),
    testResults: files.map((f) => ({
      name: `/repo/test/${f.name}`,
      status: f.status,
      message: f.message ?? '',
      assertionResults: f.tests.map(([path, status]) => ({
        ancestorTitles: path.slice(0, -1),
        title: path[path.length - 1],
        fullName: path.join(' '),
        status,
        failureMessages: status === 'failed' ? ['AssertionError: expected 1 to be 2'] : [],
      })),
    })),
    ...extra,
  };
}

const passing: FileSpec = { name: 'ok.test.ts', status: 'passed', tests: [[['a'], 'passed'], [['b'], 'passed']] };

let n = 0;
function run(contents: unknown | undefined, exit: number, extra: string[] = []) {
  const file = join(dir, `report-${n++}.json`);
  if (contents !== undefined) writeFileSync(file, typeof contents === 'string' ? contents : JSON.stringify(contents));
  const r = spawnSync(process.execPath, [script, '--results', file, '--exit', String(exit), ...extra], { encoding: 'utf8' });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, last: lines[lines.length - 1], out: r.stdout, stderr: r.stderr };
}

describe('ci-summary', () => {
  it('all green: counts passed and skipped, exits 0', () => {
    const skipping: FileSpec = { name: 's.test.ts', status: 'passed', tests: [[['x'], 'skipped'], [['y'], 'todo'], [['z'], 'passed']] };
    const r = run(report([passing, skipping]), 0);
    expect(r.last).toBe('3 passed, 0 failed, 2 skipped');
    expect(r.status).toBe(0);
  });

  it('a crashed worker (file "passed", its tests "pending") is one failure', () => {
    const crashed: FileSpec = {
      name: 'crash.test.ts', status: 'passed',
      tests: [[['crashy', 'before'], 'pending'], [['crashy', 'segv'], 'pending'], [['crashy', 'after'], 'pending']],
    };
    const r = run(report([passing, crashed]), 1);
    expect(r.last).toBe('2 passed, 1 failed, 0 skipped');
    expect(r.out).toContain('crash.test.ts: 3 of 3 tests never finished');
    expect(r.status).toBe(1);
  });

  it('a worker that died while loading a file (no assertion results) is one failure', () => {
    const died: FileSpec = { name: 'died.test.ts', status: 'passed', tests: [] };
    const r = run(report([passing, died]), 1);
    expect(r.last).toBe('2 passed, 1 failed, 0 skipped');
    expect(r.status).toBe(1);
  });

  it('a failed file with no test (import error) is one failure', () => {
    const broken: FileSpec = { name: 'import.test.ts', status: 'failed', message: 'Cannot find module ../src/gone.js', tests: [] };
    const r = run(report([passing, broken]), 1);
    expect(r.last).toBe('2 passed, 1 failed, 0 skipped');
    expect(r.out).toContain('import.test.ts: file failed without a failed test: Cannot find module');
  });

  it('one failing test inside a describe inside a failing file counts once', () => {
    const failing: FileSpec = { name: 'f.test.ts', status: 'failed', tests: [[['group', 'fails'], 'failed'], [['group', 'ok'], 'passed']] };
    const r = run(report([passing, failing]), 1);
    expect(r.last).toBe('3 passed, 1 failed, 0 skipped');
    expect(r.status).toBe(1);
  });

  it('an uncaught error after passing tests (not in the report, exit 1) is one failure', () => {
    const r = run(report([passing]), 1);
    expect(r.last).toBe('2 passed, 1 failed, 0 skipped');
    expect(r.out).toContain('vitest exited with status 1');
    expect(r.status).toBe(1);
  });

  it('counts unhandledErrors / errors when the report carries them', () => {
    const r = run(report([passing], { unhandledErrors: [{ message: 'late boom' }], errors: ['Worker exited unexpectedly'] }), 1);
    expect(r.last).toBe('2 passed, 2 failed, 0 skipped');
    expect(r.out).toContain('unhandledErrors: late boom');
    expect(r.out).toContain('errors: Worker exited unexpectedly');
  });

  it('a missing report is at least one failure, even with exit status 0', () => {
    const r = run(undefined, 0);
    expect(r.last).toBe('0 passed, 1 failed, 0 skipped');
    expect(r.status).toBe(1);
  });

  it('a truncated report is treated as missing', () => {
    const r = run(JSON.stringify(report([passing])).slice(0, 40), 1);
    expect(r.last).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('a report with no test file is not green', () => {
    const r = run(report([]), 0);
    expect(r.last).toBe('0 passed, 1 failed, 0 skipped');
    expect(r.status).toBe(1);
  });

  it('adds the other CI steps', () => {
    expect(run(report([passing]), 0, ['--extra-passed', '4']).last).toBe('6 passed, 0 failed, 0 skipped');
    const r = run(report([passing]), 0, ['--extra-passed', '3', '--extra-failed', '1']);
    expect(r.last).toBe('5 passed, 1 failed, 0 skipped');
    expect(r.status).toBe(1);
  });

  it('a usage error still ends with a failing summary line', () => {
    const r = spawnSync(process.execPath, [script, '--results', join(dir, 'x.json')], { encoding: 'utf8' });
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('0 passed, 1 failed');
    expect(r.status).toBe(2);
  });
});
