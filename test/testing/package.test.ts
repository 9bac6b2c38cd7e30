// `disptap/testing` as a user gets it: the sources compiled to dist/, laid out as an installed
// package in a temporary node_modules WITHOUT vitest, imported through the package's own "exports"
// map. The docs' node:test block runs there under `node --test`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docBlocks } from './doc-blocks.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

let tmp: string;
let pkg: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], cwd = tmp): Promise<Result> {
  try {
    const r = await run(process.execPath, args, { cwd, timeout: 30_000 });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-pkg-'));
  pkg = path.join(tmp, 'node_modules/disptap');
  fs.mkdirSync(pkg, { recursive: true });
  // Only the import graphs of the two entry points: other modules of the tree are not ours to judge.
  const r = await node(
    [TSC, 'src/index.ts', 'src/testing/index.ts', '--outDir', path.join(pkg, 'dist'), '--rootDir', 'src', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--declaration', '--strict', '--skipLibCheck', '--types', 'node'],
    ROOT,
  );
  if (!fs.existsSync(path.join(pkg, 'dist/testing/index.js'))) throw new Error(`tsc emitted nothing: ${r.stdout}${r.stderr}`);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'binding.gyp'), path.join(pkg, 'binding.gyp')); // how dist/sys/native.js finds its root
  fs.symlinkSync(path.join(ROOT, 'build'), path.join(pkg, 'build'), 'dir');
  // The runtime dependencies (and @types/node for the TypeScript consumer), never vitest.
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(dependencies), '@types/node']) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(tmp, 'node_modules', dep)), { recursive: true });
    fs.symlinkSync(from, path.join(tmp, 'node_modules', dep), 'dir');
  }
  fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
}, 60_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the disptap/testing subpath export', () => {
  it('package.json maps ./testing to dist/testing/index.{js,d.ts}, and the build has both', () => {
    const { exports } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    expect(exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    expect(fs.existsSync(path.join(pkg, exports['./testing']!.types))).toBe(true);
    expect(fs.existsSync(path.join(pkg, exports['./testing']!.default))).toBe(true);
  });

  it('imports without vitest installed; the plain functions assert on real traffic', async () => {
    const script = `
      let vitest = 'absent';
      try { await import('vitest'); vitest = 'present'; } catch {}
      const kit = await import('disptap/testing');
      const { openUdp } = await import('disptap');
      const { AssertionError } = await import('node:assert');
      const rx = await openUdp({ address: '127.0.0.1' });
      const tx = await openUdp({ address: '127.0.0.1' });
      const r = await tx.send('hi', rx.address(), { ttl: 9, txTimestamps: 'software' });
      const msg = await rx.receive({ timeoutMs: 2000 });
      kit.assertRxTimestamp(msg);
      kit.assertArrivesOn(msg, 'lo');
      kit.assertTxTimestampBefore(await r.tx, msg);
      let failure;
      try { kit.assertSentWithTtl(msg, 64); } catch (e) { failure = { isAssertionError: e instanceof AssertionError, message: e.message, operator: e.operator }; }
      const captured = await kit.capture({ port: 0 }, async (addr) => { await tx.send('c', addr); });
      rx.close(); tx.close();
      console.log(JSON.stringify({ vitest, port: msg.src.port, failure, captured: captured.length, names: Object.keys(kit).sort() }));
    `;
    const r = await node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { vitest: string; port: number; failure: unknown; captured: number; names: string[] };
    expect(out.vitest).toBe('absent');
    expect(out.failure).toEqual({
      isAssertionError: true,
      operator: 'toHaveBeenSentWithTtl',
      message: `expected datagram from 127.0.0.1:${out.port} (2 bytes) to have been sent with TTL 64, but it arrived with TTL 9`,
    });
    expect(out.captured).toBe(1);
    expect(out.names).toEqual(
      expect.arrayContaining(['assertRxTimestamp', 'assertTxTimestampBefore', 'capture', 'sendAndCapture', 'clock', 'estimateClockOffset', 'installMatchers', 'disptapMatchers', 'checks']),
    );
  });

  it("the docs' node:test example passes under `node --test`", async () => {
    const [block] = docBlocks(fs.readFileSync(path.join(ROOT, 'docs/testing.md'), 'utf8')).filter((b) => b.lang === 'js');
    fs.writeFileSync(path.join(tmp, 'ntp-order.test.mjs'), block!.code);
    const r = await node(['--test', '--test-reporter=tap', 'ntp-order.test.mjs']);
    expect(r.stdout).toMatch(/^# pass 1$/m);
    expect(r.stdout).toMatch(/^# fail 0$/m);
    expect(r.code).toBe(0);
  });

  it('under node:test a failing assertion reports the documented message', async () => {
    fs.writeFileSync(
      path.join(tmp, 'failing.test.mjs'),
      `import { test } from 'node:test';
       import { openUdp } from 'disptap';
       import { assertRxTimestamp } from 'disptap/testing';
       test('timestamps off', async () => {
         const rx = await openUdp({ address: '127.0.0.1', timestamps: 'none' });
         const tx = await openUdp({ address: '127.0.0.1' });
         try {
           await tx.send('ping', rx.address());
           assertRxTimestamp(await rx.receive({ timeoutMs: 2000 }));
         } finally { rx.close(); tx.close(); }
       });`,
    );
    const r = await node(['--test', '--test-reporter=tap', 'failing.test.mjs']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^# fail 1$/m);
    expect(r.stdout).toContain('ERR_ASSERTION');
    expect(r.stdout).toContain(
      "to have an RX timestamp, but timestamps.software is missing: no SCM_TIMESTAMPING cmsg: timestamps were off (open the tap with timestamps: 'software' or 'hardware')",
    );
  });

  it('a TypeScript consumer without vitest type-checks against the emitted .d.ts, even with skipLibCheck off', async () => {
    fs.writeFileSync(
      path.join(tmp, 'consumer.ts'),
      `import { openUdp, type RxMessage } from 'disptap';
       import { assertRxTimestamp, assertTxTimestampBefore, capture, estimateClockOffset, type SentDatagram } from 'disptap/testing';
       export function rxNs(msg: RxMessage): bigint {
         assertRxTimestamp(msg);
         return msg.timestamps.software; // narrowed by the assertion signature
       }
       export async function demo(sent: SentDatagram): Promise<number> {
         const msgs = await capture({ port: 0 }, async (addr) => {
           const tap = await openUdp({ address: '127.0.0.1' });
           await tap.send('x', addr);
           tap.close();
         });
         assertTxTimestampBefore(sent, msgs[0]!);
         return msgs.length + Number(estimateClockOffset().uncertaintyNs);
       }
      `,
    );
    const r = await node([TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false', 'consumer.ts']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});
