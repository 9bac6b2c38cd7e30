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
  /** Packets per read (recvmmsg call, or walk of the ring). Default 64. */
  batchSize?: number;
  /** Bytes the kernel may hold for the capture: the ring's size, or SO_RCVBUF(FORCE) without one. Default 4 MiB. */
  recvBufferSize?: number;
  /**
   * Receive through a TPACKET_V3 mmap ring (as tcpdump does): the kernel copies each packet into
   * memory shared with this process while it handles the packet, and reading costs no syscall per
   * batch. Default true, except with `timestamps: 'hardware'`: a ring carries one stamp per packet
   * (the NIC's where it has one), recvmmsg both software and hardware. Where the kernel refuses a
   * ring (ENOMEM, EINVAL, ENOPROTOOPT) the capture falls back to recvmmsg (`capture.ring` is then false).
   */
  ring?: boolean;
  /**
   * With a ring: how long (ms) the kernel may keep a block that is not full before handing it over,
   * so the most a quiet link's packet waits. 1..10000, default 8.
   */
  ringTimeoutMs?: number;
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
  ring: boolean;
  ringTimeoutMs: number;
  highWaterMark: number;
  rawPacket: boolean;
}

/** Blocks of one capture ring (see ringGeometry). */
export interface RingGeometry {
  blockSize: number;
  blockCount: number;
}

/**
 * Room a block needs besides one packet's `snapLength` bytes: the block descriptor (48), the
 * tpacket3_hdr + sockaddr_ll and the aligned link-layer gap before the IP header (~112 on lo or
 * Ethernet with a VLAN tag). Rounded up so a full snap always fits.
 */
const RING_BLOCK_OVERHEAD = 256;

/**
 * Splits a ring of `total` bytes into blocks. The kernel hands the ring over block by block, when a
 * block is full or when a retire tick (ringTimeoutMs, rounded up to jiffies) finds a packet in it, so
 * a slow reader (a GC pause, a busy event loop, a cold start) has about blockCount ticks of a trickle
 * before drops begin: the blocks are as small as one snapLength packet allows (a power of two, at
 * least a page, at most 1 MiB), hence many of them. (1 MiB blocks made a 4 MiB ring four blocks,
 * which a packet every 2 ms filled in ~60 ms.) A total of more than 65536 blocks gets larger ones.
 * At least 2 blocks, so the kernel fills one while the reader empties another: a total below two
 * such blocks gets smaller ones, down to a page (a packet larger than a block is cut to the block
 * and marked truncated), and a total below two pages gets two pages.
 */
export function ringGeometry(total: number, pageSize: number, snapLength = 65535): RingGeometry {
  let blockSize = pageSize;
  while (blockSize < 1 << 20 && (blockSize < snapLength + RING_BLOCK_OVERHEAD || total / blockSize > 65536)) blockSize *= 2;
  while (blockSize > pageSize && blockSize * 2 > total) blockSize /= 2;
  const blockCount = Math.min(65536, Math.max(2, Math.floor(total / blockSize)));
  return { blockSize, blockCount };
}

const KNOWN = new Set(['interface', 'ports', 'portMatch', 'filter', 'direction', 'timestamps', 'snapLength', 'batchSize', 'recvBufferSize', 'ring', 'ringTimeoutMs', 'highWaterMark', 'rawPacket']);

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
  if (o.ring !== undefined && typeof o.ring !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `options.ring must be a boolean, got ${typeof o.ring}`);
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
    ring: (o.ring as boolean | undefined) ?? timestamps !== 'hardware',
    ringTimeoutMs: intOption(o, 'ringTimeoutMs', 1, 10_000) ?? 8,
    highWaterMark: intOption(o, 'highWaterMark', 1, 1 << 24) ?? 8192,
    rawPacket: o.rawPacket === true,
  };
}
