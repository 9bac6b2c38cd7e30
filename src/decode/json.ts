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
  return JSON.stringify(value, jsonReplacer, space) ?? 'null';
}

/** Plain JSON value of any decoded object (safe for JSON.stringify without a replacer). */
export function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(toJson(value)) as JsonValue;
}
