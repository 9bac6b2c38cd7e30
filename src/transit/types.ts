// Shapes shared by the transit pairing: what it needs of a record, and what it reports.
import type { RxTimestamps } from '../tap/rx/rx-types.js';

/** The least a record needs for pairing: its bytes and its kernel timestamps (CaptureRecord and RxMessage both fit). */
export interface TransitRecord {
  data: Uint8Array;
  timestamps: RxTimestamps;
}

/** Which side of the dispatcher a record was on: 'in' (entered) or 'out' (left). */
export type TransitSide = 'in' | 'out';

/** Which kernel clock the transit time is taken from. 'auto': hardware when both records have it. */
export type TransitClock = 'software' | 'hardware' | 'auto';

/** An input and the output that answered it, and the time in between. */
export interface TransitPair<R extends TransitRecord = TransitRecord> {
  kind: 'pair';
  /** out timestamp − in timestamp, ns; never negative. */
  transitNs: bigint;
  in: R;
  out: R;
  /** Name of the matcher that paired them ('bytes', 'scmp-echo', …). */
  matcher: string;
  clock: 'software' | 'hardware';
}

/**
 * 'no-output': an incoming datagram nothing left for within the timeout (dropped by the
 * dispatcher, or answered in a way no matcher recognises). 'no-input': an outgoing datagram with
 * no incoming one (the dispatcher originated it, or its input was missed). 'evicted': pushed out
 * by the pending limit before its timeout. 'untimed': no timestamp on the chosen clock.
 */
export type UnmatchedReason = 'no-output' | 'no-input' | 'evicted' | 'untimed';

/** A record that found no partner, and why. */
export interface TransitUnmatched<R extends TransitRecord = TransitRecord> {
  kind: 'unmatched';
  side: TransitSide;
  record: R;
  reason: UnmatchedReason;
}

/** What pairing reports: a pair or an unmatched record. */
export type TransitEvent<R extends TransitRecord = TransitRecord> = TransitPair<R> | TransitUnmatched<R>;
