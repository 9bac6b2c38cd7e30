// Reads the fenced code blocks of a markdown document, for the tests that run the docs.

export interface DocBlock {
  /** First word of the fence's info string ('ts', 'js', 'text'). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Inside the README section markers. */
  inReadme: boolean;
}

export function docBlocks(md: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = md.split('\n');
  let open: { lang: string; line: number; body: string[]; inReadme: boolean } | undefined;
  let inReadme = false;
  lines.forEach((text, i) => {
    if (text.includes('<!-- README section: begin -->')) inReadme = true;
    if (text.includes('<!-- README section: end -->')) inReadme = false;
    const fence = /^```(\S*)/.exec(text);
    if (!open && fence) open = { lang: fence[1] ?? '', line: i + 1, body: [], inReadme };
    else if (open && text.startsWith('```')) {
      out.push({ lang: open.lang, code: open.body.join('\n') + '\n', line: open.line, inReadme: open.inReadme });
      open = undefined;
    } else open?.body.push(text);
  });
  if (open) throw new Error(`unclosed code block at line ${open.line}`);
  return out;
}

/** The text between `<!-- name: begin -->` and `<!-- name: end -->`, which must occur once each. */
export function section(md: string, name: string): string {
  const begin = `<!-- ${name}: begin -->`;
  const end = `<!-- ${name}: end -->`;
  const a = md.indexOf(begin);
  const b = md.indexOf(end);
  if (a < 0 || b < a || md.indexOf(begin, a + 1) >= 0 || md.indexOf(end, b + 1) >= 0) throw new Error(`markers of '${name}' missing, misplaced or repeated`);
  return md.slice(a + begin.length, b).trim();
}

/** Points `'disptap'` / `'disptap/testing'` imports at the sources under `root`. */
export function rewriteImports(code: string, root: string): string {
  return code
    .replace(/from 'disptap\/testing'/g, `from '${root}/src/testing/index.js'`)
    .replace(/from 'disptap'/g, `from '${root}/src/index.js'`);
}
