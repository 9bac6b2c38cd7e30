/**
 * Name the layer inside a UDP datagram: gopacket's well-known port table (destination port first,
 * then source, as gopacket does), then the SCION ports, then a content heuristic for SCION on any
 * port (the SCION Wireshark dissector's approach), then STUN by content.
 */

import { u16 } from './bytes.js';
import { looksLikeStun } from './stun.js';

/** What a UDP payload is taken to be: gopacket's layer names plus SCION and STUN; 'Payload' when nothing matched. */
export type UdpLayerName =
  | 'DNS'
  | 'NTP'
  | 'DHCPv4'
  | 'DHCPv6'
  | 'SIP'
  | 'sFlow'
  | 'VXLAN'
  | 'Geneve'
  | 'BFD'
  | 'GTPv1-U'
  | 'SCION'
  | 'STUN'
  | 'Payload';

/** What a SCION underlay port is used for (30041 end host, 30042-30051 router internal, dispatched range, …). */
export type ScionPortRole = 'end-host' | 'router-internal' | 'dispatched-app' | 'control' | 'daemon' | 'gateway';

/** An inclusive port range that carries SCION underlay traffic, and its role. */
export interface ScionPortRange {
  from: number;
  to: number;
  role: ScionPortRole;
}

/** How {@link classifyUdp} decides: exact well-known ports, SCION port ranges, and the content heuristic. */
export interface UdpPortMap {
  /** Exact ports → layer (gopacket's table by default). */
  wellKnown: Readonly<Record<number, UdpLayerName>>;
  /** Port ranges that carry SCION underlay traffic. */
  scion: readonly ScionPortRange[];
  /** Recognise SCION by content on any port. */
  heuristic: boolean;
}

/** gopacket/layers UDPPortLayerType. */
export const GOPACKET_UDP_PORTS: Readonly<Record<number, UdpLayerName>> = {
  53: 'DNS',
  123: 'NTP',
  67: 'DHCPv4',
  68: 'DHCPv4',
  546: 'DHCPv6',
  547: 'DHCPv6',
  5060: 'SIP',
  6343: 'sFlow',
  4789: 'VXLAN',
  6081: 'Geneve',
  3784: 'BFD',
  2152: 'GTPv1-U',
};

/** Default application range of `dispatched_ports` (topology generator default). */
export const DEFAULT_DISPATCHED_PORTS: readonly [number, number] = [31000, 32767];

const FIXED_SCION_PORTS: readonly ScionPortRange[] = [
  { from: 30041, to: 30041, role: 'end-host' },
  { from: 30042, to: 30051, role: 'router-internal' },
  { from: 30252, to: 30252, role: 'control' },
  { from: 30255, to: 30255, role: 'daemon' },
  { from: 30056, to: 30056, role: 'gateway' },
];

const ROLE_TEXT: Readonly<Record<ScionPortRole, string>> = {
  'end-host': 'end-host underlay / shim dispatcher',
  'router-internal': 'border router internal',
  'dispatched-app': 'dispatched application range',
  control: 'control service',
  daemon: 'daemon',
  gateway: 'gateway',
};

/** Options of {@link createUdpPortMap}; all optional. */
export interface UdpPortMapOptions {
  /**
   * The AS's `dispatched_ports` as topology.json writes it: `"31000-32767"`, `"all"`, `"-"`
   * (none), or a [min, max] pair; null = none. Default 31000-32767.
   */
  dispatchedPorts?: string | readonly [number, number] | null;
  /** Replaces gopacket's table. */
  wellKnown?: Readonly<Record<number, UdpLayerName>>;
  /** Extra SCION port ranges (e.g. routers on 50000+, per-link external ports). */
  extraScionPorts?: readonly ScionPortRange[];
  /** Default true. */
  heuristic?: boolean;
}

/**
 * Parse a `dispatched_ports` value; undefined when malformed. `"-"`, `""` → null (empty range).
 */
export function parseDispatchedPorts(s: string): readonly [number, number] | null | undefined {
  const t = s.trim();
  if (t === '' || t === '-') return null;
  if (t.toLowerCase() === 'all') return [1, 65535];
  const m = /^(\d+)-(\d+)$/.exec(t);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) return undefined;
  return [lo, hi];
}

