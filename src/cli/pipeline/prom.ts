// prom-client, loaded on first use: only `--metrics` (and the ntp report's histograms) need it, and
// importing it costs ~45 ms of every command's start-up, a third of the command's own.
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

let loaded: typeof Prom | undefined;

export function prom(): typeof Prom {
  return (loaded ??= createRequire(import.meta.url)('prom-client') as typeof Prom);
}
