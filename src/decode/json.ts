/** JSON for decoded objects: bigints as decimal strings, byte arrays as hex strings. */

import { toHex } from './bytes.js';

/** What {@link toJson} output parses back to. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Replacer for JSON.stringify. It looks at the holder's own value so that Buffers (whose toJSON
 * runs before a replacer sees them) come out as hex too.
 */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown> | undefined)?.[key];
  if (original instanceof Uint8Array) return toHex(original);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** JSON text of any decoded object. */
export function toJson(value: unknown, space?: number): string {
  if (space === undefined) return compact(value) ?? 'null';
  return JSON.stringify(value, jsonReplacer, space) ?? 'null';
}

// Quoted keys with their colon: decoded objects repeat a few dozen keys, so each is quoted once.
const keyTexts = new Map<string, string>();
function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = JSON.stringify(k) + ':';
    if (keyTexts.size < 4096) keyTexts.set(k, t);
  }
  return t;
}

/**
 * What JSON.stringify(value, jsonReplacer) gives, without the replacer: V8 leaves its fast path
 * for every replacer call, which made this the largest cost of `--json` per datagram. Decoded
 * objects are plain data (objects, arrays, strings, numbers, booleans, bigints, byte arrays).
 * Returns undefined where JSON.stringify would (undefined, functions, symbols).
 */
function compact(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `"${v}"`;
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return `"${toHex(v)}"`;
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (compact(v[i]) ?? 'null');
        return s + ']';
      }
      return compactObject(v as Record<string, unknown>);
    default:
      return undefined;
  }
}

function compactObject(v: Record<string, unknown>): string | undefined {
  const toJSON = v.toJSON;
  if (typeof toJSON === 'function') return compact((toJSON as () => unknown).call(v));
  let s = '{';
  let sep = '';
  // Object.keys: own enumerable keys in JSON.stringify's order (V8 serves it from the map's cache).
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const e = compact(v[k]);
    if (e === undefined) continue;
    s += sep + keyText(k) + e;
    sep = ',';
  }
  return s + '}';
}

/** Plain JSON value of any decoded object (safe for JSON.stringify without a replacer). */
export function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(toJson(value)) as JsonValue;
}
