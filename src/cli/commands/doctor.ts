// disptap doctor: what is going on with a dispatcher port, in plain words — who owns it, whether
// its queue is backing up or dropping, whether buffer limits allow a fix, whether kernel RX
// timestamps work — and what to do about each finding.
import { openUdp, type RxMessage, type UdpTap } from '../../index.js';
import { formatEndpoint, parseHostAddress } from '../bind-spec.js';
import { UsageError, oneLine } from '../errors.js';
import { colors, formatBytes, formatNs, table, useColor } from '../pipeline/format.js';
import { interfaceOfAddress, timestampingCapabilities } from './ifaces-source.js';
import type { DoctorCli } from '../types.js';
import { readSysctl, socketOwners, udpSnmp, udpSockets, type ProcUdpSocket, type SocketOwner } from './procnet.js';

export type Level = 'ok' | 'info' | 'warn' | 'problem';

export interface Finding {
  level: Level;
  code: string;
  message: string;
  /** What to do about it. */
  advice?: string;
}

export interface DoctorSocket extends ProcUdpSocket {
  local: string;
  owners: SocketOwner[];
}

export interface TimestampCheck {
  address: string;
  /** Kernel software RX timestamps arrived. */
  software: boolean;
  readDelayNs?: string;
  /** A hardware RX timestamp arrived (only with a timestamping NIC and hardware timestamping on). */
  hardware: boolean;
  interface?: string;
  capabilities?: string[] | null;
  error?: string;
}

export interface DoctorReport {
  port: number;
  sockets: DoctorSocket[];
  sysctl: Record<string, string | undefined>;
  udpCounters: Record<string, number>;
  timestamps: TimestampCheck;
  findings: Finding[];
}

const RMEM_RECOMMENDED = 4 << 20;
const SYSCTLS = ['net.core.rmem_default', 'net.core.rmem_max', 'net.core.netdev_max_backlog', 'net.ipv4.udp_mem', 'net.ipv4.udp_rmem_min'];

async function roundTrip(address: string, mode: 'software' | 'hardware'): Promise<RxMessage> {
  let rx: UdpTap | undefined;
  let tx: UdpTap | undefined;
  try {
    rx = await openUdp({ address, port: 0, timestamps: mode });
    const a = rx.address();
    tx = await openUdp({ address: a.family === 4 ? '0.0.0.0' : '::', port: 0, timestamps: 'none' });
    const got = rx.receive({ timeoutMs: 1000 });
    await tx.send('disptap doctor timestamp probe', { address, port: a.port });
    return await got;
  } finally {
    rx?.close();
    tx?.close();
  }
}

async function checkTimestamps(address: string): Promise<TimestampCheck> {
  const c: TimestampCheck = { address, software: false, hardware: false };
  try {
    const m = await roundTrip(address, 'software');
    c.software = m.timestamps.software !== undefined;
    if (m.readDelayNs !== undefined) c.readDelayNs = m.readDelayNs.toString();
  } catch (e) {
    c.error = oneLine(e);
    return c;
  }
  try {
    const m = await roundTrip(address, 'hardware');
    c.hardware = m.timestamps.hardware !== undefined;
  } catch {
    /* the software result stands; hardware is reported from the capabilities below */
  }
  const iface = interfaceOfAddress(address);
  if (iface) {
    c.interface = iface.name;
    c.capabilities = timestampingCapabilities(iface.name)?.flags ?? null;
  }
  return c;
}

function ownerText(o: SocketOwner): string {
  return `pid ${o.pid} ${o.comm}${o.uid !== undefined ? ` (uid ${o.uid})` : ''}`;
}

