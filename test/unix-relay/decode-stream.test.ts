// disptap decode of one direction of a dispatcher unix-socket stream, and the rule for files that
// are no capture (docs/cli.md): refused unless hex text, ports given, or content recognised.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ofType, run, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { confirmation, frame, registration, trailer } from './helpers/standin.js';
import { echo, udp } from './helpers/scenario.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-decode-stream-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: Buffer | string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

describe('decode of a dispatcher stream', () => {
  it('an application-side stream (leading noise from a log): registration, packets, garbage, an unfinished frame', async () => {
    const out = udp(1);
    const f = file('app.bin', Buffer.concat([Buffer.from('strace: '), frame(registration({ address: '10.0.0.1', svc: 0x4243 })), frame(out, '10.0.0.254', 30042), Buffer.from([1, 2, 3]), frame(echo(1), 'fd00::fe', 30042), frame(udp(2), '10.0.0.254', 30042).subarray(0, 30)]));
    const r = await run(['decode', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fr = ofType(r, 'frame');
    expect(fr.map((x) => [x.kind, x.offset, x.direction])).toEqual([
      ['skipped', 0, 'app-to-dispatcher'],
      ['registration', 8, 'app-to-dispatcher'],
      ['skipped', 8 + 32 + 19 + out.length, 'app-to-dispatcher'],
      ['incomplete', 8 + 32 + 19 + out.length + 3 + 31 + echo(1).length, 'app-to-dispatcher'],
    ]);
    expect(fr[1]!.registration).toMatchObject({ publicAddress: '10.0.0.1', timestampMode: 'RxKernelHw' });
    const pk = ofType(r, 'packet');
    expect(pk.map((p) => [p.layer, (p.nextHop as Json).address, (p.src as Json).address, (p.dst as Json).port])).toEqual([
      ['SCION/UDP', '10.0.0.254', '10.0.0.1', 30042],
      ['SCION/SCMP', 'fd00::fe', '::', 30042],
    ]);
    expect(pk[0]).toMatchObject({ connection: 1, direction: 'app-to-dispatcher', length: out.length, tsSource: 'user' });
    const text = await run(['decode', f]);
    expect(text.stderr).toContain('dispatcher unix-socket stream, taken as app-to-dispatcher (registration at offset 8)');
    expect(text.stdout).toMatch(/\[a→d\] #1 dispatcher registration 1-ff00:0:110 10\.0\.0\.1:0 SCMP timestamps RxKernelHw \(svc 0x4243\) \(offset 8, 32 B\)/);
    expect(r.records.at(-1)).toMatchObject({ type: 'summary', command: 'decode', packets: 2 });
    expectValidRecords(r.records);
  });

  it('a dispatcher-side stream as hex text: confirmation, trailers decoded (kernel time as the packet time), no delivery delay', async () => {
    const k = 1_765_000_000_123_456_789n;
    const p = udp(5);
    const bytes = Buffer.concat([frame(confirmation(40005)), frame(Buffer.concat([p, trailer({ kernelNs: k, interfaceId: 2, ifindex: 2, addr: '10.0.0.5' })]), '10.0.0.254', 30042)]);
    const f = file('disp.hex', bytes.toString('hex').replace(/(.{32})/g, '$1\n'));
    const r = await run(['decode', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ofType(r, 'frame')).toMatchObject([{ kind: 'confirmation', port: 40005, direction: 'dispatcher-to-app' }]);
    const [pk] = ofType(r, 'packet');
    expect(pk).toMatchObject({ direction: 'dispatcher-to-app', tsSource: 'software', tsNs: k.toString(), previousHop: { address: '10.0.0.254', port: 30042 }, scionTime: { kernelNs: k.toString(), interfaceId: 2 } });
    expect(pk!.deliveryDelayNs).toBeUndefined();
    const text = await run(['decode', f, '--direction', 'dispatcher-to-app']);
    expect(text.stdout).toMatch(/\[d→a\] #1 dispatcher confirmation port 40005/);
    expect(text.stdout).toMatch(/\[d→a\] 10\.0\.0\.254:30042 → 0\.0\.0\.0:30041 \d+ B SCION\/UDP .* #1 trailer if 2/);
    const bad = await run(['decode', f, '--direction', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--direction sideways: expected app-to-dispatcher or dispatcher-to-app/);
  });
});

describe('decode of a file that is no capture', () => {
  it('refuses /etc/passwd and other text with exit 1 and one clear line', async () => {
    for (const f of ['/etc/passwd', file('notes.txt', 'just some words\n'), file('empty.bin', '')]) {
      const r = await run(['decode', f]);
      expect(r.code, f).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^disptap decode: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not something decode reads \\(.*\\): not a pcapng/pcap capture, no dispatcher frame cookie de00ad01be02ef03, not hex text, and not a SCION or STUN datagram; give --dst-port/--src-port to decode it as one UDP payload anyway\\n$`));
      expect(r.stdout).toBe('');
    }
  });

  it('decodes any file as one UDP payload when ports are given, and recognised content without them', async () => {
    const r = await run(['decode', '/etc/passwd', '--dst-port', '9999', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ofType(r, 'packet')[0]).toMatchObject({ layer: 'Payload' });
    const ntp = Buffer.alloc(48);
    ntp[0] = 0x23;
    const n = await run(['decode', file('ntp.bin', ntp), '--dst-port', '123', '--json']);
    expect(ofType(n, 'packet')[0]).toMatchObject({ layer: 'NTP' });
    // The same NTP bytes without a port: nothing says what they are, so they are refused.
    expect((await run(['decode', path.join(dir, 'ntp.bin')])).code).toBe(1);
    const scion = await run(['decode', path.join(ROOT, 'test/fixtures/scion/scion-udp.bin'), '--json']);
    expect(ofType(scion, 'packet')[0]).toMatchObject({ layer: 'SCION/UDP' });
    // Hex text is always taken as a datagram: someone wrote it on purpose.
    const h = await run(['decode', file('ntp.hex', ntp.toString('hex')), '--json']);
    expect(h.code).toBe(0);
    expect(ofType(h, 'packet')[0]).toMatchObject({ layer: 'Payload', length: 48 });
  });
});
