// disptap send: test traffic with optional kernel TX timestamps per datagram.
import dgram from 'node:dgram';
import { openUdp, clock, type TxKind, type TxTimestamps, type UdpTap } from '../../index.js';
import { formatEndpoint, parseEndpoint, resolveLocalhost, type Endpoint } from '../bind-spec.js';
import { CliError, UsageError, errorCode, oneLine } from '../errors.js';
import { formatBytes, formatNs } from '../pipeline/format.js';
import type { SendCli } from '../types.js';
import { Metrics, parseMetricsAddress, serveMetrics, type MetricsServer } from '../pipeline/metrics.js';
import { Output } from '../pipeline/output.js';
import { base, delayJson, type SentRecord, type SummaryRecord } from '../pipeline/record.js';
import { Quantiles } from '../../sys/quantiles.js';
import { KIND_LAYER, buildDatagram, checkSpec, type TrafficSpec } from './traffic.js';
import { nsToIso } from '../../sys/time.js';

const TX_KINDS: readonly TxKind[] = ['sched', 'software', 'hardware'];

export function parseTxKinds(v: string | true | undefined): TxKind[] {
  if (v === undefined) return [];
  if (v === true) return ['software'];
  const out: TxKind[] = [];
  for (const k of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(TX_KINDS as readonly string[]).includes(k)) throw new UsageError(`--tx-timestamps: '${k}' is not one of ${TX_KINDS.join(', ')}`);
    if (!out.includes(k as TxKind)) out.push(k as TxKind);
  }
  if (out.length === 0) throw new UsageError('--tx-timestamps: name at least one of sched, software, hardware');
  return out;
}

