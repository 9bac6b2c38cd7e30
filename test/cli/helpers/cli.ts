// Runs the real CLI (dist/cli/main.js, built by `npm test`'s pretest) as a child process, reads
// its NDJSON as it comes, and makes sure no child outlives its test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = path.join(ROOT, 'dist/cli/main.js');

/** Fails loudly when dist/cli is missing or older than src/cli (run `npm run build:ts`). */
function checkBuilt(): void {
  const srcDir = path.join(ROOT, 'src/cli');
  const files = (fs.readdirSync(srcDir, { recursive: true }) as string[]).filter((n) => n.endsWith('.ts'));
  for (const f of files) {
    const js = path.join(ROOT, 'dist/cli', f.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(js)) throw new Error(`${js} is missing: run npm run build:ts (npm test does it)`);
    if (fs.statSync(js).mtimeMs + 1000 < fs.statSync(path.join(srcDir, f)).mtimeMs) throw new Error(`${js} is older than src/cli/${f}: run npm run build:ts`);
  }
}
checkBuilt();

export type Json = Record<string, unknown>;

export interface Proc {
  child: ChildProcess;
  /** stdout lines so far. */
  lines: string[];
  /** Parsed stdout lines (non-JSON lines are skipped). */
  records: Json[];
  stderr(): string;
  stdout(): string;
  /** Resolves with the first record (or line) matching, rejects after timeoutMs. */
  waitFor(pred: (r: Json) => boolean, timeoutMs?: number, what?: string): Promise<Json>;
  waitForLine(pred: (l: string) => boolean, timeoutMs?: number, what?: string): Promise<string>;
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (signal → 128+n), rejects after timeoutMs. */
  exited(timeoutMs?: number): Promise<number>;
  kill(sig?: NodeJS.Signals): void;
}

const live = new Set<ChildProcess>();

// Every child dies with its test, whatever happened to the test.
afterEach(() => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
});

const SIGNUM: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra env merged over process.env (NO_COLOR etc. are removed unless given). */
  cwd?: string;
}

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The colour decision is under test; start from a neutral environment.
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

export function start(args: readonly string[], o: StartOptions = {}): Proc {
  return startScript(MAIN, args, o);
}

/** Any node script as a tracked child (targets, clients, port owners). */
export function startScript(script: string, args: readonly string[], o: StartOptions = {}): Proc {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: baseEnv(o.env), cwd: o.cwd ?? ROOT });
  live.add(child);
  const lines: string[] = [];
  const records: Json[] = [];
  let out = '';
  let err = '';
  let partial = '';
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      try {
        const v = JSON.parse(l) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) records.push(v as Json);
      } catch {
        /* text line */
      }
    }
    wake();
  });
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
    wake();
  });
  let exitCode: number | null = null;
  // 'exit' can come before the last of the child's output has been read from its pipes: the
  // process counts as exited once they are closed too ('close'), so that records and lines are
  // complete then. Bounded: a grandchild that inherited them could hold them open.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exitP = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      const status = code ?? 128 + (signal ? SIGNUM[signal] ?? 0 : 0);
      void Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]).then(() => {
        exitCode = status;
        resolve(status);
        wake();
      });
    });
  });
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`)), timeoutMs);
      const poll = () => {
        const v = check();
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
          return;
        }
        if (exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`process exited (${exitCode}) while waiting for ${what}\nstdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`));
          return;
        }
        waiters.push(poll);
      };
      poll();
    });
  return {
    child,
    lines,
    records,
    stderr: () => err,
    stdout: () => out,
    waitFor: (pred, timeoutMs = 10_000, what = 'a matching record') => until(() => records.find(pred), timeoutMs, what),
    waitForLine: (pred, timeoutMs = 10_000, what = 'a matching line') => until(() => lines.find(pred), timeoutMs, what),
    waitForStderr: (re, timeoutMs = 10_000) => until(() => re.exec(err)?.[0], timeoutMs, `stderr matching ${re}`),
    exited: (timeoutMs = 15_000) =>
      Promise.race([
        exitP,
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms\nstderr:\n${err.slice(-3000)}`)), timeoutMs)),
      ]),
    kill: (sig = 'SIGTERM') => {
      if (exitCode === null) child.kill(sig);
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  records: Json[];
}

/** Runs to completion (bounded) and returns everything. */
export async function run(args: readonly string[], o: StartOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const p = start(args, o);
  const code = await p.exited(o.timeoutMs ?? 20_000);
  return { code, stdout: p.stdout(), stderr: p.stderr(), records: p.records };
}

/** The sockets of the `listening` record (`timeoutMs`: more where a test starts many processes at once). */
export async function listening(p: Proc, timeoutMs = 10_000): Promise<Array<{ bind: string; address: string; port: number; family: number }>> {
  const r = await p.waitFor((x) => x.type === 'listening', timeoutMs, 'the listening record');
  return r.sockets as Array<{ bind: string; address: string; port: number; family: number }>;
}

export function ofType(p: { records: Json[] }, type: string): Json[] {
  return p.records.filter((r) => r.type === type);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until check() is true (bounded). */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
