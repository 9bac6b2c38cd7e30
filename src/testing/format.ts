// Text pieces of the testing kit's failure messages. Kept apart from the checks so every message is
// built from the same few formats, which docs/testing.md documents and the tests assert verbatim.
import { inspect } from 'node:util';
import type { RxMessage, SocketAddress } from '../tap/rx/rx-types.js';
import { nsToIso } from '../sys/time.js';

/** Date can show ±8.64e15 ms; beyond that an ISO form would throw, so the raw ns stand alone. */
const MAX_DATE_NS = 8_640_000_000_000_000_000_000n;

/** An absolute timestamp: `1732549712123456789 ns (2024-11-25T15:48:32.123456789Z)`. */
export function fmtTime(ns: bigint): string {
  if (ns > MAX_DATE_NS || ns < -MAX_DATE_NS) return `${ns} ns`;
  return `${ns} ns (${nsToIso(ns)})`;
}

/**
 * A duration, always in both units so a reader sees the scale and the exact value:
 * `12.345 µs (12345 ns)`. The sign is dropped: messages say "before"/"after"/"over" instead.
 */
export function fmtDur(ns: bigint): string {
  const a = ns < 0n ? -ns : ns;
  return `${a / 1000n}.${(a % 1000n).toString().padStart(3, '0')} µs (${a} ns)`;
}

export function fmtAddr(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** `datagram #3 from 127.0.0.1:40000 (5 bytes)`; a truncated one shows `(16 of 70000 bytes)`. */
export function describeMsg(m: RxMessage, index?: number): string {
  const n = m.data.length !== m.length ? `${m.data.length} of ${m.length} bytes` : m.length === 1 ? '1 byte' : `${m.length} bytes`;
  return `datagram${index === undefined ? '' : ` #${index}`} from ${fmtAddr(m.src)} (${n})`;
}

/** A short rendering of a value that is not what an assertion takes. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  const text = inspect(v, { depth: 0, breakLength: Infinity, maxStringLength: 40, maxArrayLength: 4 });
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
