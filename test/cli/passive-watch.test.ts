// `disptap watch --passive` through the real CLI: AF_PACKET capture of a port nobody here binds.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { start, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { scionUdp } from './helpers/traffic.js';
import { PASSIVE_RING_TIMEOUT_MS, openPassiveCapture } from '../../src/cli/sources/passive.js';

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const skip = process.getuid?.() !== 0 ? 'needs CAP_NET_RAW (run as root)' : null;
if (skip) console.warn(`[passive watch CLI test skipped] ${skip}`);

describe.skipIf(skip !== null)('disptap watch --passive', () => {
  it("opens its ring with a 50 ms retire timeout, not the library's 8 ms (each tick can cost a packet)", async () => {
    const c = await openPassiveCapture({ iface: 'lo', port: ['9'], rawPacket: false, recvBufferSize: 1 << 20 }, () => {});
    try {
      expect(c.ring).toBe(true);
      expect(PASSIVE_RING_TIMEOUT_MS).toBe(50);
      expect(c.ringTimeoutMs).toBe(50);
    } finally {
      c.close();
    }
  });

  it('prints NDJSON records of datagrams to a port owned by another socket, both directions on lo', async () => {
    const owner = dgram.createSocket('udp4');
    await new Promise<void>((r) => owner.bind(0, '127.0.0.1', r));
    const port = owner.address().port;
    const child = spawn(process.execPath, [cli, 'watch', '--passive', '--iface', 'lo', '--port', String(port), '--json', '--count', '2', '--duration', '10s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const sender = dgram.createSocket('udp4');
    // the capture needs a moment to attach its filter; resend until records show up
    const timer = setInterval(() => sender.send('passive hello', port, '127.0.0.1'), 100);
    const code = await new Promise<number | null>((r) => child.on('close', r)); // 'close': after the output is read
    clearInterval(timer);
    sender.close();
    owner.close();
    expect(code, err).toBe(0);
    const recs = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // The same records as a bound watch: listening, the packets, the summary.
    expect(recs.map((r) => r.type)).toEqual(['listening', 'packet', 'packet', 'summary']);
    expect(recs[0]).toMatchObject({ command: 'watch', sockets: [], passive: { iface: 'lo', ports: [String(port)], direction: 'both' } });
    for (const r of recs.slice(1, 3)) {
      expect(r).toMatchObject({ bind: 'lo', ifName: 'lo', layer: 'Payload', length: 13, decoded: { data: Buffer.from('passive hello').toString('hex') } });
      expect(['in', 'out']).toContain(r.direction);
      expect((r.dst as { port: number }).port).toBe(port);
    }
    expect(recs[3]).toMatchObject({ type: 'summary', reason: 'count', matched: 2, packets: 2 });
  });

  it('refuses --passive without --port, as a usage error', async () => {
    const child = spawn(process.execPath, [cli, 'watch', '--passive', '--iface', 'lo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', r)); // 'close': after the output is read
    expect(code).toBe(2);
    expect(err).toContain('--passive needs at least one --port');
  });

  it('the same pipeline as a bound watch: -f filters, --metrics, decoding, --write with the packets as they were on the wire', async () => {
    const owner = dgram.createSocket('udp4');
    await new Promise<void>((r) => owner.bind(0, '127.0.0.1', r));
    const port = owner.address().port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-passive-'));
    const cap = path.join(dir, 'p.pcapng');
    try {
      const w = start(['watch', '--passive', '--iface', 'lo', '--port', String(port), '--direction', 'in', '--json', '-f', 'layer scion', '--metrics', '127.0.0.1:0', '--write', cap]);
      const lst = await w.waitFor((r) => r.type === 'listening');
      const sender = dgram.createSocket('udp4');
      // Both kinds until both were seen: the capture needs a moment to attach its filter.
      const timer = setInterval(() => {
        sender.send(Buffer.from(scionUdp('over scion')), port, '127.0.0.1');
        sender.send('plain payload', port, '127.0.0.1');
      }, 100);
      await w.waitFor((r) => r.type === 'packet' && r.seq === 2, 10_000);
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 200));
      const metrics = await get(`http://${lst.metrics as string}/metrics`);
      w.kill('SIGINT');
      expect(await w.exited()).toBe(0);
      sender.close();
      const packets = w.records.filter((r) => r.type === 'packet');
      // Only SCION passed the filter; the summary counts everything captured.
      expect(packets.every((r) => r.layer === 'SCION/UDP' && r.direction === 'in' && r.bind === 'lo')).toBe(true);
      const summary = w.records.at(-1)!;
      expect(summary).toMatchObject({ type: 'summary', matched: packets.length });
      expect(summary.packets as number).toBeGreaterThanOrEqual(2 * packets.length - 1);
      expect(metrics).toMatch(/disptap_packets_total\{bind="lo",layer="SCION\/UDP",direction="in"\} \d+/);
      expect(metrics).toMatch(/disptap_packets_total\{bind="lo",layer="Payload",direction="in"\} \d+/);
      expectValidRecords(w.records);
      // The capture holds the IP packets the kernel carried (its IP ids), only the matching ones.
      const t = spawnSync('tshark', ['-r', cap, '-T', 'fields', '-e', 'ip.id', '-e', 'udp.dstport', '-e', 'udp.length'], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
      const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
      expect(rows).toHaveLength((summary.write as Json).packets as number);
      expect(rows.length).toBe(packets.length);
      expect(rows.every((r) => Number(r[1]) === port)).toBe(true);
      expect(rows.some((r) => r[0] !== '0x0000')).toBe(true);
    } finally {
      owner.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
