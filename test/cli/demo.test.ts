// disptap demo (what `npm start` runs): real SCION packets over loopback into a watch.
import { describe, expect, it } from 'vitest';
import { ofType, run } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';

describe('demo', () => {
  it('sends SCION/UDP, SCMP echo, BFD and NTP in SCION on both families, shows a truncation, ends with the summary', async () => {
    const r = await run(['demo', '--duration', '1.5s', '--rate', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pk = ofType(r, 'packet');
    expect(new Set(pk.map((p) => p.layer))).toEqual(new Set(['SCION/UDP', 'SCION/SCMP', 'SCION/BFD', 'SCION/UDP/NTP']));
    expect(new Set(pk.map((p) => (p.dst as { address: string }).address))).toEqual(new Set(['127.0.0.1', '::1']));
    expect(pk.every((p) => p.tsSource === 'software' && p.ifName === 'lo')).toBe(true);
    expect(pk.filter((p) => p.truncated)).toHaveLength(1);
    const summary = r.records.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', command: 'demo', reason: 'duration', packets: pk.length, truncations: 1 });
    expect(pk.length).toBeGreaterThanOrEqual(10);
    expectValidRecords(r.records);
    // Every line starts with the version and the timestamp, so `LC_ALL=C sort` merges the logs
    // of many hosts by time (docs/fleet.md).
    const lines = r.stdout.trim().split('\n');
    expect(lines.every((l) => /^\{"v":1,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z","host":/.test(l))).toBe(true);
  });

  it('text mode prints packet lines and the summary', async () => {
    const r = await run(['demo', '--duration', '1s', '--rate', '10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SCION\/SCMP SCION 1-ff00:0:110,\[::1\] > 1-ff00:0:11\d,\[::1\]: SCMP EchoRequest/);
    expect(r.stderr).toMatch(/^disptap demo: a generator sends/);
    expect(r.stderr).toMatch(/--- demo summary \(duration/);
  });
});
