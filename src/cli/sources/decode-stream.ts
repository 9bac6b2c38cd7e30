// `disptap decode` of one direction of a dispatcher unix-socket stream (strace output turned into
// bytes, a proxy log): frames are reported as `relay --unix-*` reports them, as connection 1.
import { decodeDispatcherStream, type DispatcherEvent, type FrameDirection } from '../../decode/dispatcher-framing.js';
import type { StreamDirection } from '../../unix-relay/stream-relay.js';
import { UsageError } from '../errors.js';
import type { Session } from '../pipeline/session.js';
import { FrameReporter } from './unix-frames.js';

/** --direction value check. */
export function parseStreamDirection(v: string | undefined): StreamDirection | undefined {
  if (v === undefined) return undefined;
  if (v === 'app-to-dispatcher' || v === 'dispatcher-to-app') return v;
  throw new UsageError(`--direction ${v}: expected app-to-dispatcher or dispatcher-to-app`);
}

/**
 * Which side wrote the stream, when not told: a registration says application, a confirmation or
 * a Scion Time trailer says dispatcher; a stream of bare packets is taken as the application's.
 */
export function guessDirection(events: readonly DispatcherEvent[]): { direction: StreamDirection; why: string } {
  for (const e of events) {
    if (e.kind !== 'frame') continue;
    const c = e.frame.content;
    if (c.kind === 'registration') return { direction: 'app-to-dispatcher', why: `registration at offset ${e.offset}` };
    if (c.kind === 'confirmation') return { direction: 'dispatcher-to-app', why: `confirmation at offset ${e.offset}` };
    if (c.kind === 'scion' && c.packet.trailing?.scionTime) return { direction: 'dispatcher-to-app', why: `Scion Time trailer at offset ${e.offset}` };
  }
  return { direction: 'app-to-dispatcher', why: 'no registration, confirmation or trailer to tell; give --direction' };
}

/** Reports every frame of the stream to the session; label = the file name. */
export function decodeStream(session: Session, file: string, bytes: Uint8Array, asked: StreamDirection | undefined): void {
  const guess: FrameDirection = asked ?? 'unknown';
  let events = decodeDispatcherStream([bytes], { direction: guess });
  let direction = asked;
  if (!direction) {
    const g = guessDirection(events);
    direction = g.direction;
    session.out.notice(`${session.out.prefix}: ${file}: dispatcher unix-socket stream, taken as ${direction} (${g.why})`);
    events = decodeDispatcherStream([bytes], { direction });
  }
  const reporter = new FrameReporter(session, file);
  for (const e of events) reporter.handle(1, direction, e, undefined);
}
