// `--metrics [ADDR:PORT]`: Prometheus metrics with prom-client, served over HTTP on loopback
// unless another address is given. Its own Registry (not prom-client's global one), so tests
// and embedders can run several in one process.
import type Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { prom } from './prom.js';
import { formatEndpoint, isLoopback, parseEndpoint, type Endpoint } from '../bind-spec.js';
import { RxDelayHistogram, RxSeriesTable, collectInto } from './rx-series.js';
import { CliError, UsageError } from '../errors.js';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** Seconds; from a loopback hop (µs) to a stalled reader (s). */
/** Histogram buckets (seconds) for every delay disptap measures: 1 µs to 2.5 s. */
export const DELAY_BUCKETS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5];

type RxLabels = 'bind' | 'layer' | 'direction';

export class Metrics {
  readonly registry: Registry;
  /**
   * Received datagrams: packets, bytes, truncations, decode errors and read delay per (bind, layer,
   * direction), counted here per datagram and read into the exported metrics at scrape time.
   */
  readonly rx = new RxSeriesTable(DELAY_BUCKETS);
  readonly packets: Counter<RxLabels>;
  readonly bytes: Counter<RxLabels>;
  readonly drops: Counter<'bind'>;
  readonly truncations: Counter<RxLabels>;
  readonly decodeErrors: Counter<RxLabels | 'code'>;
  readonly readDelay: RxDelayHistogram;
  readonly sentPackets: Counter<'bind' | 'layer'>;
  readonly sentBytes: Counter<'bind' | 'layer'>;
  readonly sendErrors: Counter<'bind' | 'code'>;
  readonly txLatency: Histogram<'bind' | 'layer' | 'kind'>;
  readonly relayRefusals: Counter<'listen' | 'target'>;
  readonly relayForwardErrors: Counter<'listen' | 'target' | 'direction' | 'code'>;
  readonly relayClients: Gauge<'listen' | 'target'>;
  readonly relayTargetUp: Gauge<'listen' | 'target'>;
  readonly captureErrors: Counter<'code'>;
  readonly unixFrames: Counter<'direction' | 'kind'>;
  readonly unixDeliveryDelay: Histogram<'bind'>;

