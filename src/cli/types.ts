// The parsed options of each command, as commander hands them to the command's module.
import type { CaptureTimestampMode } from '../capture/options.js';
import type { TransitClock } from '../transit/types.js';

export interface WatchCli {
  passive?: boolean;
  iface?: string;
  port?: string[];
  direction?: string;
  snapLength?: number;
  bind?: string[];
  json?: boolean;
  count?: number;
  duration?: number;
  filter?: string[];
  write?: string;
  metrics?: string | true;
  timestamps: string;
  rcvbuf?: number;
  maxSize?: number;
  reusePort?: boolean;
  color?: boolean;
  quiet?: boolean;
  queueSize?: number;
}

export interface RelayCli extends Omit<WatchCli, 'bind' | 'reusePort'> {
  /** Required unless a --unix-* option is given. */
  listen?: string;
  to?: string;
  unixListen?: string;
  unixTo?: string;
  unixTakeover?: string;
  unixRestore?: string;
  idleTimeout: number;
  maxClients: number;
  upstreamTap?: boolean;
}

export interface SendCli {
  to: string;
  kind: 'scion-udp' | 'scmp-echo' | 'ntp-scion' | 'bfd' | 'ntp' | 'raw';
  count: number;
  rate: number;
  txTimestamps?: string | true;
  payload?: string;
  payloadHex?: Uint8Array;
  size?: number;
  bind?: string;
  ttl?: number;
  tos?: number;
  srcIa: string;
  dstIa: string;
  srcHost?: string;
  dstHost?: string;
  srcPort: number;
  dstPort?: number;
  linger?: number;
  json?: boolean;
  metrics?: string | true;
  color?: boolean;
}

export interface DoctorCli {
  port: number;
  address: string;
  json?: boolean;
  color?: boolean;
}

export interface DecodeCli {
  srcPort: number;
  dstPort: number;
  /** Dispatcher stream: which side wrote it. */
  direction?: string;
  verbose?: boolean;
  filter?: string[];
  json?: boolean;
  color?: boolean;
}

export interface DemoCli {
  duration: number;
  rate: number;
  json?: boolean;
  write?: string;
  metrics?: string | true;
  color?: boolean;
}

/** `disptap transit` options as commander parses them. */
export interface TransitCommandOptions {
  iface: string;
  in: string[];
  out: string[];
  /** ms */
  timeout: number;
  window: number;
  clock: TransitClock;
  inDirection: 'in' | 'out' | 'both';
  outDirection: 'in' | 'out' | 'both';
  timestamps: CaptureTimestampMode;
  /** Pairs. */
  count?: number;
  /** Seconds. */
  duration?: number;
  json?: boolean;
  quiet?: boolean;
  write?: string;
  filter?: string[];
  metrics?: string | true;
  color?: boolean;
  /** SO_RCVBUF of the capture socket (default 128 MiB, as for watch --passive). */
  rcvbuf?: number;
}

/** What embedders and tests may pass besides the options. */
export interface TransitIo {
  /** Stops the run like SIGINT does. */
  signal?: AbortSignal;
}
