// Where passive records go: text lines, NDJSON, a pcapng file, or several at once.
import type { Writable } from 'node:stream';
import { captureRecordToJSON } from '../../capture/ndjson.js';
import { toPcapngRecord } from '../../capture/pcapng.js';
import type { CaptureRecord } from '../../capture/record.js';
import { PcapngWriter } from '../../pcapng/writer.js';
import { nsToIso } from '../../sys/time.js';

export interface PassiveSink {
  record(rec: CaptureRecord): void;
  close?(): void | Promise<void>;
}

const ep = (e: { address: string; port: number }) => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

/** One line per datagram: time, interface and direction, flow, TTL/TOS, length. */
export function formatCaptureLine(r: CaptureRecord): string {
  const ts = r.timestamps.software ?? r.timestamps.hardware;
  const when = ts === undefined ? '-' : nsToIso(ts);
  const arrow = r.direction === 'out' ? '>' : '<';
  const trunc = r.truncated ? ` (captured ${r.data.length})` : '';
  return `${when} ${r.ifName ?? r.ifIndex} ${arrow} ${r.packetType.padEnd(8)} ${ep(r.src)} → ${ep(r.dst)} ttl ${r.ttl} tos 0x${r.tos.toString(16).padStart(2, '0')} len ${r.length}${trunc}`;
}

export function textSink(out: Writable): PassiveSink {
  return { record: (r) => void out.write(`${formatCaptureLine(r)}\n`) };
}

export function ndjsonSink(out: Writable): PassiveSink {
  return { record: (r) => void out.write(`${JSON.stringify(captureRecordToJSON(r))}\n`) };
}

/** pcapng with the captured IP packets as they were (open the capture with rawPacket: true). */
export async function pcapngSink(path: string, comment?: string): Promise<PassiveSink & { writer: PcapngWriter }> {
  const writer = await PcapngWriter.open(path, comment === undefined ? {} : { comment });
  return { writer, record: (r) => void writer.write(toPcapngRecord(r)), close: () => writer.close() };
}

export function teeSinks(...sinks: PassiveSink[]): PassiveSink {
  return {
    record: (r) => {
      for (const s of sinks) s.record(r);
    },
    close: async () => {
      for (const s of sinks) await s.close?.();
    },
  };
}
