#!/usr/bin/env node
// Captures the fuzzers' seed corpora from the kernel itself, over loopback:
//   fuzz/corpus/cmsg/       raw control buffers as recvmsg returned them (tap.readMsg's oob, and
//                           error-queue messages read with MSG_ERRQUEUE): every metadata option, IPv4,
//                           IPv6, dual-stack, the drop counter, MSG_CTRUNC partial buffers, TX
//                           timestamps, ICMP errors with offender addresses;
//   fuzz/corpus/sockaddr/   msg_name and getsockname bytes (sockaddr_in, sockaddr_in6, v4-mapped),
//                           the offender sockaddrs of those ICMP errors, and a few crafted edge cases;
//   fuzz/corpus/rtnetlink/  RTM_NEWLINK / RTM_NEWADDR payloads of a real rtnetlink dump (python3's
//                           AF_NETLINK socket; first byte 1 = link, 0 = address, as the harness reads);
//   fuzz/corpus/l3/         real IPv4/IPv6 UDP packets: the looped copies the error queue returns
//                           without OPT_TSONLY (2-byte ethertype + the packet after the 14-byte
//                           link header, as native/packet_socket/fuzz/l3_parse_fuzz.cc reads them).
//
//   npm run build:ts && node fuzz/capture-seeds.mjs
//
// Seeds are committed; rerunning rewrites the same file names (timestamps inside differ).
// Needs no root. Uses the built addon (build/Release, or DISPTAP_NATIVE).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openUdp, parseControl } from '../dist/index.js';
import { native } from '../dist/sys/native.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs = {
  cmsg: path.join(here, 'corpus', 'cmsg'),
  sockaddr: path.join(here, 'corpus', 'sockaddr'),
  rtnetlink: path.join(here, 'corpus', 'rtnetlink'),
  l3: path.join(here, 'corpus', 'l3'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });

const written = { cmsg: new Map(), sockaddr: new Map(), rtnetlink: new Map(), l3: new Map() };
function seed(kind, name, bytes) {
  const key = Buffer.from(bytes).toString('hex');
  if ([...written[kind].values()].includes(key)) return false; // same bytes already kept under another name
  written[kind].set(name, key);
  fs.writeFileSync(path.join(dirs[kind], `${name}.bin`), bytes);
  return true;
}

