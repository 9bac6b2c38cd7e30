// SCMP echo (and traceroute) turnaround: a request that came in, and the reply the dispatcher sent
// back to its sender: same identifier and sequence, the reply addressed to the request's source.
import type { TransitMatcher } from './matcher.js';
import { SCMP_ECHO_REPLY, SCMP_ECHO_REQUEST, SCMP_TRACEROUTE_REPLY, SCMP_TRACEROUTE_REQUEST } from '../decode/index.js';
import { scmpInfo, type ScmpInfo } from './scion-scmp.js';

/** Reads {@link ScmpInfo} from a datagram, or null when it is not SCION/SCMP. */
export type ScmpInfoDecoder = (payload: Uint8Array) => ScmpInfo | null;

const REPLY_OF: Record<number, number> = { [SCMP_ECHO_REQUEST]: SCMP_ECHO_REPLY, [SCMP_TRACEROUTE_REQUEST]: SCMP_TRACEROUTE_REPLY };

/** `decode` is swappable so a full SCION decoder can take over from the built-in one. */
export function scmpEchoMatcher(decode: ScmpInfoDecoder = scmpInfo): TransitMatcher {
  return {
    name: 'scmp-echo',
    inKey(rec) {
      const s = decode(rec.data);
      if (!s || REPLY_OF[s.type] === undefined) return null;
      return `${REPLY_OF[s.type]}:${s.identifier}:${s.sequence}:${s.src}`;
    },
    outKey(rec) {
      const s = decode(rec.data);
      if (!s || (s.type !== SCMP_ECHO_REPLY && s.type !== SCMP_TRACEROUTE_REPLY)) return null;
      return `${s.type}:${s.identifier}:${s.sequence}:${s.dst}`;
    },
  };
}
