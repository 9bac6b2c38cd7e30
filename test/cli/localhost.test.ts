// `localhost` wherever an address is taken: it is 127.0.0.1 (as for tcpdump and Go's default
// dialer), with real sockets through watch, send, relay and --metrics.
import { describe, expect, it } from 'vitest';
import { parseBindSpec, parseEndpoint, parseHostAddress } from '../../src/cli/bind-spec.js';
import { UsageError } from '../../src/cli/errors.js';
import { listening, ofType, run, sleep, start, type Json } from './helpers/cli.js';

describe('localhost', () => {
  it('parses to 127.0.0.1 in every address form, any case; no zone, no bare port', () => {
    expect(parseEndpoint('localhost:30041')).toEqual({ address: '127.0.0.1', port: 30041, family: 4 });
    expect(parseEndpoint('LocalHost:1')).toEqual({ address: '127.0.0.1', port: 1, family: 4 });
    expect(parseBindSpec('localhost:31000-31001')).toEqual([
      { address: '127.0.0.1', port: 31000, family: 4 },
      { address: '127.0.0.1', port: 31001, family: 4 },
    ]);
    expect(parseHostAddress('localhost', '--address')).toEqual({ address: '127.0.0.1', family: 4 });
    for (const bad of ['localhost%lo:1', 'localhost', 'localhost.:1', 'localhost4:1']) expect(() => parseBindSpec(bad), bad).toThrow(UsageError);
  });

  it('watch --bind localhost:0 receives what send --to localhost:P sends; --src-host/--dst-host localhost are 127.0.0.1', async () => {
    const w = start(['watch', '--bind', 'localhost:0', '--json', '--metrics', 'localhost:0']);
    const [s] = await listening(w);
    expect(s).toMatchObject({ bind: `127.0.0.1:${s!.port}`, address: '127.0.0.1', family: 4 });
    const lr = ofType(w, 'listening')[0]!;
    expect(lr.metrics).toMatch(/^127\.0\.0\.1:\d+$/);
    const r = await run(['send', '--to', `localhost:${s!.port}`, '--bind', 'localhost:0', '--kind', 'scion-udp', '--src-host', 'localhost', '--dst-host', 'LOCALHOST']);
    expect(r.code, r.stderr).toBe(0);
    const p = await w.waitFor((x) => x.type === 'packet', 5000, 'the datagram');
    expect(p).toMatchObject({ src: { address: '127.0.0.1' }, dst: { address: '127.0.0.1', port: s!.port }, layer: 'SCION/UDP' });
    const addr = (p.decoded as Json).address as Json;
    expect(addr).toMatchObject({ src: { type: 'ipv4', ip: '127.0.0.1' }, dst: { type: 'ipv4', ip: '127.0.0.1' } });
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
  });

  it('relay --listen localhost:0 --to localhost:P forwards to 127.0.0.1:P', async () => {
    const target = start(['watch', '--bind', '127.0.0.1:0', '--json']);
    const [t] = await listening(target);
    const relay = start(['relay', '--listen', 'localhost:0', '--to', `localhost:${t!.port}`, '--json']);
    const [l] = await listening(relay);
    expect(l!.address).toBe('127.0.0.1');
    expect(ofType(relay, 'listening')[0]!.target).toBe(`127.0.0.1:${t!.port}`);
    const r = await run(['send', '--to', `localhost:${l!.port}`, '--kind', 'raw', '--payload', 'via relay']);
    expect(r.code, r.stderr).toBe(0);
    await target.waitFor((x) => x.type === 'packet', 5000, 'the forwarded datagram');
    await sleep(50);
    for (const p of [relay, target]) p.kill('SIGINT');
    expect(await relay.exited()).toBe(0);
    expect(await target.exited()).toBe(0);
    expect(relay.records.at(-1)).toMatchObject({ type: 'summary', relay: { forwarded: 1 } });
  });

  it('a bad name is still a usage error (exit 2) that mentions localhost', async () => {
    const r = await run(['watch', '--bind', 'example.org:30041']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('localhost:port');
  });
});
