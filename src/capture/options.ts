// Validation of openCapture options: everything is checked before any syscall.
import os from 'node:os';
import { invalidArg, systemError } from '../sys/errors.js';
import { intOption } from '../tap/options.js';
import { validateProgram, type BpfInstruction } from './bpf.js';
import { normalizePorts, type PortRange, type PortSpec } from './ports.js';
import type { DirectionFilter, PortMatch } from './filter.js';

/** Kernel RX timestamps of a capture: none, software, or software plus hardware where the NIC stamps. */
export type CaptureTimestampMode = 'none' | 'software' | 'hardware';

/** Options of {@link openCapture}; only `interface` is required. */
export interface OpenCaptureOptions {
  /** Interface name ('lo', 'eth0'), 'any' for every interface, or an ifindex. */
  interface: string | number;
  /** UDP ports (source or destination) to keep: 30041, '31000-32767', [a, b], { from, to }. Absent: all UDP. */
  ports?: readonly PortSpec[];
  /** Which port must be in `ports`: 'either' (default), only 'src' or only 'dst'. */
  portMatch?: PortMatch;
  /**
   * A classic BPF program of your own instead of the generated one. It runs on the packet from
   * the IP header on (no link header) and may use ancillary loads. Not combinable with ports/direction.
   */
  filter?: readonly BpfInstruction[];
  /** Keep only received ('in') or only sent ('out') copies; filtered in the kernel. Default 'both'. */
  direction?: DirectionFilter;
  /** Kernel RX timestamps. 'hardware' adds NIC stamps where the NIC has them switched on. Default 'software'. */
  timestamps?: CaptureTimestampMode;
  /** Bytes kept per packet from the IP header on. Default 65535. */
  snapLength?: number;
  /** Packets per recvmmsg call. Default 64. */
  batchSize?: number;
  /** SO_RCVBUF(FORCE) bytes. Default 4 MiB. */
  recvBufferSize?: number;
  /** Records queued for receive()/iteration before reading pauses (the kernel keeps the rest). Default 8192. */
  highWaterMark?: number;
  /** Keep the captured IP packet bytes in record.packet (for pcapng). Default false. */
  rawPacket?: boolean;
}

export interface ResolvedCaptureOptions {
  interfaceText: string;
  ifIndex: number;
  ports: PortRange[];
  portMatch: PortMatch;
  filter: BpfInstruction[] | undefined;
  direction: DirectionFilter;
  timestamps: CaptureTimestampMode;
  snapLength: number;
  batchSize: number;
  recvBufferSize: number;
  highWaterMark: number;
  rawPacket: boolean;
}

const KNOWN = new Set(['interface', 'ports', 'portMatch', 'filter', 'direction', 'timestamps', 'snapLength', 'batchSize', 'recvBufferSize', 'highWaterMark', 'rawPacket']);

export function resolveCaptureOptions(input: unknown, ifNameToIndex: (name: string) => number): ResolvedCaptureOptions {
  if (input === null || typeof input !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'openCapture(options): options must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw invalidArg('ERR_INVALID_ARG_VALUE', `openCapture: unknown option '${k}'`);
  const iface = o.interface;
  let ifIndex: number;
  let interfaceText: string;
  if (typeof iface === 'number') {
    if (!Number.isInteger(iface) || iface < 0 || iface > 0x7fffffff)
      throw invalidArg('ERR_OUT_OF_RANGE', `options.interface: ifindex must be a non-negative integer, got ${iface}`, RangeError);
    ifIndex = iface;
    interfaceText = iface === 0 ? 'any' : `ifindex ${iface}`;
  } else if (typeof iface === 'string' && iface !== '') {
    interfaceText = iface;
    if (iface === 'any') ifIndex = 0;
    else {
      ifIndex = ifNameToIndex(iface);
      if (!ifIndex) {
        throw systemError(os.constants.errno.ENODEV, 'if_nametoindex', `openCapture: no interface named '${iface}' (if_nametoindex ENODEV)`);
      }
    }
  } else throw invalidArg('ERR_INVALID_ARG_TYPE', "options.interface must be an interface name ('lo', 'any') or an ifindex");

  const direction = o.direction ?? 'both';
  if (direction !== 'in' && direction !== 'out' && direction !== 'both')
    throw invalidArg('ERR_INVALID_ARG_VALUE', `options.direction must be 'in', 'out' or 'both', got ${String(direction)}`);
  const timestamps = o.timestamps ?? 'software';
  if (timestamps !== 'none' && timestamps !== 'software' && timestamps !== 'hardware')
    throw invalidArg('ERR_INVALID_ARG_VALUE', `options.timestamps must be 'none', 'software' or 'hardware', got ${String(timestamps)}`);
  let filter: BpfInstruction[] | undefined;
  if (o.filter !== undefined) {
    if (o.ports !== undefined || o.direction !== undefined || o.portMatch !== undefined)
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'openCapture: a custom filter replaces ports/direction; give one or the other');
    filter = validateProgram(o.filter, 'options.filter');
  }
  const portMatch = o.portMatch ?? 'either';
  if (portMatch !== 'either' && portMatch !== 'src' && portMatch !== 'dst')
    throw invalidArg('ERR_INVALID_ARG_VALUE', `options.portMatch must be 'either', 'src' or 'dst', got ${String(portMatch)}`);
  const ports = o.ports === undefined ? [] : normalizePorts(o.ports as PortSpec[], 'options.ports');
  if (o.rawPacket !== undefined && typeof o.rawPacket !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `options.rawPacket must be a boolean, got ${typeof o.rawPacket}`);
  return {
    interfaceText,
    ifIndex,
    ports,
    portMatch,
    filter,
    direction,
    timestamps,
    snapLength: intOption(o, 'snapLength', 48, 262144) ?? 65535,
    batchSize: intOption(o, 'batchSize', 1, 1024) ?? 64,
    recvBufferSize: intOption(o, 'recvBufferSize', 4096, 2 ** 31 - 1) ?? 4 << 20,
    highWaterMark: intOption(o, 'highWaterMark', 1, 1 << 24) ?? 8192,
    rawPacket: o.rawPacket === true,
  };
}
