// What one build of the addon answers, as JSON on stdout: `same` must be equal for every build on
// the same kernel (a prebuild, a source build, another architecture), `run` differs from run to run.
//
//   node test/packaging/probe.mjs <package dir> [raw] [tap]
//
// raw: a datagram through the addon's own socket with SO_TIMESTAMP (works under qemu-user, which
//      refuses SO_TIMESTAMPING); tap: the same through openUdp() with its default metadata.
// Used by test/packaging/prebuild.test.ts and scripts/pack-check.sh (there for linux-arm64 under
// emulation against linux-x64).
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, ...modes] = process.argv.slice(2);
const lib = await import(pathToFileURL(path.join(pkgDir, 'dist', 'index.js')).href);
const { native } = await import(pathToFileURL(path.join(pkgDir, 'dist', 'sys', 'native.js')).href);
const C = lib.constants;
const json = (v) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x?.type === 'Buffer' && Array.isArray(x.data) ? Buffer.from(x.data).toString('hex') : x)));

const le = (bytes, fn) => {
  const b = Buffer.alloc(bytes);
  fn(b);
  return b;
};
const timespec = (s, ns) => le(16, (b) => { b.writeBigInt64LE(BigInt(s), 0); b.writeBigInt64LE(BigInt(ns), 8); });
const i32 = (v) => le(4, (b) => b.writeInt32LE(v));
// Every kind the receive path decodes, as the kernel lays them out, and a truncated tail.
const control = lib.buildControl([
  { level: C.SOL_SOCKET, type: C.SCM_TIMESTAMPING, data: Buffer.concat([timespec(1_700_000_000, 123_456_789), timespec(0, 0), timespec(1_700_000_001, 5)]) },
  { level: C.SOL_SOCKET, type: C.SO_RXQ_OVFL, data: le(4, (b) => b.writeUInt32LE(7)) },
  { level: C.IPPROTO_IP, type: C.IP_PKTINFO, data: Buffer.from([1, 0, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2]) },
  { level: C.IPPROTO_IP, type: C.IP_TTL, data: i32(9) },
  { level: C.IPPROTO_IP, type: C.IP_TOS, data: Buffer.from([0xb8]) },
  { level: C.IPPROTO_IPV6, type: C.IPV6_HOPLIMIT, data: i32(3) },
  { level: C.SOL_SOCKET, type: C.SCM_TIMESTAMPNS, data: timespec(1, 2).subarray(0, 8) },
]);
const truncated = Buffer.concat([control, Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])]);

const same = {
  layout: native.layout,
  layoutFields: native.layoutFields,
  cmsgKinds: native.cmsgKinds,
  macros: [0, 1, 4, 8, 12, 16, 20, 24, 48].map((n) => native.cmsgMacros(n)),
  sockaddr: [
    native.sockaddr.encode(4, Buffer.from([10, 1, 2, 3]), 30041, 0, 0),
    native.sockaddr.encode(6, Buffer.from('fe800000000000000000000000000001', 'hex'), 31000, 0x12345, 2),
  ].map((b) => [b.toString('hex'), native.sockaddr.decode(b)]),
  byteOrder: [native.sockaddr.htons(0x1234), native.sockaddr.htonl(0x12345678)],
  parse: lib.parseControl(truncated),
  parsePure: lib.parseControlPure(truncated),
  decode: lib.decodeControl(control),
  // lo only: other tests add and remove interfaces while this runs.
  lo: (({ index, name, mtu, flags }) => ({ index, name, mtu, flags }))(lib.interfaceByName('lo')),
  loListed: lib.interfaces().some((i) => i.name === 'lo'),
};
const run = {
  arch: process.arch,
  node: process.version,
  addon: [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.endsWith('.node')).map((l) => l.split(' ').pop()))],
};

if (modes.includes('raw')) {
  const sock = new native.UdpSocket(4, () => {});
  sock.bind(Buffer.from([127, 0, 0, 1]), 0, 0, '127.0.0.1');
  sock.setIntOption(C.SOL_SOCKET, C.SO_TIMESTAMP_OLD, 1, 'SO_TIMESTAMP');
  sock.setIntOption(C.IPPROTO_IP, C.IP_PKTINFO, 1, 'IP_PKTINFO');
  sock.setIntOption(C.IPPROTO_IP, C.IP_RECVTTL, 1, 'IP_RECVTTL');
  sock.setIntOption(C.IPPROTO_IP, C.IP_RECVTOS, 1, 'IP_RECVTOS');
  const { port } = sock.localAddress();
  const before = lib.clock.realtimeNs();
  const client = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => client.send('probe', port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  const b = Buffer.alloc(2048);
  const oob = Buffer.alloc(512);
  let r = null;
  for (let i = 0; i < 500 && !r; i++) {
    r = sock.readMsg(b, oob);
    if (!r) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const after = lib.clock.realtimeNs();
  client.close();
  sock.close();
  if (!r) throw new Error('raw: nothing arrived');
  const meta = lib.decodeControl(oob.subarray(0, r.oobn));
  const ts = meta.timestamps.software;
  // SO_TIMESTAMP has microseconds: allow the rounding below `before`.
  same.raw = {
    data: b.subarray(0, r.n).toString(),
    flags: r.flags,
    kinds: lib.parseControl(oob.subarray(0, r.oobn)).map((c) => [c.level, c.type, c.status]),
    timestamped: typeof ts === 'bigint' && ts >= before - 1000n && ts <= after,
    dst: meta.dst,
    ttl: meta.ttl,
    tos: meta.tos,
  };
  run.raw = { software: ts, port };
}

if (modes.includes('tap')) {
  const before = lib.clock.realtimeNs();
  const rx = await lib.openUdp({ address: '127.0.0.1' });
  const tx = await lib.openUdp({ address: '127.0.0.1' });
  const sent = await tx.send('probe', rx.address(), { ttl: 7, tos: 0x10, txTimestamps: 'software' });
  const msg = await rx.receive({ timeoutMs: 10_000 });
  const stamps = await sent.tx;
  const after = lib.clock.realtimeNs();
  rx.close();
  tx.close();
  const ts = msg.timestamps.software;
  same.tap = {
    data: msg.data.toString(),
    length: msg.length,
    src: msg.src.address,
    dst: msg.dst,
    ifName: msg.ifName,
    ttl: msg.ttl,
    tos: msg.tos,
    truncated: msg.truncated,
    controlTruncated: msg.controlTruncated,
    flags: msg.flags,
    timestamped: typeof ts === 'bigint' && ts >= before && ts <= after,
    readDelay: typeof msg.readDelayNs === 'bigint' && msg.readDelayNs >= 0n,
    txBeforeRx: typeof stamps.software === 'bigint' && stamps.software <= ts,
    txMissing: stamps.missing,
    timestampingOption: rx.timestampingOption,
  };
  run.tap = { software: ts, port: msg.src.port };
}

console.log(JSON.stringify({ same: json(same), run: json(run) }));