const MSG_ERRQUEUE = 0x2000;
const SOL_SOCKET = 1, IPPROTO_IP = 0, IPPROTO_IPV6 = 41;
const IP_RECVERR = 11, IPV6_RECVERR = 25, IP_PKTINFO = 8, SO_TIMESTAMPING_OLD = 37;
const SOF = { TX_SOFTWARE: 1 << 1, SOFTWARE: 1 << 4, OPT_ID: 1 << 7, TX_SCHED: 1 << 8, OPT_CMSG: 1 << 10 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const describe = (oob) => parseControl(oob).map((c) => `${c.level}/${c.type}${c.status === 'ok' ? '' : `(${c.status})`}`).join(' ');

/** Sends `count` datagrams from `from` to `to`, then reads one with readMsg into an oob of oobSize. */
async function oneReadMsg(rx, tx, to, oobSize, sendOpts) {
  await tx.send('seed-datagram', to, sendOpts);
  await sleep(5);
  const b = Buffer.alloc(2048);
  const oob = Buffer.alloc(oobSize);
  const r = rx.readMsg(b, oob);
  if (!r) throw new Error('capture: nothing received');
  return { oob: oob.subarray(0, r.oobn), flags: r.flags };
}

/** One error-queue message of fd as raw [control, name] (null when the queue is empty). */
function errqueue(fd, controlCap = 512) {
  const r = native.rawmsg.recvmsg(fd, 256, controlCap, MSG_ERRQUEUE);
  return r ? { control: r[4], name: r[3], flags: r[1], data: r[2] } : null;
}

/** An L3 seed from a looped frame on lo: 14-byte link header (ethertype at 12) then the packet. */
function l3Seed(name, frame) {
  if (frame.length <= 14) return;
  if (seed('l3', name, Buffer.concat([frame.subarray(12, 14), frame.subarray(14)])))
    log('l3', name, `ethertype 0x${frame.readUInt16BE(12).toString(16)}, ${frame.length - 14} bytes`);
}

/** Offender sockaddr = the bytes after the 16-byte sock_extended_err inside an IP(V6)_RECVERR cmsg. */
function offenders(control) {
  return parseControl(control)
    .filter((c) => ((c.level === IPPROTO_IP && c.type === IP_RECVERR) || (c.level === IPPROTO_IPV6 && c.type === IPV6_RECVERR)) && c.data.length > 16)
    .map((c) => c.data.subarray(16));
}

const log = (kind, name, extra) => console.log(`${kind.padEnd(9)} ${name.padEnd(34)} ${extra}`);

// ---- receive path: tap.readMsg's raw oob ----
const v4 = await openUdp({ address: '127.0.0.1' });
const v4tx = await openUdp({ address: '127.0.0.1' });
const to4 = { address: '127.0.0.1', port: v4.address().port };
{
  const { oob } = await oneReadMsg(v4, v4tx, to4, 512);
  seed('cmsg', 'v4-all-software', oob);
  log('cmsg', 'v4-all-software', describe(oob));
  const t = await oneReadMsg(v4, v4tx, to4, 512, { ttl: 7, tos: 0xb8 });
  seed('cmsg', 'v4-ttl7-tos-b8', t.oob);
  log('cmsg', 'v4-ttl7-tos-b8', describe(t.oob));
  // MSG_CTRUNC: the kernel's partial buffers for every control size that cuts somewhere new.
  for (const size of [16, 24, 32, 40, 48, 56, 64, 72, 80, 96, 104, 112, 128]) {
    const r = await oneReadMsg(v4, v4tx, to4, size);
    const name = `v4-ctrunc-${size}`;
    seed('cmsg', name, r.oob);
    log('cmsg', name, `flags 0x${r.flags.toString(16)} ${describe(r.oob)}`);
  }
}
{
  // Drop counter: a tiny receive buffer flooded, then the first datagram queued after the drops
  // carries SO_RXQ_OVFL.
  const small = await openUdp({ address: '127.0.0.1', recvBufferSize: 1 });
  const to = { address: '127.0.0.1', port: small.address().port };
  await v4tx.sendBatch(Array.from({ length: 200 }, () => ({ data: Buffer.alloc(512), ...to })));
  await sleep(10);
  await v4tx.send('after-drops', to);
  await sleep(5);
  const b = Buffer.alloc(2048), oob = Buffer.alloc(512);
  let got = false;
  for (let r = small.readMsg(b, oob); r; r = small.readMsg(b, oob)) {
    const o = oob.subarray(0, r.oobn);
    if (parseControl(o).some((c) => c.level === SOL_SOCKET && c.type === 40)) {
      seed('cmsg', 'v4-drop-counter', Buffer.from(o));
      log('cmsg', 'v4-drop-counter', describe(o));
      got = true;
      break;
    }
  }
  if (!got) console.warn('capture: no SO_RXQ_OVFL seen (no drops?)');
  small.close();
}
for (const [name, opts] of [
  ['v4-timestamps-none', { timestamps: 'none' }],
  ['v4-timestamps-hardware', { timestamps: 'hardware' }],
  ['v4-pktinfo-only', { timestamps: 'none', ttl: false, tos: false, dropCounter: false }],
  ['v4-ttl-tos-only', { timestamps: 'none', pktinfo: false, dropCounter: false }],
]) {
  const rx = await openUdp({ address: '127.0.0.1', ...opts });
  const { oob } = await oneReadMsg(rx, v4tx, { address: '127.0.0.1', port: rx.address().port }, 512);
  seed('cmsg', name, oob);
  log('cmsg', name, describe(oob));
  rx.close();
}
{
  const v6 = await openUdp({ address: '::1' });
  const v6tx = await openUdp({ address: '::1' });
  const to6 = { address: '::1', port: v6.address().port };
  const { oob } = await oneReadMsg(v6, v6tx, to6, 512);
  seed('cmsg', 'v6-all-software', oob);
  log('cmsg', 'v6-all-software', describe(oob));
  const t = await oneReadMsg(v6, v6tx, to6, 512, { ttl: 3, tos: 0x2e });
  seed('cmsg', 'v6-hop3-tclass-2e', t.oob);
  log('cmsg', 'v6-hop3-tclass-2e', describe(t.oob));
  for (const size of [40, 64, 88, 100]) {
    const r = await oneReadMsg(v6, v6tx, to6, size);
    seed('cmsg', `v6-ctrunc-${size}`, r.oob);
    log('cmsg', `v6-ctrunc-${size}`, `flags 0x${r.flags.toString(16)} ${describe(r.oob)}`);
  }
  // raw msg_name / getsockname bytes
  await v6tx.send('name', to6);
  await sleep(5);
  const raw = native.rawmsg.recvmsg(v6.fd, 64, 0, 0);
  if (raw) seed('sockaddr', 'recv-name-in6-loopback', raw[3]);
  seed('sockaddr', 'getsockname-in6-loopback', native.rawmsg.getsockname(v6.fd));
  // TX timestamps on the error queue (IPv6): SCM_TIMESTAMPING + IPV6_RECVERR
  const sent = await v6tx.send('tx6', to6, { txTimestamps: ['sched', 'software'], txTimeoutMs: 50 });
  sent.tx?.catch(() => undefined);
  for (let i = 0, m; (m = errqueue(v6tx.fd)); i++) {
    seed('cmsg', `v6-errqueue-tx-${i}`, m.control);
    log('cmsg', `v6-errqueue-tx-${i}`, describe(m.control));
    for (const o of offenders(m.control)) seed('sockaddr', `offender-v6-tx-${i}`, o);
  }
  v6.close();
  v6tx.close();
}
{
  // Dual-stack: an IPv6 socket receiving IPv4 traffic gets the IPv4-level cmsgs (and a mapped name).
  const dual = await openUdp({ address: '::', family: 6 });
  const to = { address: '127.0.0.1', port: dual.address().port };
  const { oob } = await oneReadMsg(dual, v4tx, to, 512);
  seed('cmsg', 'dual-stack-v4-traffic', oob);
  log('cmsg', 'dual-stack-v4-traffic', describe(oob));
  await v4tx.send('mapped', to);
  await sleep(5);
  const raw = native.rawmsg.recvmsg(dual.fd, 64, 0, 0);
  if (raw) seed('sockaddr', 'recv-name-in6-v4mapped', raw[3]);
  dual.close();
}
{
  // raw names of the IPv4 path
  await v4tx.send('name', to4);
  await sleep(5);
  const raw = native.rawmsg.recvmsg(v4.fd, 64, 0, 0);
  if (raw) seed('sockaddr', 'recv-name-in-loopback', raw[3]);
  seed('sockaddr', 'getsockname-in-loopback', native.rawmsg.getsockname(v4.fd));
  // TX timestamps (OPT_ID + OPT_TSONLY, as the tap sets them): SCM_TIMESTAMPING + IP_RECVERR
  const sent = await v4tx.send('tx4', to4, { txTimestamps: ['sched', 'software'], txTimeoutMs: 50 });
  sent.tx?.catch(() => undefined);
  for (let i = 0, m; (m = errqueue(v4tx.fd)); i++) {
    seed('cmsg', `v4-errqueue-tx-${i}`, m.control);
    log('cmsg', `v4-errqueue-tx-${i}`, describe(m.control));
    for (const o of offenders(m.control)) seed('sockaddr', `offender-v4-tx-${i}`, o);
  }
  // A short control buffer on the error queue: the kernel's partial SCM_TIMESTAMPING there too.
  const again = await v4tx.send('tx4b', to4, { txTimestamps: 'software', txTimeoutMs: 50 });
  again.tx?.catch(() => undefined);
  const cut = errqueue(v4tx.fd, 40);
  if (cut) {
    seed('cmsg', 'v4-errqueue-ctrunc-40', cut.control);
    log('cmsg', 'v4-errqueue-ctrunc-40', `flags 0x${cut.flags.toString(16)} ${describe(cut.control)}`);
  }
  while (errqueue(v4tx.fd));
}
{
  // Without OPT_TSONLY and with OPT_CMSG + IP_PKTINFO: the error queue also returns IP_PKTINFO and
  // the looped packet. A bare native socket, since the tap always sets OPT_TSONLY.
  const s = new native.UdpSocket(4, () => undefined);
  s.setIntOption(SOL_SOCKET, SO_TIMESTAMPING_OLD, SOF.TX_SOFTWARE | SOF.TX_SCHED | SOF.SOFTWARE | SOF.OPT_ID | SOF.OPT_CMSG);
  s.setIntOption(IPPROTO_IP, IP_PKTINFO, 1);
  s.bind(Uint8Array.from([127, 0, 0, 1]), 0, 0, '127.0.0.1');
  s.sendMsg(Buffer.from('opt-cmsg'), Uint8Array.from([127, 0, 0, 1]), to4.port, 0, null);
  s.sendMsg(Buffer.alloc(0), Uint8Array.from([127, 0, 0, 1]), to4.port, 0, null);
  await sleep(5);
  for (let i = 0, m; (m = errqueue(s.fd)); i++) {
    seed('cmsg', `v4-errqueue-optcmsg-${i}`, m.control);
    log('cmsg', `v4-errqueue-optcmsg-${i}`, describe(m.control));
    for (const o of offenders(m.control)) seed('sockaddr', `offender-v4-optcmsg-${i}`, o);
    l3Seed(`ipv4-udp-looped-${i}`, m.data);
  }
  s.close();
  // the same for IPv6 (IPv6 header + UDP), with a hop limit and a traffic class set
  const s6 = new native.UdpSocket(6, () => undefined);
  const lo6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0));
  s6.setIntOption(SOL_SOCKET, SO_TIMESTAMPING_OLD, SOF.TX_SOFTWARE | SOF.SOFTWARE | SOF.OPT_ID);
  s6.setIntOption(IPPROTO_IPV6, 67 /* IPV6_TCLASS */, 0x2e);
  s6.bind(lo6, 0, 0, '::1');
  const rx6 = await openUdp({ address: '::1' });
  s6.sendMsg(Buffer.from('looped-v6'), lo6, rx6.address().port, 0, null);
  await sleep(5);
  for (let i = 0, m; (m = errqueue(s6.fd)); i++) l3Seed(`ipv6-udp-looped-${i}`, m.data);
  s6.close();
  rx6.close();
}
// ICMP errors (port unreachable) on the error queue, with the offender address.
for (const fam of [4, 6]) {
  const closed = await openUdp({ address: fam === 4 ? '127.0.0.1' : '::1' });
  const port = closed.address().port;
  closed.close();
  const s = new native.UdpSocket(fam, () => undefined);
  const lo = fam === 4 ? Uint8Array.from([127, 0, 0, 1]) : Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0));
  if (fam === 4) s.setIntOption(IPPROTO_IP, IP_RECVERR, 1);
  else s.setIntOption(IPPROTO_IPV6, IPV6_RECVERR, 1);
  s.bind(lo, 0, 0, '');
  s.sendMsg(Buffer.from('nobody'), lo, port, 0, null);
  await sleep(20);
  const m = errqueue(s.fd);
  if (m) {
    seed('cmsg', `v${fam}-errqueue-icmp-unreach`, m.control);
    log('cmsg', `v${fam}-errqueue-icmp-unreach`, describe(m.control));
    for (const o of offenders(m.control)) seed('sockaddr', `offender-v${fam}-icmp`, o);
    seed('sockaddr', `errqueue-name-v${fam}-icmp`, m.name);
  } else console.warn(`capture: no ICMP error on the IPv${fam} error queue`);
  s.close();
}
v4.close();
v4tx.close();

