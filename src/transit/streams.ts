// pairTransit over two record streams (two captures, a capture and a tap, files read back …):
// pulls both concurrently and yields pair/unmatched events as they become known.
import { TransitPairer, type TransitOptions } from './pairer.js';
import type { TransitEvent, TransitRecord, TransitSide } from './types.js';

/** Options of {@link pairTransit}: a {@link TransitPairer}'s, and how to expire inputs while traffic is quiet. */
export interface PairStreamsOptions extends TransitOptions {
  /** Reports expired inputs on the wall clock every this many ms even when no record arrives. */
  expireEveryMs?: number;
  /** The clock expire() is judged against (ns, same timescale as the records). */
  now?: () => bigint;
  signal?: AbortSignal;
  /** Receives the pairer (e.g. to read summary() at the end). */
  onPairer?: (p: TransitPairer) => void;
}

type Item<R> = { side: TransitSide; rec: R } | { side: TransitSide; done: true } | { tick: true };

/** Pairs two record streams (what entered, what left) as they arrive; yields each pair and unmatched record. */
export async function* pairTransit<R extends TransitRecord>(
  inStream: AsyncIterable<R> | Iterable<R>,
  outStream: AsyncIterable<R> | Iterable<R>,
  opts: PairStreamsOptions = {},
): AsyncGenerator<TransitEvent<R>, void, undefined> {
  const pairer = new TransitPairer<R>(opts);
  opts.onPairer?.(pairer as unknown as TransitPairer);
  const queue: Item<R>[] = [];
  let wake: (() => void) | null = null;
  const put = (it: Item<R>) => {
    queue.push(it);
    wake?.();
    wake = null;
  };
  let failure: unknown;
  const pump = async (side: TransitSide, src: AsyncIterable<R> | Iterable<R>) => {
    try {
      for await (const rec of src as AsyncIterable<R>) {
        if (opts.signal?.aborted) break;
        put({ side, rec });
      }
    } catch (e) {
      failure ??= e;
    }
    put({ side, done: true });
  };
  void pump('in', inStream);
  void pump('out', outStream);
  const timer = opts.expireEveryMs ? setInterval(() => put({ tick: true }), opts.expireEveryMs) : undefined;
  const onAbort = () => put({ tick: true });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let open = 2;
  try {
    while (open > 0 && !opts.signal?.aborted) {
      const it = queue.shift();
      if (!it) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      if ('tick' in it) {
        if (opts.now) yield* pairer.expire(opts.now());
      } else if ('done' in it) open--;
      else yield* it.side === 'in' ? pairer.pushIn(it.rec) : pairer.pushOut(it.rec);
      if (failure !== undefined) throw failure;
    }
    // Records already read are still paired before the rest is flushed.
    for (const it of queue.splice(0)) if ('rec' in it) yield* it.side === 'in' ? pairer.pushIn(it.rec) : pairer.pushOut(it.rec);
    yield* pairer.flush();
  } finally {
    if (timer) clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
