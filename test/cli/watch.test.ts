// disptap watch, run as a process: NDJSON against real traffic, stopping rules, filters,
// truncation and kernel drops, colour rules, signals, usage errors, many sockets in one process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, listening, ofType, run, sleep, start, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { brokenScion, scionBfd, scionNtp, scionUdp, scmpEcho, sender } from './helpers/traffic.js';

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const packets = (p: { records: Json[] }) => ofType(p, 'packet');

describe('watch --json', () => {
  it('prints one record per datagram with the kernel metadata and the decoded layers, on both families', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--bind', '[::1]:0', '--json']);
    const [s4, s6] = await listening(w);
    expect(s4!.port).toBeGreaterThan(0);
    expect(s6!.address).toBe('::1');
    const before = nowNs();
    const t4 = await sender(4);
    const t6 = await sender(6);
    await t4.send('hello v4', { address: '127.0.0.1', port: s4!.port }, { ttl: 42, tos: 0x10 });
    await t6.send(scionNtp(), { address: '::1', port: s6!.port }, { ttl: 7, tos: 0xb8 });
    await t4.send(scmpEcho(3), { address: '127.0.0.1', port: s4!.port });
    await t6.send(scionBfd(), { address: '::1', port: s6!.port });
    await w.waitFor(() => packets(w).length === 4, 10_000, '4 packet records');
    const after = nowNs();
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
    const [a, b, c, d] = packets(w).sort((x, y) => (x.seq as number) - (y.seq as number)) as Json[];
    // v4 plain payload
    const byPayload = (r: Json) => r.layer as string;
    const all = [a!, b!, c!, d!];
    const plain = all.find((r) => byPayload(r) === 'Payload')!;
    expect(plain).toMatchObject({
      bind: s4!.bind,
      direction: 'in',
      src: { address: '127.0.0.1', port: t4.address().port },
      dst: { address: '127.0.0.1', port: s4!.port },
      ifName: 'lo',
      ttl: 42,
      tos: 0x10,
      length: 8,
      captured: 8,
      truncated: false,
      tsSource: 'software',
      dropsDelta: 0,
    });
    const ts = BigInt(plain.tsNs as string);
    expect(ts >= before - 1_000_000n && ts <= after + 1_000_000n).toBe(true);
    // read delay is exactly readAt − the software RX stamp, and the ISO time is the same instant
    expect(BigInt(plain.readDelayNs as string)).toBe(BigInt(plain.readAtNs as string) - BigInt(plain.swTsNs as string));
    expect(plain.time).toBe(new Date(Number(ts / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, `.${(ts % 1_000_000_000n).toString().padStart(9, '0')}Z`));
    // NTP in SCION on IPv6
    const ntp = all.find((r) => r.layer === 'SCION/UDP/NTP')!;
    expect(ntp).toMatchObject({ bind: s6!.bind, ttl: 7, tos: 0xb8, srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', layers: ['SCION', 'UDP', 'NTP'] });
    expect(ntp.summary).toMatch(/NTPv4 Client/);
    expect((ntp.decoded as Json).layer).toBe('scion');
    expect(all.find((r) => r.layer === 'SCION/SCMP')!.dstIA).toBe('2-ff00:0:220');
    expect(all.find((r) => r.layer === 'SCION/BFD')).toBeDefined();
    const summary = w.records.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', command: 'watch', reason: 'signal', packets: 4, matched: 4, drops: 0, truncations: 0, decodeErrors: 0 });
    expect((summary.readDelay as Json).count).toBe(4);
    expect((summary.sockets as Json[]).map((s) => [s.bind, s.packets])).toEqual([[s4!.bind, 2], [s6!.bind, 2]]);
    expectValidRecords(w.records);
  });

  it('--count stops after n shown datagrams; --duration stops on time; both exit 0 with the summary', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--count', '3']);
    const [s] = await listening(w);
    const t = await sender(4);
    for (let i = 0; i < 5; i++) await t.send(`n${i}`, { address: '127.0.0.1', port: s!.port });
    expect(await w.exited()).toBe(0);
    expect(packets(w)).toHaveLength(3);
    expect(w.records.at(-1)).toMatchObject({ type: 'summary', reason: 'count', matched: 3 });

    const started = Date.now();
    const r = await run(['watch', '--bind', '127.0.0.1:0', '--json', '--duration', '300ms']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.records.at(-1)).toMatchObject({ type: 'summary', reason: 'duration', packets: 0 });
    expectValidRecords([...w.records, ...r.records]);
  });

  it('--filter by layer, port and IA; the summary still counts everything received', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--filter', 'layer scion and not layer scmp', '--filter', 'ia 1-ff00:0:111 or port 123']);
    const [s] = await listening(w);
    const t = await sender(4);
    const to = { address: '127.0.0.1', port: s!.port };
    await t.send('plain', to); // not SCION
    await t.send(scmpEcho(1), to); // SCMP: excluded
    await t.send(scionUdp('to 111'), to); // SCION/UDP to 1-ff00:0:111: shown
    await t.send(scionUdp('to 112', { dstIA: '1-ff00:0:112' }), to); // other IA, port 31001: hidden
    await t.send(scionUdp('ntp port', { dstIA: '1-ff00:0:112', dstPort: 123 }), to); // inner port 123: shown
    await t.send('last', to);
    await eventually(() => packets(w).length >= 2, 5000, 'two shown packets');
    await sleep(200);
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
    expect(packets(w).map((r) => [r.layer, r.dstIA])).toEqual([
      ['SCION/UDP', '1-ff00:0:111'],
      ['SCION/UDP/NTP', '1-ff00:0:112'], // port 123 inside SCION says NTP
    ]);
    expect(w.records.at(-1)).toMatchObject({ type: 'summary', packets: 6, matched: 2 });
  });

  it('--filter over whole receive batches: the matches in order in the records and the pcapng (tshark), --count cuts inside a batch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-filter-'));
    try {
      for (const count of [undefined, 301]) {
        const cap = path.join(dir, `f${count ?? ''}.pcapng`);
        const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '-f', 'ia 1-ff00:0:111', '--write', cap, ...(count ? ['--count', String(count)] : [])]);
        const [s] = await listening(w);
        const t = await sender(4);
        const to = { address: '127.0.0.1', port: s!.port };
        // Frozen, the tool finds the 2000 datagrams queued and reads them in big rounds.
        w.child.kill('SIGSTOP');
        for (let i = 0; i < 2000; i++) await t.send(scionUdp(`n${i}`, { dstIA: i % 3 === 0 ? '1-ff00:0:111' : '1-ff00:0:112' }), to);
        w.child.kill('SIGCONT');
        const want = count ?? 667;
        await w.waitFor(() => packets(w).length >= want, 10_000, `${want} packets`);
        if (!count) {
          await sleep(200);
          w.kill('SIGINT');
        }
        expect(await w.exited()).toBe(0);
        const shown = packets(w);
        expect(shown.map((r) => Buffer.from(((r.decoded as Json).l4 as Json).payload as string, 'hex').toString())).toEqual(
          Array.from({ length: want }, (_, k) => `n${3 * k}`),
        );
        expect(shown.map((r) => r.frame)).toEqual(Array.from({ length: want }, (_, k) => k + 1));
        expect(w.records.at(-1)).toMatchObject({ type: 'summary', matched: want, write: { packets: want, errors: 0 } });
        if (!count) expect(w.records.at(-1)).toMatchObject({ packets: 2000 });
        const r = spawnSync('tshark', ['-r', cap, '-T', 'fields', '-e', 'udp.payload'], { encoding: 'utf8', maxBuffer: 1 << 26 });
        expect(r.status, r.stderr).toBe(0);
        const udp = r.stdout.split('\n').filter((l) => l !== '');
        expect(udp).toHaveLength(want);
        // Every captured datagram is a SCION packet to 1-ff00:0:111 (bytes 12..19 of the SCION header: the destination ISD-AS).
        expect(udp.every((hex) => Buffer.from(hex.replace(/:/g, ''), 'hex').readBigUInt64BE(12) === 0x0001ff0000000111n)).toBe(true);
        t.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncated datagrams and decode errors are flagged and counted', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--max-size', '96']);
    const [s] = await listening(w);
    const t = await sender(4);
    await t.send(Buffer.alloc(200, 0x61), { address: '127.0.0.1', port: s!.port });
    await t.send(brokenScion(), { address: '127.0.0.1', port: s!.port });
    await w.waitFor(() => packets(w).length === 2);
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
    const [trunc, broken] = packets(w);
    expect(trunc).toMatchObject({ truncated: true, length: 200, captured: 96 });
    expect(broken).toMatchObject({ layer: 'SCION/UDP', decodeError: { code: 'TRUNCATED' } });
    expect(w.records.at(-1)).toMatchObject({ truncations: 1, decodeErrors: 1, decodeErrorsByCode: { TRUNCATED: 1 } });
    expectValidRecords(w.records);
  });

  it('kernel drops: a stalled reader with a tiny buffer loses datagrams; every one is counted', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--rcvbuf', '4096']);
    const [s] = await listening(w);
    const t = await sender(4);
    const to = { address: '127.0.0.1', port: s!.port };
    await t.send('warm-up', to);
    await w.waitFor(() => packets(w).length === 1);
    // Stop the process so the socket queue fills: the kernel drops what does not fit.
    w.kill('SIGSTOP');
    const burst = 200;
    for (let i = 0; i < burst; i++) await t.send(Buffer.alloc(500, i & 0xff), to);
    w.kill('SIGCONT');
    // One more datagram carries the drop counter (SO_RXQ_OVFL). Sent while the queue is still
    // full it is dropped too (and counted), so repeat until one gets through.
    let extra = 0;
    for (;;) {
      await t.send('after', to);
      extra++;
      const got = await w.waitFor((r) => r.type === 'packet' && r.length === 5, 1000, 'the "after" datagram').catch(() => undefined);
      if (got) break;
      if (extra > 20) throw new Error('no datagram got through after SIGCONT');
    }
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
    const shown = packets(w);
    const summary = w.records.at(-1)!;
    const sent = 1 + burst + extra;
    expect(summary.drops as number).toBeGreaterThan(0);
    // Nothing vanished unaccounted: everything sent was either shown or counted as dropped.
    expect(shown.length + (summary.drops as number)).toBe(sent);
    const withDelta = shown.filter((r) => (r.dropsDelta as number) > 0);
    expect(withDelta.length).toBeGreaterThan(0);
    expect(withDelta.reduce((n, r) => n + (r.dropsDelta as number), 0)).toBe(summary.drops);
    expectValidRecords(w.records);
  });
});

