// What a UdpTap and a Capture share: a native socket watched by a uv_poll handle, items handed out as
// events, receive() promises and `for await`, one queue between them, and the rules of close.
//
// Close is final and silent: once close() has run (from anywhere, a listener included), no item,
// 'error' or other event is emitted, no promise resolves with data, and iterators end.
import { EventEmitter } from 'node:events';
import { abortError, closedError, type SystemError } from '../sys/errors.js';
import { asyncIterator, DONE } from './async-iter.js';
import { enqueueWaiter, waitOptionsError, type Waiter, type WaitOptions } from './waiters.js';

/** The native socket's side of polling (both socket kinds have it). */
export interface PollHandle {
  startPoll(events: number): void;
  stopPoll(): void;
  close(): void;
}

// Sources that are watching their socket stay reachable from here, as a dgram socket keeps itself
// alive; idle unclosed ones are not, so GC can collect them (the native finaliser closes the fd).
const watching = new Set<object>();

export abstract class PolledSource<T> extends EventEmitter {
  #closed = false;
  #polling = false;
  #pollMask = 0;
  readonly #queue: T[] = [];
  #queueHead = 0;
  /**
   * Items of the last read round not made yet: made one by one as they are taken, so a burst read
   * for an iterator does not build a thousand objects that all outlive a young-generation GC. The
   * round's memory stays untouched until they are all taken (no round is read meanwhile).
   */
  #lazy: ((i: number) => T) | null = null;
  #lazyNext = 0;
  #lazyEnd = 0;
  readonly #receivers: Waiter<T>[] = [];
  #iterators = 0;

  /**
   * @param itemEvent the event each item is emitted as ('message', 'record')
   * @param what the noun used in errors ('tap', 'capture')
   */
  protected constructor(
    private readonly itemEvent: string,
    private readonly what: string,
  ) {
    super();
    const onListenerChange = (event: string | symbol): void => {
      if (event === itemEvent) queueMicrotask(() => this.updatePolling());
    };
    this.on('newListener', onListenerChange);
    this.on('removeListener', onListenerChange);
  }

  /** The native socket. */
  protected abstract readonly handle: PollHandle;
  /** Items queued for receive()/iteration before reading pauses. */
  protected abstract readonly highWaterMark: number;
  /** The uv poll events wanted now (0 to stop); see wantsItems(). */
  protected abstract pollEvents(): number;
  /** The socket is ready: read it. Throwing fails every waiter (see fail()). */
  protected abstract onReady(events: number): void;
  /** libuv stopped the poll handle with status < 0. */
  protected abstract onPollError(status: number): void;
  /** Releases what the subclass holds; runs once, inside close(), before 'close' is emitted. */
  protected abstract onClose(): void;

  get closed(): boolean {
    return this.#closed;
  }

  /** Items waiting in the queue. */
  protected get queuedItems(): number {
    return this.#queue.length - this.#queueHead + (this.#lazyEnd - this.#lazyNext);
  }

  /** Whether items of the last round are still to be made (then the next round must wait). */
  protected get roundPending(): boolean {
    return this.#lazyNext < this.#lazyEnd;
  }

