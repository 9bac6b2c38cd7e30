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
    expect(recs.length).toBe(2);
    for (const r of recs) expect(JSON.stringify(r)).toContain(String(port));
    expect(err).toMatch(/2 records; kernel: \d+ packets passed the filter/);
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
