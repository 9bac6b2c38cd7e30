// A received message as the pcapng writer takes it: the tap's own address completes what the
// message lacks (the destination port; the destination address when IP_PKTINFO was off).
import type { CaptureRecord as PcapngRecord } from '../../pcapng/writer.js';
import type { Endpoint } from '../../pcapng/synth.js';
import type { RxMessage } from './rx-types.js';
import { invalidArg } from '../../sys/errors.js';

/**
 * An {@link RxMessage} as a record for `PcapngWriter.write()`: stamped with the hardware timestamp
 * when there is one, else the software one, else the time of the read (`timestampSource` says
 * which); IP and UDP headers are synthesized from the addresses, ports, TTL and TOS. `local` is the
 * tap's address (`tap.address()`): the destination port, and the destination address when the
 * message has none (pktinfo off).
 */
export function rxMessageToPcapngRecord(msg: RxMessage, local: Endpoint, comments?: readonly string[]): PcapngRecord {
  // The tap's address completes every record: refuse a missing one here, not as a property error.
  if (typeof local !== 'object' || local === null || typeof local.address !== 'string' || !Number.isInteger(local.port) || local.port < 0 || local.port > 65535) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'rxMessageToPcapngRecord: local must be the tap\'s address ({ address, port }), as tap.address() returns it');
  }
  if (typeof msg !== 'object' || msg === null || typeof msg.timestamps !== 'object' || !(msg.data instanceof Uint8Array)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'rxMessageToPcapngRecord: msg must be an RxMessage (from tap.receive() or the tap\'s iterator)');
  }
  const { hardware: hw, software: sw } = msg.timestamps;
  const ifIndex = msg.dst?.ifIndex;
  const out: PcapngRecord = {
    timestampNs: hw ?? sw ?? msg.readAt,
    timestampSource: hw !== undefined ? 'hardware' : sw !== undefined ? 'software' : 'user',
    // as the command names them: one interface block per receiving interface
    ifName: msg.ifName ?? (ifIndex ? `ifindex${ifIndex}` : 'unknown'),
    ifIndex,
    src: msg.src,
    dst: { address: msg.dst?.address ?? local.address, port: local.port },
    ttl: msg.ttl,
    tos: msg.tos,
    payload: msg.data,
    origLength: msg.length,
    direction: 'in',
  };
  if (msg.readDelayNs !== undefined) out.readDelayNs = msg.readDelayNs;
  if (msg.drops !== undefined) out.drops = msg.drops;
  if (comments) out.comments = comments;
  return out;
}