export async function examine(port: number, address: string): Promise<DoctorReport> {
  const sockets = udpSockets().filter((s) => s.localPort === port);
  const scan = socketOwners(new Set(sockets.map((s) => s.inode)));
  const ds: DoctorSocket[] = sockets.map((s) => ({ ...s, local: formatEndpoint({ address: s.localAddress, port: s.localPort }), owners: scan.owners.get(s.inode) ?? [] }));
  const sysctl: Record<string, string | undefined> = {};
  for (const k of SYSCTLS) sysctl[k] = readSysctl(k);
  const udpCounters = udpSnmp();
  const timestamps = await checkTimestamps(address);
  const findings: Finding[] = [];
  const f = (level: Level, code: string, message: string, advice?: string) => findings.push(advice ? { level, code, message, advice } : { level, code, message });

  if (ds.length === 0) {
    f('problem', 'NO_LISTENER', `Nobody listens on UDP port ${port} in this network namespace.`,
      `Start the dispatcher or application, and check the port in its configuration. If it runs in a container, run doctor inside that container's network namespace (nsenter -n -t PID).`);
  }
  for (const s of ds) {
    if (s.owners.length > 0) {
      const names = s.owners.map(ownerText).join(', ');
      const cmd = s.owners[0]!.cmdline;
      f('ok', 'OWNER', `${s.local} is owned by ${names}${cmd ? `: ${cmd}` : ''}.`);
    } else {
      f('warn', 'OWNER_UNKNOWN', `${s.local} (socket inode ${s.inode}, uid ${s.uid}) belongs to a process doctor could not see.`,
        scan.unreadable > 0 ? 'Run doctor as root (sudo disptap doctor …): other users’ processes hide their file descriptors.' : 'The process may live in another PID namespace (a container); run doctor there.');
    }
    if (s.drops > 0) {
      f('problem', 'DROPS', `The kernel dropped ${s.drops} datagrams on ${s.local} since the socket was opened: its receive buffer was full.`,
        `The owner reads too slowly for the traffic, or its buffer is too small. Give it a larger SO_RCVBUF (for the SCION dispatcher: its receive buffer setting) and allow it with sysctl -w net.core.rmem_max=${RMEM_RECOMMENDED * 2}; watch the counter with \`disptap watch\` or /proc/net/udp.`);
    }
    if (s.rxQueue > 0) {
      const max = Number(sysctl['net.core.rmem_max'] ?? 0);
      const high = max > 0 && s.rxQueue >= max / 2;
      f(high ? 'warn' : 'info', 'RX_QUEUE', `${formatBytes(s.rxQueue)} are waiting in the receive queue of ${s.local}${high ? ', near the buffer limit' : ''}.`,
        high ? 'The owner is not reading: it may be stuck or overloaded. Drops follow once the queue is full.' : 'A few datagrams in flight are normal; a queue that stays or grows means the owner is not keeping up.');
    }
    if (s.state === 1) f('info', 'CONNECTED', `${s.local} is a connected socket (to ${formatEndpoint({ address: s.remoteAddress, port: s.remotePort })}): it only receives from that peer.`);
  }
  if (ds.length > 1) {
    const pids = new Set(ds.flatMap((s) => s.owners.map((o) => o.pid)));
    f(pids.size > 1 ? 'warn' : 'info', 'SHARED_PORT', `${ds.length} sockets use port ${port}${pids.size > 1 ? ` in ${pids.size} processes` : ''}.`,
      'With SO_REUSEPORT the kernel spreads datagrams over them, so each process sees only a share; sockets on different addresses each see their own. Make sure this is intended.');
  }

  const rmemMax = Number(sysctl['net.core.rmem_max'] ?? NaN);
  if (Number.isFinite(rmemMax)) {
    if (rmemMax < RMEM_RECOMMENDED) {
      f('warn', 'RMEM_MAX_SMALL', `net.core.rmem_max is ${formatBytes(rmemMax)}: no unprivileged process can get a larger receive buffer, so a traffic burst beyond that is dropped.`,
        `For a dispatcher or time server: sysctl -w net.core.rmem_max=${RMEM_RECOMMENDED * 2} (persist it in /etc/sysctl.d/), then raise the application's buffer.`);
    } else f('ok', 'RMEM_MAX', `net.core.rmem_max is ${formatBytes(rmemMax)}: applications may ask for large receive buffers.`);
  }
  const rmemDefault = Number(sysctl['net.core.rmem_default'] ?? NaN);
  if (Number.isFinite(rmemDefault)) {
    f('info', 'RMEM_DEFAULT', `net.core.rmem_default is ${formatBytes(rmemDefault)}: the receive buffer of a socket that does not set SO_RCVBUF.`);
  }
  const rcvbufErrors = udpCounters.RcvbufErrors ?? 0;
  if (rcvbufErrors > 0) {
    f('info', 'UDP_RCVBUF_ERRORS', `${rcvbufErrors} UDP datagrams were dropped for a full receive buffer in this namespace since boot (all sockets, /proc/net/snmp).`,
      'Compare with the per-socket drops above to see whether this port is the one losing them.');
  }

  const t = timestamps;
  if (t.error) {
    f('warn', 'TIMESTAMP_TEST_FAILED', `Could not test kernel RX timestamps on ${t.address}: ${t.error}`, 'Pass --address with an address of this host (the one the dispatcher listens on).');
  } else if (t.software) {
    f('ok', 'RX_TIMESTAMPS', `Kernel RX timestamps work on ${t.address}${t.interface ? ` (${t.interface})` : ''}; a probe datagram reached user space ${t.readDelayNs ? formatNs(BigInt(t.readDelayNs)) : '?'} after the kernel stamped it.`);
  } else {
    f('problem', 'NO_RX_TIMESTAMPS', `No kernel RX timestamp arrived on ${t.address}: read delays and pcapng timestamps fall back to user-space time.`,
      'Something keeps SO_TIMESTAMPING from working here (a seccomp profile of the container, a very old kernel). Check the container’s seccomp profile and dmesg.');
  }
  if (!t.error) {
    if (t.hardware) f('ok', 'HW_TIMESTAMPS', `Hardware RX timestamps arrive on ${t.address}.`);
    else if (t.capabilities && t.capabilities.includes('RX_HARDWARE'))
      f('info', 'HW_TIMESTAMPS_OFF', `${t.interface} can timestamp in hardware but did not for the probe.`, `Switch it on (hwstamp_ctl -i ${t.interface} -r 1, or \`disptap\` with --timestamps hardware after enabling it) if you need NIC timestamps.`);
    else if (t.interface) f('info', 'NO_HW_TIMESTAMPS', `${t.interface} has no hardware timestamping${t.capabilities === null ? ' (or ethtool could not tell)' : ''}; software timestamps are what you get there.`);
  }
  return { port, sockets: ds, sysctl, udpCounters, timestamps, findings };
}