// Crafted sockaddr edge cases (not from the kernel; named so): empty, a lone family byte, an unknown
// family, a sockaddr_in6 cut short.
seed('sockaddr', 'crafted-empty', Buffer.alloc(0));
seed('sockaddr', 'crafted-one-byte', Buffer.from([2]));
seed('sockaddr', 'crafted-af-unix', Buffer.from([1, 0, 0x2f, 0x74, 0x6d, 0x70]));
seed('sockaddr', 'crafted-in6-short', Buffer.from([10, 0, 0x1f, 0x90, 0, 0, 0, 0, 0, 0, 0, 0]));
for (const [name, key] of written.sockaddr) log('sockaddr', name, `${key.length / 2} bytes`);

// ---- rtnetlink: one real dump of links and addresses ----
const py = String.raw`
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
out = []
for seq, (mtype, body) in enumerate([(18, struct.pack('BxHiII', 0, 0, 0, 0, 0)), (22, struct.pack('BBBBI', 0, 0, 0, 0, 0))], 1):
    s.send(struct.pack('IHHII', 16 + len(body), mtype, 0x301, seq, 0) + body)
    done = False
    while not done:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, t, fl, sq, pid = struct.unpack_from('IHHII', data, off)
            if ln < 16: break
            if t == 3: done = True; break
            if t in (16, 20): out.append((1 if t == 16 else 0, data[off + 16:off + ln]))
            off += (ln + 3) & ~3
for kind, payload in out:
    sys.stdout.write('%d %s\n' % (kind, payload.hex()))
`;
const dump = spawnSync('python3', ['-c', py], { encoding: 'utf8' });
if (dump.status === 0) {
  const counts = [0, 0];
  for (const line of dump.stdout.trim().split('\n').filter(Boolean)) {
    const [kind, hex] = line.split(' ');
    const k = Number(kind);
    const name = `${k ? 'link' : 'addr'}-${counts[k]++}`;
    seed('rtnetlink', name, Buffer.concat([Buffer.from([k]), Buffer.from(hex, 'hex')]));
    log('rtnetlink', name, `${hex.length / 2} bytes`);
  }
} else console.warn(`capture: rtnetlink dump via python3 failed: ${dump.stderr || dump.error}`);

console.log(
  `seeds: ${written.cmsg.size} cmsg, ${written.sockaddr.size} sockaddr, ${written.rtnetlink.size} rtnetlink, ${written.l3.size} l3 → ${path.relative(process.cwd(), path.join(here, 'corpus'))}`,
);
