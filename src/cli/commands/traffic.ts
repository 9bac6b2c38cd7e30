// Test traffic for `send` and `demo`: real SCION packets (UDP, SCMP echo, BFD, NTP in SCION), plain
// NTP client requests, or a raw payload, built with the encoders of src/decode.
import {
  buildScionBfd,
  buildScionUdp,
  buildScmpEcho,
  encodeNtp,
  tryParseIA,
  EncodeError,
} from '../../decode/index.js';
import { UsageError } from '../errors.js';

export type TrafficKind = 'scion-udp' | 'scmp-echo' | 'ntp-scion' | 'bfd' | 'ntp' | 'raw';

export interface TrafficSpec {
  kind: TrafficKind;
  srcIA: string;
  dstIA: string;
  /** SCION host addresses (IP text or SVC name). */
  srcHost: string;
  dstHost: string;
  /** UDP ports inside SCION. */
  srcPort: number;
  dstPort: number;
  /** Application payload (scion-udp, raw); default: a text naming the packet. */
  payload?: Uint8Array;
  /** Pad the payload with zeros to this many bytes. */
  size?: number;
}

/** The layer stack a receiver will see, for metric labels on the sending side. */
export const KIND_LAYER: Readonly<Record<TrafficKind, string>> = {
  'scion-udp': 'SCION/UDP',
  'scmp-echo': 'SCION/SCMP',
  'ntp-scion': 'SCION/UDP/NTP',
  bfd: 'SCION/BFD',
  ntp: 'NTP',
  raw: 'Payload',
};

export function checkSpec(s: TrafficSpec): void {
  if (s.kind === 'ntp' || s.kind === 'raw') return;
  for (const [flag, v] of [['--src-ia', s.srcIA], ['--dst-ia', s.dstIA]] as const) {
    if (!tryParseIA(v)) throw new UsageError(`${flag} '${v}' is not an ISD-AS such as 1-ff00:0:110`);
  }
}

function padded(p: Uint8Array, size: number | undefined): Uint8Array {
  if (size === undefined || size <= p.length) return p;
  const out = new Uint8Array(size);
  out.set(p);
  return out;
}

/**
 * Datagram number `seq` of the given kind. `nowNs` goes into NTP transmit timestamps so a receiver
 * can compare it with its RX timestamp.
 */
export function buildDatagram(s: TrafficSpec, seq: number, nowNs: bigint): Uint8Array {
  const ends = { srcIA: s.srcIA, dstIA: s.dstIA, src: s.srcHost, dst: s.dstHost };
  try {
    switch (s.kind) {
      case 'scion-udp': {
        const payload = padded(s.payload ?? new TextEncoder().encode(`disptap scion-udp #${seq}`), s.size);
        return buildScionUdp({ ...ends, srcPort: s.srcPort, dstPort: s.dstPort, payload });
      }
      case 'scmp-echo':
        // Identifier from our pid, as ping does, so replies can be told apart.
        return buildScmpEcho({ ...ends, identifier: process.pid & 0xffff, sequence: seq & 0xffff, data: padded(s.payload ?? new Uint8Array(8), s.size) });
      case 'ntp-scion':
        return buildScionUdp({ ...ends, srcPort: s.srcPort, dstPort: s.dstPort, payload: encodeNtp({ mode: 3, version: 4, poll: 6, precision: -20, transmitTimestamp: nowNs }) });
      case 'bfd':
        return buildScionBfd({ ...ends, state: 3, myDiscriminator: (process.pid << 8) >>> 0 || 1, yourDiscriminator: 0, detectMultiplier: 3, desiredMinTxInterval: 200_000, requiredMinRxInterval: 200_000 });
      case 'ntp':
        return encodeNtp({ mode: 3, version: 4, poll: 6, precision: -20, transmitTimestamp: nowNs });
      case 'raw':
        return padded(s.payload ?? new TextEncoder().encode(`disptap #${seq}`), s.size);
    }
  } catch (e) {
    if (e instanceof EncodeError) throw new UsageError(`cannot build a ${s.kind} packet: ${e.message}`);
    throw e;
  }
}
