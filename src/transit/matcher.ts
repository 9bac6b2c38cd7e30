// How an incoming datagram is recognised in what the dispatcher sent: each matcher derives a key
// from an incoming record and from an outgoing one; equal keys (and `same`, when given) pair them.
import type { TransitRecord } from './types.js';

/** A rule that says which output answers which input: equal keys, then `same()`. */
export interface TransitMatcher {
  readonly name: string;
  /** Key of an incoming record, or null when this matcher has nothing to say about it. */
  inKey(rec: TransitRecord): string | null;
  /** Key of an outgoing record that would be the dispatcher's response to an input with the same key. */
  outKey(rec: TransitRecord): string | null;
  /** Final check after the keys agreed (e.g. exact bytes behind a hash). Default: true. */
  same?(input: TransitRecord, output: TransitRecord): boolean;
}