describe('watch text output', () => {
  const esc = '\u001b[';
  async function textRun(env: NodeJS.ProcessEnv, extra: string[] = []) {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--max-size', '16', '--count', '1', ...extra], { env });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await w.waitForStderr(/listening on 127\.0\.0\.1:\d+/))![1]);
    const t = await sender(4);
    await t.send(Buffer.alloc(100, 0x41), { address: '127.0.0.1', port });
    expect(await w.exited()).toBe(0);
    return w;
  }

  it('one line per datagram with timestamp, delay, addresses, interface, TTL/TOS, size, TRUNCATED; no colour when piped, even with CI set', async () => {
    const w = await textRun({ CI: 'true', TERM: 'xterm-256color' });
    const line = w.lines[0]!;
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \+[\d.]+(ns|µs|ms) 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \(lo\) ttl 64 tos 0x00 100 B TRUNCATED \(16 of 100 B kept\)/);
    expect(w.stdout()).not.toContain(esc);
    expect(w.stderr()).not.toContain(esc);
    expect(w.stderr()).toMatch(/--- watch summary \(count/);
    expect(w.stderr()).toMatch(/1 truncated/);
  });

  it('FORCE_COLOR colours the truncation; NO_COLOR wins over FORCE_COLOR and --color', async () => {
    const coloured = await textRun({ FORCE_COLOR: '1' });
    expect(coloured.stdout()).toContain(`${esc}33m`); // yellow TRUNCATED
    const plain = await textRun({ FORCE_COLOR: '1', NO_COLOR: '1' }, ['--color']);
    expect(plain.stdout()).not.toContain(esc);
  });
});

