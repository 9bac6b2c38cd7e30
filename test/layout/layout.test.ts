// The shape of src/ that ARCHITECTURE.md promises: grouped folders, no import cycles (type-only
// ones included), small files, one error module, and the public exports unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedNames } from './exports.js';
import { cycles, importGraph, sourceFiles, SRC } from './graph.js';

const ROOT = path.resolve(SRC, '..');
const lines = (f: string): number => fs.readFileSync(f, 'utf8').split('\n').length;

describe('src/ layout', () => {
  it('has no import cycles, type-only imports included', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('the cycle finder sees a type-only cycle (so the check above can fail)', () => {
    const a = path.join(SRC, 'a.ts');
    const b = path.join(SRC, 'b.ts');
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts']]);
  });

  it('keeps at most three .ts files at the top of src/', () => {
    const top = fs.readdirSync(SRC).filter((f) => f.endsWith('.ts'));
    expect(top.length).toBeLessThanOrEqual(3);
    expect(top).toContain('index.ts');
  });

  it('has no TypeScript file over 450 lines, and UdpTap under 400', () => {
    const long = sourceFiles().filter((f) => lines(f) > 450).map((f) => path.relative(SRC, f));
    expect(long).toEqual([]);
    expect(lines(path.join(SRC, 'tap/udp-tap.ts'))).toBeLessThan(400);
  });

  it('builds coded errors only in sys/errors.ts (and the decoders\' own error module)', () => {
    const adHoc: string[] = [];
    for (const f of sourceFiles()) {
      const rel = path.relative(SRC, f);
      if (rel === 'sys/errors.ts' || rel === 'decode/errors.ts') continue;
      const text = fs.readFileSync(f, 'utf8');
      // an error object given an ERR_* code by hand, bypassing the factories
      if (/\.code\s*=\s*'ERR_|code:\s*'ERR_[A-Z_]+'\s*[,}]/.test(text) && /new (Range|Type)?Error\(/.test(text)) adHoc.push(rel);
    }
    expect(adHoc).toEqual([]);
  });

  it('lists every ERR_* code the library uses in the ErrorCode union', () => {
    const union = fs.readFileSync(path.join(SRC, 'sys/errors.ts'), 'utf8');
    const declared = new Set([...union.matchAll(/\|\s*'([A-Z_]+)'/g)].map((m) => m[1]));
    const used = new Set<string>();
    for (const f of sourceFiles()) {
      if (f.includes(`${path.sep}cli${path.sep}`) || f.includes(`${path.sep}decode${path.sep}`)) continue;
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/'(ERR_[A-Z_0-9]+)'/g)) used.add(m[1]!);
    }
    expect([...used].filter((c) => !declared.has(c))).toEqual([]);
    expect(used.size).toBeGreaterThan(5);
  });

  it('exports the same public names as before the move (values and types)', () => {
    const snapshot = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'public-exports.json'), 'utf8')) as Record<string, string[]>;
    const now = exportedNames(ROOT, Object.keys(snapshot));
    expect(now).toEqual(snapshot);
  });
});

describe('ARCHITECTURE.md', () => {
  it('names only files and folders that exist', () => {
    const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
    const paths = [...text.matchAll(/`((?:src|native|test|fuzz)\/[\w./-]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
  });
});
