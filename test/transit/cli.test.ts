// `disptap transit` through a test-only entry (fixtures/transit-cli.mjs registers the command on a
// fresh commander program and runs the built dist/), against the forwarder stand-in.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../../src/pcapng/reader.js';
import { dissectUdp } from '../../src/pcapng/dissect.js';
import { captureSkipReason } from '../capture/helpers/privileges.js';
import { closeSocket, sendTo, sleep, udpSender } from '../helpers/send.js';
import { holdTimestampingOn } from '../helpers/warm-timestamps.js';
import { TSHARK, tsharkFields } from '../pcapng/helpers/tshark.js';
import { startForwarder, type Forwarder } from './helpers/forwarder.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';

const CLI = fileURLToPath(new URL('./fixtures/transit-cli.mjs', import.meta.url));
const skip = await captureSkipReason();
if (skip) console.warn(`[transit CLI tests skipped] ${skip}`);

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, 'transit', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.skipIf(skip !== null)('disptap transit', () => {
  // The CLI child's capture needs real kernel stamps from its first packet (see warm-timestamps.ts).
  let keeper: Awaited<ReturnType<typeof holdTimestampingOn>> | undefined;
  beforeAll(async () => {
    keeper = await holdTimestampingOn();
  });
  afterAll(() => keeper?.close());

  let fwd: Forwarder;
  async function start(): Promise<{ fwd: Forwarder; send: (s: string) => Promise<void> }> {
    fwd = await startForwarder(4);
    cleanup.push(() => fwd.stop());
    const client = await udpSender(4);
    cleanup.push(() => closeSocket(client));
    return { fwd, send: (s) => sendTo(client, s, fwd.inPort, '127.0.0.1') };
  }

  it('--json --count: listening first, one pair per forwarded datagram, the drop unmatched, the summary last, all in the schema; --write pcapng with direction flags', async () => {
    const { fwd, send } = await start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transit-cli-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 't.pcapng');
    const r = run(['--iface', 'lo', '--in', String(fwd.inPort), '--out', String(fwd.outPort), '--json', '--count', '5', '--timeout', '300', '--write', file]);
    cleanup.push(() => r.child.kill('SIGKILL'));
    // JSON mode: the listening record on stdout says the capture is open (stderr stays quiet).
    await until(() => r.stdout().includes('"type":"listening"'));
    await send('DROP: lost in the dispatcher');
    for (let i = 0; i < 5; i++) await send(`D${5 * i}:fwd ${i}`);
    expect(await r.exited).toBe(0);
    const lines = r.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expectValidRecords(lines);
    expect(lines[0]).toMatchObject({ type: 'listening', command: 'transit', write: file, transit: { in: [String(fwd.inPort)], out: [String(fwd.outPort)] } });
    expect(r.stderr()).toBe('');
    const pairs = lines.filter((l) => l.type === 'pair');
    expect(pairs).toHaveLength(5);
    // outputs leave in delay order (0, 5, … 20 ms), so the i-th pair is fwd i
    pairs.forEach((p, i) => {
      expect(BigInt(p.transitNs as string)).toBeGreaterThanOrEqual(BigInt(5 * i) * 1_000_000n);
      expect(p).toMatchObject({ matcher: 'bytes', clock: 'software', in: { dst: `127.0.0.1:${fwd.inPort}`, direction: 'in' }, out: { dst: `127.0.0.1:${fwd.outPort}`, direction: 'out' } });
    });
    expect(lines.filter((l) => l.type === 'unmatched')).toEqual([expect.objectContaining({ side: 'in', direction: 'in', reason: 'no-output' })]);
    const summary = lines[lines.length - 1]!;
    // 6 inputs and 5 outputs took part; the Session counted and wrote the same 11
    expect(summary).toMatchObject({ type: 'summary', command: 'transit', reason: 'count', packets: 11, matched: 11, pairs: 5, unmatched: { in: { 'no-output': 1 } }, write: { path: file, packets: 11, errors: 0 } });
    expect(Number((summary.all as Record<string, string>).max)).toBeGreaterThanOrEqual(20e6);

    // pcapng: the 6 inputs and 5 outputs as captured, direction in epb_flags (1 in, 2 out)
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets).toHaveLength(11);
    const flags = f.packets.map((p) => (p.flags ?? 0) & 3);
    const udp = f.packets.map((p) => dissectUdp(p.data)!);
    for (let i = 0; i < f.packets.length; i++) expect(flags[i]).toBe(udp[i]!.dst.port === fwd.inPort ? 1 : 2);
    if (TSHARK) {
      const rows = tsharkFields(file, ['frame.packet_flags_direction', 'udp.dstport', 'frame.interface_name']);
      expect(rows).toHaveLength(11);
      for (const [d, port, name] of rows) {
        expect(name).toBe('lo');
        expect(Number(d)).toBe(Number(port) === fwd.inPort ? 1 : 2);
      }
    }
  });

  it('text output until SIGINT: per-packet lines and a p50/p99/max summary', async () => {
    const { fwd, send } = await start();
    const r = run(['--iface', 'lo', '--in', String(fwd.inPort), '--out', String(fwd.outPort)]);
    cleanup.push(() => r.child.kill('SIGKILL'));
    await until(() => r.stderr().includes('capturing on lo'));
    for (let i = 0; i < 4; i++) await send(`D10:text ${i}`);
    await until(() => (r.stdout().match(/bytes/g) ?? []).length >= 4);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    const out = r.stdout();
    expect(out).toMatch(/ms {2}bytes {5}127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ {2}⇒ {2}127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
    // stdout has the pair lines only; the summary is on stderr, in every command's form
    expect(out.trim().split('\n')).toHaveLength(4);
    const err = r.stderr();
    expect(err).toMatch(/^--- transit summary \(signal, \d+\.\d s\)$/m);
    expect(err).toMatch(/^8 packets, /m);
    expect(err).toContain('pairs: 4');
    const m = /all {8}n=4 {2}p50 (\d+\.\d{3}) ms {2}p99 \d+\.\d{3} ms {2}max \d+\.\d{3} ms/.exec(err);
    expect(m, err).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(10); // every datagram was held 10 ms
    expect(err).toContain('unmatched in: 0');
  });

  it('bad arguments are refused before anything is opened', async () => {
    const r = run(['--in', 'abc', '--out', '1']);
    expect(await r.exited).not.toBe(0);
    expect(r.stderr()).toContain("'abc' is neither a port nor a range");
    const r2 = run(['--out', '1']);
    expect(await r2.exited).not.toBe(0);
    expect(r2.stderr()).toContain("required option '--in <ports>'");
  });
});