  /** Whether anyone consumes single items now: a pending receive(), an iterator or a listener. */
  protected wantsItems(): boolean {
    if (this.#receivers.length > 0) return true;
    if (this.#iterators > 0 && this.queuedItems < this.highWaterMark) return true;
    return this.listenerCount(this.itemEvent) > 0;
  }

  /** Whether items must be kept for a receive() or an iterator. */
  protected keepsItems(): boolean {
    return this.#receivers.length > 0 || this.#iterators > 0;
  }

  protected assertOpen(op: string): void {
    if (this.#closed) throw closedError(op, this.what);
  }

  /** The next item. */
  receive(opts: WaitOptions = {}): Promise<T> {
    const bad = waitOptionsError(opts, 'receive');
    if (bad) return Promise.reject(bad);
    if (this.#closed) return Promise.reject(closedError('receive', this.what));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal.reason));
    if (this.queuedItems > 0) return Promise.resolve(this.#shift());
    return enqueueWaiter(this.#receivers, opts, 'receive', () => this.updatePolling());
  }

  /** `for await (const item of source)`: every item until close() or the loop breaks. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    // Hand-written rather than an async generator: a queued item then costs one settled promise,
    // not a generator resumption and its extra await.
    let state: 'idle' | 'running' | 'done' = 'idle';
    const finish = (): void => {
      if (state === 'running') {
        this.#iterators--;
        this.updatePolling();
      }
      state = 'done';
    };
    const onClosed = (e: unknown): IteratorResult<T, void> => {
      finish();
      if ((e as SystemError).code === 'ERR_SOCKET_CLOSED') return DONE;
      throw e;
    };
    const next = (): Promise<IteratorResult<T, void>> => {
      if (state === 'done') return Promise.resolve(DONE);
      if (state === 'idle') {
        state = 'running';
        this.#iterators++;
        this.updatePolling();
      }
      if (this.#closed) {
        finish();
        return Promise.resolve(DONE);
      }
      if (this.queuedItems > 0) return Promise.resolve({ value: this.#shift(), done: false });
      return this.receive().then((value) => ({ value, done: false }), onClosed);
    };
    return asyncIterator(next, finish);
  }

  /**
   * Hands one item to the listeners, then to a pending receive() or the queue (when `keep`).
   * Returns false when the source is closed afterwards (a listener closed it): stop delivering.
   */
  protected deliver(item: T, emit: boolean, keep: boolean): boolean {
    if (emit) {
      this.emit(this.itemEvent, item);
      if (this.#closed) return false;
    }
    if (!keep) return true;
    const w = this.#receivers.shift();
    if (w) {
      w.cleanup();
      w.resolve(item);
    } else this.#queue.push(item);
    return true;
  }

  /**
   * Hands out items 0..count-1 of a round that only pending receive()s and iterators want (no
   * listener): waiting receive()s get theirs now, the rest are made as they are taken.
   */
  protected deliverLazily(count: number, make: (i: number) => T): void {
    let i = 0;
    for (; i < count && this.#receivers.length > 0; i++) {
      const w = this.#receivers.shift()!;
      w.cleanup();
      w.resolve(make(i));
    }
    if (i < count) {
      this.#lazy = make;
      this.#lazyNext = i;
      this.#lazyEnd = count;
    }
  }

  /** Releases the fd and the uv handle; pending receives reject with ERR_SOCKET_CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#polling = false;
    watching.delete(this);
    this.handle.close();
    const err = closedError('receive', this.what);
    for (const w of this.#receivers.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.#lazy = null;
    this.#lazyNext = this.#lazyEnd = 0;
    this.onClose();
    this.emit('close');
  }

  /** Starts, changes or stops polling to match pollEvents(). */
  protected updatePolling(): void {
    if (this.#closed) return;
    const mask = this.pollEvents();
    if (mask === this.#pollMask && (mask !== 0) === this.#polling) return;
    if (mask !== 0) {
      this.handle.startPoll(mask);
      this.#polling = true;
      watching.add(this);
    } else if (this.#polling) {
      this.handle.stopPoll();
      this.#polling = false;
      watching.delete(this);
    }
    this.#pollMask = mask;
  }

  protected get polling(): boolean {
    return this.#polling;
  }

  /** @internal called by the native poll handle (through poll-owner.ts) */
  onPollEvent(status: number, events: number): void {
    if (this.#closed) return;
    if (status < 0) {
      // libuv has stopped the handle
      this.#polling = false;
      this.#pollMask = 0;
      watching.delete(this);
      this.onPollError(status);
      return;
    }
    try {
      this.onReady(events);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.updatePolling();
  }

  /**
   * Rejects every pending receive() and emits 'error' when someone listens. Returns how many
   * waiters were rejected (subclasses add their own). Nothing happens after close.
   */
  protected fail(err: Error): number {
    if (this.#closed) return 0;
    const ws = this.#receivers.splice(0);
    for (const w of ws) {
      w.cleanup();
      w.reject(err);
    }
    return ws.length;
  }

  /** Emits 'error' unless closed; returns whether anyone heard it. */
  protected emitError(err: Error): boolean {
    if (this.#closed || this.listenerCount('error') === 0) return false;
    this.emit('error', err);
    return true;
  }

  #shift(): T {
    if (this.#queueHead === this.#queue.length) {
      // eager items first: they were read before the lazy round
      const m = this.#lazy!(this.#lazyNext++);
      if (this.#lazyNext === this.#lazyEnd) {
        this.#lazy = null;
        this.#lazyNext = this.#lazyEnd = 0;
        this.updatePolling(); // the next round may be read now
      }
      return m;
    }
    const m = this.#queue[this.#queueHead]!;
    this.#queue[this.#queueHead++] = undefined as T;
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    if (!this.#polling) this.updatePolling();
    return m;
  }
}