  constructor(defaults = true) {
    const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = prom();
    const r = (this.registry = new Registry());
    const rx: RxLabels[] = ['bind', 'layer', 'direction'];
    const table = this.rx;
    this.packets = new Counter({
      name: 'disptap_packets_total', help: 'Datagrams received, by receiving socket, decoded layer stack and direction', labelNames: rx, registers: [r],
      collect() { collectInto(this, table, (x, put) => put(x.labels, x.packets)); },
    });
    this.bytes = new Counter({
      name: 'disptap_bytes_total', help: 'UDP payload bytes received (length on the wire, truncated or not)', labelNames: rx, registers: [r],
      collect() { collectInto(this, table, (x, put) => put(x.labels, x.bytes)); },
    });
    // A dropped datagram was never seen, so it has no layer; drops are per socket only.
    this.drops = new Counter({ name: 'disptap_kernel_drops_total', help: 'Datagrams the kernel dropped on the socket (increases of SO_RXQ_OVFL) while disptap watched', labelNames: ['bind'], registers: [r] });
    this.truncations = new Counter({
      name: 'disptap_truncations_total', help: 'Datagrams longer than the receive slot (MSG_TRUNC)', labelNames: rx, registers: [r],
      collect() { collectInto(this, table, (x, put) => x.truncations > 0 && put(x.labels, x.truncations)); },
    });
    this.decodeErrors = new Counter({
      name: 'disptap_decode_errors_total', help: 'Datagrams whose decoding stopped at a fault, by fault code', labelNames: [...rx, 'code'], registers: [r],
      collect() { collectInto(this, table, (x, put) => { for (const [code, n] of x.errors) put({ ...x.labels, code }, n); }); },
    });
    this.readDelay = new RxDelayHistogram('disptap_read_delay_seconds', 'Kernel RX timestamp to user-space read', table);
    r.registerMetric(this.readDelay as unknown as Parameters<Registry['registerMetric']>[0]);
    this.sentPackets = new Counter({ name: 'disptap_sent_packets_total', help: 'Datagrams sent by disptap send', labelNames: ['bind', 'layer'], registers: [r] });
    this.sentBytes = new Counter({ name: 'disptap_sent_bytes_total', help: 'UDP payload bytes sent by disptap send', labelNames: ['bind', 'layer'], registers: [r] });
    this.sendErrors = new Counter({ name: 'disptap_send_errors_total', help: 'Failed sends, by error code', labelNames: ['bind', 'code'], registers: [r] });
    this.txLatency = new Histogram({ name: 'disptap_tx_timestamp_latency_seconds', help: 'sendmsg call to kernel TX timestamp (sched, software, hardware)', labelNames: ['bind', 'layer', 'kind'], buckets: DELAY_BUCKETS, registers: [r] });
    this.relayRefusals = new Counter({ name: 'disptap_relay_target_refused_total', help: 'ECONNREFUSED from the relay target (nothing listening on its port)', labelNames: ['listen', 'target'], registers: [r] });
    this.relayForwardErrors = new Counter({ name: 'disptap_relay_forward_errors_total', help: 'Datagrams the relay could not forward, by direction and error code', labelNames: ['listen', 'target', 'direction', 'code'], registers: [r] });
    this.relayClients = new Gauge({ name: 'disptap_relay_clients', help: 'Client addresses the relay currently tracks', labelNames: ['listen', 'target'], registers: [r] });
    this.relayTargetUp = new Gauge({ name: 'disptap_relay_target_up', help: '1 while the target accepts datagrams, 0 after ECONNREFUSED until it answers again', labelNames: ['listen', 'target'], registers: [r] });
    this.captureErrors = new Counter({ name: 'disptap_capture_write_errors_total', help: 'Packets that could not be written to the --write capture', labelNames: ['code'], registers: [r] });
    this.unixFrames = new Counter({ name: 'disptap_unix_frames_total', help: 'Dispatcher unix-socket events (relay --unix-*): packet, registration, confirmation, skipped, incomplete', labelNames: ['direction', 'kind'], registers: [r] });
    this.unixDeliveryDelay = new Histogram({ name: 'disptap_unix_delivery_delay_seconds', help: "Scion Time trailer's kernel RX timestamp to the tap's read of the frame", labelNames: ['bind'], buckets: DELAY_BUCKETS, registers: [r] });
    // Process metrics (CPU, RSS, event-loop lag) tell whether disptap itself is the bottleneck.
    if (defaults) collectDefaultMetrics({ register: r, prefix: 'disptap_' });
  }
}

export interface MetricsServer {
  /** Where it listens, as address:port. */
  address: string;
  close(): Promise<void>;
}

/** Parses --metrics: `ADDR:PORT`, `[v6]:PORT`, or a bare port on 127.0.0.1. */
export function parseMetricsAddress(spec: string | true): Endpoint {
  const text = spec === true ? DEFAULT_METRICS_ADDRESS : spec;
  try {
    return parseEndpoint(text, { allowZero: true, defaultHost: '127.0.0.1' });
  } catch (e) {
    throw new UsageError(`--metrics: ${(e as Error).message}`);
  }
}

export async function serveMetrics(m: Metrics, at: Endpoint, warn: (line: string) => void): Promise<MetricsServer> {
  // node:http only when serving: an import would load it (~8 ms) at every start of the command.
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      m.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': m.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(e)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('disptap: metrics are at /metrics\n');
  });
  // Scrapers keep connections alive; they must not hold the process open at exit.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new CliError(`cannot serve metrics on ${formatEndpoint(at)}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), e.code)),
    );
    server.listen(at.port, at.address, () => resolve());
  });
  server.unref();
  const a = server.address() as AddressInfo;
  const address = formatEndpoint({ address: a.address, port: a.port });
  if (!isLoopback(a.address)) warn(`metrics are served on ${address}, which is not a loopback address: anyone who can reach it can read them`);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
