// disptap doctor against real port owners: a child process holding a port, then stalled so its
// queue fills and the kernel drops.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcNetUdp } from '../../src/cli/commands/procnet.js';
import { ROOT, run, sleep, startScript } from './helpers/cli.js';
import { sender } from './helpers/traffic.js';

const OWNER = path.join(ROOT, 'test/cli/fixtures/udp-owner.mjs');

interface Report {
  port: number;
  sockets: Array<{ local: string; rxQueue: number; drops: number; owners: Array<{ pid: number; comm: string; cmdline: string }> }>;
  findings: Array<{ level: string; code: string; message: string; advice?: string }>;
  timestamps: { software: boolean; interface?: string };
  sysctl: Record<string, string>;
}

describe('doctor', () => {
  it('finds the process that owns a port, its queue and its drops, and says what to do', async () => {
    const owner = startScript(OWNER, ['127.0.0.1']);
    const port = Number(await owner.waitForLine((l) => /^\d+$/.test(l), 5000, 'the owner port'));

    const ok = await run(['doctor', '--port', String(port), '--json']);
    const rep = JSON.parse(ok.stdout) as Report;
    expect(rep.sockets).toHaveLength(1);
    expect(rep.sockets[0]!.local).toBe(`127.0.0.1:${port}`);
    expect(rep.sockets[0]!.owners.map((o) => [o.pid, o.comm])).toEqual([[owner.child.pid, 'node']]);
    expect(rep.sockets[0]!.owners[0]!.cmdline).toContain('udp-owner.mjs');
    expect(rep.findings.find((f) => f.code === 'OWNER')!.message).toContain(`pid ${owner.child.pid} node`);
    expect(rep.timestamps.software).toBe(true);
    expect(rep.findings.some((f) => f.code === 'RX_TIMESTAMPS' && f.level === 'ok')).toBe(true);
    expect(rep.sysctl['net.core.rmem_max']).toMatch(/^\d+$/);
    expect(ok.code).toBe(rep.findings.some((f) => f.level === 'problem') ? 1 : 0);
    expect(rep.findings.some((f) => f.level === 'problem')).toBe(false);

    // Stall the owner: its 4 KiB buffer fills and the kernel drops the rest.
    owner.kill('SIGSTOP');
    const t = await sender(4);
    for (let i = 0; i < 50; i++) await t.send(Buffer.alloc(400), { address: '127.0.0.1', port });
    await sleep(50);
    const bad = await run(['doctor', '--port', String(port), '--json']);
    const rep2 = JSON.parse(bad.stdout) as Report;
    owner.kill('SIGCONT');
    expect(bad.code).toBe(1);
    expect(rep2.sockets[0]!.drops).toBeGreaterThan(0);
    expect(rep2.sockets[0]!.rxQueue).toBeGreaterThan(0);
    const drops = rep2.findings.find((f) => f.code === 'DROPS')!;
    expect(drops.level).toBe('problem');
    expect(drops.message).toContain(`dropped ${rep2.sockets[0]!.drops} datagrams`);
    expect(drops.advice).toMatch(/rmem_max/);
    expect(rep2.findings.some((f) => f.code === 'RX_QUEUE')).toBe(true);

    // The same in plain words for a person.
    const text = await run(['doctor', '--port', String(port)]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}\\s+[\\d.]+ (B|KiB)\\s+\\d+\\s+pid ${owner.child.pid} node`));
    expect(text.stdout).toMatch(/✗ The kernel dropped \d+ datagrams/);
    expect(text.stdout).toMatch(/→ /);
  });

  it('a port nobody listens on is a problem (exit 1) with advice', async () => {
    const probe = await sender(4);
    const port = probe.address().port;
    probe.close();
    const r = await run(['doctor', '--port', String(port), '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.sockets).toEqual([]);
    const f = rep.findings.find((x) => x.code === 'NO_LISTENER')!;
    expect(f.level).toBe('problem');
    expect(f.advice).toMatch(/Start the dispatcher/);
  });

  it('IPv6 owners and --address; bad arguments are usage errors', async () => {
    const owner = startScript(OWNER, ['::1']);
    const port = Number(await owner.waitForLine((l) => /^\d+$/.test(l), 5000, 'the owner port'));
    const r = await run(['doctor', '--port', String(port), '--address', '::1', '--json']);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.sockets[0]!.local).toBe(`[::1]:${port}`);
    expect(rep.sockets[0]!.owners[0]!.pid).toBe(owner.child.pid);
    expect(rep.timestamps).toMatchObject({ software: true, interface: 'lo' });
    for (const args of [['doctor', '--port', '0'], ['doctor', '--port', '70000'], ['doctor', '--address', 'nowhere']]) {
      const bad = await run(args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('reads /proc/net/udp and udp6 lines (addresses are host-endian hex words)', () => {
    const v4 = parseProcNetUdp(
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n' +
        '  123: 0100007F:7559 0200007F:0035 01 00000000:00000A00 00:00000000 00000000  1000        0 424242 2 0000000000000000 17\n',
      4,
    );
    expect(v4).toEqual([{ family: 4, localAddress: '127.0.0.1', localPort: 30041, remoteAddress: '127.0.0.2', remotePort: 53, state: 1, txQueue: 0, rxQueue: 2560, uid: 1000, inode: 424242, refs: 2, drops: 17 }]);
    const v6 = parseProcNetUdp(
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n' +
        '  5: 00000000000000000000000001000000:7918 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0\n' +
        '  6: 0000000000000000FFFF00000100007F:7918 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 98 2 0000000000000000 0\n' +
        '  7: B80D0120000000000000000001000000:7918 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 97 2 0000000000000000 0\n',
      6,
    );
    expect(v6.map((s) => [s.localAddress, s.localPort])).toEqual([['::1', 31000], ['::ffff:127.0.0.1', 31000], ['2001:db8::1', 31000]]);
  });
});
