// A capture record as the pcapng writer takes it: the IP packet as captured when the capture kept
// it (rawPacket), else headers synthesized from the parsed fields; direction into epb_flags.
import type { CaptureRecord as PcapngRecord } from '../pcapng/writer.js';
import type { CaptureRecord } from './record.js';

/** A capture record as the pcapng writer takes it: the captured IP packet when kept (`rawPacket`), else headers synthesised from the parsed fields. */
export function toPcapngRecord(r: CaptureRecord, comments?: readonly string[]): PcapngRecord {
  const hw = r.timestamps.hardware;
  const sw = r.timestamps.software;
  const out: PcapngRecord = {
    timestampNs: hw ?? sw ?? r.readAt,
    timestampSource: hw !== undefined ? 'hardware' : sw !== undefined ? 'software' : 'user',
    ifName: r.ifName ?? (r.ifIndex === 0 ? 'any' : `if${r.ifIndex}`),
    ifIndex: r.ifIndex,
    src: r.src,
    dst: r.dst,
    ttl: r.ttl,
    tos: r.tos,
    payload: r.data,
    origLength: r.length,
    direction: r.direction,
  };
  if (r.readDelayNs !== undefined) out.readDelayNs = r.readDelayNs;
  if (r.packet) out.packet = { data: r.packet, origLength: r.packetLength };
  if (comments) out.comments = comments;
  return out;
}
