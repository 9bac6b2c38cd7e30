// disptap relay --unix-listen/--unix-to: the real executable between a stand-in dispatcher and
// stand-in applications. Every registration form, confirmations, UDP and SCMP packets both ways,
// Scion Time trailers and delivery delays, garbage; --json (schema-checked), text, --write read
// back with tshark, --metrics, the summary; usage errors.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../src/index.js';
import { ofType, run, start, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { REGISTRATIONS, runScenario } from './helpers/scenario.js';
import { StandInDispatcher, track } from './helpers/standin.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-cli-unix-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function dispatcher(): Promise<{ disp: StandInDispatcher; dispPath: string; tapPath: string }> {
  const id = ++n;
  const dispPath = path.join(dir, `disp${id}.sock`);
  const disp = new StandInDispatcher({ confirm: true });
  track(disp.server);
  await disp.listen(dispPath);
  return { disp, dispPath, tapPath: path.join(dir, `tap${id}.sock`) };
}

describe('relay --unix-listen --unix-to', () => {
  it('reports every frame through the pipeline: --json, --write (tshark), --metrics, summary', async () => {
    const { disp, dispPath, tapPath } = await dispatcher();
    const pcap = path.join(dir, 'unix.pcapng');
    const p = start(['relay', '--unix-listen', tapPath, '--unix-to', dispPath, '--json', '--write', pcap, '--metrics', '127.0.0.1:0']);
    const l = await p.waitFor((r) => r.type === 'listening', 10_000);
    expect(l).toMatchObject({ command: 'relay', unix: { listen: tapPath, target: dispPath }, write: pcap });
    const s = await runScenario(tapPath, disp, () => clock.realtimeNs());
    await p.waitFor((r) => r.type === 'packet' && r.connection === 4, 10_000, 'the packet after the garbage');
    await p.waitFor((r) => r.type === 'packet' && r.connection === 8, 10_000, 'the hardware-stamped packet');
    await p.waitFor((r) => r.type === 'packet' && r.txEcho === true, 10_000, 'the TX-timestamp echo');

    // Every byte arrived unchanged, garbage included, on the connection it belongs to.
    for (let i = 0; i < REGISTRATIONS.length; i++) {
      await disp.conns[i]!.waitBytes(s.written.app[i]!.length);
      await s.apps[i]!.waitBytes(s.written.dispatcher[i]!.length);
      expect(disp.conns[i]!.bytes.equals(s.written.app[i]!), `app ${i + 1} → dispatcher`).toBe(true);
      expect(s.apps[i]!.bytes.equals(s.written.dispatcher[i]!), `dispatcher → app ${i + 1}`).toBe(true);
    }
    const frames = ofType(p, 'frame');
    const regs = frames.filter((f) => f.kind === 'registration');
    expect(regs.map((f) => f.connection)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [i, r] of REGISTRATIONS.entries()) expect(regs[i]!.registration, `registration ${i + 1}`).toMatchObject(r.expect);
    expect(regs.every((f) => f.direction === 'app-to-dispatcher' && f.offset === 0)).toBe(true);
    const confs = frames.filter((f) => f.kind === 'confirmation');
    expect(confs.map((f) => [f.connection, f.direction, f.port])).toEqual([
      [1, 'dispatcher-to-app', 40001], [2, 'dispatcher-to-app', 31001], [3, 'dispatcher-to-app', 31002], [4, 'dispatcher-to-app', 30252],
      [5, 'dispatcher-to-app', 40005], [6, 'dispatcher-to-app', 40006], [7, 'dispatcher-to-app', 40007], [8, 'dispatcher-to-app', 40008],
    ]);
    const skipped = frames.filter((f) => f.kind === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ connection: 4, direction: 'app-to-dispatcher', length: s.garbageBytes, error: { code: 'BAD_COOKIE' }, preview: Buffer.from('not a frame at all').toString('hex') + 'df00ad01be02ef03' + skipped[0]!.preview!.toString().slice(52) });

    // Connections are separate sockets: their packets interleave in any order; sort for the checks.
    const key = (r: { direction?: unknown; connection?: unknown; app?: unknown }) => `${String(r.connection ?? r.app)}/${String(r.direction)}`;
    const pk = ofType(p, 'packet').sort((a, b) => key(a).localeCompare(key(b)));
    s.packets.sort((a, b) => key(a).localeCompare(key(b)));
    expect(pk.map((r) => [r.connection, r.direction, r.layer])).toEqual([
      [1, 'app-to-dispatcher', 'SCION/UDP'],
      [1, 'dispatcher-to-app', 'SCION/UDP'],
      [2, 'app-to-dispatcher', 'SCION/SCMP'],
      [4, 'app-to-dispatcher', 'SCION/UDP'],
      [5, 'dispatcher-to-app', 'SCION/UDP'],
      [7, 'app-to-dispatcher', 'SCION/UDP'],
      [7, 'dispatcher-to-app', 'SCION/UDP'],
      [8, 'dispatcher-to-app', 'SCION/UDP'],
    ]);
    // Underlay: the frame's hop on one end, the registered address on the dispatcher's port on the other.
    expect(pk[0]).toMatchObject({ src: { address: '10.0.0.1', port: 30041 }, dst: { address: '10.0.0.254', port: 30042 }, nextHop: { address: '10.0.0.254', port: 30042 }, tsSource: 'user' });
    expect(pk[1]).toMatchObject({ src: { address: '10.0.0.254', port: 30042 }, dst: { address: '10.0.0.1', port: 30041 }, previousHop: { address: '10.0.0.254', port: 30042 } });
    expect(pk[2]).toMatchObject({ src: { address: 'fd00::1', port: 30041 }, dst: { address: 'fd00::fe', port: 30042 } });
    expect(pk[0]!.scionTime).toBeUndefined();
    // The trailer: ns decimal strings, interface, pktinfo; the delivery delay is about the 2 ms the stand-in backdated it.
    const t5 = pk[4]!;
    expect(t5.scionTime).toEqual({ kernelNs: s.kernelNs[0]!.toString(), hardwareNs: '0', interfaceId: 0, pktLengthL2: s.packets[4]!.data.length + 42, pktinfo: { ifindex: 3, specDst: '10.0.0.5', addr: '10.0.0.5' } });
    expect(t5).toMatchObject({ tsSource: 'software', swTsNs: s.kernelNs[0]!.toString() });
    const delay5 = BigInt(t5.deliveryDelayNs as string);
    expect(delay5).toBeGreaterThanOrEqual(2_000_000n);
    expect(delay5).toBeLessThan(2_000_000_000n);
    expect(BigInt(t5.readAtNs as string) - BigInt(t5.swTsNs as string)).toBe(delay5);
    // The TX-timestamp echo (no address): its stamp is shown, it is no reception and no delivery.
    expect(pk[6]).toMatchObject({ txEcho: true, tsSource: 'user', scionTime: { interfaceId: 0 } });
    expect(pk[6]!.deliveryDelayNs).toBeUndefined();
    expect(pk[6]!.swTsNs).toBeUndefined();
    expect(pk[7]).toMatchObject({ tsSource: 'hardware', hwTsNs: '1234567890123456789', scionTime: { hardwareNs: '1234567890123456789', interfaceId: 3 } });
    // The decoded packet is the SCION packet alone: the trailer is not in it.
    expect(t5.length).toBe(s.packets[4]!.data.length);
    expect((t5.decoded as Json).trailing).toBeUndefined();

    const metricsAt = l.metrics as string;
    const text = await (await fetch(`http://${metricsAt}/metrics`)).text();
    expect(text).toMatch(/disptap_unix_delivery_delay_seconds_count\{bind="unix:[^"]+"\} 2/);
    expect(text).toMatch(/disptap_unix_frames_total\{direction="app-to-dispatcher",kind="registration"\} 8/);
    expect(text).toMatch(/disptap_unix_frames_total\{direction="app-to-dispatcher",kind="skipped"\} 1/);
    expect(text).toMatch(/disptap_packets_total\{bind="unix:[^"]+",layer="SCION\/SCMP",direction="app-to-dispatcher"\} 1/);

    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    expect(p.stderr()).not.toContain('no socket listens');
    const sum = p.records.at(-1)!;
    expect(sum).toMatchObject({ type: 'summary', packets: 8, write: { path: pcap, packets: 8, errors: 0 } });
    const u = sum.unixRelay as Json;
    expect(u).toMatchObject({ connections: 8, registrations: 8, confirmations: 8, skipped: 1, skippedBytes: s.garbageBytes, incomplete: 0, upstreamErrors: 0 });
    expect(u.frames).toEqual({ appToDispatcher: 8 + 4, dispatcherToApp: 8 + 4 });
    const dd = u.deliveryDelay as Json;
    expect(dd.count).toBe(2);
    expect(BigInt(dd.p50Ns as string)).toBeGreaterThanOrEqual(2_000_000n);
    expect(BigInt(dd.maxNs as string)).toBeGreaterThanOrEqual(BigInt(dd.p99Ns as string));
    expect(ofType(p, 'connection').filter((c) => c.event === 'open')).toHaveLength(8);
    expectValidRecords(p.records);

    // The capture, read back by tshark: one IP/UDP packet per SCION packet, payload = the packet.
    const rows = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=|', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.payload', '-e', 'frame.comment', '-e', 'frame.p2p_dir', '-e', 'pkt_comment'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .map((r) => r.split('|'));
    expect(rows).toHaveLength(8);
    rows.forEach((r, i) => {
      const rec = pk.find((x) => x.frame === i + 1)!;
      const sent = s.packets[pk.indexOf(rec)]!;
      const src = rec.src as Json;
      const dst = rec.dst as Json;
      expect(r[0] || r[1]).toBe(src.address);
      expect(r[2] || r[3]).toBe(dst.address);
      expect([Number(r[4]), Number(r[5])]).toEqual([src.port, dst.port]);
      expect(r[6]!.replace(/:/g, '')).toBe(sent.data.toString('hex'));
      const comments = `${r[7]} ${r[9]}`;
      expect(comments).toContain(`dispatcher unix socket: ${rec.direction}, connection ${rec.connection}`);
    });
    // With scionproto's tools/wireshark/scion.lua at hand (DISPTAP_SCION_LUA=path; not shipped here),
    // every packet must be dissected as SCION without a warning.
    const lua = process.env.DISPTAP_SCION_LUA;
    if (lua) {
      const tshark = (filter: string) =>
        execFileSync('tshark', ['-X', `lua_script:${lua}`, '-r', pcap, '-Y', filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      expect(tshark('scion').split('\n')).toHaveLength(8);
      expect(tshark('_ws.expert.severity >= warning')).toBe('');
    }
    const f5 = rows[(t5.frame as number) - 1]!;
    expect(`${f5[7]} ${f5[9]}`).toContain(`scion-time trailer: kernel ${s.kernelNs[0]} ns, hardware 0 ns`);
  });

  it('text output: one line per frame with direction, connection, registration and delivery delay; summary on stderr', async () => {
    const { disp, dispPath, tapPath } = await dispatcher();
    const p = start(['relay', '--unix-listen', tapPath, '--unix-to', dispPath, '--no-color']);
    await p.waitForStderr(/disptap relay: .* → /);
    await runScenario(tapPath, disp, () => clock.realtimeNs());
    await p.waitForLine((l) => l.includes('#8') && l.includes('delivery'), 10_000);
    await p.waitForLine((l) => /\[a→d\] 10\.0\.0\.4:30041 .*SCION\/UDP.* #4$/.test(l), 10_000);
    const out = p.stdout();
    expect(out).toMatch(/\[a→d\] #1 dispatcher registration 1-ff00:0:110 10\.0\.0\.1:0 SCMP \(offset 0, \d+ B\)/);
    expect(out).toMatch(/\[d→a\] #2 dispatcher confirmation port 31001/);
    expect(out).toMatch(/#3 dispatcher registration 1-ff00:0:110 10\.0\.0\.3:31002 bind 192\.0\.2\.3:4000 SCMP/);
    expect(out).toMatch(/#4 dispatcher registration 1-ff00:0:110 10\.0\.0\.4:30252 svc CS \(0x0002\)/);
    expect(out).toMatch(/#5 dispatcher registration .* timestamps RxKernel \(svc 0x4242\)/);
    expect(out).toMatch(/#8 dispatcher registration 2-64512 .* timestamps TxKernelHwRxKernelHw \(svc 0x4245\)/);
    expect(out).toMatch(/#4 dispatcher skipped \d+ B that are no frame \(BAD_COOKIE/);
    expect(out).toMatch(/\[d→a\] 10\.0\.0\.254:30042 → 10\.0\.0\.5:30041 .*SCION\/UDP .*#5 delivery [\d.]+ ?ms/);
    p.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
    expect(p.stderr()).toMatch(/unix relay: 8 connections; app→dispatcher 12 frames .*, dispatcher→app 12 frames .*; 8 registrations, 8 confirmations, 1 garbage runs/);
    expect(p.stderr()).toMatch(/delivery delay \(trailer kernel RX → tap read\) p50 .* \(2 trailers\)/);
  });

  it('--filter applies to packets and to frame records', async () => {
    const { disp, dispPath, tapPath } = await dispatcher();
    const p = start(['relay', '--unix-listen', tapPath, '--unix-to', dispPath, '--json', '--filter', 'layer scmp or ia 2-0']);
    await p.waitFor((r) => r.type === 'listening');
    await runScenario(tapPath, disp, () => clock.realtimeNs());
    await p.waitFor((r) => r.type === 'packet' && r.layer === 'SCION/SCMP');
    await new Promise((r) => setTimeout(r, 300));
    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    expect(ofType(p, 'packet').map((r) => r.layer)).toEqual(['SCION/SCMP']);
    expect(ofType(p, 'frame').map((r) => [r.kind, r.connection])).toEqual([['registration', 8]]);
  });

  it('an application is closed at once when the dispatcher is not there, and the tap says so', async () => {
    const tapPath = path.join(dir, 'lonely-tap.sock');
    const p = start(['relay', '--unix-listen', tapPath, '--unix-to', path.join(dir, 'nobody.sock'), '--json']);
    await p.waitFor((r) => r.type === 'listening');
    const { connectApp } = await import('./helpers/standin.js');
    const a = await connectApp(tapPath);
    await a.waitClosed();
    // Said at start (from /proc/net/unix, without a test connect the dispatcher would see).
    await p.waitForStderr(/disptap relay: warning: no socket listens on \S+nobody\.sock \(\/proc\/net\/unix\): is the dispatcher running\?/);
    const e = await p.waitFor((r) => r.type === 'connection' && r.event === 'error');
    expect(e).toMatchObject({ code: 'ENOENT', connection: 1 });
    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    expect((p.records.at(-1)!.unixRelay as Json).upstreamErrors).toBe(1);
  });

  it('usage: --listen/--to are needed only without --unix-*, mixtures are refused', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['relay'], /disptap relay: --listen is required \(UDP: --listen and --to; unix socket: --unix-listen and --unix-to, or --unix-takeover\)/],
      [['relay', '--listen', '127.0.0.1:0'], /--to is required/],
      [['relay', '--unix-listen', '/tmp/x.sock'], /--unix-listen and --unix-to go together/],
      [['relay', '--unix-listen', '/tmp/x.sock', '--unix-to', '/tmp/y.sock', '--to', '127.0.0.1:9'], /--to \(UDP relay\) cannot be combined with --unix-listen and --unix-to/],
      [['relay', '--unix-takeover', '/tmp/x.sock', '--unix-to', '/tmp/y.sock'], /--unix-takeover listens on the taken-over path itself/],
      [['relay', '--unix-restore', '/tmp/x.sock', '--unix-takeover', '/tmp/x.sock'], /--unix-restore runs alone/],
    ];
    for (const [args, re] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
  });
});
