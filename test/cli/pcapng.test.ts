// --write FILE.pcapng judged by tshark: packet count, nanosecond timestamps, ports, interfaces,
// comments; a capture ended by SIGTERM (and even SIGKILL) mid-stream reads cleanly and holds
// every printed packet. `disptap decode` reads the same file back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGG, TSHARK, TSHARK_MISSING, TSHARK_REQUIRED, epochToNs, tshark, tsharkFields } from '../pcapng/helpers/tshark.js';
import { listening, ofType, run, start, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { scionNtp, scionUdp, scmpEcho, sender } from './helpers/traffic.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-cli-pcap-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

if (!TSHARK && TSHARK_REQUIRED) {
  it('tshark is installed (CI must judge captures with it)', () => {
    throw new Error(TSHARK_MISSING);
  });
}

const packets = (p: { records: Json[] }) => ofType(p, 'packet');

describe.skipIf(!TSHARK)('watch --write, read back by tshark', () => {
  it('same packets, timestamps equal to the nanosecond, ports, interface names and metadata comments', async () => {
    const file = path.join(dir, 'watch.pcapng');
    const w = start(['watch', '--bind', '127.0.0.1:0', '--bind', '[::1]:0', '--json', '--write', file]);
    const [s4, s6] = await listening(w);
    const t4 = await sender(4);
    const t6 = await sender(6);
    const n = 12;
    for (let i = 0; i < n; i++) {
      const [t, s] = i % 2 ? [t6, s6!] : [t4, s4!];
      const data = i % 3 === 0 ? scionNtp() : i % 3 === 1 ? scmpEcho(i) : scionUdp(`#${i}`);
      await t.send(data, { address: s.address, port: s.port }, { ttl: 10 + i });
    }
    await w.waitFor(() => packets(w).length === n, 10_000, `${n} packets`);
    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
    const recs = packets(w);
    expect(w.records.at(-1)).toMatchObject({ type: 'summary', write: { path: file, packets: n, errors: 0 } });

    const rows = tsharkFields(file, ['frame.number', 'frame.time_epoch', 'udp.srcport', 'udp.dstport', 'frame.interface_name', 'ip.ttl', 'ipv6.hlim', 'frame.comment']);
    expect(rows).toHaveLength(n);
    rows.forEach((row, i) => {
      const r = recs[i]!;
      const [frame, epoch, sport, dport, ifName, ttl4, ttl6, comments] = row as [string, string, string, string, string, string, string, string];
      expect(Number(frame)).toBe(r.frame);
      expect(epochToNs(epoch)).toBe(BigInt(r.tsNs as string));
      expect(Number(sport)).toBe((r.src as Json).port);
      expect(Number(dport)).toBe((r.dst as Json).port);
      expect(ifName).toBe('lo');
      expect(Number(ttl4 || ttl6)).toBe(r.ttl);
      const c = comments.split(AGG);
      expect(c[0]).toMatch(new RegExp(`^disptap: ts=software dst=.*:${(r.dst as Json).port} ifindex=1 ttl=${r.ttl} tos=0x00 read-delay=${r.readDelayNs}ns`));
      // The capture is written before anything is decoded: no decoded summary in the comments.
      expect(c[1]).toBe(`host ${os.hostname()}, socket ${r.bind}, direction in`);
      expect(c).toHaveLength(2);
    });
    // No malformed packets or expert warnings: the synthesized IP/UDP headers are right.
    const expert = tshark(['-r', file, '-o', 'udp.check_checksum:TRUE', '-Y', '_ws.malformed || _ws.expert.severity >= warning']);
    expect(expert.status).toBe(0);
    expect(expert.stdout.trim()).toBe('');

    // decode reads the file back to the same packets
    const d = await run(['decode', file, '--json']);
    expect(d.code).toBe(0);
    const back = packets(d);
    expect(back.map((r) => [r.tsNs, r.layer, (r.src as Json).port, r.ttl, r.readDelayNs])).toEqual(recs.map((r) => [r.tsNs, r.layer, (r.src as Json).port, r.ttl, r.readDelayNs]));
    expectValidRecords([...w.records, ...d.records]);
  });

  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    it(`a capture ended by ${sig} while packets stream in reads cleanly and holds every printed packet`, async () => {
      const file = path.join(dir, `${sig}.pcapng`);
      const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--write', file]);
      const [s] = await listening(w);
      // A real sender process keeps traffic flowing while the signal arrives.
      const gen = start(['send', '--to', `127.0.0.1:${s!.port}`, '--kind', 'scion-udp', '--count', '0', '--rate', '2000', '--json']);
      await w.waitFor(() => packets(w).length >= 150, 15_000, '150 packets');
      w.kill(sig);
      const code = await w.exited();
      gen.kill('SIGINT');
      await gen.exited();
      expect(code).toBe(sig === 'SIGTERM' ? 0 : 137);
      const printed = packets(w);
      const r = tshark(['-r', file, '-T', 'fields', '-e', 'frame.time_epoch']);
      expect(r.stderr).toBe(''); // no "cut short in the middle of a packet"
      expect(r.status).toBe(0);
      const stamps = r.stdout.trim().split('\n').map(epochToNs);
      if (sig === 'SIGTERM') {
        expect(stamps).toHaveLength(printed.length);
        expect(w.records.at(-1)).toMatchObject({ type: 'summary', reason: 'signal' });
      } else {
        // SIGKILL can land between the write and the print: the capture is written first (a
        // receive round at a time), the lines follow, so the file may hold more than was printed
        // — never less.
        expect(stamps.length).toBeGreaterThanOrEqual(printed.length);
      }
      expect(stamps.slice(0, printed.length)).toEqual(printed.map((p) => BigInt(p.tsNs as string)));
    });
  }
});

describe.skipIf(!TSHARK)('relay --write', () => {
  it('holds both directions, with the client and the target on the wire', async () => {
    const file = path.join(dir, 'relay.pcapng');
    const target = await sender(4);
    target.on('message', (m) => void target.send(Buffer.concat([Buffer.from('re:'), m.data]), m.src));
    const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${target.address().port}`, '--json', '--write', file]);
    const [l] = await listening(r);
    const client = await sender(4);
    const replies: string[] = [];
    client.on('message', (m) => replies.push(m.data.toString()));
    for (let i = 0; i < 3; i++) await client.send(`q${i}`, { address: '127.0.0.1', port: l!.port });
    await r.waitFor(() => packets(r).length === 6, 10_000, '6 relayed packets');
    r.kill('SIGINT');
    expect(await r.exited()).toBe(0);
    const rows = tsharkFields(file, ['udp.srcport', 'udp.dstport', 'data.data']);
    expect(rows).toHaveLength(6);
    const c2t = rows.filter(([sp]) => Number(sp) === client.address().port);
    const t2c = rows.filter(([sp]) => Number(sp) === target.address().port);
    expect(c2t.map((x) => Number(x[1]))).toEqual([l!.port, l!.port, l!.port]);
    expect(t2c).toHaveLength(3);
    expect(replies.sort()).toEqual(['re:q0', 're:q1', 're:q2']);
  });
});
