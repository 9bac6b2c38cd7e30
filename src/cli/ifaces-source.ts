// Interface data for `disptap ifaces` until the library's native interfaces() and
// timestampingCapabilities() are merged. The shapes match theirs (NetworkInterface,
// TimestampingCapabilities) so the swap is to replace the two function bodies with:
//   import { interfaces, timestampingCapabilities } from '../index.js';
// Sources for now: /sys/class/net/<if>/{ifindex,mtu,flags,address,operstate,carrier} for the
// links, os.networkInterfaces() for IPv4 addresses and /proc/net/if_inet6 for IPv6 addresses, and
// `ethtool -T` for timestamping capabilities.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface InterfaceFlags {
  up: boolean;
  broadcast: boolean;
  loopback: boolean;
  pointToPoint: boolean;
  multicast: boolean;
  /** Operationally up (IFF_RUNNING: operstate UP or UNKNOWN). */
  running: boolean;
}

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefixLength: number;
}

export interface NetworkInterface {
  index: number;
  name: string;
  mtu: number;
  flags: InterfaceFlags;
  /** ifi_flags as rtnetlink reports them (IFF_RUNNING / IFF_LOWER_UP / IFF_DORMANT included). */
  rawFlags: number;
  hardwareAddr: string;
  /** IPv4 first, then IPv6. */
  addresses: InterfaceAddress[];
}

export interface TimestampingCapabilities {
  /** SOF_TIMESTAMPING names without the prefix: TX_HARDWARE, TX_SOFTWARE, RX_HARDWARE, … */
  flags: string[];
  flagBits: number;
  /** /dev/ptpN index, -1 when none. */
  phcIndex: number;
  txTypes: string[];
  txTypeBits: number;
  rxFilters: string[];
  rxFilterBits: number;
}

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_POINTOPOINT = 0x10;
const IFF_RUNNING = 0x40;
const IFF_MULTICAST = 0x1000;
const IFF_LOWER_UP = 0x10000;
const IFF_DORMANT = 0x20000;

function read(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** IPv6 addresses of every interface, down ones included (os.networkInterfaces skips those). */
function inet6Addresses(): Map<number, InterfaceAddress[]> {
  const out = new Map<number, InterfaceAddress[]>();
  const text = read('/proc/net/if_inet6') ?? '';
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0]!.length !== 32) continue;
    const words = f[0]!.match(/.{4}/g)!.map((w) => parseInt(w, 16).toString(16));
    const address = compress(words);
    const index = parseInt(f[1]!, 16);
    const list = out.get(index) ?? [];
    list.push({ family: 6, address, prefixLength: parseInt(f[2]!, 16) });
    out.set(index, list);
  }
  return out;
}

