// What `disptap transit` writes and serves beyond the Session's own: the pair/unmatched records and
// the transit summary in the common NDJSON envelope (schema/watch-record.v1.json: transitPair,
// transitUnmatched, transitSummary), the text summary in the `--- <command> summary` form, and the
// transit-time histogram for --metrics.
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { prom } from '../pipeline/prom.js';
import type { CaptureRecord } from '../../capture/record.js';
import { formatTransitSummary, transitEventToJSON, transitSummaryToJSON } from '../../transit/format.js';
import type { TransitSummary } from '../../transit/pairer.js';
import type { TransitEvent } from '../../transit/types.js';
import { nsToIso } from '../../sys/time.js';
import type { Colors } from '../pipeline/format.js';
import { DELAY_BUCKETS } from '../pipeline/metrics.js';
import { summaryText } from '../pipeline/output.js';
import { base, type SummaryRecord } from '../pipeline/record.js';

/**
 * The time of an event: when the pair completed (the output's software stamp) or when the
 * unmatched datagram was seen. A hardware stamp may be on the NIC's clock, not CLOCK_REALTIME,
 * so it never gives `time`; without a software stamp the record is stamped `now`.
 */
function eventTimeNs(e: TransitEvent<CaptureRecord>, now: () => bigint): bigint {
  const r = e.kind === 'pair' ? e.out : e.record;
  return r.timestamps.software ?? now();
}

/**
 * A pair or unmatched record: the library's JSON form (transitEventToJSON, unchanged for scripts
 * that use it) in the envelope. An unmatched record names the copy's `direction` at the top, as a
 * packet record does; a pair has one per copy (`in.direction`, `out.direction`).
 */
export function transitEventRecord(e: TransitEvent<CaptureRecord>, now: () => bigint): Record<string, unknown> {
  const r = { ...base(nsToIso(eventTimeNs(e, now))), ...transitEventToJSON(e) };
  return e.kind === 'unmatched' ? { ...r, direction: e.record.direction } : r;
}

/** The last record: the Session's summary (reason, counters, capture, --write) and the pairing's. */
export function transitSummaryRecord(s: SummaryRecord, t: TransitSummary): Record<string, unknown> {
  return { ...s, ...transitSummaryToJSON(t) };
}

/**
 * The text summary (stderr): the Session's lines under `--- transit summary (reason, N s)`, then
 * the pairs, their latency per matcher and what stayed unmatched.
 */
export function transitSummaryText(c: Colors, s: SummaryRecord, t: TransitSummary, filtered: boolean): string[] {
  // "(M shown)" means nothing here (no datagram is shown): the filter line says it instead.
  const lines = summaryText(c, { ...s, matched: s.packets });
  if (filtered) lines.splice(2, 0, `filter: ${s.matched} of ${s.packets} datagrams took part in pairing`);
  lines.push(...formatTransitSummary(t).split('\n'));
  return lines;
}

/** Seconds; from a loopback forward (µs) to a timeout (s). */

/** --metrics of transit, registered beside the Session's packet counters. */
export class TransitMetrics {
  readonly transit: Histogram<'matcher' | 'clock'>;
  readonly unmatched: Counter<'side' | 'reason'>;
  readonly pending: Gauge<'side'>;

  constructor(registry: Registry, pending: () => { in: number; out: number }) {
    const { Counter, Gauge, Histogram } = prom();
    // clock is a label because hardware and software stamps are different measurements: a
    // histogram mixing them would say nothing about either.
    this.transit = new Histogram({
      name: 'disptap_transit_seconds',
      help: 'Dispatcher transit time of each pair (output timestamp − input timestamp), by matcher and clock',
      labelNames: ['matcher', 'clock'],
      buckets: DELAY_BUCKETS,
      registers: [registry],
    });
    this.unmatched = new Counter({
      name: 'disptap_transit_unmatched_total',
      help: 'Datagrams that found no partner, by side (in, out) and reason (no-output, no-input, evicted, untimed)',
      labelNames: ['side', 'reason'],
      registers: [registry],
    });
    this.pending = new Gauge({
      name: 'disptap_transit_pending',
      help: 'Datagrams waiting for a partner, by side',
      labelNames: ['side'],
      registers: [registry],
      // Read at scrape time: the pairer knows, nothing needs updating per datagram.
      collect() {
        const p = pending();
        this.set({ side: 'in' }, p.in);
        this.set({ side: 'out' }, p.out);
      },
    });
  }

  event(e: TransitEvent<CaptureRecord>): void {
    if (e.kind === 'pair') this.transit.observe({ matcher: e.matcher, clock: e.clock }, Number(e.transitNs) / 1e9);
    else this.unmatched.inc({ side: e.side, reason: e.reason });
  }
}
