// `disptap ntp --listen ADDR:PORT --to ADDR:PORT`: the relay of `disptap relay` — the same code
// (startRelay) in the same Session (counters, --write, relay metrics, signals, -d) — with every
// datagram it forwards paired into NTP exchanges as it passes.
//
// The relay's view. The relay stamps both packets as they *arrive* at it: the request on the listen
// socket (T1), the response on the upstream socket (T4) — kernel RX stamps of one clock, the same
// stamps `disptap relay -w` writes. An exchange is what an NTP client sitting at the relay would
// have measured had it sent the request the moment it arrived: δ is the round trip relay → target →
// relay *plus* the relay's own forwarding of the request (read, sendmsg: user space), and θ is the
// target's offset from this host's clock, biased by half of that forwarding time. The client's legs
// to and from the relay, and the relay's forwarding of the response, are outside it.
import { clock } from '../../sys/clock.js';
import { ntpRecordFromUdp } from '../../ntp/records.js';
import type { NtpWireRecord } from '../../ntp/types.js';
import { formatEndpoint } from '../bind-spec.js';
import type { Observation } from '../pipeline/observation.js';
import { startRelay, type RelayOptions } from '../sources/relay.js';
import type { Session } from '../pipeline/session.js';

/** The point name of the relay's exchanges (`[relay]` in text, `point: "relay"` in NDJSON). */
export const RELAY_POINT = 'relay';

/** What a relay exchange means, said once when the relay starts and in the summary. */
export const RELAY_VIEW =
  "exchanges as the relay sees them: T1 = the request's arrival (kernel RX on the listen socket), T4 = the response's arrival (kernel RX on the upstream socket); δ is relay → target → relay plus the relay's forwarding of the request";

/** An NtpWireRecord from a relay observation: both directions are datagrams the relay received. */
export function ntpRecordFromObservation(o: Observation, point: string): NtpWireRecord | null {
  const time =
    o.hwTsNs !== undefined ? { timeNs: o.hwTsNs, timeSource: 'hardware' as const }
    : o.swTsNs !== undefined ? { timeNs: o.swTsNs, timeSource: 'kernel' as const }
    : o.readAtNs !== undefined ? { timeNs: o.readAtNs, timeSource: 'user' as const }
    : {};
  return ntpRecordFromUdp({ src: o.src, dst: o.dst ?? o.local, payload: o.data, direction: 'in', point, ...time });
}

/** What `disptap ntp --listen` takes for its relay. */
export interface NtpRelayOptions {
  listen: string;
  to: string;
  json?: boolean;
  color?: boolean;
  duration?: number;
  write?: string;
  metrics?: string | true;
  filter?: string[];
  timestamps: 'none' | 'software' | 'hardware';
  recvBuffer?: number;
  maxSize?: number;
}

export interface NtpRelay {
  listen: string;
  target: string;
}

/** Starts the relay in `session`; `onRecord` gets every NTP packet either way, as it arrives. */
export async function startNtpRelay(session: Session, o: NtpRelayOptions, onRecord: (r: NtpWireRecord) => void): Promise<NtpRelay> {
  const ro: RelayOptions = { ...o, idleTimeout: 120_000, maxClients: 4096 };
  const { listen, target } = await startRelay(session, ro, (obs) => {
    const r = ntpRecordFromObservation(obs, RELAY_POINT);
    if (r) onRecord(r);
  });
  const to = formatEndpoint(target);
  session.listening({ sockets: [listen.json], target: to }, `disptap ntp: relay ${listen.label} → ${to}; ${RELAY_VIEW} (Ctrl-C for the summary)`);
  return { listen: listen.label, target: to };
}

/** Now, for records without a time of their own. */
export const nowNs = (): bigint => clock.realtimeNs();
