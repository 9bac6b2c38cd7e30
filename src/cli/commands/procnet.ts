// UDP sockets as the kernel lists them in /proc/net/udp{,6}, and their owners from /proc/*/fd.
// Used by `doctor` (who owns a port, its queue and drops) and by watch's summary (the final drop
// count of our own sockets, which SO_RXQ_OVFL only reports on a later datagram).
import fs from 'node:fs';

export interface ProcUdpSocket {
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** TCP-style state number; 7 (CLOSE) for unconnected UDP, 1 (ESTABLISHED) once connected. */
  state: number;
  txQueue: number;
  /** Bytes waiting in the receive queue (skb truesize, as counted against SO_RCVBUF). */
  rxQueue: number;
  uid: number;
  inode: number;
  refs: number;
  /** Datagrams the kernel dropped on this socket since it was created (sk_drops). */
  drops: number;
}

function hexToIPv4(h: string): string {
  // The kernel prints the __be32 as a host-endian (little-endian) integer: reverse the bytes.
  const b = Buffer.from(h, 'hex');
  return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
}

function hexToIPv6(h: string): string {
  const b = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) {
    const word = Buffer.from(h.slice(w * 8, w * 8 + 8), 'hex');
    for (let i = 0; i < 4; i++) b[w * 4 + i] = word[3 - i]!;
  }
  // ::ffff:a.b.c.d the way the rest of disptap prints mapped addresses
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const words: string[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(i * 2).toString(16));
  // Compress the longest run of zero words (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** Parses the text of /proc/net/udp or /proc/net/udp6. Lines that do not parse are skipped. */
export function parseProcNetUdp(text: string, family: 4 | 6): ProcUdpSocket[] {
  const out: ProcUdpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const [local, remote, st, queues, , , uid, , inode, refs, , drops] = f.slice(1);
    const [la, lp] = local!.split(':');
    const [ra, rp] = remote!.split(':');
    const [tx, rx] = queues!.split(':');
    if (!la || !lp || !ra || !rp || !tx || !rx) continue;
    const addr = family === 4 ? hexToIPv4 : hexToIPv6;
    out.push({
      family,
      localAddress: addr(la),
      localPort: parseInt(lp, 16),
      remoteAddress: addr(ra),
      remotePort: parseInt(rp, 16),
      state: parseInt(st!, 16),
      txQueue: parseInt(tx, 16),
      rxQueue: parseInt(rx, 16),
      uid: Number(uid),
      inode: Number(inode),
      refs: Number(refs),
      drops: Number(drops ?? 0),
    });
  }
  return out;
}

/** Both tables of the caller's network namespace; a missing table (IPv6 off) is just empty. */
export function udpSockets(procRoot = '/proc'): ProcUdpSocket[] {
  const out: ProcUdpSocket[] = [];
  for (const [file, fam] of [['net/udp', 4], ['net/udp6', 6]] as const) {
    try {
      out.push(...parseProcNetUdp(fs.readFileSync(`${procRoot}/${file}`, 'utf8'), fam));
    } catch {
      /* no such table */
    }
  }
  return out;
}

export interface SocketOwner {
  pid: number;
  fd: number;
  comm: string;
  cmdline: string;
  uid?: number;
}

export interface OwnerScan {
  owners: Map<number, SocketOwner[]>;
  /** Processes whose fds we could not read (other users' processes without root). */
  unreadable: number;
}

/** Maps socket inodes to the processes holding them, by reading every /proc/PID/fd link. */
export function socketOwners(inodes: ReadonlySet<number>, procRoot = '/proc'): OwnerScan {
  const owners = new Map<number, SocketOwner[]>();
  let unreadable = 0;
  if (inodes.size === 0) return { owners, unreadable };
  let pids: string[];
  try {
    pids = fs.readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return { owners, unreadable };
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${procRoot}/${pid}/fd`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') unreadable++;
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m || !inodes.has(Number(m[1]))) continue;
      const owner: SocketOwner = { pid: Number(pid), fd: Number(fd), comm: readText(`${procRoot}/${pid}/comm`), cmdline: readText(`${procRoot}/${pid}/cmdline`).replace(/\0+$/, '').replace(/\0/g, ' ') };
      const uid = /^Uid:\s+(\d+)/m.exec(readText(`${procRoot}/${pid}/status`));
      if (uid) owner.uid = Number(uid[1]);
      const list = owners.get(Number(m[1])) ?? [];
      list.push(owner);
      owners.set(Number(m[1]), list);
    }
  }
  return { owners, unreadable };
}

function readText(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The socket inode behind one of our own fds. */
export function inodeOfFd(fd: number): number | undefined {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function readSysctl(name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** `Udp:` counters of /proc/net/snmp (InErrors, RcvbufErrors, …) for the whole namespace. */
export function udpSnmp(procRoot = '/proc'): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const lines = fs.readFileSync(`${procRoot}/net/snmp`, 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    if (lines.length >= 2) {
      const keys = lines[0]!.split(/\s+/).slice(1);
      const vals = lines[1]!.split(/\s+/).slice(1);
      keys.forEach((k, i) => (out[k] = Number(vals[i])));
    }
  } catch {
    /* not available */
  }
  return out;
}
