// Builds src/pcapng into a temp dir as plain ESM so a child `node` process (which cannot load
// .ts on Node 20) runs the current sources, not a possibly stale dist/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Returns the path of the transpiled index.js; `dir` is removed by the caller. */
export function transpilePcapng(dir: string): string {
  const srcDir = path.join(repo, 'src/pcapng');
  const outDir = path.join(dir, 'pcapng');
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(srcDir)) {
    if (!name.endsWith('.ts')) continue;
    const out = ts.transpileModule(fs.readFileSync(path.join(srcDir, name), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: name,
    });
    fs.writeFileSync(path.join(outDir, name.replace(/\.ts$/, '.js')), out.outputText);
  }
  // bare imports (ipaddr.js) resolve through the repo's node_modules
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return path.join(outDir, 'index.js');
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
