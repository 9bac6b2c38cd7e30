// Every ```js example in README.md runs as written (from the package root, importing 'disptap'),
// except those marked <!-- readme-test: skip (why) -->.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks: Array<{ line: number; code: string }> = [];
const re = /(<!-- readme-test: skip[^>]*-->\s*)?```js\n([\s\S]*?)```/g;
for (let m; (m = re.exec(readme)); ) {
  if (m[1]) continue;
  blocks.push({ line: readme.slice(0, m.index).split('\n').length, code: m[2]! });
}

describe('README examples', () => {
  it('has runnable examples', () => expect(blocks.length).toBeGreaterThan(2));
  for (const b of blocks) {
    it(`example at README.md:${b.line} runs`, () => {
      const file = path.join(root, `.readme-example-${process.pid}-${b.line}.mjs`);
      fs.writeFileSync(file, b.code);
      try {
        const r = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 20_000 });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  }
});