/** A port map for an AS: gopacket's table, the fixed SCION ports, the AS's dispatched range and extra ranges; throws a RangeError on a malformed `dispatchedPorts`. */
export function createUdpPortMap(o: UdpPortMapOptions = {}): UdpPortMap {
  let dispatched: readonly [number, number] | null | undefined = DEFAULT_DISPATCHED_PORTS;
  if (o.dispatchedPorts !== undefined) {
    dispatched = typeof o.dispatchedPorts === 'string' ? parseDispatchedPorts(o.dispatchedPorts) : o.dispatchedPorts;
    if (dispatched === undefined) throw new RangeError(`dispatchedPorts: cannot parse ${JSON.stringify(o.dispatchedPorts)}`);
  }
  const scion = [...FIXED_SCION_PORTS, ...(o.extraScionPorts ?? [])];
  if (dispatched) scion.push({ from: dispatched[0], to: dispatched[1], role: 'dispatched-app' });
  return { wellKnown: o.wellKnown ?? GOPACKET_UDP_PORTS, scion, heuristic: o.heuristic ?? true };
}

/** The default map: gopacket's table, the fixed SCION ports, dispatched ports 31000-32767, heuristic on. */
export const DEFAULT_UDP_PORT_MAP: UdpPortMap = createUdpPortMap();

/** Only gopacket's table: for the payload of UDP/SCION, whose ports are not underlay ports. */
export const WELL_KNOWN_ONLY: UdpPortMap = { wellKnown: GOPACKET_UDP_PORTS, scion: [], heuristic: false };

const HEURISTIC_NEXT_HDR = new Set([17, 200, 201, 202, 203]);
const KNOWN_ADDR_NIBBLES = new Set([0x0, 0x3, 0x4]);

/**
 * Content check for a current SCION header: version 0, known NextHdr, path type < 5, defined
 * address types, reserved bytes zero (as the Wireshark dissector), and — stricter — HdrLen covering
 * the address header and not exceeding the datagram.
 */
export function looksLikeScion(d: Uint8Array): boolean {
  if (d.length < 12 || d[0]! >> 4 !== 0) return false;
  if (!HEURISTIC_NEXT_HDR.has(d[4]!) || d[8]! >= 5) return false;
  const dt = d[9]! >> 4;
  const st = d[9]! & 0xf;
  if (!KNOWN_ADDR_NIBBLES.has(dt) || !KNOWN_ADDR_NIBBLES.has(st) || u16(d, 10) !== 0) return false;
  const addrEnd = 12 + 16 + ((dt & 3) + 1) * 4 + ((st & 3) + 1) * 4;
  const hdrBytes = d[5]! * 4;
  return hdrBytes >= addrEnd && hdrBytes <= d.length;
}

/** The parts of a UDP datagram classification looks at. */
export interface UdpClassificationInput {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** A classification with its reason: which port or which content check decided. */
export interface UdpClassification {
  layer: UdpLayerName;
  /** Why, e.g. "dst port 123" or "SCION content heuristic". */
  reason: string;
  /** The port that decided, when a port did. */
  port?: number;
  /** For SCION ports. */
  role?: ScionPortRole;
}

function scionRange(map: UdpPortMap, port: number): ScionPortRange | undefined {
  return map.scion.find((r) => port >= r.from && port <= r.to);
}

/** Classifies a UDP datagram: well-known ports first (destination, then source), then SCION ports (STUN content excepted), then content. */
export function classifyUdpDetailed(input: UdpClassificationInput, map: UdpPortMap = DEFAULT_UDP_PORT_MAP): UdpClassification {
  const payload = input.payload instanceof Uint8Array ? input.payload : new Uint8Array(0);
  for (const [which, port] of [['dst', input.dstPort], ['src', input.srcPort]] as const) {
    const layer = map.wellKnown[port];
    if (layer) return { layer, reason: `${which} port ${port}`, port };
  }
  for (const [which, port] of [['dst', input.dstPort], ['src', input.srcPort]] as const) {
    const r = scionRange(map, port);
    if (!r) continue;
    // Routers answer STUN on their internal port: the port says SCION, the bytes say otherwise.
    if (looksLikeStun(payload)) return { layer: 'STUN', reason: `STUN content on SCION ${which} port ${port} (${ROLE_TEXT[r.role]})`, port, role: r.role };
    return { layer: 'SCION', reason: `${which} port ${port} (${ROLE_TEXT[r.role]})`, port, role: r.role };
  }
  if (map.heuristic && looksLikeScion(payload)) return { layer: 'SCION', reason: 'SCION content heuristic' };
  if (looksLikeStun(payload)) return { layer: 'STUN', reason: 'STUN content (magic cookie)' };
  return { layer: 'Payload', reason: 'no port or content match' };
}

/** The layer name for a UDP datagram. */
export function classifyUdp(input: UdpClassificationInput, map: UdpPortMap = DEFAULT_UDP_PORT_MAP): UdpLayerName {
  return classifyUdpDetailed(input, map).layer;
}
