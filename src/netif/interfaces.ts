// Network interfaces with their addresses, like Go's net.Interfaces / InterfaceByIndex /
// InterfaceByName / Interface.Addrs. Read from rtnetlink by the native side (native/interfaces/).
import { formatAddress } from '../sys/address.js';
import * as C from '../sys/constants.js';
import { invalidArg } from '../sys/errors.js';
import { native, type NativeAddr, type NativeLink } from '../sys/native.js';

/** The commonly used IFF_* flags of an interface, by name. */
export interface InterfaceFlags {
  /** IFF_UP: administratively up. */
  up: boolean;
  broadcast: boolean;
  loopback: boolean;
  pointToPoint: boolean;
  multicast: boolean;
  /** IFF_RUNNING: operationally up (carrier present), as `ip` reports operstate UP / UNKNOWN. */
  running: boolean;
}

/** One address of an interface (IFA_ADDRESS / IFA_LOCAL) with its prefix length. */
export interface InterfaceAddress {
  family: 4 | 6;
  /** The interface's own address (IFA_LOCAL on point-to-point links), without zone. */
  address: string;
  prefixLength: number;
}

/** One network interface as rtnetlink reports it, like Go's `net.Interface` with its addresses. */
export interface NetworkInterface {
  index: number;
  name: string;
  mtu: number;
  flags: InterfaceFlags;
  /** All of ifi_flags (IFF_* in constants), for the bits `flags` does not name. */
  rawFlags: number;
  /** Link-layer address as lower-case hex pairs ('02:11:22:33:44:55'); '' when the link has none. */
  hardwareAddr: string;
  /** In the kernel's order: IPv4 first, then IPv6. */
  addresses: InterfaceAddress[];
}

function shape(link: NativeLink, addrs: readonly NativeAddr[]): NetworkInterface {
  const [index, name, mtu, f, hw] = link;
  return {
    index,
    name,
    mtu,
    flags: {
      up: (f & C.IFF_UP) !== 0,
      broadcast: (f & C.IFF_BROADCAST) !== 0,
      loopback: (f & C.IFF_LOOPBACK) !== 0,
      pointToPoint: (f & C.IFF_POINTOPOINT) !== 0,
      multicast: (f & C.IFF_MULTICAST) !== 0,
      running: (f & C.IFF_RUNNING) !== 0,
    },
    rawFlags: f,
    hardwareAddr: [...hw].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    addresses: addrs
      .filter((a) => a[0] === index)
      .map(([, family, prefixLength, bytes]) => ({ family, address: formatAddress(family, bytes), prefixLength })),
  };
}

/** Every interface of the caller's network namespace, by index. */
export function interfaces(): NetworkInterface[] {
  const [links, addrs] = native.interfaces.list();
  return links.map((l) => shape(l, addrs)).sort((a, b) => a.index - b.index);
}

/** The interface with this index; throws code 'ENODEV' when there is none. */
export function interfaceByIndex(index: number): NetworkInterface {
  if (typeof index !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `interfaceByIndex: index must be a number, got ${typeof index}`);
  if (!Number.isInteger(index) || index < 1 || index > 0x7fffffff)
    throw invalidArg('ERR_OUT_OF_RANGE', `interfaceByIndex: index must be an integer in 1..2147483647, got ${index}`, RangeError);
  const [link, addrs] = native.interfaces.byIndex(index);
  return shape(link, addrs);
}

/** The interface with this name (or altname); throws code 'ENODEV' when there is none. */
export function interfaceByName(name: string): NetworkInterface {
  const [link, addrs] = native.interfaces.byName(checkIfName(name, 'interfaceByName'));
  return shape(link, addrs);
}

/** Interface names are 1..15 bytes (IFNAMSIZ - 1) without NUL; anything else cannot exist. */
export function checkIfName(name: unknown, fn: string): string {
  if (typeof name !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: interface name must be a string, got ${typeof name}`);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > 15 || name.includes('\0'))
    throw invalidArg('ERR_INVALID_ARG_VALUE', `${fn}: '${name}' cannot be an interface name (1..15 bytes, no NUL)`, RangeError);
  return name;
}
