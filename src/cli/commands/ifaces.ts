// disptap ifaces: the interfaces a tap could see traffic on, with what timestamping each offers.
import { colors, table, useColor } from '../pipeline/format.js';
import { listInterfaces, timestampingCapabilities, type NetworkInterface, type TimestampingCapabilities } from './ifaces-source.js';

// Flag names as `ip link` prints them (it shows LOWER_UP, not RUNNING).
const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [0x8, 'LOOPBACK'],
  [0x2, 'BROADCAST'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x80, 'NOARP'],
  [0x100, 'PROMISC'],
  [0x200, 'ALLMULTI'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x1, 'UP'],
  [0x10000, 'LOWER_UP'],
  [0x20000, 'DORMANT'],
];

export function flagNames(raw: number): string[] {
  return FLAG_NAMES.filter(([bit]) => (raw & bit) !== 0).map(([, n]) => n);
}

/** Short form of the capabilities: sw-tx sw-rx hw-tx hw-rx, and the PTP clock. */
function tsText(c: TimestampingCapabilities | null): string {
  if (!c) return '?';
  const has = (f: string) => (c.flags as readonly string[]).includes(f);
  const parts: string[] = [];
  if (has('TX_SOFTWARE')) parts.push('sw-tx');
  if (has('RX_SOFTWARE')) parts.push('sw-rx');
  if (has('TX_HARDWARE')) parts.push('hw-tx');
  if (has('RX_HARDWARE')) parts.push('hw-rx');
  if (c.phcIndex >= 0) parts.push(`ptp${c.phcIndex}`);
  return parts.join(',') || 'none';
}

export interface IfaceJson extends NetworkInterface {
  flagNames: string[];
  /** null: could not be determined (ethtool missing). */
  timestamping: TimestampingCapabilities | null;
}

export async function runIfaces(o: { json?: boolean; color?: boolean }): Promise<number> {
  const list: IfaceJson[] = listInterfaces().map((i) => ({ ...i, flagNames: flagNames(i.rawFlags), timestamping: timestampingCapabilities(i.name) }));
  if (o.json) {
    // One JSON document (an array): the list is small and read whole.
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  const c = colors(useColor({ flag: o.color, stream: process.stdout }));
  const rows = list.map((i) => [
    String(i.index),
    i.flags.up ? c.bold(i.name) : c.dim(i.name),
    String(i.mtu),
    i.flagNames.join(','),
    i.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ') || c.dim('-'),
    tsText(i.timestamping),
  ]);
  process.stdout.write(table(['INDEX', 'NAME', 'MTU', 'FLAGS', 'ADDRESSES', 'TIMESTAMPING'], rows) + '\n');
  if (list.some((i) => i.timestamping === null)) process.stderr.write('disptap ifaces: timestamping shown as ? — ethtool is not installed or could not ask the device\n');
  return 0;
}
