// Received-datagram metrics counted in plain numbers, one series per (bind, layer, direction), and
// read by prom-client only when scraped. prom-client's own inc()/observe() hash their label object
// on every call: per datagram that was ~20 % of `watch --metrics` (about 1.6 µs a datagram).
import type { Counter } from 'prom-client';
import type { Direction } from './record.js';

export type RxLabelSet = { bind: string; layer: string; direction: Direction };

export class RxSeries {
  packets = 0;
  bytes = 0;
  truncations = 0;
  readonly errors = new Map<string, number>();
  /** Per bucket (not cumulative): read delays ≤ bounds[k] and > bounds[k-1]; above the last in none. */
  readonly buckets: Float64Array;
  delaySum = 0;
  delayCount = 0;

  constructor(
    readonly labels: Readonly<RxLabelSet>,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  /** One datagram; `delaySeconds` NaN when it had no kernel timestamp (or a negative delay). */
  add(length: number, truncated: boolean, errorCode: string | undefined, delaySeconds: number): void {
    this.packets++;
    this.bytes += length;
    if (truncated) this.truncations++;
    if (errorCode !== undefined) this.errors.set(errorCode, (this.errors.get(errorCode) ?? 0) + 1);
    if (delaySeconds >= 0) {
      this.delaySum += delaySeconds;
      this.delayCount++;
      const b = this.bounds;
      for (let k = 0; k < b.length; k++) {
        if (delaySeconds <= b[k]!) {
          this.buckets[k]!++;
          break;
        }
      }
    }
  }
}

export class RxSeriesTable {
  private readonly byKey = new Map<string, RxSeries>();
  // Consecutive datagrams mostly share their labels: no key string for them.
  private last: RxSeries | null = null;

  constructor(readonly bounds: readonly number[]) {}

  series(bind: string, layer: string, direction: Direction): RxSeries {
    const l = this.last;
    if (l !== null && l.labels.layer === layer && l.labels.bind === bind && l.labels.direction === direction) return l;
    const key = `${bind}\u0000${layer}\u0000${direction}`;
    let s = this.byKey.get(key);
    if (!s) {
      s = new RxSeries({ bind, layer, direction }, this.bounds);
      this.byKey.set(key, s);
    }
    this.last = s;
    return s;
  }

  all(): IterableIterator<RxSeries> {
    return this.byKey.values();
  }
}

/** A counter's collect(): its values become the table's (reset, then one inc per series). */
export function collectInto<L extends string>(c: Counter<L>, table: RxSeriesTable, pick: (s: RxSeries, put: (labels: Record<string, string>, v: number) => void) => void): void {
  c.reset();
  for (const s of table.all()) pick(s, (labels, v) => c.inc(labels as Partial<Record<L, string>>, v));
}

type PromValue = { labels: Record<string, string | number>; value: number; metricName: string };

/**
 * The read-delay histogram as prom-client's Registry reads a metric (name, help, type, get()): the
 * Histogram class has no way to add counted buckets, only one observation at a time.
 */
export class RxDelayHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly table: RxSeriesTable,
  ) {}

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: PromValue[] }> {
    const values: PromValue[] = [];
    const bounds = this.table.bounds;
    for (const s of this.table.all()) {
      if (s.delayCount === 0) continue;
      let acc = 0;
      for (let k = 0; k < bounds.length; k++) {
        acc += s.buckets[k]!;
        values.push({ labels: { le: bounds[k]!, ...s.labels }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.delayCount, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.delaySum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.delayCount, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Registry.resetMetrics() calls this; the table is the session's count, so it stays. */
  reset(): void {}
}
