// Interface data for the CLI, from the library's native rtnetlink and ethtool calls.
import {
  interfaces,
  timestampingCapabilities as nativeCapabilities,
  type NetworkInterface,
  type TimestampingCapabilities,
} from '../../index.js';

export type { NetworkInterface, TimestampingCapabilities };

export function listInterfaces(): NetworkInterface[] {
  return interfaces();
}

/** Capabilities of an interface, or null when it vanished or ethtool cannot say. */
export function timestampingCapabilities(ifName: string): TimestampingCapabilities | null {
  try {
    return nativeCapabilities(ifName);
  } catch {
    return null;
  }
}

/** The interface that owns a local address (for sockets without IP_PKTINFO). */
export function interfaceOfAddress(address: string): { name: string; index: number } | undefined {
  const bare = address.replace(/^::ffff:(?=\d+\.)/, '').split('%')[0];
  for (const i of listInterfaces()) if (i.addresses.some((a) => a.address === bare)) return { name: i.name, index: i.index };
  return undefined;
}
