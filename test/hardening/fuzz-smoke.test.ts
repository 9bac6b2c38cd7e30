// A short pass of every libFuzzer target (fuzz/run.sh) on its committed seed corpus, so a parser
// change that breaks an invariant fails `npm test` too, not only the CI fuzz step. 3 s of fuzzing
// per target (18 s in all, ~30 s with the builds). Needs clang with the compiler-rt runtimes;
// without them it is skipped and says why (CI installs them: see .ci/run).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function whyNoFuzzer(): string | null {
  if (spawnSync('clang++', ['--version']).error) return 'clang++ is not installed (apt-get install clang libclang-rt-14-dev)';
  // a tiny program tells whether libFuzzer and the sanitizer runtimes are there
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-fuzzprobe-'));
  try {
    fs.writeFileSync(path.join(dir, 'p.cc'), 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n');
    const r = spawnSync('clang++', ['-fsanitize=fuzzer,address,undefined', path.join(dir, 'p.cc'), '-o', path.join(dir, 'p')], { encoding: 'utf8' });
    return r.status === 0 ? null : `clang++ cannot link a libFuzzer target (install libclang-rt-N-dev): ${r.stderr.split('\n')[0]}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const skip = whyNoFuzzer();
if (skip) console.warn(`fuzz smoke skipped: ${skip}`);

describe.skipIf(skip !== null)('fuzz smoke', () => {
  it('every target builds, replays its seeds and fuzzes a few seconds without a finding', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-fuzzsmoke-'));
    try {
      const r = spawnSync('bash', [path.join(ROOT, 'fuzz/run.sh')], {
        encoding: 'utf8',
        env: { ...process.env, FUZZ_SECONDS: '3', FUZZ_OUT: out, LD_PRELOAD: '' },
        timeout: 110_000,
      });
      const text = `${r.stdout}\n${r.stderr}`;
      expect(r.status, text).toBe(0);
      for (const t of ['cmsg', 'sockaddr', 'rtnetlink', 'ring', 'pcapng']) expect(text).toMatch(new RegExp(`${t}: ok, \\d+ runs`));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
