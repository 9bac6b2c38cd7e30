// Listening services the CLI opens (the relay's --listen socket, the --metrics HTTP server) bind
// loopback unless told otherwise. Judged by the kernel: every socket the CLI process holds is looked
// up by inode in /proc/net/{udp,udp6,tcp,tcp6}.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMetricsAddress } from '../../src/cli/pipeline/metrics.js';
import { openUdp } from '../../src/index.js';
import { listening, start, type Proc } from '../cli/helpers/cli.js';

interface KernelSocket {
  proto: string;
  address: string;
  port: number;
  state: number;
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  // IPv6: four 32-bit words, each in host (little-endian) order
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) for (const i of [3, 2, 1, 0]) bytes.push(parseInt(hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16));
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

/** The internet sockets a process holds, with their local addresses as the kernel has them. */
function socketsOf(pid: number): KernelSocket[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const out: KernelSocket[] = [];
  for (const proto of ['udp', 'udp6', 'tcp', 'tcp6']) {
    for (const line of fs.readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      const [hex, port] = f[1]!.split(':');
      out.push({ proto, address: hexToAddress(hex!), port: parseInt(port!, 16), state: parseInt(f[3]!, 16) });
    }
  }
  return out;
}

const isLoopback = (a: string) => a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');

async function settle(p: Proc): Promise<KernelSocket[]> {
  await listening(p);
  return socketsOf(p.child.pid!);
}

describe('CLI listening services bind loopback unless told otherwise', () => {
  it('--metrics with no address and a bare port mean 127.0.0.1', () => {
    expect(parseMetricsAddress(true)).toMatchObject({ address: '127.0.0.1' });
    expect(parseMetricsAddress('9999')).toMatchObject({ address: '127.0.0.1', port: 9999 });
  });

  it('relay --listen <port> --metrics <port>: every socket of the process is on loopback', async () => {
    const target = await openUdp({ address: '127.0.0.1' });
    const p = start(['relay', '--listen', '0', '--to', `127.0.0.1:${target.address().port}`, '--metrics', '0', '--json']);
    const socks = await settle(p);
    expect(socks.length).toBeGreaterThanOrEqual(2); // the UDP listener and the metrics TCP listener
    expect(socks.some((s) => s.proto.startsWith('tcp') && s.state === 0x0a)).toBe(true);
    expect(socks.filter((s) => !isLoopback(s.address))).toEqual([]);
    p.kill('SIGINT');
    await p.exited();
    target.close();
  });

  it('watch --metrics <port>: the metrics listener is on loopback', async () => {
    const p = start(['watch', '--bind', '127.0.0.1:0', '--metrics', '0', '--json']);
    const socks = await settle(p);
    expect(socks.some((s) => s.proto.startsWith('tcp') && s.state === 0x0a)).toBe(true);
    expect(socks.filter((s) => !isLoopback(s.address))).toEqual([]);
    p.kill('SIGINT');
    await p.exited();
  });

  it('told otherwise (0.0.0.0), they bind the wildcard, and the metrics server says it is exposed', async () => {
    const target = await openUdp({ address: '127.0.0.1' });
    const p = start(['relay', '--listen', '0.0.0.0:0', '--to', `127.0.0.1:${target.address().port}`, '--metrics', '0.0.0.0:0', '--json']);
    const socks = await settle(p);
    expect(socks.filter((s) => s.address === '0.0.0.0').length).toBeGreaterThanOrEqual(2);
    await p.waitForStderr(/not a loopback address/);
    p.kill('SIGINT');
    await p.exited();
    target.close();
  });
});
