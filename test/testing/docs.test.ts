// docs/testing.md (and the README section at its top) is exercised here: every ```ts block runs as
// a test module and type-checks against the sources; the documented failure messages must be what
// the matchers say. The ```js block (node:test) runs against the built package in package.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { installMatchers } from '../../src/testing/index.js';
import { docMessage, docMessages } from './doc-messages.js';
import { docBlocks, rewriteImports, section } from './doc-blocks.js';

installMatchers(expect);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC = path.join(ROOT, 'docs/testing.md');
const md = fs.readFileSync(DOC, 'utf8');
const blocks = docBlocks(md);
const tsBlocks = blocks.filter((b) => b.lang === 'ts');

// Snippets are written to a temporary directory (not the repository). A node_modules link lets
// TypeScript resolve 'vitest' from there; 'disptap' imports are rewritten to the sources.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-doc-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
const files = tsBlocks.map((b) => {
  const file = path.join(dir, `testing-md-line-${b.line}.ts`);
  fs.writeFileSync(file, rewriteImports(b.code, ROOT));
  return { block: b, file };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('docs/testing.md structure', () => {
  it('has the README section between its markers, with one runnable block and working links', () => {
    const readme = section(md, 'README section');
    expect(readme).toMatch(/^## Testing kit: `disptap\/testing`/m);
    expect(docBlocks(readme).filter((b) => b.lang === 'ts')).toHaveLength(1);
    for (const link of ['docs/testing.md', 'examples/dispatcher-latency.test.ts']) {
      expect(readme).toContain(`](${link})`);
      expect(fs.existsSync(path.join(ROOT, link))).toBe(true);
    }
    // The README section shows the documented message of a missing RX timestamp, verbatim.
    const key = "expect(msg).toHaveRxTimestamp()  // tap opened with timestamps: 'none'";
    expect(readme).toContain(docMessage(docMessages[key]!));
  });

  it('every code block is ts (run here), js (run by package.test.ts) or text', () => {
    expect(blocks.map((b) => b.lang).filter((l) => !['ts', 'js', 'text'].includes(l))).toEqual([]);
    expect(tsBlocks.length).toBeGreaterThanOrEqual(6);
    expect(blocks.filter((b) => b.lang === 'js')).toHaveLength(1);
  });

  it('names every matcher and plain function the package exports', async () => {
    const kit = await import('../../src/testing/index.js');
    const names = [...Object.keys(kit.disptapMatchers), ...Object.keys(kit).filter((k) => k.startsWith('assert'))];
    expect(names).toHaveLength(18);
    for (const n of [...names, 'capture', 'sendAndCapture', 'estimateClockOffset', 'toRealtimeNs', 'toMonotonicNs', 'installMatchers']) expect(md).toContain(`\`${n}`);
  });
});

describe('documented failure messages are exact', () => {
  const text = section(md, 'messages');
  const [block] = docBlocks(text);
  const pairs = block!.code
    .trim()
    .split(/\n\n/)
    .map((p) => p.split('\n') as [string, string]);

  it('documents every case, each once', () => {
    expect(pairs.map(([call]) => call).sort()).toEqual(Object.keys(docMessages).sort());
  });

  for (const [call, message] of pairs) {
    it(call, () => {
      const run = docMessages[call];
      expect(run, `no test case for the documented line: ${call}`).toBeDefined();
      expect(docMessage(run!)).toBe(message);
    });
  }
});

describe('docs/testing.md ts blocks type-check against the sources', () => {
  it('no TypeScript errors', () => {
    const cfg = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
    const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT);
    const program = ts.createProgram(
      files.map((f) => f.file),
      { ...options, noEmit: true, rootDir: undefined, outDir: undefined, declaration: false, sourceMap: false },
    );
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && d.file.fileName.startsWith(dir))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const block = files.find((f) => f.file === d.file!.fileName)!.block;
        return `docs/testing.md:${block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(errors).toEqual([]);
  }, 60_000);
});

// Each ts block, imported as a module of its own: its it() calls become tests of this file. A block
// without tests (the setup file, the config) is imported inside one, and must load cleanly.
for (const { block, file } of files) {
  const name = `docs/testing.md:${block.line}${block.inReadme ? ' (README section)' : ''}`;
  if (/\bit\(/.test(block.code)) {
    describe(name, async () => {
      await import(file);
    });
  } else {
    it(`${name} loads`, async () => {
      const mod: { default?: { test?: { setupFiles?: string[] } } } = await import(file);
      if (/defineConfig/.test(block.code)) expect(mod.default?.test?.setupFiles).toEqual(['./vitest.setup.ts']);
      if (/installMatchers\(expect\)/.test(block.code)) expect(expect.toArriveOn).toBeTypeOf('function');
    });
  }
}
