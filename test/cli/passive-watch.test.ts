// `disptap watch --passive` through the real CLI: AF_PACKET capture of a port nobody here binds.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const skip = process.getuid?.() !== 0 ? 'needs CAP_NET_RAW (run as root)' : null;
if (skip) console.warn(`[passive watch CLI test skipped] ${skip}`);

describe.skipIf(skip !== null)('disptap watch --passive', () => {
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
    const code = await new Promise<number | null>((r) => child.on('exit', r));
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
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--passive needs at least one --port');
  });
});
