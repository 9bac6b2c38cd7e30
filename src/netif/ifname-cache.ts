// ifindex → name, cached; an unknown index triggers one fresh lookup (interfaces come and go).
import { native } from '../sys/native.js';

const cache = new Map<number, string | null>();

/** The name of interface `index` (`lo`, `eth0`, …), cached; `undefined` for 0 or an index with no interface. */
export function ifNameOf(index: number): string | undefined {
  if (index <= 0) return undefined;
  let name = cache.get(index);
  if (name === undefined) {
    name = native.ifIndexToName(index);
    // Negative results are not cached: the interface may appear a moment later.
    if (name !== null) cache.set(index, name);
  }
  return name ?? undefined;
}

/** Forget cached names (e.g. after interfaces were renamed or re-created). */
export function clearIfNameCache(): void {
  cache.clear();
}
