// Privileges. Nothing in software mode needs root: a child dropped to uid/gid 65534 with no
// capabilities at all (setpriv) opens taps on loopback, receives with kernel timestamps and every
// other piece of metadata, gets software TX timestamps, and asks for a receive buffer beyond
// rmem_max (SO_RCVBUFFORCE needs CAP_NET_ADMIN; the tap falls back to SO_RCVBUF instead of failing).
//
// Hardware timestamping: the socket flags of timestamps: 'hardware' need no privilege either (the
// kernel accepts them on any socket; loopback then simply has no hardware stamp, as
// test/receive.test.ts shows). What needs CAP_NET_ADMIN is switching a NIC's timestamping on
// (SIOCSHWTSTAMP, setHwTimestampConfig): without it the error is EPERM and names CAP_NET_ADMIN; a
// device without support gives EOPNOTSUPP naming hardware timestamping.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getHwTimestampConfig, setHwTimestampConfig } from '../../src/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist/index.js');
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

function whyNotUnprivileged(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot drop to another uid (the suite itself then runs unprivileged)';
  if (spawnSync('setpriv', ['--version']).error) return "util-linux's setpriv is not installed";
  if (!fs.existsSync(DIST)) return `${DIST} is missing: run npm run build:ts (npm test does it)`;
  const probe = spawnSync('setpriv', [...NOBODY, process.execPath, '-e', `require(${JSON.stringify(path.join(ROOT, 'package.json'))})`], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return `the checkout is not readable by uid 65534 (${probe.stderr.trim().split('\n')[0]})`;
  return null;
}
const skip = whyNotUnprivileged();
if (skip) console.warn(`privileges: unprivileged child skipped: ${skip}`);

/** Runs an ES module script as uid 65534 with no capabilities; returns its last stdout line as JSON. */
function asNobody(script: string): Record<string, unknown> {
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe.skipIf(skip !== null)(`software mode without any privilege (uid 65534, no capabilities)${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  it('opens taps, receives with kernel timestamps and all metadata, gets TX timestamps, oversized rcvbuf falls back', () => {
    const out = asNobody(`
      import fs from 'node:fs';
      import { openUdp, nsToIso } from ${JSON.stringify(DIST)};
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const rmemMax = Number(fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      const out = { uid: process.getuid(), gid: process.getgid(), capEff: status.match(/CapEff:\\s*(\\S+)/)[1] };
      for (const address of ['127.0.0.1', '::1']) {
        const rx = await openUdp({ address, recvBufferSize: Math.min(rmemMax * 4, 2 ** 31 - 1) });
        const tx = await openUdp({ address });
        const sent = await tx.send('unprivileged', { address, port: rx.address().port }, { txTimestamps: 'software', ttl: 9 });
        const m = await rx.receive({ timeoutMs: 5000 });
        const txTs = await sent.tx;
        out[address] = {
          data: m.data.toString(), software: typeof m.timestamps.software, iso: nsToIso(m.timestamps.software),
          ttl: m.ttl, tos: m.tos, dst: m.dst?.address, ifName: m.ifName, readDelay: typeof m.readDelayNs,
          txSoftware: typeof txTs.software, rcvbuf: rx.recvBufferSize, rmemMax,
        };
        const hw = await openUdp({ address, timestamps: 'hardware' });
        out[address].hardwareModeOpens = hw.timestampingFlags > 0;
        for (const t of [rx, tx, hw]) t.close();
      }
      console.log(JSON.stringify(out));
    `);
    expect(out).toMatchObject({ uid: 65534, gid: 65534, capEff: '0000000000000000' });
    for (const a of ['127.0.0.1', '::1']) {
      expect(out[a]).toMatchObject({
        data: 'unprivileged',
        software: 'bigint',
        ttl: 9,
        tos: 0,
        dst: a,
        ifName: 'lo',
        readDelay: 'bigint',
        txSoftware: 'bigint',
        hardwareModeOpens: true,
      });
      const o = out[a] as { rcvbuf: number; rmemMax: number };
      // SO_RCVBUFFORCE was refused (EPERM) and SO_RCVBUF capped the request at rmem_max (doubled,
      // at most INT_MAX - 1)
      expect(o.rcvbuf).toBe(2 * Math.min(o.rmemMax, 2 ** 30 - 1));
    }
  });

  it('switching a NIC to hardware timestamping without CAP_NET_ADMIN: EPERM naming the capability', () => {
    const out = asNobody(`
      import { setHwTimestampConfig, getHwTimestampConfig } from ${JSON.stringify(DIST)};
      const tryIt = (f) => { try { return { ok: f() }; } catch (e) { return { code: e.code, message: e.message }; } };
      console.log(JSON.stringify({
        set: tryIt(() => setHwTimestampConfig('lo', { tx: 'ON', rxFilter: 'ALL' })),
        get: tryIt(() => getHwTimestampConfig('lo')),
      }));
    `);
    expect(out.set).toMatchObject({ code: 'EPERM' });
    expect((out.set as { message: string }).message).toMatch(/CAP_NET_ADMIN/);
    // reading the configuration needs no privilege: lo answers that it has no hardware timestamping
    expect(out.get).toMatchObject({ code: 'EOPNOTSUPP' });
    expect((out.get as { message: string }).message).toMatch(/does not support hardware timestamping/);
  });

  // ip_unprivileged_port_start = 0 lets everyone bind every port: then there is nothing to refuse
  const start = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  it.skipIf(start === 0)(
    start === 0
      ? 'SKIPPED (net.ipv4.ip_unprivileged_port_start is 0: every port is unprivileged): EACCES from bind'
      : 'a privileged port without CAP_NET_BIND_SERVICE: EACCES from bind, with address and port',
    () => {
      const out = asNobody(`
        import { openUdp } from ${JSON.stringify(DIST)};
        const e = await openUdp({ address: '127.0.0.1', port: ${Math.min(start - 1, 999)} }).catch((e) => e);
        console.log(JSON.stringify({ code: e.code, syscall: e.syscall, address: e.address, port: e.port }));
      `);
      expect(out).toEqual({ code: 'EACCES', syscall: 'bind', address: '127.0.0.1', port: Math.min(start - 1, 999) });
    },
  );
});

describe('hardware timestamping on a device without it', () => {
  const isRoot = process.getuid?.() === 0;
  it('reading the config: EOPNOTSUPP naming the missing feature, whoever asks', () => {
    expect(() => getHwTimestampConfig('lo')).toThrow(
      expect.objectContaining({ code: 'EOPNOTSUPP', syscall: 'ioctl(SIOCGHWTSTAMP)', message: expect.stringMatching(/does not support hardware timestamping/) }),
    );
  });

  // as root the driver answers (EOPNOTSUPP); unprivileged the capability check comes first (EPERM,
  // covered for uid 65534 above)
  it(isRoot ? 'setting it as root: EOPNOTSUPP naming the missing feature' : 'setting it unprivileged: EPERM naming CAP_NET_ADMIN', () => {
    expect(() => setHwTimestampConfig('lo', { tx: 'ON', rxFilter: 'ALL' })).toThrow(
      isRoot
        ? expect.objectContaining({ code: 'EOPNOTSUPP', syscall: 'ioctl(SIOCSHWTSTAMP)', message: expect.stringMatching(/does not support hardware timestamping/) })
        : expect.objectContaining({ code: 'EPERM', syscall: 'ioctl(SIOCSHWTSTAMP)', message: expect.stringMatching(/CAP_NET_ADMIN/) }),
    );
  });
});
