// --metrics scraped over HTTP while the process runs: the counters must equal what was sent.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseMetricsAddress } from '../../src/cli/pipeline/metrics.js';
import { listening, ofType, start, type Json } from './helpers/cli.js';
import { brokenScion, scionUdp, sender } from './helpers/traffic.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

/** Parses the Prometheus text exposition format (the subset prom-client writes). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

describe('--metrics', () => {
  it('watch: packets, bytes, truncations, decode errors by code and the read-delay histogram match the traffic', async () => {
    const w = start(['watch', '--bind', '127.0.0.1:0', '--bind', '[::1]:0', '--json', '--max-size', '96', '--metrics', '127.0.0.1:0']);
    const lst = await w.waitFor((r) => r.type === 'listening');
    const metrics = lst.metrics as string;
    expect(metrics).toMatch(/^127\.0\.0\.1:\d+$/);
    const [s4, s6] = await listening(w);
    const t4 = await sender(4);
    const t6 = await sender(6);
    const v4 = { address: '127.0.0.1', port: s4!.port };
    const v6 = { address: '::1', port: s6!.port };
    for (let i = 0; i < 7; i++) await t4.send(`plain ${i}`, v4); // 7 bytes each
    for (let i = 0; i < 2; i++) await t4.send(Buffer.alloc(200, 0x61), v4); // truncated at 96
    for (let i = 0; i < 3; i++) await t4.send(brokenScion(), v4); // SCION/UDP, decode error TRUNCATED
    const scion = scionUdp('fine');
    for (let i = 0; i < 5; i++) await t6.send(scion, v6);
    await w.waitFor(() => ofType(w, 'packet').length === 17, 10_000, '17 packets');

    const res = await get(`http://${metrics}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parse(res.body);
    const b4 = { bind: s4!.bind, direction: 'in' };
    const b6 = { bind: s6!.bind, direction: 'in' };
    expect(sum(m, 'disptap_packets_total', { ...b4, layer: 'Payload' })).toBe(9);
    expect(sum(m, 'disptap_packets_total', { ...b4, layer: 'SCION/UDP' })).toBe(3);
    expect(sum(m, 'disptap_packets_total', { ...b6, layer: 'SCION/UDP' })).toBe(5);
    expect(sum(m, 'disptap_packets_total')).toBe(17);
    expect(sum(m, 'disptap_bytes_total', { ...b4, layer: 'Payload' })).toBe(7 * 7 + 2 * 200);
    expect(sum(m, 'disptap_bytes_total', { ...b6, layer: 'SCION/UDP' })).toBe(5 * scion.length);
    expect(sum(m, 'disptap_truncations_total', { ...b4, layer: 'Payload' })).toBe(2);
    expect(sum(m, 'disptap_truncations_total')).toBe(2);
    expect(sum(m, 'disptap_decode_errors_total', { ...b4, layer: 'SCION/UDP', code: 'TRUNCATED' })).toBe(3);
    expect(sum(m, 'disptap_decode_errors_total')).toBe(3);
    expect(sum(m, 'disptap_read_delay_seconds_count')).toBe(17);
    expect(sum(m, 'disptap_read_delay_seconds_count', { ...b6, layer: 'SCION/UDP' })).toBe(5);
    // Every observation is in the +Inf bucket, and the sum is the records' read delays.
    expect(sum(m, 'disptap_read_delay_seconds_bucket', { le: '+Inf' })).toBe(17);
    const delaySum = ofType(w, 'packet').reduce((n, r) => n + Number(r.readDelayNs) / 1e9, 0);
    expect(sum(m, 'disptap_read_delay_seconds_sum')).toBeCloseTo(delaySum, 6);
    expect(sum(m, 'disptap_kernel_drops_total')).toBe(0);
    expect(m.some((s) => s.name === 'disptap_process_cpu_user_seconds_total')).toBe(true);
    expect((await get(`http://${metrics}/`)).status).toBe(404);

    w.kill('SIGINT');
    expect(await w.exited()).toBe(0);
  });

  it('watch --quiet --metrics, and -f with --metrics: every datagram in the metrics and the summary counts the decode faults', async () => {
    for (const extra of [['--quiet'], ['-f', 'port 1-65535']]) {
      const w = start(['watch', '--bind', '127.0.0.1:0', '--json', '--metrics', '127.0.0.1:0', ...extra]);
      const lst = await w.waitFor((r) => r.type === 'listening');
      const [s4] = await listening(w);
      const t4 = await sender(4);
      const to = { address: '127.0.0.1', port: s4!.port };
      for (let i = 0; i < 4; i++) await t4.send(`plain ${i}`, to);
      for (let i = 0; i < 3; i++) await t4.send(brokenScion(), to);
      const bind = { bind: s4!.bind, direction: 'in' };
      let m: Sample[] = [];
      for (let tries = 0; tries < 100 && sum(m, 'disptap_packets_total') < 7; tries++) {
        m = parse((await get(`http://${lst.metrics as string}/metrics`)).body);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(sum(m, 'disptap_packets_total', { ...bind, layer: 'Payload' }), extra.join(' ')).toBe(4);
      expect(sum(m, 'disptap_packets_total', { ...bind, layer: 'SCION/UDP' })).toBe(3);
      expect(sum(m, 'disptap_decode_errors_total', { ...bind, layer: 'SCION/UDP', code: 'TRUNCATED' })).toBe(3);
      expect(sum(m, 'disptap_read_delay_seconds_count', bind)).toBe(7);
      w.kill('SIGINT');
      expect(await w.exited()).toBe(0);
      expect(w.records.at(-1), extra.join(' ')).toMatchObject({ type: 'summary', packets: 7, matched: 7, decodeErrors: 3, decodeErrorsByCode: { TRUNCATED: 3 } });
      t4.close();
    }
  });

  it('send: sent counters and the TX-timestamp latency histogram; --linger keeps them up until Ctrl-C', async () => {
    const rx = await sender(4);
    const s = start(['send', '--to', `127.0.0.1:${rx.address().port}`, '--count', '4', '--rate', '0', '--tx-timestamps', 'software', '--json', '--metrics', '127.0.0.1:0', '--linger', '20s']);
    const lst = await s.waitFor((r) => r.type === 'listening');
    await s.waitFor((r) => r.type === 'summary', 10_000, 'the send summary');
    const m = parse((await get(`http://${lst.metrics as string}/metrics`)).body);
    const bind = ((lst.sockets as Json[])[0] as Json).bind as string;
    expect(sum(m, 'disptap_sent_packets_total', { bind, layer: 'SCION/UDP' })).toBe(4);
    const bytes = ofType(s, 'sent').reduce((n, r) => n + (r.bytes as number), 0);
    expect(sum(m, 'disptap_sent_bytes_total', { bind })).toBe(bytes);
    expect(sum(m, 'disptap_tx_timestamp_latency_seconds_count', { bind, kind: 'software' })).toBe(4);
    const latency = ofType(s, 'sent').reduce((n, r) => n + Number(r.txLatencyNs) / 1e9, 0);
    expect(sum(m, 'disptap_tx_timestamp_latency_seconds_sum', { kind: 'software' })).toBeCloseTo(latency, 6);
    const t0 = Date.now();
    s.kill('SIGINT');
    expect(await s.exited()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('relay: refusals by the target and its up/down state', async () => {
    // A port nobody listens on: every forwarded datagram is refused.
    const gone = await sender(4);
    const port = gone.address().port;
    gone.close();
    const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${port}`, '--json', '--metrics', '127.0.0.1:0']);
    const lst = await r.waitFor((x) => x.type === 'listening');
    const [l] = await listening(r);
    const client = await sender(4);
    for (let i = 0; i < 3; i++) await client.send(`r${i}`, { address: '127.0.0.1', port: l!.port });
    await r.waitFor((x) => x.type === 'target' && x.event === 'down', 5000, 'the target-down record');
    await r.waitFor(() => ofType(r, 'packet').length === 3, 5000, '3 relayed packets');
    const labels = { listen: l!.bind, target: `127.0.0.1:${port}` };
    // The kernel keeps one pending socket error: refusals arriving between two reads fold into
    // one ECONNREFUSED report. The counter counts reports, as the target records do; a report may
    // land between reading the records and the scrape, so compare until both agree (bounded).
    let reports = -1;
    let m: Sample[] = [];
    for (let i = 0; i < 20; i++) {
      reports = ofType(r, 'target').filter((x) => x.event === 'down' || x.event === 'refused').length;
      m = parse((await get(`http://${lst.metrics as string}/metrics`)).body);
      if (sum(m, 'disptap_relay_target_refused_total', labels) === reports) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(reports).toBeGreaterThanOrEqual(1);
    expect(sum(m, 'disptap_relay_target_refused_total', labels)).toBe(reports);
    expect(sum(m, 'disptap_relay_target_up', labels)).toBe(0);
    expect(sum(m, 'disptap_relay_clients', labels)).toBe(1);
    expect(sum(m, 'disptap_packets_total', { bind: l!.bind, direction: 'client-to-target' })).toBe(3);
    r.kill('SIGINT');
    expect(await r.exited()).toBe(0);
  });

  it('the address defaults to loopback: a bare port and the flag alone bind 127.0.0.1', () => {
    expect(parseMetricsAddress(true)).toEqual({ address: '127.0.0.1', port: 9464, family: 4 });
    expect(parseMetricsAddress('9999')).toEqual({ address: '127.0.0.1', port: 9999, family: 4 });
    expect(parseMetricsAddress('[::1]:9464')).toEqual({ address: '::1', port: 9464, family: 6 });
  });
});
