import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import * as api from '../../src/decode/index.js';

// Runs every ```js block of docs/decoders.md against src/decode and checks each `// →` line.
const doc = readFileSync(new URL('../../docs/decoders.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

type Runner = (api: unknown, console: { log: (...a: unknown[]) => void }) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => Runner;

describe('docs/decoders.md examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  blocks.forEach((block, i) => {
    it(`example ${i + 1} prints what it says`, async () => {
      const code = block.replace(/^import \{([^}]*)\} from 'disptap';$/m, 'const {$1} = api;');
      expect(code).not.toMatch(/^import /m);
      const expected = [...block.matchAll(/^\/\/ → (.*)$/gm)].map((m) => m[1]!);
      const printed: string[] = [];
      await new AsyncFunction('api', 'console', code)(api, { log: (...a: unknown[]) => printed.push(format(...a)) });
      expect(printed).toHaveLength(expected.length);
      printed.forEach((line, k) => {
        const want = expected[k]!;
        if (want.endsWith('…')) expect(line.startsWith(want.slice(0, -1)), `${line}\n  should start with\n${want}`).toBe(true);
        else expect(line).toBe(want);
      });
    });
  });
});
