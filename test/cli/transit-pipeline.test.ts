// `disptap transit` in the common pipeline, through the real executable against the forwarder
// stand-in: --metrics scraped while it runs (the transit-time histogram by matcher beside the
// common packet counters), -f deciding which datagrams take part in pairing, and every NDJSON
// record checked against the schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../../src/pcapng/reader.js';
import { dissectUdp } from '../../src/pcapng/dissect.js';
import { captureSkipReason } from '../capture/helpers/privileges.js';
import { closeSocket, sendTo, udpSender } from '../helpers/send.js';
import { holdTimestampingOn } from '../helpers/warm-timestamps.js';
import { startForwarder, type Forwarder } from '../transit/helpers/forwarder.js';
import { scmpPacket } from '../transit/helpers/scion.js';
import { eventually, ofType, start, type Proc } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[transit pipeline tests skipped] ${skip}`);

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** One sample of a Prometheus text exposition; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) n += Number(m[3]);
  }
  return n;
}

describe.skipIf(skip !== null)('disptap transit in the common pipeline', () => {
  // The CLI child's capture needs real kernel stamps from its first packet (see warm-timestamps.ts).
  let keeper: Awaited<ReturnType<typeof holdTimestampingOn>> | undefined;
  beforeAll(async () => {
    keeper = await holdTimestampingOn();
  });
  afterAll(() => keeper?.close());

  async function setup(): Promise<{ fwd: Forwarder; send: (s: string | Uint8Array) => Promise<void> }> {
    const fwd = await startForwarder(4);
    cleanup.push(() => fwd.stop());
    const client = await udpSender(4);
    cleanup.push(() => closeSocket(client));
    return { fwd, send: (s) => sendTo(client, s, fwd.inPort, '127.0.0.1') };
  }

  const echo = (delayMs: number, seq: number) => scmpPacket({ type: 128, identifier: delayMs, sequence: seq, data: Buffer.from('echo') });

  it('--metrics while it runs: transit-time histogram by matcher, unmatched and pending, the common packet counters', async () => {
    const { fwd, send } = await setup();
    const p: Proc = start(['transit', '--iface', 'lo', '--in', String(fwd.inPort), '--out', String(fwd.outPort), '--json', '--metrics', '127.0.0.1:0', '--timeout', '300ms']);
    const listening = await p.waitFor((r) => r.type === 'listening', 10_000, 'the listening record');
    const url = `http://${listening.metrics as string}/metrics`;
    for (let i = 0; i < 3; i++) await send(`D5:metrics ${i}`);
    await send(echo(3, 1));
    await send('DROP: never forwarded');
    await eventually(() => ofType(p, 'pair').length === 4 && ofType(p, 'unmatched').length === 1, 5000, '4 pairs and the drop unmatched');

    const text = await (await fetch(url)).text();
    const bytes = { matcher: 'bytes', clock: 'software' };
    const scmp = { matcher: 'scmp-echo', clock: 'software' };
    expect(sample(text, 'disptap_transit_seconds_count', bytes)).toBe(3);
    expect(sample(text, 'disptap_transit_seconds_count', scmp)).toBe(1);
    // every forward was held at least 5 ms by the forwarder: none under 1 ms, all under 1 s
    expect(sample(text, 'disptap_transit_seconds_bucket', { ...bytes, le: '0.001' })).toBe(0);
    expect(sample(text, 'disptap_transit_seconds_bucket', { ...bytes, le: '1' })).toBe(3);
    expect(sample(text, 'disptap_transit_seconds_sum', bytes)!).toBeGreaterThanOrEqual(0.015);
    expect(sample(text, 'disptap_transit_seconds_sum', scmp)!).toBeGreaterThanOrEqual(0.003);
    expect(sample(text, 'disptap_transit_unmatched_total', { side: 'in', reason: 'no-output' })).toBe(1);
    expect(sample(text, 'disptap_transit_pending', { side: 'in' })).toBe(0);
    // the Session's counters: 5 inputs (the drop included) and 4 outputs on lo
    expect(total(text, 'disptap_packets_total', { bind: 'lo', direction: 'in' })).toBe(5);
    expect(total(text, 'disptap_packets_total', { bind: 'lo', direction: 'out' })).toBe(4);
    expect(total(text, 'disptap_packets_total', { bind: 'lo', layer: 'SCION/SCMP' })).toBe(2);
    expect(total(text, 'disptap_read_delay_seconds_count', { bind: 'lo' })).toBe(9);

    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    expectValidRecords(p.records);
    expect(p.records[0]).toMatchObject({ type: 'listening', command: 'transit' });
    expect(p.records.at(-1)).toMatchObject({ type: 'summary', command: 'transit', reason: 'signal', packets: 9, matched: 9, pairs: 4 });
  });

  it('-f decides what takes part in pairing: only SCMP is paired, counted as matched and written; the rest is only counted', async () => {
    const { fwd, send } = await setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transit-filter-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'scmp.pcapng');
    const p = start(['transit', '--iface', 'lo', '--in', String(fwd.inPort), '--out', String(fwd.outPort), '--json', '-f', 'layer scmp', '--count', '2', '--timeout', '300ms', '-w', file]);
    await p.waitFor((r) => r.type === 'listening', 10_000, 'the listening record');
    // forwarded at once, before the echo replies (held 1 ms): all seen before the run stops
    for (let i = 0; i < 3; i++) await send(`D0:plain ${i}`);
    await send(echo(1, 1));
    await send(echo(1, 2));
    expect(await p.exited()).toBe(0);
    expectValidRecords(p.records);
    const pairs = ofType(p, 'pair');
    expect(pairs.map((x) => x.matcher)).toEqual(['scmp-echo', 'scmp-echo']);
    // the plain datagrams never entered the pairing: no unmatched record for them either
    expect(ofType(p, 'unmatched')).toEqual([]);
    expect(p.records.at(-1)).toMatchObject({ type: 'summary', command: 'transit', reason: 'count', packets: 10, matched: 4, pairs: 2, write: { path: file, packets: 4, errors: 0 } });
    const f = readPcapng(fs.readFileSync(file));
    expect(f.errors).toEqual([]);
    expect(f.packets).toHaveLength(4);
    // as captured (IP/UDP headers from the wire), inputs flagged in (1), replies out (2)
    for (const pk of f.packets) {
      const udp = dissectUdp(pk.data)!;
      expect(udp.payload[4]).toBe(202); // SCION next header: SCMP
      expect((pk.flags ?? 0) & 3).toBe(udp.dst.port === fwd.inPort ? 1 : 2);
    }
  });

  it('-f in text mode: the summary says how many took part; an output whose input was filtered is unmatched no-input', async () => {
    const { fwd, send } = await setup();
    // inputs are to the in-port, outputs from it: this keeps the outputs only
    const p = start(['transit', '--iface', 'lo', '--in', String(fwd.inPort), '--out', String(fwd.outPort), '-f', `not dst-port ${fwd.inPort}`, '--timeout', '300ms']);
    await p.waitForStderr(/capturing on lo/);
    for (let i = 0; i < 2; i++) await send(`D0:text ${i}`);
    await p.waitForLine((l) => l.includes('no-input'), 5000, 'an unmatched output');
    await eventually(() => p.lines.filter((l) => l.includes('no-input')).length === 2, 5000, 'both outputs unmatched');
    p.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
    const err = p.stderr();
    expect(err).toMatch(/^--- transit summary \(signal, \d+\.\d s\)$/m);
    expect(err).toMatch(/^4 packets, /m);
    expect(err).toContain('filter: 2 of 4 datagrams took part in pairing');
    expect(err).toContain('pairs: 0');
    expect(err).toContain('unmatched out: no-input 2');
    expect(err).toContain('unmatched in: 0');
  });
});