function compress(words: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < words.length; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < words.length && words[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** Every interface of this network namespace, by index. */
export function listInterfaces(): NetworkInterface[] {
  let names: string[];
  try {
    names = fs.readdirSync('/sys/class/net');
  } catch {
    names = Object.keys(os.networkInterfaces());
  }
  const v4 = os.networkInterfaces();
  const v6 = inet6Addresses();
  const out: NetworkInterface[] = [];
  for (const name of names) {
    const dir = `/sys/class/net/${name}`;
    const index = Number(read(`${dir}/ifindex`));
    if (!Number.isInteger(index) || index <= 0) continue; // vanished while we looked
    const devFlags = parseInt(read(`${dir}/flags`) ?? '0', 16);
    const operstate = read(`${dir}/operstate`) ?? 'unknown';
    // Reconstruct what rtnetlink's ifi_flags say (dev_get_flags): RUNNING, LOWER_UP and
    // DORMANT are not in /sys/class/net/<if>/flags but follow from operstate and carrier.
    let rawFlags = devFlags & ~(IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT);
    if (devFlags & IFF_UP) {
      if (operstate === 'up' || operstate === 'unknown') rawFlags |= IFF_RUNNING;
      if (read(`${dir}/carrier`) === '1') rawFlags |= IFF_LOWER_UP;
      if (operstate === 'dormant') rawFlags |= IFF_DORMANT;
    }
    const addresses: InterfaceAddress[] = [];
    for (const a of v4[name] ?? []) {
      if (a.family !== 'IPv4') continue;
      addresses.push({ family: 4, address: a.address, prefixLength: Number(a.cidr?.split('/')[1] ?? 32) });
    }
    addresses.push(...(v6.get(index) ?? []));
    out.push({
      index,
      name,
      mtu: Number(read(`${dir}/mtu`) ?? 0),
      flags: {
        up: (rawFlags & IFF_UP) !== 0,
        broadcast: (rawFlags & IFF_BROADCAST) !== 0,
        loopback: (rawFlags & IFF_LOOPBACK) !== 0,
        pointToPoint: (rawFlags & IFF_POINTOPOINT) !== 0,
        multicast: (rawFlags & IFF_MULTICAST) !== 0,
        running: (rawFlags & IFF_RUNNING) !== 0,
      },
      rawFlags,
      hardwareAddr: read(`${dir}/address`) ?? '',
      addresses,
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

// ethtool -T prints capability names; these are the SOF_TIMESTAMPING bits they stand for.
const ETHTOOL_CAPS: Readonly<Record<string, [string, number]>> = {
  'hardware-transmit': ['TX_HARDWARE', 0],
  'software-transmit': ['TX_SOFTWARE', 1],
  'hardware-receive': ['RX_HARDWARE', 2],
  'software-receive': ['RX_SOFTWARE', 3],
  'software-system-clock': ['SOFTWARE', 4],
  'hardware-legacy-clock': ['SYS_HARDWARE', 5],
  'hardware-raw-clock': ['RAW_HARDWARE', 6],
};

/**
 * What timestamping the device offers, from `ethtool -T`; null when ethtool is missing or has
 * nothing to say (the native ETHTOOL_GET_TS_INFO replaces this after the merge).
 */
export function timestampingCapabilities(ifName: string): TimestampingCapabilities | null {
  const r = spawnSync('ethtool', ['-T', ifName], { encoding: 'utf8', timeout: 3000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  const caps: TimestampingCapabilities = { flags: [], flagBits: 0, phcIndex: -1, txTypes: [], txTypeBits: 0, rxFilters: [], rxFilterBits: 0 };
  let section = '';
  for (const raw of r.stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^Capabilities:/i.test(line)) section = 'caps';
    else if (/^PTP Hardware Clock:/i.test(line)) {
      const m = /(\d+)/.exec(line.split(':')[1] ?? '');
      caps.phcIndex = m ? Number(m[1]) : -1;
      section = '';
    } else if (/^Hardware Transmit Timestamp Modes:/i.test(line)) section = 'tx';
    else if (/^Hardware Receive Filter Modes:/i.test(line)) section = 'rx';
    else if (/:$/.test(line) || /^[A-Z][^:]*:/.test(line)) section = '';
    else {
      // Older ethtool: "software-transmit (SOF_TIMESTAMPING_TX_SOFTWARE)"; newer: "software-transmit".
      const word = line.split(/\s+/)[0]!;
      if (word === 'none') continue;
      if (section === 'caps') {
        const cap = ETHTOOL_CAPS[word];
        if (cap && !caps.flags.includes(cap[0])) {
          caps.flags.push(cap[0]);
          caps.flagBits |= 1 << cap[1];
        }
      } else if (section === 'tx') caps.txTypes.push(word.toUpperCase());
      else if (section === 'rx') caps.rxFilters.push(word.toUpperCase());
    }
  }
  return caps;
}

/** The interface that owns a local address (for sockets without IP_PKTINFO). */
export function interfaceOfAddress(address: string): { name: string; index: number } | undefined {
  const bare = address.replace(/^::ffff:(?=\d+\.)/, '').split('%')[0];
  for (const i of listInterfaces()) if (i.addresses.some((a) => a.address === bare)) return { name: i.name, index: i.index };
  return undefined;
}
