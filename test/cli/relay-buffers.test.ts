// The relay's upstream sockets get the same receive buffer as its listen socket (--rcvbuf, 128 MiB
// by default): a burst of replies while the relay is busy is kept, not dropped by a 208 KiB default.
// And `disptap ntp` takes --rcvbuf/--max-size for its live sockets, as watch and relay do.
import { afterEach, describe, expect, it } from 'vitest';
import { openUdp, type UdpTap } from '../../src/index.js';
import { eventually, listening, run, start } from './helpers/cli.js';

const open: UdpTap[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

async function tap(): Promise<UdpTap> {
  const t = await openUdp({ address: '127.0.0.1', recvBufferSize: 64 << 20 });
  open.push(t);
  return t;
}

describe('receive buffers of the relay and of ntp', () => {
  it('a burst of replies sent while the relay is stopped reaches the client whole', async () => {
    const BURST = 3000; // ≈ 2.3 MiB of kernel buffer for 64-byte datagrams: 11 × the 208 KiB default
    const target = await tap();
    const client = await tap();
    const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${target.address().port}`, '--json', '--quiet']);
    const [l] = await listening(r);
    let got = 0;
    client.on('message', () => got++);
    await client.send('request', { address: '127.0.0.1', port: l!.port });
    const req = await target.receive({ timeoutMs: 5000 });
    expect(req.data.toString()).toBe('request');
    // The relay's upstream socket sent it: the replies go there while the relay cannot read.
    r.kill('SIGSTOP');
    for (let i = 0; i < BURST; i += 500)
      await target.sendBatch(Array.from({ length: Math.min(500, BURST - i) }, (_, k) => ({ data: Buffer.alloc(64, (i + k) & 0xff), address: req.src.address, port: req.src.port })));
    r.kill('SIGCONT');
    await eventually(() => got === BURST, 10_000, `${BURST} replies (got ${got})`);
    r.kill('SIGINT');
    expect(await r.exited(10_000)).toBe(0);
    expect(r.records.at(-1)).toMatchObject({ type: 'summary', command: 'relay', relay: { replies: BURST }, drops: 0 });
  });

  it('ntp: --rcvbuf sets the taps\' buffer (128 MiB by default, as watch) and the capture\'s, --max-size the slot', async () => {
    for (const [args, granted] of [[[], 2 * 128 * 1024 * 1024], [['--rcvbuf', '1m'], 2 * 1024 * 1024]] as const) {
      const p = start(['ntp', '--bind', '127.0.0.1:0', '--json', '-d', '200ms', ...args]);
      expect(await p.exited(10_000)).toBe(0);
      expect(p.records[0]).toMatchObject({ type: 'listening', command: 'ntp', sockets: [{ recvBufferSize: granted }] });
    }
    // --passive: the capture socket's buffer (as watch --passive and transit)
    const c = start(['ntp', '--passive', '--iface', 'lo', '--port', '123', '--json', '-d', '200ms', '--rcvbuf', '1m']);
    expect(await c.exited(10_000)).toBe(0);
    expect(c.records[0]).toMatchObject({ type: 'listening', command: 'ntp' });
    // the capture's ring of that size, or (where the kernel refuses a ring) SO_RCVBUF: twice it
    expect([1024 * 1024, 2 * 1024 * 1024]).toContain((c.records[0]!.passive as { recvBufferSize: number }).recvBufferSize);
    // -d: it ends on its own well after the one datagram sent right after it listens
    const p = start(['ntp', '--bind', '127.0.0.1:0', '--json', '--max-size', '100', '-d', '2s']);
    const [l] = await listening(p);
    const s = await tap();
    await s.send(Buffer.alloc(200), { address: '127.0.0.1', port: l!.port });
    expect(await p.exited(10_000)).toBe(0);
    // a 100-byte slot: the 200-byte datagram is counted, and counted as truncated
    expect(p.records.at(-1)).toMatchObject({ type: 'summary', command: 'ntp', packets: 1, bytes: 200, truncations: 1 });
  });

  it('--rcvbuf/--max-size on a capture file, and --max-size with --passive, are usage errors', async () => {
    const f = await run(['ntp', 'x.pcapng', '--rcvbuf', '1m']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/--rcvbuf and --max-size size live sockets/);
    for (const cmd of [['ntp'], ['watch']]) {
      const p = await run([...cmd, '--passive', '--iface', 'lo', '--port', '123', '--max-size', '2048']);
      expect(p.code, p.stderr).toBe(2);
      expect(p.stderr).toMatch(/--max-size sizes the receive slots of bound sockets; a capture \(--passive\) keeps --snap-length bytes/);
    }
  });
});
