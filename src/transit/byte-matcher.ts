// Byte identity: the dispatcher forwarded exactly the bytes it received (the SCION shim does).
// The key is a hash of the payload; `same` then compares the bytes, so a collision never pairs.
import { createHash } from 'node:crypto';
import type { TransitMatcher } from './matcher.js';
import type { TransitRecord } from './types.js';

function key(rec: TransitRecord): string {
  return `${rec.data.length}:${createHash('sha1').update(rec.data).digest('base64')}`;
}

/** Pairs an output with the input of exactly the same bytes (what the SCION shim forwards unchanged). */
export const byteMatcher: TransitMatcher = {
  name: 'bytes',
  inKey: key,
  outKey: key,
  same: (a, b) => Buffer.compare(a.data, b.data) === 0,
};
