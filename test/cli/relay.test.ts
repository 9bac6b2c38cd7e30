// disptap relay as a process in front of a real target process that is killed and restarted.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, eventually, listening, ofType, start, startScript, type Json, type Proc } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { scionNtp, sender } from './helpers/traffic.js';

const ECHO = path.join(ROOT, 'test/cli/fixtures/udp-echo.mjs');

async function echoServer(address: string, port: number): Promise<{ proc: Proc; port: number }> {
  const proc = startScript(ECHO, [address, String(port)]);
  const line = await proc.waitForLine((l) => /^\d+$/.test(l), 5000, 'the echo server port');
  return { proc, port: Number(line) };
}

describe('relay', () => {
  it('forwards both ways; the target killed mid-run is shown and counted, and relaying resumes when it is back', async () => {
    let target = await echoServer('127.0.0.1', 0);
    const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${target.port}`, '--json']);
    const [l] = await listening(r);
    expect(r.records[0]).toMatchObject({ type: 'listening', command: 'relay', target: `127.0.0.1:${target.port}` });
    const client = await sender(4);
    const replies: string[] = [];
    client.on('message', (m) => replies.push(m.data.toString()));
    const to = { address: '127.0.0.1', port: l!.port };

    for (let i = 0; i < 3; i++) await client.send(`a${i}`, to);
    await eventually(() => replies.length === 3, 5000, '3 replies');
    expect(replies).toEqual(['echo:a0', 'echo:a1', 'echo:a2']);

    // The target goes away: nothing listens on its port any more.
    target.proc.kill('SIGKILL');
    await target.proc.exited();
    for (let i = 0; i < 3; i++) await client.send(`b${i}`, to);
    const down = await r.waitFor((x) => x.type === 'target' && x.event === 'down', 5000, 'the target-down record');
    expect(down).toMatchObject({ target: `127.0.0.1:${target.port}`, code: 'ECONNREFUSED', client: `127.0.0.1:${client.address().port}` });
    await r.waitFor((x) => x.type === 'packet' && x.direction === 'client-to-target' && (x.decoded as Json).data === Buffer.from('b2').toString('hex'), 5000, 'b2 logged');
    expect(r.child.exitCode).toBeNull(); // never fatal
    expect(replies).toHaveLength(3);

    // It comes back on the same port; the relay carries on and says so.
    target = await echoServer('127.0.0.1', target.port);
    for (let i = 0; i < 3; i++) await client.send(`c${i}`, to);
    await eventually(() => replies.length === 6, 5000, '3 more replies');
    expect(replies.slice(3)).toEqual(['echo:c0', 'echo:c1', 'echo:c2']);
    await r.waitFor((x) => x.type === 'target' && x.event === 'up', 5000, 'the target-up record');

    r.kill('SIGINT');
    expect(await r.exited()).toBe(0);
    const refusals = ofType(r, 'target').filter((x) => x.event === 'down' || x.event === 'refused').length;
    const summary = r.records.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', command: 'relay', relay: { clients: 1, forwarded: 9, replies: 6, refusals } });
    expect(refusals).toBeGreaterThanOrEqual(1);
    const pk = ofType(r, 'packet');
    const c2t = pk.filter((x) => x.direction === 'client-to-target');
    const t2c = pk.filter((x) => x.direction === 'target-to-client');
    expect(c2t).toHaveLength(9);
    expect(t2c).toHaveLength(6);
    expect(c2t[0]).toMatchObject({ bind: l!.bind, tsSource: 'software', client: { port: client.address().port }, forwardedTo: { address: '127.0.0.1', port: target.port } });
    // Replies come through a tap connected to the target (that is how ECONNREFUSED is seen), with
    // the kernel's RX timestamp and TTL like every other datagram.
    expect(t2c[0]).toMatchObject({ src: { address: '127.0.0.1', port: target.port }, tsSource: 'software', ttl: 64, forwardedTo: { port: client.address().port } });
    expectValidRecords(r.records);
  });

  it('text mode says the target went away and came back on stderr', async () => {
    let target = await echoServer('127.0.0.1', 0);
    const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${target.port}`]);
    const port = Number(/127\.0\.0\.1:(\d+) →/.exec(await r.waitForStderr(/127\.0\.0\.1:\d+ →/))![1]);
    const client = await sender(4);
    let replies = 0;
    client.on('message', () => replies++);
    target.proc.kill('SIGKILL');
    await target.proc.exited();
    await client.send('x', { address: '127.0.0.1', port });
    await r.waitForStderr(/refused a datagram \(ECONNREFUSED\)/);
    target = await echoServer('127.0.0.1', target.port);
    await client.send('y', { address: '127.0.0.1', port });
    await r.waitForStderr(/is back/);
    await eventually(() => replies === 1, 5000, 'the reply');
    r.kill('SIGTERM');
    expect(await r.exited()).toBe(0);
    expect(r.stderr()).toMatch(/relay: 1 clients, 2 forwarded to the target, 1 replies, 1 refused by the target/);
    expect(r.lines.filter((x) => x.includes('[c→t]'))).toHaveLength(2);
    expect(r.lines.filter((x) => x.includes(`[t→c client 127.0.0.1:${client.address().port}]`))).toHaveLength(1);
  });

  it('--upstream-tap: replies carry kernel metadata too (IPv6), several clients kept apart', async () => {
    const target = await echoServer('::1', 0);
    const r = start(['relay', '--listen', '[::1]:0', '--to', `[::1]:${target.port}`, '--upstream-tap', '--json']);
    const [l] = await listening(r);
    const c1 = await sender(6);
    const c2 = await sender(6);
    const got1: string[] = [];
    const got2: string[] = [];
    c1.on('message', (m) => got1.push(m.data.toString('hex')));
    c2.on('message', (m) => got2.push(m.data.toString('hex')));
    const ntp = Buffer.from(scionNtp());
    await c1.send(ntp, { address: '::1', port: l!.port }, { ttl: 9 });
    await c2.send('two', { address: '::1', port: l!.port });
    await eventually(() => got1.length === 1 && got2.length === 1, 5000, 'both replies');
    expect(got1[0]).toBe(Buffer.concat([Buffer.from('echo:'), ntp]).toString('hex'));
    expect(Buffer.from(got2[0]!, 'hex').toString()).toBe('echo:two');
    await r.waitFor(() => ofType(r, 'packet').length === 4);
    r.kill('SIGINT');
    expect(await r.exited()).toBe(0);
    const pk = ofType(r, 'packet');
    const fromC1 = pk.find((x) => x.direction === 'client-to-target' && (x.client as Json).port === c1.address().port)!;
    expect(fromC1).toMatchObject({ ttl: 9, layer: 'SCION/UDP/NTP' });
    for (const reply of pk.filter((x) => x.direction === 'target-to-client')) {
      expect(reply).toMatchObject({ tsSource: 'software', ifName: 'lo', ttl: 64, bind: `upstream:[::1]:${target.port}` });
    }
    expect(r.records.at(-1)).toMatchObject({ relay: { clients: 2, forwarded: 2, replies: 2, refusals: 0 } });
    expectValidRecords(r.records);
  });

  it('bad arguments are usage errors (exit 2)', async () => {
    const { run } = await import('./helpers/cli.js');
    for (const args of [['relay', '--listen', '127.0.0.1:0'], ['relay', '--listen', '127.0.0.1:0', '--to', '0.0.0.0:53'], ['relay', '--listen', 'nope', '--to', '127.0.0.1:53']]) {
      const res = await run(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
