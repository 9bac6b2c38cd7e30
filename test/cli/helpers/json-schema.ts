// A small validator for the subset of JSON Schema (2020-12) that schema/watch-record.v1.json
// uses: type, const, enum, properties, required, additionalProperties (boolean or schema), items,
// pattern, minimum, maximum, oneOf, local $ref (#/$defs/…). Anything else in a schema is an
// error here, so the schema cannot silently use a keyword this checker ignores.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

export type Schema = { [k: string]: unknown };

const KNOWN = new Set([
  '$schema', '$id', '$defs', 'title', 'description',
  'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'pattern', 'minimum', 'maximum', 'oneOf', '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

export class Validator {
  constructor(private readonly root: Schema) {
    this.checkKeywords(root, '#');
  }

  private checkKeywords(s: unknown, at: string): void {
    if (s === true || s === false) return;
    if (!s || typeof s !== 'object') throw new Error(`${at}: a schema must be an object or boolean`);
    for (const [k, v] of Object.entries(s)) {
      if (!KNOWN.has(k)) throw new Error(`${at}: keyword '${k}' is not supported by the test validator`);
      if (k === 'properties' || k === '$defs') for (const [name, sub] of Object.entries(v as Schema)) this.checkKeywords(sub, `${at}/${k}/${name}`);
      if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) this.checkKeywords(v, `${at}/${k}`);
      if (k === 'oneOf') (v as unknown[]).forEach((sub, i) => this.checkKeywords(sub, `${at}/oneOf/${i}`));
    }
  }

  private resolve(ref: string): Schema {
    const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const defs = this.root.$defs as Record<string, Schema> | undefined;
    const s = m ? defs?.[m[1]!] : undefined;
    if (!s) throw new Error(`unresolvable $ref ${ref}`);
    return s;
  }

  /** Error messages; empty when valid. */
  validate(v: unknown, s: Schema | boolean = this.root, at = '$'): string[] {
    if (s === true) return [];
    if (s === false) return [`${at}: not allowed`];
    const errs: string[] = [];
    if (typeof s.$ref === 'string') errs.push(...this.validate(v, this.resolve(s.$ref), at));
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeMatches(t, v))) return [...errs, `${at}: expected ${types.join('|')}, got ${typeOf(v)}`];
    }
    if ('const' in s && JSON.stringify(v) !== JSON.stringify(s.const)) errs.push(`${at}: expected ${JSON.stringify(s.const)}, got ${JSON.stringify(v)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) errs.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    if (typeof s.pattern === 'string' && typeof v === 'string' && !new RegExp(s.pattern, 'u').test(v)) errs.push(`${at}: '${v}' does not match ${s.pattern}`);
    if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum) errs.push(`${at}: ${v} < ${s.minimum}`);
    if (typeof s.maximum === 'number' && typeof v === 'number' && v > s.maximum) errs.push(`${at}: ${v} > ${s.maximum}`);
    if (s.items !== undefined && Array.isArray(v)) v.forEach((x, i) => errs.push(...this.validate(x, s.items as Schema, `${at}[${i}]`)));
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errs.push(`${at}: missing '${r}'`);
      for (const [k, x] of Object.entries(obj)) {
        if (k in props) errs.push(...this.validate(x, props[k]!, `${at}.${k}`));
        else if (s.additionalProperties !== undefined) errs.push(...this.validate(x, s.additionalProperties as Schema | boolean, `${at}.${k}`));
      }
    }
    if (Array.isArray(s.oneOf)) {
      const results = (s.oneOf as Schema[]).map((sub) => this.validate(v, sub, at));
      const ok = results.filter((r) => r.length === 0).length;
      if (ok !== 1) {
        // Report the branch with the fewest complaints: it is the one the record meant to be.
        const best = results.reduce((a, b) => (b.length < a.length ? b : a));
        errs.push(ok === 0 ? `${at}: matches no record type (${best.join('; ')})` : `${at}: matches ${ok} record types`);
      }
    }
    return errs;
  }
}

export const RECORD_SCHEMA_PATH = path.join(ROOT, 'schema/watch-record.v1.json');

let cached: Validator | undefined;
export function recordValidator(): Validator {
  cached ??= new Validator(JSON.parse(fs.readFileSync(RECORD_SCHEMA_PATH, 'utf8')) as Schema);
  return cached;
}

/** Throws with every problem of every invalid record. */
export function expectValidRecords(records: readonly unknown[]): void {
  const v = recordValidator();
  const problems: string[] = [];
  records.forEach((r, i) => {
    const errs = v.validate(r);
    if (errs.length) problems.push(`record ${i} (${(r as { type?: unknown }).type}): ${errs.join('; ')}`);
  });
  if (problems.length) throw new Error(`NDJSON records do not match schema/watch-record.v1.json:\n${problems.join('\n')}`);
}
