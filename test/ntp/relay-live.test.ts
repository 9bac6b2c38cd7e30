// `disptap ntp --listen … --to …`: the relay of `disptap relay`, its NTP exchanges paired live.
// A real NTP client and server over loopback talk through it; tcpdump's nanosecond pcap of lo
// (incoming copies: the same skb stamp the relay's sockets get) is the outside judge of every
// exchange, to the ns. The server answers some requests late in two ways — holding the request
// before it stamps T3 (the target is slow: T3 − T2 grows, δ does not) and holding the stamped
// response (the path back is slow: δ grows and θ drops by half) — and each must show up there.
import { spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clock } from '../../src/index.js';
import { encodeNtp, ntpTimestampFromNs } from '../../src/decode/index.js';
import { run, sleep, start, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { startTcpdump } from './helpers/chrony.js';
import { ntpAt, ntpNs, readPcapUdp, ref } from './helpers/pcap.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-ntp-relay-'));
const sockets: dgram.Socket[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function canTcpdump(): string | null {
  if (process.getuid?.() !== 0) return 'not root: tcpdump needs CAP_NET_RAW';
  if (spawnSync('sh', ['-c', 'command -v tcpdump']).status !== 0) return 'tcpdump is not installed';
  return null;
}

/** tcpdump on lo, incoming copies only, nanosecond stamps; resolves when it listens. */
function tcpdumpLo(file: string, filter: string): Promise<ChildProcess> {
  return startTcpdump(['tcpdump'], ['-i', 'lo', '-Q', 'in', '-w', file, ...filter.split(' ')], children);
}

/** Waits `ms` in full (Node timers may fire early by the loop's cached time). */
const hold = (ms: number) =>
  new Promise<void>((resolve) => {
    const t0 = process.hrtime.bigint();
    const f = () => (process.hrtime.bigint() - t0 < BigInt(ms) * 1_000_000n ? setImmediate(f) : resolve());
    setTimeout(f, ms);
  });

// Large against what the relay and a loaded ASan build add to a prompt exchange (51 ms seen in CI)
const D_MS = 400;
const D = BigInt(D_MS) * 1_000_000n;
type Kind = 'prompt' | 'late-target' | 'late-path';
const KINDS: Kind[] = ['prompt', 'late-target', 'late-path', 'prompt', 'late-target', 'late-path'];

/**
 * An NTP server: T2 when the request is read, T3 just before sending (like chrony in basic mode).
 * late-target: the request waits D before T3 is read (the server is slow; T3 − T2 says so).
 * late-path: T2 and T3 are read at once and the stamped response waits D (as if the path back were slow).
 */
async function ntpServer(kindOf: (cookie: bigint) => Kind): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  s.on('message', (m, r) => {
    const t2 = clock.realtimeNs();
    if (m.length < 48) return;
    const cookie = m.readBigUInt64BE(40);
    const kind = kindOf(cookie);
    void (async () => {
      if (kind === 'late-target') await hold(D_MS);
      const t3 = clock.realtimeNs();
      const resp = encodeNtp({ mode: 4, stratum: 1, referenceId: 'LOCL', originTimestamp: { raw: cookie }, receiveTimestamp: { raw: ntpTimestampFromNs(t2) }, transmitTimestamp: { raw: ntpTimestampFromNs(t3) } });
      if (kind === 'late-path') await hold(D_MS);
      s.send(resp, r.port, r.address);
    })();
  });
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  return s;
}

const skip = canTcpdump();

