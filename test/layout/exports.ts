// Every name the package's entry points export (values and types), as the TypeScript checker sees them.
import path from 'node:path';
import ts from 'typescript';

export function exportedNames(root: string, entries: readonly string[]): Record<string, string[]> {
  const files = entries.map((e) => path.join(root, e));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out: Record<string, string[]> = {};
  entries.forEach((e, i) => {
    const sf = program.getSourceFile(files[i]!);
    const sym = sf && checker.getSymbolAtLocation(sf);
    out[e] = sym ? checker.getExportsOfModule(sym).map((s) => s.getName()).sort() : [];
  });
  return out;
}