const MARK: Record<Level, string> = { ok: '✓', info: '·', warn: '!', problem: '✗' };

export async function runDoctor(o: DoctorCli): Promise<number> {
  // Validate --address before anything else: a typo is a usage error, not a finding.
  const addr = parseHostAddress(o.address, '--address');
  if (addr.address === '0.0.0.0' || addr.address === '::') throw new UsageError('--address needs a concrete local address to test timestamps on');
  const report = await examine(o.port, addr.address);
  const bad = report.findings.some((x) => x.level === 'problem');
  if (o.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return bad ? 1 : 0;
  }
  const c = colors(useColor({ flag: o.color, stream: process.stdout }));
  const lines: string[] = [c.bold(`disptap doctor: UDP port ${o.port}`), ''];
  if (report.sockets.length) {
    lines.push(
      table(
        ['LOCAL', 'RX-QUEUE', 'DROPS', 'OWNER'],
        report.sockets.map((s) => [s.local, formatBytes(s.rxQueue), s.drops ? c.red(String(s.drops)) : '0', s.owners.map(ownerText).join(', ') || c.dim(`inode ${s.inode}, uid ${s.uid}`)]),
      ),
      '',
    );
  }
  const paint: Record<Level, (s: string) => string> = { ok: c.green, info: c.dim, warn: c.yellow, problem: (s) => c.bold(c.red(s)) };
  for (const x of report.findings) {
    lines.push(`${paint[x.level](MARK[x.level])} ${x.message}`);
    if (x.advice) lines.push(`    → ${x.advice}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return bad ? 1 : 0;
}