describe.skipIf(skip !== null)(`disptap ntp --listen: live exchanges through the relay${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("pairs every exchange it forwards, equal to tcpdump's stamps on lo to the ns; a late target and a late path land in T3 − T2 and in δ", async () => {
    const cookies = KINDS.map(() => randomBytes(8).readBigUInt64BE(0) | 1n); // chrony-style random transmit cookies
    const kindOf = (c: bigint) => KINDS[cookies.indexOf(c)] ?? 'prompt';
    const server = await ntpServer(kindOf);
    const sport = server.address().port;
    const cap = path.join(dir, 'relay.pcapng');
    const p = start(['ntp', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${sport}`, '--json', '-w', cap, '--metrics', '127.0.0.1:0', '-d', '30s']);
    const l = await p.waitFor((x) => x.type === 'listening', 10_000, 'listening');
    const lport = (l.sockets as Json[])[0]!.port as number;
    expect(l).toMatchObject({ command: 'ntp', target: `127.0.0.1:${sport}` });
    const pcap = path.join(dir, 'lo.pcap');
    await tcpdumpLo(pcap, `udp and (port ${lport} or port ${sport})`);

    const client = dgram.createSocket('udp4');
    sockets.push(client);
    const answered = new Set<bigint>();
    client.on('message', (m) => answered.add(m.readBigUInt64BE(24)));
    await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
    for (const c of cookies) {
      client.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: c } }), lport, '127.0.0.1');
      await sleep(150);
    }
    await p.waitFor(() => p.records.filter((x) => x.type === 'exchange').length >= cookies.length, 10_000, 'all exchanges');
    expect([...answered].sort()).toEqual([...cookies].sort()); // the relay forwarded both ways
    const metrics = await (await fetch(`http://${l.metrics as string}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`disptap_ntp_delay_seconds_count\\{point="relay"\\} ${cookies.length}`));
    expect(metrics).toMatch(/disptap_relay_clients\{/);
    await sleep(200);
    p.kill('SIGINT');
    expect(await p.exited(10_000)).toBe(0);
    const td = children.at(-1)!;
    td.kill('SIGTERM');
    await new Promise((r) => td.once('exit', r));

    expectValidRecords(p.records);
    const xs = p.records.filter((x) => x.type === 'exchange');
    expect(xs).toHaveLength(cookies.length);
    expect(p.records.filter((x) => x.type === 'unpaired')).toEqual([]);
    const sum = p.records.at(-1)!;
    expect(sum).toMatchObject({
      type: 'summary', command: 'ntp', exchanges: cookies.length,
      relay: { listen: `127.0.0.1:${lport}`, target: `127.0.0.1:${sport}`, t1: 'listen-rx', t4: 'upstream-rx', clients: 1, forwarded: cookies.length, replies: cookies.length },
      write: { path: cap, packets: 2 * cookies.length },
    });

    // The judge: tcpdump's incoming copies on lo. T1 = the request reaching the listen port,
    // T4 = the response reaching the relay's upstream socket (from the server's port).
    const pkts = readPcapUdp(pcap);
    const t1 = new Map<bigint, bigint>();
    const resp = new Map<bigint, { ts: bigint; rec: bigint; xmt: bigint }>();
    for (const k of pkts) {
      const n = ntpAt(k.payload);
      if (n.mode === 3 && k.dport === lport) t1.set(n.xmt, k.tsNs);
      if (n.mode === 4 && k.sport === sport) resp.set(n.org, { ts: k.tsNs, rec: n.rec, xmt: n.xmt });
    }
    for (const [i, c] of cookies.entries()) {
      const x = xs.find((e) => e.requestTransmit === c.toString(16).padStart(16, '0'));
      expect(x, `exchange ${i}`).toBeDefined();
      const r = resp.get(c)!;
      const want = ref(t1.get(c)!, ntpNs(r.rec), ntpNs(r.xmt), r.ts, false);
      expect([x!.t1Ns, x!.t2Ns, x!.t3Ns, x!.t4Ns, x!.offsetNs, x!.delayNs]).toEqual([want.t1, want.t2, want.t3, want.t4, want.offset, want.delay].map(String));
      expect(x).toMatchObject({ point: 'relay', mode: 'basic', client: `127.0.0.1:${client.address().port}`, server: `127.0.0.1:${sport}`, sources: { t1: 'kernel', t4: 'kernel' } });
      // Where the injected delay shows up.
      const held = want.t3 - want.t2;
      const kind = KINDS[i];
      if (kind === 'late-target') {
        expect(held).toBeGreaterThanOrEqual(D);
        expect(want.delay).toBeLessThan(D / 2n);
        expect(want.t4 - want.t1).toBeGreaterThanOrEqual(D);
      } else if (kind === 'late-path') {
        expect(held).toBeLessThan(D / 2n);
        expect(want.delay).toBeGreaterThanOrEqual(D);
        expect(want.offset).toBeLessThan(-D / 4n); // ≈ −D/2: the response's extra time counts as the server being behind
      } else {
        expect(want.delay).toBeLessThan(D / 2n);
        expect(held).toBeLessThan(D / 2n);
      }
    }

    // The relay's own capture gives the same exchanges (it holds the same RX stamps).
    const file = await run(['ntp', cap, '--json']);
    expect(file.code, file.stderr).toBe(0);
    expectValidRecords(file.records);
    const key = (e: Json) => [e.requestTransmit, e.t1Ns, e.t2Ns, e.t3Ns, e.t4Ns].join(' ');
    expect(file.records.filter((x) => x.type === 'exchange').map(key).sort()).toEqual(xs.map(key).sort());
  }, 40_000);

  it('text mode says what a relay exchange means, -c stops it, and the relay keeps forwarding what is not NTP', async () => {
    const server = await ntpServer(() => 'prompt');
    const sport = server.address().port;
    const p = start(['ntp', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${sport}`, '-c', '2']);
    const line = await p.waitForStderr(/relay 127\.0\.0\.1:\d+ → \S+; exchanges as the relay sees them: T1 = [^\n]*listen socket[^\n]*T4 = [^\n]*upstream socket/);
    const lport = Number(/relay 127\.0\.0\.1:(\d+)/.exec(line)![1]);
    const client = dgram.createSocket('udp4');
    sockets.push(client);
    await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
    client.send('not ntp', lport, '127.0.0.1');
    for (let i = 1; i <= 3; i++) {
      client.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: BigInt(i) << 40n } }), lport, '127.0.0.1');
      await sleep(100);
    }
    expect(await p.exited(10_000)).toBe(0);
    const lines = p.stdout().trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const x of lines) expect(x).toMatch(new RegExp(`\\[relay\\] 127\\.0\\.0\\.1:${client.address().port} > 127\\.0\\.0\\.1:${sport} B {2}offset [+-]\\d+\\.\\d{3} µs {2}delay \\d+\\.\\d{3} µs {2}T1 kernel/in T4 kernel/in`));
    expect(p.stderr()).toMatch(/^2 exchanges \(0 interleaved\)/m);
    expect(p.stderr()).toMatch(/^relay: 1 clients, [34] forwarded to the target/m);
  }, 20_000);

  it('refuses half a relay and mixed sources', async () => {
    expect((await run(['ntp', '--listen', '127.0.0.1:0'])).stderr).toMatch(/--to is required/);
    expect((await run(['ntp', '--to', '127.0.0.1:123'])).code).toBe(2);
    expect((await run(['ntp', '--listen', '127.0.0.1:0', '--to', '127.0.0.1:123', '--bind', '127.0.0.1:0'])).code).toBe(2);
    expect((await run(['ntp', path.join(dir, 'x.pcap'), '-w', path.join(dir, 'x.pcapng')])).stderr).toMatch(/--write keeps live traffic/);
    expect((await run(['ntp', '--listen', '127.0.0.1:0', '--to', '0.0.0.0:123'])).stderr).toMatch(/concrete address/);
  });
});
