// `disptap ntp` through the real executable: bad input, a crafted capture with every pairing edge
// case, and live bound taps and a passive capture through the common Session (requests and
// responses from two peers each for two servers; -f leaves one out, -w, --metrics while running).
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeNtp, ntpTimestampFromNs } from '../../src/decode/index.js';
import { run, sleep, start, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { TSHARK, tsharkFields } from '../pcapng/helpers/tshark.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-ntp-cli-'));
const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A classic nanosecond pcap of raw IPv4/UDP packets, written here (checksums left 0). */
function pcap(file: string, pkts: Array<{ t: bigint; src: string; sport: number; dst: string; dport: number; payload: Uint8Array }>): string {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b23c4d, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(65535, 16);
  gh.writeUInt32LE(101, 20);
  parts.push(gh);
  for (const p of pkts) {
    const ip = Buffer.alloc(28 + p.payload.length);
    ip[0] = 0x45;
    ip.writeUInt16BE(ip.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from(p.src.split('.').map(Number)).copy(ip, 12);
    Buffer.from(p.dst.split('.').map(Number)).copy(ip, 16);
    ip.writeUInt16BE(p.sport, 20);
    ip.writeUInt16BE(p.dport, 22);
    ip.writeUInt16BE(8 + p.payload.length, 24);
    Buffer.from(p.payload).copy(ip, 28);
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(Number(p.t / 1_000_000_000n), 0);
    rh.writeUInt32LE(Number(p.t % 1_000_000_000n), 4);
    rh.writeUInt32LE(ip.length, 8);
    rh.writeUInt32LE(ip.length, 12);
    parts.push(rh, ip);
  }
  const f = path.join(dir, file);
  fs.writeFileSync(f, Buffer.concat(parts));
  return f;
}

const T = 1_790_000_000_000_000_000n;
const raw = (ns: bigint) => ({ raw: ntpTimestampFromNs(ns) });
const C = { src: '192.0.2.1', sport: 40000, dst: '192.0.2.2', dport: 123 };
const S = { src: '192.0.2.2', sport: 123, dst: '192.0.2.1', dport: 40000 };
const q = (t: bigint, cookie: bigint) => ({ t, ...C, payload: encodeNtp({ mode: 3, transmitTimestamp: { raw: cookie } }) });
const r = (t: bigint, org: bigint, extra: Record<string, unknown> = {}) => ({
  t, ...S, payload: encodeNtp({ mode: 4, stratum: 1, referenceId: 'LOCL', originTimestamp: { raw: org }, receiveTimestamp: raw(t - 30_000n), transmitTimestamp: raw(t - 20_000n), ...extra }),
});

describe('disptap ntp (CLI)', () => {
  it('refuses bad usage and unreadable input with a one-line reason', async () => {
    const none = await run(['ntp']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^disptap ntp: give a capture file/m);
    expect((await run(['ntp', '--point', 'nofile'])).code).toBe(2);
    expect((await run(['ntp', 'x.pcap', '--bind', '127.0.0.1:0'])).code).toBe(2);
    const missing = await run(['ntp', path.join(dir, 'missing.pcap')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    const junk = path.join(dir, 'junk.txt');
    fs.writeFileSync(junk, 'hello, not a capture');
    expect((await run(['ntp', junk])).stderr).toMatch(/not a pcapng or pcap capture/);
    const badLog = await run(['ntp', pcap('one.pcap', [q(T, 1n)]), '--chrony-log', junk]);
    expect(badLog.code).toBe(1);
    expect(badLog.stderr).toMatch(/no measurements/);
  });

  it('shows every edge case unpaired and counted, and pairs only what belongs together', async () => {
    const f = pcap('edge.pcap', [
      r(T - 1000n, 0x99n), // response before any request, never answered: unmatched
      q(T, 0x10n),
      q(T + 10n, 0x10n), // duplicate request
      r(T + 100_000n, 0x10n),
      r(T + 100_000n, 0x10n), // duplicate response
      q(T + 1_000_000n, 0x20n),
      r(T + 1_100_000n, 0x20n, { stratum: 0, leap: 3, referenceId: 'RATE' }), // KoD
      r(T + 1_200_000n, 0n), // zero origin
      q(T + 2_000_000n, 0x30n), // never answered
      { t: T + 3_000_000n, ...C, payload: encodeNtp({ mode: 1, transmitTimestamp: raw(T) }) }, // symmetric active
    ]);
    const j = await run(['ntp', f, '--json']);
    expect(j.code, j.stderr).toBe(0);
    // Every record, each kind of unpaired one included, has the common envelope and its schema.
    expect(j.stdout.trim().split('\n')).toHaveLength(j.records.length);
    expectValidRecords(j.records);
    expect(j.records.map((x) => x.type)).toContain('unpaired');
    for (const x of j.records) expect(x).toMatchObject({ v: 1, host: os.hostname() });
    const xs = j.records.filter((x) => x.type === 'exchange');
    expect(xs).toHaveLength(1);
    expect(xs[0]!.time).toBe('2026-09-21T14:13:20.000100000Z'); // T4
    expect(xs[0]).toMatchObject({ client: '192.0.2.1:40000', server: '192.0.2.2:123', t1Ns: String(T), t4Ns: String(T + 100_000n), requestFrame: 2, responseFrame: 4 });
    const reasons = j.records.filter((x) => x.type === 'unpaired').map((x) => x.reason).sort();
    expect(reasons).toEqual(['duplicate-request', 'duplicate-response', 'kiss-o-death', 'symmetric', 'unanswered-request', 'unmatched-response', 'zero-origin']);
    const sum = j.records.at(-1) as Json;
    expect(sum).toMatchObject({ type: 'summary', exchanges: 1, unpaired: { 'kiss-o-death': 1, 'unmatched-response': 1 } });
    const text = await run(['ntp', f]);
    expect(text.stdout).toMatch(/unpaired: kiss-o-death RATE/);
    expect(text.stdout).toMatch(/192\.0\.2\.1:40000 > 192\.0\.2\.2:123 B {2}offset [+-]\d+\.\d{3} µs {2}delay \d+\.\d{3} µs {2}T1 kernel T4 kernel/);
    expect(text.stderr).toMatch(/^1 exchanges \(0 interleaved\) from 10 NTP packets$/m);
    expect(text.stderr).toMatch(/unpaired: .*1 kiss-o-death/);
  });

  it('-c stops after n exchanges', async () => {
    const f = pcap('many.pcap', [q(T, 1n), r(T + 50_000n, 1n), q(T + 1n * 10n ** 9n, 2n), r(T + 10n ** 9n + 50_000n, 2n)]);
    const j = await run(['ntp', f, '--json', '-c', '1']);
    expect(j.records.filter((x) => x.type === 'exchange')).toHaveLength(1);
  });

  it("a `disptap relay -w` capture: request and response seen on the relay's two sockets pair by content", async () => {
    const srv = dgram.createSocket('udp4');
    const cl = dgram.createSocket('udp4');
    sockets.push(srv, cl);
    srv.on('message', (m, rinfo) => {
      const now = BigInt(Date.now()) * 1_000_000n;
      srv.send(encodeNtp({ mode: 4, stratum: 1, originTimestamp: { raw: m.readBigUInt64BE(40) }, receiveTimestamp: now, transmitTimestamp: now + 1000n }), rinfo.port, rinfo.address);
    });
    await new Promise<void>((res) => srv.bind(0, '127.0.0.1', () => res()));
    await new Promise<void>((res) => cl.bind(0, '127.0.0.1', () => res()));
    const cap = path.join(dir, 'relay.pcapng');
    const relay = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${srv.address().port}`, '-w', cap, '--json']);
    const l = await relay.waitFor((x) => x.type === 'listening', 10_000, 'listening');
    const port = (l.sockets as Json[])[0]!.port as number;
    for (let i = 0; i < 3; i++) {
      cl.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: 0x5000n + BigInt(i) } }), port, '127.0.0.1');
      await new Promise((res) => setTimeout(res, 150));
    }
    await new Promise((res) => setTimeout(res, 300));
    relay.kill('SIGINT');
    await relay.exited(10_000);
    const j = await run(['ntp', cap, '--json']);
    expectValidRecords(j.records);
    const xs = j.records.filter((x) => x.type === 'exchange');
    expect(xs).toHaveLength(3);
    for (const x of xs) expect(x).toMatchObject({ client: `127.0.0.1:${cl.address().port}`, server: `127.0.0.1:${srv.address().port}` });
  });

  it('bound taps: a request from the client and the response from the server pair by content; --metrics has the histograms', async () => {
    const p = start(['ntp', '--bind', '127.0.0.1:0', '--json', '--metrics', '127.0.0.1:0', '-d', '20s']);
    // The Session's listening record (as watch and relay): the bound port and the metrics address.
    const l = await p.waitFor((x) => x.type === 'listening', 10_000, 'listening');
    expect(l).toMatchObject({ command: 'ntp' });
    const metrics = l.metrics as string;
    const port = (l.sockets as Json[])[0]!.port as number;
    const client = dgram.createSocket('udp4');
    const server = dgram.createSocket('udp4');
    sockets.push(client, server);
    const cookie = 0x0123456789abcdefn;
    const now = BigInt(Date.now()) * 1_000_000n;
    client.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: cookie } }), port, '127.0.0.1');
    await new Promise((res) => setTimeout(res, 100));
    server.send(encodeNtp({ mode: 4, stratum: 1, originTimestamp: { raw: cookie }, receiveTimestamp: now, transmitTimestamp: now + 1000n }), port, '127.0.0.1');
    const x = await p.waitFor((rec) => rec.type === 'exchange', 10_000, 'an exchange');
    expect(x.sources).toEqual({ t1: 'kernel', t2: 'packet', t3: 'packet', t4: 'kernel' });
    expect(BigInt(x.t4Ns as string) - BigInt(x.t1Ns as string)).toBeGreaterThan(50_000_000n);
    expect(x.server).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(x.server).toBe(`127.0.0.1:${server.address().port}`);
    const text = await (await fetch(`http://${metrics}/metrics`)).text();
    expect(text).toMatch(/disptap_ntp_delay_seconds_count\{point=""\} 1/);
    expect(text).toMatch(/disptap_ntp_offset_seconds_bucket/);
    p.kill('SIGINT');
    expect(await p.exited(10_000)).toBe(0);
    expect(p.records.at(-1)).toMatchObject({ type: 'summary', command: 'ntp', exchanges: 1 });
    expectValidRecords(p.records);
  });

  it('--bind through the Session: -f leaves one server out of pairing (still counted), -w keeps what it took, --metrics while running', async () => {
    const cap = path.join(dir, 'bind.pcapng');
    const p = start(['ntp', '--bind', '127.0.0.1:0', '--json', '-f', 'not host 127.0.0.2', '-w', cap, '--metrics', '127.0.0.1:0', '-d', '20s']);
    const l = await p.waitFor((x) => x.type === 'listening', 10_000, 'listening');
    expect(l).toMatchObject({ command: 'ntp', write: cap, filter: ['not host 127.0.0.2'] });
    const port = (l.sockets as Json[])[0]!.port as number;
    // Server 1 and its client on 127.0.0.1; server 2 and its client on 127.0.0.2, which -f excludes.
    const [c1, s1, c2, s2] = await Promise.all(['127.0.0.1', '127.0.0.1', '127.0.0.2', '127.0.0.2'].map((a) => udp(a)));
    for (let i = 0; i < 3; i++) {
      for (const [c, srv, cookie] of [[c1, s1, 0x1000n + BigInt(i)], [c2, s2, 0x2000n + BigInt(i)]] as const) {
        const now = BigInt(Date.now()) * 1_000_000n;
        c.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: cookie } }), port, '127.0.0.1');
        await sleep(20);
        srv.send(encodeNtp({ mode: 4, stratum: 1, originTimestamp: { raw: cookie }, receiveTimestamp: now, transmitTimestamp: now + 1000n }), port, '127.0.0.1');
      }
    }
    await p.waitFor(() => p.records.filter((x) => x.type === 'exchange').length >= 3, 10_000, 'three exchanges');
    const text = await scrape(l.metrics as string, (t) => sumOf(t, 'disptap_packets_total') >= 12);
    expect(text).toMatch(/disptap_ntp_delay_seconds_count\{point=""\} 3/); // the paired ones
    expect(sumOf(text, 'disptap_packets_total')).toBe(12); // every datagram, -f or not
    p.kill('SIGINT');
    expect(await p.exited(10_000)).toBe(0);
    expectValidRecords(p.records);
    const xs = p.records.filter((x) => x.type === 'exchange');
    expect(xs.map((x) => x.server).sort()).toEqual([0, 1, 2].map(() => `127.0.0.1:${s1.address().port}`));
    expect(p.records.filter((x) => x.type === 'unpaired')).toEqual([]); // server 2's datagrams never reached the pairer
    const sum = p.records.at(-1)!;
    expect(sum).toMatchObject({ type: 'summary', command: 'ntp', reason: 'signal', exchanges: 3, records: 6, packets: 12, matched: 6, write: { path: cap, packets: 6, errors: 0 } });
    expect(sum.sockets).toMatchObject([{ bind: `127.0.0.1:${port}`, packets: 12 }]);
    if (TSHARK) {
      const rows = tsharkFields(cap, ['ip.src', 'udp.dstport']);
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => r[0] === '127.0.0.1' && Number(r[1]) === port)).toBe(true);
    }
    // The capture reads back into the same exchanges (bound taps: pairs by content).
    const back = await run(['ntp', cap, '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.records.filter((x) => x.type === 'exchange').map((x) => x.requestTransmit)).toEqual(xs.map((x) => x.requestTransmit));
  }, 30_000);

  it('--bind -q in text mode: no line per exchange; the summary has the ntp lines, then the counters and what -f passed', async () => {
    const p = start(['ntp', '--bind', '127.0.0.1:0', '-q', '-f', 'not host 127.0.0.2', '-d', '20s']);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(await p.waitForStderr(/listening on 127\.0\.0\.1:\d+/))![1]);
    const [c1, c2] = await Promise.all([udp('127.0.0.1'), udp('127.0.0.2')]);
    c1.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: 7n } }), port, '127.0.0.1');
    c2.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: 8n } }), port, '127.0.0.1');
    await sleep(300);
    p.kill('SIGTERM');
    expect(await p.exited(10_000)).toBe(0);
    expect(p.stdout()).toBe('');
    expect(p.stderr()).toMatch(/^0 exchanges \(0 interleaved\) from 1 NTP packets\nunpaired: 1 unanswered-request\n2 packets, .*\nfilter: 1 of 2 datagrams passed -f and took part in pairing\n/m);
  }, 20_000);

  it.skipIf(process.getuid?.() !== 0)('--passive through the Session: -f leaves one server out (still counted), -w as captured, --metrics while running', async () => {
    const [s1, s2] = await Promise.all([ntpResponder('127.0.0.1'), ntpResponder('127.0.0.2')]);
    const [p1, p2] = [s1.address().port, s2.address().port];
    const cap = path.join(dir, 'passive.pcapng');
    const p = start(['ntp', '--passive', '--iface', 'lo', '--port', String(p1), '--port', String(p2), '--json', '-f', 'not host 127.0.0.2', '-w', cap, '--metrics', '127.0.0.1:0', '-d', '20s']);
    const l = await p.waitFor((x) => x.type === 'listening', 10_000, 'listening');
    expect(l).toMatchObject({ command: 'ntp', sockets: [], passive: { iface: 'lo', ports: [String(p1), String(p2)], direction: 'both' }, write: cap });
    const client = await udp('127.0.0.1');
    for (let i = 0; i < 3; i++) {
      client.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: 0x3000n + BigInt(i) } }), p1, '127.0.0.1');
      client.send(encodeNtp({ mode: 3, transmitTimestamp: { raw: 0x4000n + BigInt(i) } }), p2, '127.0.0.2');
      await sleep(100);
    }
    await p.waitFor(() => p.records.filter((x) => x.type === 'exchange').length >= 3, 10_000, 'three exchanges');
    // lo shows each datagram twice (out, then in): 6 exchanges × 2 datagrams × 2 copies.
    const text = await scrape(l.metrics as string, (t) => sumOf(t, 'disptap_packets_total') >= 24);
    expect(text).toMatch(/disptap_ntp_delay_seconds_count\{point=""\} 3/);
    expect(sumOf(text, 'disptap_packets_total')).toBe(24);
    p.kill('SIGINT');
    expect(await p.exited(10_000)).toBe(0);
    expectValidRecords(p.records);
    const xs = p.records.filter((x) => x.type === 'exchange');
    expect(xs).toHaveLength(3);
    for (const x of xs) expect(x).toMatchObject({ server: `127.0.0.1:${p1}`, client: `127.0.0.1:${client.address().port}`, t1Copy: 'out', t4Copy: 'in' });
    expect(p.records.filter((x) => x.type === 'unpaired')).toEqual([]);
    const sum = p.records.at(-1)!;
    expect(sum).toMatchObject({ type: 'summary', command: 'ntp', reason: 'signal', exchanges: 3, records: 12, packets: 24, matched: 12, write: { path: cap, packets: 12, errors: 0 } });
    expect((sum.capture as Json).packets).toBeGreaterThanOrEqual(24);
    if (TSHARK) {
      const rows = tsharkFields(cap, ['ip.src', 'ip.dst', 'frame.packet_flags_direction']);
      expect(rows).toHaveLength(12);
      expect(rows.every((r) => r[0] === '127.0.0.1' && r[1] === '127.0.0.1')).toBe(true);
    }
    const back = await run(['ntp', cap, '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.records.filter((x) => x.type === 'exchange').map((x) => x.requestTransmit).sort()).toEqual(xs.map((x) => x.requestTransmit).sort());
  }, 30_000);
});

/** A UDP socket bound on `address` (any port), closed after the test. */
async function udp(address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((res) => s.bind(0, address, () => res()));
  return s;
}

/** An NTP server on `address`: answers every request at once (origin = the request's transmit). */
async function ntpResponder(address: string): Promise<dgram.Socket> {
  const s = await udp(address);
  s.on('message', (m, r) => {
    if (m.length < 48) return;
    const now = BigInt(Date.now()) * 1_000_000n;
    s.send(encodeNtp({ mode: 4, stratum: 1, originTimestamp: { raw: m.readBigUInt64BE(40) }, receiveTimestamp: now, transmitTimestamp: now + 1000n }), r.port, r.address);
  });
  return s;
}

/** The sum of a counter's samples over all its labels. */
function sumOf(text: string, name: string): number {
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

/** Scrapes /metrics until `ready` (bounded): datagrams may still be on their way. */
async function scrape(address: string, ready: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 50; i++) {
    text = await (await fetch(`http://${address}/metrics`)).text();
    if (ready(text)) break;
    await sleep(100);
  }
  return text;
}