/** The source address the kernel would pick for `to` (connect() on a UDP socket sends nothing). */
async function sourceFor(to: Endpoint): Promise<string> {
  const s = dgram.createSocket(to.family === 4 ? 'udp4' : 'udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(to.port, to.address, () => resolve());
    });
    return s.address().address;
  } finally {
    s.close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function runSend(o: SendCli): Promise<number> {
  const to = parseEndpoint(o.to);
  if (to.address === '0.0.0.0' || to.address === '::') throw new UsageError(`--to ${o.to}: send needs a concrete destination address`);
  const from = o.bind ? parseEndpoint(o.bind, { allowZero: true, defaultHost: to.family === 4 ? '0.0.0.0' : '::' }) : { address: to.family === 4 ? '0.0.0.0' : '::', port: 0, family: to.family };
  if (from.family !== to.family) throw new UsageError(`--bind ${o.bind} and --to ${o.to} are different address families`);
  const txKinds = parseTxKinds(o.txTimestamps);
  if (o.payload !== undefined && o.payloadHex !== undefined) throw new UsageError('give --payload or --payload-hex, not both');
  if (o.size !== undefined && o.size > 65507) throw new UsageError('--size: a UDP datagram carries at most 65507 bytes');
  const out = new Output({ json: o.json ?? false, color: o.color, prefix: 'disptap send' });
  const wildcard = from.address === '0.0.0.0' || from.address === '::';
  const srcHost = o.srcHost !== undefined ? resolveLocalhost(o.srcHost) : (wildcard ? await sourceFor(to).catch(() => (to.family === 4 ? '127.0.0.1' : '::1')) : from.address.split('%')[0]!);
  const spec: TrafficSpec = {
    kind: o.kind,
    srcIA: o.srcIa,
    dstIA: o.dstIa,
    srcHost,
    dstHost: o.dstHost !== undefined ? resolveLocalhost(o.dstHost) : to.address.split('%')[0]!,
    srcPort: o.srcPort,
    dstPort: o.dstPort ?? (o.kind === 'ntp-scion' ? 123 : 31001),
    payload: o.payloadHex ?? (o.payload !== undefined ? new TextEncoder().encode(o.payload) : undefined),
    size: o.size,
  };
  checkSpec(spec);
  const metricsAt = o.metrics !== undefined ? parseMetricsAddress(o.metrics) : null;
  buildDatagram(spec, 0, 0n); // builder errors (bad host address, …) are usage errors: say so before any socket

  let tap: UdpTap;
  try {
    tap = await openUdp({ address: from.address, port: from.port, timestamps: 'none' });
  } catch (e) {
    throw new CliError(`cannot bind ${formatEndpoint(from)}: ${oneLine(e)}`, errorCode(e), { cause: e });
  }
  const local = tap.address();
  const bindLabel = formatEndpoint({ address: from.address, port: local.port });
  const layer = KIND_LAYER[o.kind];
  const metrics = metricsAt ? new Metrics() : null;
  let server: MetricsServer | null = null;
  if (metrics && metricsAt) {
    try {
      server = await serveMetrics(metrics, metricsAt, (l) => out.warn(l));
    } catch (e) {
      tap.close();
      throw e;
    }
  }

  const stop = new AbortController();
  let signalled = false;
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    signalled = true;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.whenClosed(() => stop.abort());

  if (out.json) {
    out.record({
      ...base(nsToIso(clock.realtimeNs())),
      type: 'listening',
      command: 'send',
      pid: process.pid,
      sockets: [{ bind: bindLabel, address: from.address, port: local.port, family: local.family, timestamps: 'none' }],
      target: formatEndpoint(to),
      ...(server ? { metrics: server.address } : {}),
    });
  } else {
    out.err(`disptap send: ${o.count === 0 ? 'until interrupted' : `${o.count} × ${o.kind}`} from ${bindLabel} to ${formatEndpoint(to)}${o.rate > 0 ? ` at ${o.rate}/s` : ''}`);
    if (server) out.err(`metrics on http://${server.address}/metrics`);
  }

  const startNs = clock.realtimeNs();
  const latency = new Quantiles();
  let sent = 0;
  let bytes = 0;
  let errors = 0;
  let stamped = 0;
  let missing = 0;
  // Records are printed in send order even though TX timestamps arrive later.
  let printed: Promise<void> = Promise.resolve();
  const t0 = Date.now();

  for (let seq = 1; o.count === 0 || seq <= o.count; seq++) {
    if (stop.signal.aborted) break;
    if (o.rate > 0) {
      const due = t0 + ((seq - 1) * 1000) / o.rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait, stop.signal);
      if (stop.signal.aborted) break;
    }
    const data = buildDatagram(spec, seq, clock.realtimeNs());
    // Read the clock after building, right before sendmsg: the latency is the kernel's part.
    const sendNs = clock.realtimeNs();
    const rec: SentRecord = {
      ...base(nsToIso(sendNs)),
      type: 'sent',
      seq,
      to: { address: to.address, port: to.port },
      from: { address: from.address, port: local.port },
      kind: o.kind,
      layer,
      bytes: data.length,
      sendNs: sendNs.toString(),
    };
    let tx: Promise<TxTimestamps> | undefined;
    try {
      const r = await tap.send(data, { address: to.address, port: to.port }, {
        ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
        ...(o.tos !== undefined ? { tos: o.tos } : {}),
        ...(txKinds.length ? { txTimestamps: txKinds } : {}),
      });
      sent++;
      bytes += r.bytes;
      metrics?.sentPackets.inc({ bind: bindLabel, layer });
      metrics?.sentBytes.inc({ bind: bindLabel, layer }, r.bytes);
      tx = r.tx;
    } catch (e) {
      errors++;
      rec.error = oneLine(e);
      metrics?.sendErrors.inc({ bind: bindLabel, code: errorCode(e) ?? 'unknown' });
    }
    const txp = tx;
    printed = printed.then(async () => {
      if (txp) {
        try {
          const t = await txp;
          if (t.sched !== undefined) rec.txSchedNs = t.sched.toString();
          if (t.software !== undefined) rec.txSoftwareNs = t.software.toString();
          if (t.hardware !== undefined) rec.txHardwareNs = t.hardware.toString();
          if (t.missing.length) {
            rec.txMissing = [...t.missing];
            missing++;
          }
          const first = t.software ?? t.hardware ?? t.sched;
          if (first !== undefined) {
            stamped++;
            rec.txLatencyNs = (first - sendNs).toString();
            latency.add(Number(first - sendNs));
          }
          for (const k of TX_KINDS) {
            const v = t[k];
            if (v !== undefined) metrics?.txLatency.observe({ bind: bindLabel, layer, kind: k }, Number(v - sendNs) / 1e9);
          }
        } catch (e) {
          rec.txMissing = [...txKinds];
          rec.error = `TX timestamp: ${oneLine(e)}`;
          missing++;
        }
      }
      if (out.json) out.record(rec);
      else out.out(sentLine(out, rec, to));
    });
  }
  await printed;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const endNs = clock.realtimeNs();
  const q = { count: latency.count, p50Ns: latency.quantile(0.5), p99Ns: latency.quantile(0.99), maxNs: latency.max };
  const summary: SummaryRecord = {
    ...base(nsToIso(endNs)),
    type: 'summary',
    command: 'send',
    reason: signalled ? 'signal' : stop.signal.aborted ? 'stdout closed' : 'count',
    durationNs: (endNs - startNs).toString(),
    packets: 0,
    bytes: 0,
    drops: 0,
    truncations: 0,
    decodeErrors: 0,
    decodeErrorsByCode: {},
    readDelay: { count: 0 },
    matched: 0,
    sockets: [],
    send: { sent, bytes, errors, txTimestamps: stamped, txMissing: missing, txLatency: delayJson(q) },
  };
  if (out.json) out.record(summary);
  else {
    out.err(`--- send summary: ${sent} sent (${formatBytes(bytes)}), ${errors ? out.e.red(`${errors} failed`) : '0 failed'}`);
    if (txKinds.length) {
      out.err(
        q.count
          ? `TX timestamp latency (sendmsg → kernel stamp) p50 ${formatNs(q.p50Ns!)}  p99 ${formatNs(q.p99Ns!)}  max ${formatNs(q.maxNs!)}; ${missing} without all stamps`
          : `no TX timestamps arrived (${missing} missing)`,
      );
    }
  }
  tap.close();
  if (server) {
    // --linger: let Prometheus scrape the final counters of a short run (Ctrl-C ends it early).
    if (o.linger && !stop.signal.aborted) {
      const lingerStop = new AbortController();
      const h = () => lingerStop.abort();
      process.once('SIGINT', h);
      process.once('SIGTERM', h);
      await sleep(o.linger, lingerStop.signal);
    }
    await server.close();
  }
  return errors > 0 ? 1 : 0;
}

function sentLine(out: Output, r: SentRecord, to: Endpoint): string {
  const c = out.c;
  const parts = [`#${r.seq}`, nsToIso(BigInt(r.sendNs)), `${r.from.address.includes(':') ? `[${r.from.address}]` : r.from.address}:${r.from.port} → ${formatEndpoint(to)}`, `${r.bytes} B`, c.cyan(r.layer)];
  if (r.error) parts.push(c.red(r.error));
  const send = BigInt(r.sendNs);
  for (const [k, v] of [['sched', r.txSchedNs], ['tx', r.txSoftwareNs], ['hw', r.txHardwareNs]] as const) {
    if (v !== undefined) parts.push(`${k} ${nsToIso(BigInt(v))} ${c.dim(`(+${formatNs(BigInt(v) - send)})`)}`);
  }
  if (r.txMissing?.length && !r.error) parts.push(c.yellow(`no ${r.txMissing.join('/')} TX timestamp`));
  return parts.join(' ');
}
