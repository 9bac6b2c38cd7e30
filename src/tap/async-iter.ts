// Hand-written async iterators (cheaper than async generators on the receive path) share this shell.
export const DONE: IteratorResult<never, void> = Object.freeze({ value: undefined, done: true });

/** An AsyncGenerator-shaped iterator from `next`; return() and throw() run `finish` first. */
export function asyncIterator<T>(next: () => Promise<IteratorResult<T, void>>, finish: () => void): AsyncGenerator<T, void, undefined> {
  const it: AsyncGenerator<T, void, undefined> = {
    next,
    return: () => {
      finish();
      return Promise.resolve(DONE);
    },
    throw: (e: unknown) => {
      finish();
      return Promise.reject(e);
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
