import fs from 'node:fs';

/** Number of open file descriptors of this process. */
export function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

export function fdIsOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Runs the collector until cond() holds or the attempts run out (finalisers run asynchronously). */
export async function gcUntil(cond: () => boolean, attempts = 50): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('tests need --expose-gc (vitest.config.ts execArgv)');
  for (let i = 0; i < attempts; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
