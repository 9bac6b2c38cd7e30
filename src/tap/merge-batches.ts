// One consumer for many taps: every batch the taps read in one event-loop turn, as one array.
import { asyncIterator, DONE } from './async-iter.js';
import type { RxBatch } from './rx/batch.js';
import { invalidArg, stateError, type SystemError } from '../sys/errors.js';
import { UdpTap } from './udp-tap.js';

/**
 * `for await (const batches of mergeBatches(taps))`: the batches of every tap that had data in one
 * event-loop turn, as one array (each batch says its `tap`). The native side reads all ready sockets
 * in one pass, so this costs one promise per turn, not one per socket and turn as a `batches()` loop
 * per tap does — with tens of quiet sockets that per-socket cost is most of the CPU.
 *
 * Each array's batches stay valid until the next array is asked for (then they are released). While
 * merged, a tap hands its batches only to this iterator ('message' listeners still fire; a tap can be
 * in one merge at a time, else the first next() rejects with ERR_INVALID_STATE). Ends when
 * every tap is closed or the loop breaks; a tap's socket error rejects next() and ends it.
 */
export function mergeBatches(taps: readonly UdpTap[]): AsyncGenerator<RxBatch[], void, undefined> {
  if (!Array.isArray(taps) || !taps.every((t) => t instanceof UdpTap))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'mergeBatches(taps): taps must be an array of UdpTap (from openUdp)');
  const members = [...new Set(taps)];
  let state: 'idle' | 'running' | 'done' = 'idle';
  let ready: RxBatch[] = [];
  let handed: RxBatch[] | null = null;
  let waiter: { resolve: (r: IteratorResult<RxBatch[], void>) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  let open = 0;

  // The array handed to the consumer keeps filling until the turn's promise jobs run (every ready
  // socket is read before them); this job then starts a fresh one for later turns.
  const seal = (): void => {
    if (handed === ready) ready = [];
  };
  const sink = (b: RxBatch): void => {
    ready.push(b);
    if (waiter) {
      const w = waiter;
      waiter = null;
      handed = ready;
      w.resolve({ value: ready, done: false });
      queueMicrotask(seal);
    }
  };
  const onClose = (): void => {
    open--;
    if (open === 0 && waiter && ready.length === 0) {
      const w = waiter;
      waiter = null;
      finish();
      w.resolve(DONE);
    }
  };
  const onError = (e: Error): void => {
    if (waiter) {
      const w = waiter;
      waiter = null;
      finish();
      w.reject(e);
    } else failure ??= e;
  };
  const releaseHanded = (): void => {
    if (!handed) return;
    for (const b of handed) b.release();
    if (ready === handed) ready = [];
    handed = null;
  };
  const finish = (): void => {
    if (state === 'running')
      for (const t of members) {
        t.off('close', onClose);
        t.off('error', onError);
        if (!t.closed) t.setBatchSink(null);
      }
    state = 'done';
    releaseHanded();
    for (const b of ready) b.release();
    ready = [];
  };
  const start = (): void => {
    const live = members.filter((t) => !t.closed);
    // Hook every tap or none: a tap already merged elsewhere makes the first next() reject.
    const hooked: UdpTap[] = [];
    try {
      for (const t of live) {
        t.setBatchSink(sink);
        hooked.push(t);
      }
    } catch (e) {
      for (const t of hooked) t.setBatchSink(null);
      state = 'done';
      throw e;
    }
    state = 'running';
    for (const t of live) {
      open++;
      t.on('close', onClose);
      t.on('error', onError);
    }
  };

  const next = (): Promise<IteratorResult<RxBatch[], void>> => {
    if (state === 'idle') {
      try {
        start();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (state === 'done') return Promise.resolve(DONE);
    if (waiter) return Promise.reject(stateError('mergeBatches: next() called while another next() is pending'));
    releaseHanded();
    if (ready.length > 0) {
      handed = ready;
      ready = [];
      return Promise.resolve({ value: handed, done: false });
    }
    if (failure) {
      const e = failure;
      finish();
      if ((e as SystemError).code === 'ERR_SOCKET_CLOSED') return Promise.resolve(DONE);
      return Promise.reject(e);
    }
    if (open === 0) {
      finish();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      waiter = { resolve, reject };
    });
  };

  return asyncIterator(next, () => {
    if (waiter) {
      waiter.resolve(DONE);
      waiter = null;
    }
    finish();
  });
}
