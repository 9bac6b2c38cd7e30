// runPassiveWatch (what `disptap watch --passive` calls) with its sinks, and the commander options.
import { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { addPassiveOptions, passiveOptionsFrom, runPassiveWatch } from '../../src/cli/sources/passive.js';
import { ndjsonSink, pcapngSink, teeSinks, textSink, type PassiveSink } from '../../src/cli/sources/sinks.js';
import type { CaptureRecord } from '../../src/capture/record.js';
import { openUdp } from '../../src/index.js';
import { readPcapng } from '../../src/pcapng/reader.js';
import { closeSocket, sleep, udpSender } from '../helpers/send.js';
import { TSHARK, tsharkFields } from '../pcapng/helpers/tshark.js';
import { captureSkipReason } from './helpers/privileges.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[passive watch tests skipped] ${skip}`);

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.skipIf(skip !== null)('runPassiveWatch', () => {
  it('feeds every record to the sink until count; NDJSON, text and pcapng (as captured, direction flags)', async () => {
    const rx = await udpSender();
    cleanup.push(() => closeSocket(rx));
    const tx = await openUdp({ address: '127.0.0.1' });
    cleanup.push(() => tx.close());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passive-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'w.pcapng');
    const json = new PassThrough();
    const text = new PassThrough();
    let jsonOut = '';
    let textOut = '';
    json.on('data', (d: Buffer) => (jsonOut += d.toString()));
    text.on('data', (d: Buffer) => (textOut += d.toString()));
    const seen: CaptureRecord[] = [];
    const collect: PassiveSink = { record: (r) => void seen.push(r) };
    const sink = teeSinks(collect, ndjsonSink(json), textSink(text), await pcapngSink(file, 'disptap watch --passive'));
    let opened = false;
    const done = runPassiveWatch({ iface: 'lo', port: [String(rx.address().port)], count: 6, onOpen: () => (opened = true) }, sink);
    while (!opened) await sleep(5);
    for (let i = 0; i < 3; i++) await tx.send(`w${i}`, { address: '127.0.0.1', port: rx.address().port }, { ttl: 9 });
    const res = await done;
    expect(res.records).toBe(6);
    expect(res.stats.packets).toBeGreaterThanOrEqual(6);
    expect(seen.map((r) => `${r.direction}:${r.data}`)).toEqual(['out:w0', 'in:w0', 'out:w1', 'in:w1', 'out:w2', 'in:w2']);

    const lines = jsonOut.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatchObject({ direction: 'in', packetType: 'host', ifName: 'lo', ifIndex: 1, ttl: 9, length: 2, data: Buffer.from('w0').toString('hex'), dst: `127.0.0.1:${rx.address().port}` });
    expect(BigInt(lines[1]!.ts as string)).toBe(seen[1]!.timestamps.software);
    expect(textOut.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT.* lo > outgoing 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ ttl 9 tos 0x00 len 2$/);

    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets.map((p) => (p.flags ?? 0) & 3)).toEqual([2, 1, 2, 1, 2, 1]);
    // the packet as it was on the wire: the real IP id, not a synthesized 0
    expect(f.packets.map((p) => (p.data[4]! << 8) | p.data[5]!)).toEqual(seen.map((r) => r.ip.id));
    expect(f.packets.map((p) => p.timestampNs)).toEqual(seen.map((r) => r.timestamps.software));
    if (TSHARK) {
      const rows = tsharkFields(file, ['frame.packet_flags_direction', 'ip.ttl', 'udp.dstport', 'ip.checksum.status'], ['-o', 'ip.check_checksum:TRUE']);
      expect(rows.map((r) => Number(r[0]))).toEqual([2, 1, 2, 1, 2, 1]);
      // ip.checksum.status 1 = good: the real header, as the kernel sent it
      expect(rows.every((r) => r[1] === '9' && Number(r[2]) === rx.address().port && r[3] === '1')).toBe(true);
    }
  });

  it('stops on duration and on an AbortSignal, and releases the capture', async () => {
    // a port held by a socket of ours that nobody sends to (port 9 may see other tests' traffic)
    const holder = await openUdp({ address: '127.0.0.1' });
    const quiet = String(holder.address().port);
    const t0 = Date.now();
    const r = await runPassiveWatch({ iface: 'lo', port: [quiet], duration: 0.2 }, { record: () => {} });
    expect(r.records).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(runPassiveWatch({ iface: 'lo', signal: ac.signal, port: [quiet] }, { record: () => {} })).resolves.toMatchObject({ records: 0 });
    holder.close();
  });
});

describe('passive options for the watch command', () => {
  it('adds --passive --iface --port (repeatable, ranges) and maps them', () => {
    const cmd = addPassiveOptions(new Command('watch').exitOverride());
    cmd.parse(['--passive', '--iface', 'lo', '--port', '30041', '--port', '31000-32767,40000', '--direction', 'in'], { from: 'user' });
    const o = passiveOptionsFrom(cmd.opts());
    expect(o).toEqual({ iface: 'lo', port: ['30041', '31000-32767', '40000'], direction: 'in' });
    expect(cmd.opts().passive).toBe(true);
    const bad = addPassiveOptions(new Command('watch').exitOverride().configureOutput({ writeErr: () => {} }));
    expect(() => bad.parse(['--port', '70000'], { from: 'user' })).toThrow(/not a port/);
  });
});
