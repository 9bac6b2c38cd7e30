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
  // src/pcapng and the modules outside it that it imports (the error factories, ipaddr.js's loader)
  const files = [
    ...fs.readdirSync(path.join(repo, 'src/pcapng')).filter((n) => n.endsWith('.ts')).map((n) => `pcapng/${n}`),
    'sys/errors.ts',
    'sys/ipaddr.ts',
  ];
  for (const rel of files) {
    const out = ts.transpileModule(fs.readFileSync(path.join(repo, 'src', rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: path.basename(rel),
    });
    const to = path.join(dir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, out.outputText);
  }
  // bare imports (ipaddr.js) resolve through the repo's node_modules
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return path.join(dir, 'pcapng', 'index.js');
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
