// Pairs error-queue TX timestamps with the sends that asked for them, by the OPT_ID key (ee_data).
import { txEvictedError, txNotSentError, txTimeoutError } from '../../sys/errors.js';
import type { TxKind } from './send-control.js';

/** The TX timestamps of one sent datagram, and which asked-for ones never came. */
export interface TxTimestamps {
  /** The OPT_ID key of the datagram (ee_data), counting from 0 per socket. */
  id: number;
  /** When the packet entered the qdisc (SCM_TSTAMP_SCHED). */
  sched?: bigint;
  /** Software TX timestamp, just before the driver (SCM_TSTAMP_SND ts[0]). */
  software?: bigint;
  /** NIC hardware TX timestamp (SCM_TSTAMP_SND ts[2]). */
  hardware?: bigint;
  /** Kinds that were asked for but had not arrived when the deadline passed. */
  missing: TxKind[];
}

/** Counters of the TX-timestamp matcher. */
export interface TxStats {
  pending: number;
  matched: number;
  expired: number;
  evicted: number;
  unmatched: number;
}

/** One TX timestamp as the `'txTimestamp'` event reports it. */
export interface TxEvent {
  id: number;
  kind: TxKind;
  timestamp: bigint;
}

interface Entry {
  want: ReadonlySet<TxKind>;
  got: TxTimestamps;
  resolve: (t: TxTimestamps) => void;
  reject: (e: Error) => void;
  deadline: number;
}

const KEY_SPACE = 2 ** 32;

export class TxTracker {
  readonly #pending = new Map<number, Entry>();
  #nextKey = 0;
  #timer: NodeJS.Timeout | null = null;
  #matched = 0;
  #expired = 0;
  #evicted = 0;
  #unmatched = 0;

  constructor(
    readonly maxPending: number,
    readonly defaultTimeoutMs: number,
    private readonly onChange: () => void,
  ) {}

  get size(): number {
    return this.#pending.size;
  }

  stats(): TxStats {
    return { pending: this.#pending.size, matched: this.#matched, expired: this.#expired, evicted: this.#evicted, unmatched: this.#unmatched };
  }

  /** Reserves the key the kernel gives the next timestamped datagram. */
  expect(want: ReadonlySet<TxKind>, timeoutMs: number | undefined): { id: number; tx: Promise<TxTimestamps> } {
    const id = this.#nextKey;
    this.#nextKey = (this.#nextKey + 1) % KEY_SPACE;
    if (this.#pending.size >= this.maxPending) this.#evictOldest();
    let entry!: Entry;
    const tx = new Promise<TxTimestamps>((resolve, reject) => {
      entry = { want, got: { id, missing: [] }, resolve, reject, deadline: Date.now() + (timeoutMs ?? this.defaultTimeoutMs) };
    });
    // The caller may never look at tx: a rejection must not become an unhandled one.
    tx.catch(() => undefined);
    this.#pending.set(id, entry);
    this.#arm();
    return { id, tx };
  }

  /** The kernel refused a send after expect(): its key was not consumed. */
  unreserve(id: number): void {
    const e = this.#pending.get(id);
    if (!e) return;
    this.#pending.delete(id);
    this.#nextKey = id;
    e.reject(txNotSentError());
  }

  /** One error-queue timestamp arrived. Returns the event to emit. */
  deliver(id: number, kind: TxKind, timestamp: bigint): TxEvent {
    const e = this.#pending.get(id);
    if (!e) {
      this.#unmatched++;
      return { id, kind, timestamp };
    }
    e.got[kind] = timestamp;
    if ([...e.want].every((k) => e.got[k] !== undefined)) {
      this.#pending.delete(id);
      this.#matched++;
      e.resolve(e.got);
      this.onChange();
    }
    return { id, kind, timestamp };
  }

  /** Rejects everything (tap closed). */
  failAll(err: Error): void {
    for (const e of this.#pending.values()) e.reject(err);
    this.#pending.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #evictOldest(): void {
    const [id, e] = this.#pending.entries().next().value as [number, Entry];
    this.#pending.delete(id);
    this.#evicted++;
    e.reject(txEvictedError(id, this.maxPending));
  }

  #arm(): void {
    if (this.#timer || this.#pending.size === 0) return;
    // Entries are in deadline order only per timeout value; a coarse sweep keeps this O(expired).
    const first = this.#pending.values().next().value as Entry;
    const delay = Math.max(1, Math.min(first.deadline - Date.now(), 100));
    this.#timer = setTimeout(() => this.#sweep(), delay);
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = null;
    const now = Date.now();
    let changed = false;
    for (const [id, e] of this.#pending) {
      if (e.deadline > now) continue;
      this.#pending.delete(id);
      changed = true;
      const missing = [...e.want].filter((k) => e.got[k] === undefined);
      if (missing.length === e.want.size) {
        this.#expired++;
        e.reject(txTimeoutError(id, missing));
      } else {
        this.#matched++;
        e.got.missing = missing;
        e.resolve(e.got);
      }
    }
    if (changed) this.onChange();
    this.#arm();
  }
}
