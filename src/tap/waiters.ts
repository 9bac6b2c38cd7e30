// Pending receive()-style calls: a queue of waiters, each with an optional timeout and AbortSignal.
// Shared by UdpTap (messages and batches) and Capture.
import { abortError, invalidArg, timeoutError } from '../sys/errors.js';

export interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
  /** Clears the timer and the abort listener (call before settling from outside). */
  cleanup: () => void;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Reject with code 'ETIMEDOUT' when nothing arrives in time. */
  timeoutMs?: number;
}

/** Checks receive() options; returns the error to reject with, if any. */
export function waitOptionsError(opts: unknown, fn: string): Error | undefined {
  if (opts === null || typeof opts !== 'object') return invalidArg('ERR_INVALID_ARG_TYPE', `${fn}(options): options must be an object`);
  const { signal, timeoutMs } = opts as WaitOptions;
  if (timeoutMs !== undefined) {
    if (typeof timeoutMs !== 'number') return invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: timeoutMs must be a number, got ${typeof timeoutMs}`);
    if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs))
      return invalidArg('ERR_OUT_OF_RANGE', `${fn}: timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`, RangeError);
  }
  // Checked up front: a non-signal would otherwise throw from a timer callback later (uncaught).
  if (signal !== undefined && !(signal instanceof AbortSignal)) return invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: signal must be an AbortSignal`);
  return undefined;
}

/**
 * Queues a waiter on `list`. When it times out or is aborted it leaves the list by itself and
 * `changed()` runs (so the owner can stop polling); `deliver` maps the value handed to resolve().
 */
export function enqueueWaiter<T>(list: Waiter<T>[], opts: WaitOptions, op: string, changed: () => void, deliver: (v: T) => T = (v) => v): Promise<T> {
  const { signal, timeoutMs } = opts;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => fail(abortError(signal?.reason));
    const w: Waiter<T> = {
      resolve: (v) => resolve(deliver(v)),
      reject,
      cleanup: () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    };
    const fail = (e: Error) => {
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      w.cleanup();
      reject(e);
      changed();
    };
    if (timeoutMs !== undefined) timer = setTimeout(() => fail(timeoutError(op, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    list.push(w);
    changed();
  });
}
