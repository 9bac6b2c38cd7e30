// One JSON object per capture record, for a program's own NDJSON: bigints as decimal strings (ns do
// not fit a double), the payload as hex. (The command prints another, shared schema:
// schema/watch-record.v1.json.)
import { nsToIso } from '../sys/time.js';
import type { CaptureRecord } from './record.js';

/** A {@link CaptureRecord} as one JSON object (e.g. an NDJSON line of your own): bigints as decimal strings, payload as hex. Not the command's `--json` schema. */
export interface CaptureRecordJSON {
  time: string | null;
  /** Software kernel timestamp, ns since the epoch, as a decimal string. */
  ts: string | null;
  hwTs?: string;
  direction: CaptureRecord['direction'];
  packetType: CaptureRecord['packetType'];
  ifIndex: number;
  ifName?: string;
  family: 4 | 6;
  src: string;
  dst: string;
  ttl: number;
  tos: number;
  length: number;
  captured: number;
  truncated: boolean;
  readDelayNs?: string;
  data: string;
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** The JSON form of a capture record ({@link CaptureRecordJSON}). */
export function captureRecordToJSON(r: CaptureRecord): CaptureRecordJSON {
  const sw = r.timestamps.software;
  const out: CaptureRecordJSON = {
    time: sw === undefined ? null : nsToIso(sw),
    ts: sw === undefined ? null : sw.toString(),
    direction: r.direction,
    packetType: r.packetType,
    ifIndex: r.ifIndex,
    family: r.src.family,
    src: endpoint(r.src),
    dst: endpoint(r.dst),
    ttl: r.ttl,
    tos: r.tos,
    length: r.length,
    captured: r.data.length,
    truncated: r.truncated,
    data: r.data.toString('hex'),
  };
  if (r.timestamps.hardware !== undefined) out.hwTs = r.timestamps.hardware.toString();
  if (r.ifName !== undefined) out.ifName = r.ifName;
  if (r.readDelayNs !== undefined) out.readDelayNs = r.readDelayNs.toString();
  return out;
}