describe('watch signals and errors', () => {
  it('SIGTERM ends with the summary as the last record and exit code 0', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--json']);
    await listening(w);
    w.kill('SIGTERM');
    expect(await w.exited()).toBe(0);
    expect(w.records.at(-1)).toMatchObject({ type: 'summary', reason: 'signal' });
  });

  it('usage errors exit 2 with one line; a port in use exits 1 with one line naming it', async () => {
    for (const args of [['watch'], ['watch', '--bind', '127.0.0.1'], ['watch', '--bind', '::1:30041'], ['watch', '--bind', '127.0.0.1:99999'], ['watch', '--bind', '127.0.0.1:0', '--count', 'x'], ['watch', '--bind', '127.0.0.1:0', '--filter', 'layer'], ['watch', '--bogus'], ['nosuchcommand']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), `${args.join(' ')}: ${r.stderr}`).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    const holder = await sender(4);
    const port = holder.address().port;
    const r = await run(['watch', '--bind', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`cannot bind 127\\.0\\.0\\.1:${port}.*EADDRINUSE`));
  });

  it('an unwritable capture: exit 1 when it cannot be opened; a reader that goes away mid-run is reported once and the watch goes on', async () => {
    const r = await run(['watch', '--bind', '127.0.0.1:0', '--write', '/nonexistent-dir/x.pcapng']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot write \/nonexistent-dir\/x\.pcapng: ENOENT/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-fifo-'));
    try {
      const fifo = path.join(dir, 'cap.pcapng');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--write', fifo]);
      // Read the section header, then hang up: the next packet write fails with EPIPE.
      const fh = await fs.promises.open(fifo, 'r');
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, null);
      expect(head.readUInt32LE(0)).toBe(0x0a0d0d0a);
      await fh.close();
      const [s] = await listening(w);
      const t = await sender(4);
      for (let i = 0; i < 3; i++) await t.send(`p${i}`, { address: '127.0.0.1', port: s!.port });
      await w.waitFor(() => packets(w).length === 3);
      w.kill('SIGINT');
      expect(await w.exited()).toBe(0);
      const errors = ofType(w, 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'EPIPE' });
      expect(w.records.at(-1)).toMatchObject({ type: 'summary', matched: 3, write: { path: fifo, packets: 0, errors: 3 } });
      expectValidRecords(w.records);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help works on every command and exits 0', async () => {
    for (const cmd of ['watch', 'relay', 'send', 'ifaces', 'doctor', 'decode', 'demo']) {
      const r = await run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(`Usage: disptap ${cmd}`);
    }
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect((await run(['help', 'watch'])).code).toBe(0);
    expect((await run(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const bare = await run([]);
    expect(bare.code).toBe(2); // no command: help on stderr, usage error
    expect(bare.stderr).toContain('Usage: disptap');
    for (const cmd of ['watch', 'relay', 'send', 'ifaces', 'doctor', 'decode', 'demo']) expect(top.stdout).toContain(cmd);
  });
});

describe('many sockets, one process', () => {
  function threads(pid: number): number {
    return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  }

  it('40 sockets (20 IPv4, 20 IPv6) on one event loop: every datagram arrives, no thread per socket', async () => {
    const one = start(['watch', '--bind', '127.0.0.1:0', '--json']);
    await listening(one);
    const binds = [...Array.from({ length: 20 }, () => ['--bind', '127.0.0.1:0']), ...Array.from({ length: 20 }, () => ['--bind', '[::1]:0'])].flat();
    const many = start(['watch', ...binds, '--json']);
    const socks = await listening(many);
    expect(socks).toHaveLength(40);
    const t4 = await sender(4);
    const t6 = await sender(6);
    for (const s of socks) await (s.family === 4 ? t4 : t6).send(`to ${s.bind}`, { address: s.address, port: s.port });
    await many.waitFor(() => packets(many).length === 40, 10_000, '40 packets');
    expect(new Set(packets(many).map((r) => r.bind))).toEqual(new Set(socks.map((s) => s.bind)));
    expect(threads(many.child.pid!)).toBeLessThanOrEqual(threads(one.child.pid!) + 2);
    many.kill('SIGINT');
    one.kill('SIGINT');
    expect(await many.exited()).toBe(0);
    expect(await one.exited()).toBe(0);
    expect((many.records.at(-1)!.sockets as Json[]).every((s) => s.packets === 1)).toBe(true);
  });

  it('a port range binds every port of it', async () => {
    // Find a free run of 4 ports: bind port 0 to learn a likely free area, then try the range.
    for (let attempt = 0; attempt < 5; attempt++) {
      const probe = await sender(4);
      const base = probe.address().port;
      probe.close();
      const lo = base < 65000 ? base : 40000;
      const w = start(['watch', '--bind', `127.0.0.1:${lo}-${lo + 3}`, '--json']);
      const code = await Promise.race([w.exited(10_000), listening(w).then(() => -1)]);
      if (code === 1) continue; // some port of the range was taken: try elsewhere
      const socks = await listening(w);
      expect(socks.map((s) => s.port)).toEqual([lo, lo + 1, lo + 2, lo + 3]);
      w.kill('SIGINT');
      expect(await w.exited()).toBe(0);
      return;
    }
    throw new Error('no free range of 4 ports found');
  });
});

