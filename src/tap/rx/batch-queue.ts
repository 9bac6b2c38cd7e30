// The batch side of a tap: a small pool of arenas, batches queued for receiveBatch()/batches(), the
// one batch lent to the consumer, and the sink of mergeBatches().
import { abortError, closedError, stateError, type SystemError } from '../../sys/errors.js';
import { asyncIterator, DONE } from '../async-iter.js';
import { enqueueWaiter, waitOptionsError, type Waiter, type WaitOptions } from '../waiters.js';
import type { Arena } from './arena.js';
import { RxBatch } from './batch.js';
import type { BatchTap } from './rx-types.js';

/** Pooled batch arenas per tap: one lent to the consumer, the rest queued. */
export const MAX_BATCH_ARENAS = 4;

/** What the batch side needs from its tap. */
export interface BatchHost {
  readonly closed: boolean;
  updatePolling(): void;
  /** A fresh arena registered with the tap's socket, of the size rounds need now; or, with
   * `replaces`, one that takes that arena's place (same id) when it has become too small. */
  newArena(replaces?: Arena): Arena;
  /** Whether an arena is smaller than rounds need now. */
  outgrown(a: Arena): boolean;
}

export class BatchQueue {
  readonly #free: Arena[] = [];
  #arenas = 0;
  readonly #queue: RxBatch[] = [];
  readonly #waiters: Waiter<RxBatch>[] = [];
  #iterators = 0;
  /** Set while the tap belongs to mergeBatches(): every batch goes there. */
  #sink: ((b: RxBatch) => void) | null = null;
  #lent: RxBatch | null = null;

  constructor(
    private readonly host: BatchHost,
    private readonly tap: BatchTap,
  ) {}

  /** Whether batches are being asked for (then rounds are read as batches, not messages). */
  get active(): boolean {
    return this.#sink !== null || this.#waiters.length > 0 || this.#iterators > 0;
  }

  /** Whether another round should be read now (only asked while active). */
  wantsData(): boolean {
    if (this.#sink) return this.#free.length > 0 || this.#arenas < MAX_BATCH_ARENAS;
    return this.#waiters.length > 0 || this.#queue.length < MAX_BATCH_ARENAS - 1;
  }

  receiveBatch(opts: WaitOptions): Promise<RxBatch> {
    const bad = waitOptionsError(opts, 'receiveBatch');
    if (bad) return Promise.reject(bad);
    if (this.host.closed) return Promise.reject(closedError('receiveBatch'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal.reason));
    this.#releaseLent();
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(this.#lend(queued));
    return enqueueWaiter(this.#waiters, opts, 'receiveBatch', () => this.host.updatePolling(), (b) => this.#lend(b));
  }

  /** See UdpTap.batches(). */
  iterate(): AsyncGenerator<RxBatch, void, undefined> {
    // Hand-written rather than an async generator: with many quiet sockets each wake-up yields a
    // small batch, and a generator's extra await per yield was a large share of that cost.
    let state: 'idle' | 'running' | 'done' = 'idle';
    let pending: Promise<IteratorResult<RxBatch, void>> | null = null;
    let settle: ((r: IteratorResult<RxBatch, void>) => void) | null = null;
    let fail: ((e: Error) => void) | null = null;
    const finish = (): void => {
      if (state === 'running') {
        this.#iterators--;
        this.#releaseLent();
        this.host.updatePolling();
      }
      state = 'done';
    };
    const waiter: Waiter<RxBatch> = {
      resolve: (b) => {
        pending = null;
        settle!({ value: this.#lend(b), done: false });
      },
      reject: (e) => {
        pending = null;
        finish();
        if ((e as SystemError).code === 'ERR_SOCKET_CLOSED') settle!(DONE);
        else fail!(e);
      },
      cleanup: () => {},
    };
    const capture = (res: (r: IteratorResult<RxBatch, void>) => void, rej: (e: Error) => void): void => {
      settle = res;
      fail = rej;
    };
    const next = (): Promise<IteratorResult<RxBatch, void>> => {
      // Calls made while one is pending wait their turn, as with a generator.
      if (pending) return pending.then(next, next);
      if (state === 'idle') {
        state = 'running';
        this.#iterators++;
      }
      if (state === 'done' || this.host.closed) {
        finish();
        return Promise.resolve(DONE);
      }
      this.#releaseLent();
      const queued = this.#queue.shift();
      if (queued) return Promise.resolve({ value: this.#lend(queued), done: false });
      pending = new Promise(capture);
      this.#waiters.push(waiter);
      this.host.updatePolling();
      return pending;
    };
    return asyncIterator(next, finish);
  }

  setSink(sink: ((b: RxBatch) => void) | null): void {
    if (sink && this.#sink && sink !== this.#sink)
      throw stateError('mergeBatches: this tap is already merged elsewhere (a tap can be in one merge at a time)');
    this.#sink = sink;
    this.host.updatePolling();
  }

  /** An arena for the next round, or null while all are lent out or queued. */
  takeArena(): Arena | null {
    for (let a = this.#free.pop(); a; a = this.#free.pop()) {
      if (!a.detached) return this.host.outgrown(a) ? this.host.newArena(a) : a;
      this.#arenas--; // its buffers were transferred away: let it go, a fresh one replaces it
    }
    if (this.#arenas >= MAX_BATCH_ARENAS) return null;
    this.#arenas++;
    return this.host.newArena();
  }

  /** An arena that was taken but not filled. */
  putBack(a: Arena): void {
    this.#free.push(a);
  }

  /** Wraps a filled arena; the batch goes back to the pool when released. */
  wrap(a: Arena, n: number): RxBatch {
    return new RxBatch(a, n, this.#returnArena, this.tap, a.packedPayloads(n));
  }

  /** Hands a batch to the merge sink, a waiting consumer or the queue. */
  deliver(batch: RxBatch): void {
    if (this.#sink) {
      this.#sink(batch);
      return;
    }
    const w = this.#waiters.shift();
    if (w) {
      w.cleanup();
      w.resolve(batch);
    } else this.#queue.push(batch);
  }

  /** Rejects every batch consumer; returns how many there were. */
  fail(err: Error): number {
    const ws = this.#waiters.splice(0);
    for (const w of ws) {
      w.cleanup();
      w.reject(err);
    }
    return ws.length;
  }

  /** The tap closed: consumers end (ERR_SOCKET_CLOSED ends iterators), queued batches are dropped. */
  close(): void {
    this.fail(closedError('receiveBatch'));
    this.#queue.length = 0;
    this.#lent = null;
  }

  #lend(b: RxBatch): RxBatch {
    this.#lent = b;
    return b;
  }

  #releaseLent(): void {
    this.#lent?.release();
    this.#lent = null;
  }

  readonly #returnArena = (arena: Arena): void => {
    if (this.host.closed) return;
    this.#free.push(arena);
    // A merged tap stops polling when all its arenas are out; a released one lets it read again.
    if (this.#sink) this.host.updatePolling();
  };
}
