// CLI-side counters for the Ctrl-C summary: packets, bytes, drops, truncations, decode errors and
// read-delay percentiles, per receiving socket and in total. Kept here rather than in the library
// so that watch/relay/demo share them; once UdpTap.stats() lands, SocketCounters can take its
// drop and truncation counts from there and keep only the decode-side ones.
import { Quantiles } from '../../sys/quantiles.js';


export interface DelaySummary {
  count: number;
  p50Ns?: number;
  p99Ns?: number;
  maxNs?: number;
}

export interface CounterSummary {
  packets: number;
  bytes: number;
  /** Datagrams the kernel dropped on the socket while we watched (SO_RXQ_OVFL increases). */
  drops: number;
  truncations: number;
  decodeErrors: number;
  decodeErrorsByCode: Record<string, number>;
  readDelay: DelaySummary;
}

export class SocketCounters {
  packets = 0;
  bytes = 0;
  drops = 0;
  truncations = 0;
  readonly decodeErrors = new Map<string, number>();
  readonly readDelay = new Quantiles();
  /** Last cumulative SO_RXQ_OVFL value seen; the kernel only sends it once something was dropped. */
  private lastDropCounter: number | undefined;
  /** The counter the socket had when we started (non-zero on a reused socket): not ours. */
  private dropBaseline = 0;

  /**
   * Feeds the cumulative drop counter of one datagram and returns how many drops it adds.
   * The kernel stamps each datagram with the counter as of its enqueue, so the value never
   * goes backwards for one socket; a lower value would mean a new socket, counted afresh.
   */
  dropsDelta(cumulative: number | undefined): number {
    if (cumulative === undefined) return 0;
    const prev = this.lastDropCounter ?? this.dropBaseline;
    this.lastDropCounter = cumulative;
    const d = cumulative >= prev ? cumulative - prev : cumulative;
    this.drops += d;
    return d;
  }

  observe(bytes: number, truncated: boolean, readDelayNs: bigint | undefined, errorCode: string | undefined): void {
    this.packets++;
    this.bytes += bytes;
    if (truncated) this.truncations++;
    if (readDelayNs !== undefined && readDelayNs >= 0n) this.readDelay.add(Number(readDelayNs));
    if (errorCode !== undefined) this.decodeErrors.set(errorCode, (this.decodeErrors.get(errorCode) ?? 0) + 1);
  }

  /** observe() for the batch path: the read delay in ns as a number, NaN or -1 when there is none. */
  observeNs(bytes: number, truncated: boolean, readDelayNs: number): void {
    this.packets++;
    this.bytes += bytes;
    if (truncated) this.truncations++;
    if (readDelayNs >= 0) this.readDelay.add(readDelayNs);
  }

  /** A decode fault found after observe() (the display decodes what ingest did not). */
  decodeError(code: string): void {
    this.decodeErrors.set(code, (this.decodeErrors.get(code) ?? 0) + 1);
  }

  summary(): CounterSummary {
    return summarizeCounters([this]);
  }
}

function delaySummary(qs: readonly Quantiles[]): DelaySummary {
  const merged = qs.length === 1 ? qs[0]! : Quantiles.merge(qs);
  const count = merged.count;
  if (count === 0) return { count };
  return { count, p50Ns: merged.quantile(0.5), p99Ns: merged.quantile(0.99), maxNs: merged.max };
}

export function summarizeCounters(list: readonly SocketCounters[]): CounterSummary {
  const byCode: Record<string, number> = {};
  let errors = 0;
  for (const c of list) {
    for (const [code, n] of c.decodeErrors) {
      byCode[code] = (byCode[code] ?? 0) + n;
      errors += n;
    }
  }
  return {
    packets: list.reduce((n, c) => n + c.packets, 0),
    bytes: list.reduce((n, c) => n + c.bytes, 0),
    drops: list.reduce((n, c) => n + c.drops, 0),
    truncations: list.reduce((n, c) => n + c.truncations, 0),
    decodeErrors: errors,
    decodeErrorsByCode: byCode,
    readDelay: delaySummary(list.map((c) => c.readDelay)),
  };
}

/** Counters keyed by the receiving socket's label ("127.0.0.1:30041"). */
export class Stats {
  readonly sockets = new Map<string, SocketCounters>();
  matched = 0;

  socket(bind: string): SocketCounters {
    let c = this.sockets.get(bind);
    if (!c) {
      c = new SocketCounters();
      this.sockets.set(bind, c);
    }
    return c;
  }

  total(): CounterSummary {
    return summarizeCounters([...this.sockets.values()]);
  }
}
