// The API reference: TypeDoc over both entry points (typedoc.json, `npm run docs:api`), with every
// public export documented. typedoc.json makes an undocumented export, a broken {@link} or a type
// the API uses without exporting it an error; here that run must pass, every name of the public
// export snapshot (test/layout/public-exports.json) must have its own section, and the same check
// must fail on a module whose exports carry no comments.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-api-docs-'));

async function typedoc(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const r = await run(process.execPath, [TYPEDOC, ...args], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 << 20 });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, output: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

function markdown(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('API reference (TypeDoc)', () => {
  it('builds from typedoc.json with no warning: every public export documented, every link resolved', async () => {
    const out = path.join(tmp, 'api');
    const r = await typedoc(['--out', out]);
    expect(r.output).not.toMatch(/\[warning\]|\[error\]/);
    expect(r.code).toBe(0);
    const text = markdown(out).replace(/\\([_*[\]])/g, '$1'); // Markdown escapes: SVC\_CS → SVC_CS
    const snapshot = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/layout/public-exports.json'), 'utf8')) as Record<string, string[]>;
    const names = [...new Set(Object.values(snapshot).flat())];
    expect(names.length).toBeGreaterThan(300);
    // Each name has a section of its own: `### name` (`### name()` for functions, `# constants` for the namespace page).
    const missing = names.filter((n) => !new RegExp(`^#{1,5} ${n}(?:\\(\\))?$`, 'm').test(text));
    expect(missing).toEqual([]);
  }, 180_000);

  it('fails on a module whose exports have no doc comments', async () => {
    const r = await typedoc(['--entryPoints', 'src/sys/native.ts', '--out', path.join(tmp, 'undocumented')]);
    expect(r.output).toMatch(/NativeLink \(TypeAlias\), defined in .*src\/sys\/native\.ts, does not have any documentation/);
    expect(r.code).not.toBe(0);
  }, 180_000);
});
