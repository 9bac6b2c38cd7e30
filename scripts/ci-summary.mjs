#!/usr/bin/env node
// The summary line of .ci/run: "N passed, N failed, N skipped", computed from vitest's JSON report
// AND vitest's exit status, so that it cannot say "0 failed" about a run that failed.
//
//   node scripts/ci-summary.mjs --results .vitest-results.json --exit <vitest exit status> \
//        [--extra-passed N] [--extra-failed N]
//
// Counting rules:
//   - each test whose assertion result is "failed" counts once (not again for its describe blocks
//     or its file, as vitest's numFailedTestSuites would);
//   - a file with no failed test counts as one failure when it did not complete: its status is
//     "failed" (import error, error in a hook, uncaught error attributed to it), it has no test
//     results at all, or some of its tests are still "pending" (never finished: the worker died,
//     e.g. a native crash; vitest then reports the file as "passed");
//   - each entry of a top-level `unhandledErrors` / `errors` array counts as one failure;
//   - a report with no test file at all counts as one failure (a run that ran nothing is not green);
//   - a missing or unreadable report counts as one failure;
//   - if vitest exited non-zero and nothing above counted a failure (e.g. an unhandled error after
//     passing tests, which the JSON report does not record), that counts as one failure;
//   - --extra-passed / --extra-failed add the other CI steps (typecheck, fuzz, asan, soak).
// Notes explaining every failure that is not a failed test are printed first; the summary is always
// the last line. Exit status: 0 when nothing failed, 1 otherwise (2 if this script itself broke).
import { readFileSync } from 'node:fs';

function parseArgs(argv) {
  const opts = { results: null, exit: null, extraPassed: 0, extraFailed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    i++;
    switch (key) {
      case '--results': opts.results = value; break;
      case '--exit': opts.exit = toInt(key, value); break;
      case '--extra-passed': opts.extraPassed = toInt(key, value); break;
      case '--extra-failed': opts.extraFailed = toInt(key, value); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  if (opts.results === null) throw new Error('--results is required');
  if (opts.exit === null) throw new Error('--exit is required');
  return opts;
}

function toInt(key, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${key} wants a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Counts one vitest JSON report. Returns { passed, failed, skipped, notes }. */
function summarize(report, vitestExit) {
  const notes = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;

  if (report === null) {
    notes.push('vitest JSON report missing or unreadable: counted as 1 failure');
    failed = 1;
  } else {
    const files = Array.isArray(report.testResults) ? report.testResults : null;
    if (files === null) {
      notes.push('vitest JSON report has no testResults array: counted as 1 failure');
      failed++;
    } else if (files.length === 0) {
      notes.push('vitest JSON report lists no test file: counted as 1 failure');
      failed++;
    }
    for (const file of files ?? []) {
      const results = Array.isArray(file.assertionResults) ? file.assertionResults : [];
      let fileFailed = 0;
      let filePending = 0;
      for (const t of results) {
        switch (t.status) {
          case 'passed': passed++; break;
          case 'failed': fileFailed++; break;
          case 'skipped': case 'todo': case 'disabled': skipped++; break;
          default: filePending++; // "pending": started or queued, never finished
        }
      }
      failed += fileFailed;
      if (fileFailed > 0) continue;
      const name = file.name ?? '(unnamed file)';
      const message = file.message ? `: ${String(file.message).split('\n')[0]}` : '';
      if (file.status === 'failed') {
        notes.push(`${name}: file failed without a failed test${message}`);
        failed++;
      } else if (results.length === 0) {
        notes.push(`${name}: no test result at all (worker died while loading it?)`);
        failed++;
      } else if (filePending > 0) {
        notes.push(`${name}: ${filePending} of ${results.length} tests never finished (worker died?)`);
        failed++;
      }
    }
    for (const key of ['unhandledErrors', 'errors']) {
      const errs = report[key];
      if (!Array.isArray(errs)) continue;
      for (const e of errs) {
        const text = typeof e === 'string' ? e : (e?.message ?? JSON.stringify(e));
        notes.push(`${key}: ${String(text).split('\n')[0]}`);
        failed++;
      }
    }
  }

  if (vitestExit !== 0 && failed === 0) {
    notes.push(`vitest exited with status ${vitestExit} but its report shows no failure ` +
      '(unhandled error or crashed worker): counted as 1 failure');
    failed = 1;
  }
  return { passed, failed, skipped, notes };
}

function readReport(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const report = JSON.parse(text);
    return report !== null && typeof report === 'object' ? report : null;
  } catch {
    return null;
  }
}

function main() {
  let extraPassed = 0;
  let extraFailed = 0;
  try {
    const opts = parseArgs(process.argv.slice(2));
    extraPassed = opts.extraPassed;
    extraFailed = opts.extraFailed;
    const s = summarize(readReport(opts.results), opts.exit);
    for (const note of s.notes) console.log(`ci-summary: ${note}`);
    const passed = s.passed + extraPassed;
    const failed = s.failed + extraFailed;
    console.log(`${passed} passed, ${failed} failed, ${s.skipped} skipped`);
    process.exitCode = failed > 0 ? 1 : 0;
  } catch (err) {
    console.log(`ci-summary: ${err?.message ?? err}`);
    console.log(`${extraPassed} passed, ${extraFailed + 1} failed`);
    process.exitCode = 2;
  }
}

main();
