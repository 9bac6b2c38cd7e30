// disptap relay: a transparent UDP tap in front of a dispatcher or application. Clients send to
// --listen; each datagram goes unchanged to --to from a per-client upstream socket, and the
// target's replies go back to that client from the --listen address. Both directions are shown
// and counted like `watch` shows datagrams.
//
// Each upstream socket is a UdpTap *connected* to the target: replies carry full kernel metadata,
// and a connected socket learns of the ICMP port-unreachable that says "the target is gone" —
// ECONNREFUSED, as an 'error' event or a refused send. The relay shows and counts that and keeps
// going; when the target answers again it says so.
import { openUdp, clock, type UdpTap } from '../../index.js';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../bind-spec.js';
import { CliError, UsageError, errorCode, oneLine } from '../errors.js';
import { fromRxMessage, type Observation } from '../pipeline/observation.js';
import { base, type EndpointJson, type TargetRecord } from '../pipeline/record.js';
import { Session } from '../pipeline/session.js';
import { DEFAULT_RCVBUF, drainTaps, finalDrops, openTaps, sessionOptions, type LiveOutputOptions, type OpenTap, type TapOptions } from './watch.js';
import { nsToIso } from '../../sys/time.js';

export interface RelayOptions extends TapOptions, LiveOutputOptions {
  listen: string;
  to: string;
  idleTimeout: number;
  maxClients: number;
  upstreamTap?: boolean;
}

/** How long after a send, with no refusal, a target that refused before counts as back. */
const QUIET_MS = 1000;

interface Upstream {
  send(data: Uint8Array): void;
  close(): void;
}

interface ClientInfo {
  addr: EndpointJson;
  key: string;
  /** The address the client sent to (pktinfo): replies must come from it on a wildcard listener. */
  replyFrom?: string;
  lastSeen: number;
}

interface Client extends ClientInfo {
  upstream: Upstream;
}

function anyAddress(family: 4 | 6): string {
  return family === 4 ? '0.0.0.0' : '::';
}

class Relay {
  private readonly clients = new Map<string, Client>();
  private readonly targetLabel: string;
  private readonly upstreamLabel: string;
  private readonly listenLabel: string;
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private refusals = 0;
  private lastRefusalAt = 0;
  private forwarded = 0;
  private replies = 0;
  private forwardErrors = 0;
  private clientsSeen = 0;
  private readonly errorCodesShown = new Set<string>();
  private upstreamBufferWarned = false;
  private upCheck: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: Session,
    private readonly listen: OpenTap,
    private readonly target: Endpoint,
    private readonly o: RelayOptions,
    /** Sees every datagram both ways after the session did (`disptap ntp --listen` pairs them). */
    private readonly tee?: (o: Observation) => void,
  ) {
    this.targetLabel = formatEndpoint(target);
    this.upstreamLabel = `upstream:${this.targetLabel}`;
    this.listenLabel = listen.label;
    session.stats.socket(this.listenLabel);
    session.stats.socket(this.upstreamLabel);
    this.gauges();
    listen.tap.on('message', (m) => this.fromClient(fromRxMessage(m, this.listenLabel, listen.local, 'client-to-target')));
    listen.tap.on('error', (e: Error) => session.problem(`${this.listenLabel}: ${oneLine(e)}`, errorCode(e)));
    const sweepEvery = Math.max(50, Math.min(o.idleTimeout / 2, 10_000));
    this.sweeper = setInterval(() => this.sweep(), sweepEvery);
    this.sweeper.unref();
    session.onStop(() => this.close());
    session.onSummary((s) => {
      s.relay = { clients: this.clientsSeen, forwarded: this.forwarded, replies: this.replies, refusals: this.refusals, forwardErrors: this.forwardErrors };
    });
  }

  private labels() {
    return { listen: this.listenLabel, target: this.targetLabel };
  }

  private gauges(): void {
    const m = this.session.metrics;
    if (!m) return;
    m.relayClients.set(this.labels(), this.clients.size);
    if (this.state !== 'unknown') m.relayTargetUp.set(this.labels(), this.state === 'up' ? 1 : 0);
  }

  private fromClient(o: Observation): void {
    if (this.session.isStopping) return;
    const key = `${o.src.address}|${o.src.port}`;
    let client = this.clients.get(key);
    o.client = o.src;
    o.forwardedTo = { address: this.target.address, port: this.target.port };
    if (!client) {
      try {
        client = this.newClient(o, key);
      } catch (e) {
        o.forwardError = `cannot open an upstream socket: ${oneLine(e)}`;
        this.countForwardError('client-to-target', errorCode(e) ?? 'unknown');
        if (this.session.observe(o)) this.tee?.(o);
        return;
      }
    }
    client.lastSeen = Date.now();
    if (o.truncated) {
      // Forwarding the cut-off bytes would hand the target a corrupt datagram.
      o.forwardError = `truncated at ${o.data.length} of ${o.length} B (raise --max-size)`;
      this.countForwardError('client-to-target', 'TRUNCATED');
    } else {
      client.upstream.send(o.data);
      this.forwarded++;
      if (this.state === 'down') this.scheduleUpCheck();
    }
    // What -f drops is not teed either (ntp pairs only what the session took).
    if (this.session.observe(o)) this.tee?.(o);
  }

  private newClient(o: Observation, key: string): Client {
    if (this.clients.size >= this.o.maxClients) {
      // Make room: the client that has been quiet the longest goes.
      let oldest: Client | undefined;
      for (const c of this.clients.values()) if (!oldest || c.lastSeen < oldest.lastSeen) oldest = c;
      if (oldest) this.dropClient(oldest);
    }
    const info: ClientInfo = { addr: o.src, key, lastSeen: Date.now() };
    // On a wildcard listener the reply must leave from the address the client used.
    const wildcard = this.listen.local.address === '0.0.0.0' || this.listen.local.address === '::';
    if (wildcard && o.dst) {
      const a = o.dst.address;
      info.replyFrom = this.listen.json.family === 6 && !a.includes(':') ? `::ffff:${a}` : a;
    }
    // The same object: the upstream's callbacks see lastSeen updates made through `client`.
    const client: Client = Object.assign(info, { upstream: this.tapUpstream(info) });
    this.clients.set(key, client);
    this.clientsSeen++;
    this.gauges();
    return client;
  }

  private tapUpstream(client: ClientInfo): Upstream {
    let tap: UdpTap | undefined;
    let closed = false;
    const pending: Uint8Array[] = [];
    // The datagrams of one receive round go out in one sendmmsg (sendBatch), in order.
    const to = { address: this.target.address, port: this.target.port };
    let outgoing: Array<{ data: Uint8Array; address: string; port: number }> = [];
    const flush = (t: UdpTap) => {
      const items = outgoing;
      outgoing = [];
      t.sendBatch(items).catch((e: NodeJS.ErrnoException) => this.targetError(client, e));
    };
    const send = (t: UdpTap, d: Uint8Array) => {
      if (outgoing.length === 0) queueMicrotask(() => flush(t));
      outgoing.push({ data: d, ...to });
    };
    // Replies come in bursts too: the upstream sockets get the listen socket's receive buffer.
    const asked = this.o.recvBuffer ?? DEFAULT_RCVBUF;
    openUdp({
      address: anyAddress(this.target.family),
      port: 0,
      timestamps: this.o.timestamps,
      recvBufferSize: asked,
      ...(this.o.maxSize ? { maxMessageSize: this.o.maxSize } : {}),
    }).then(
      (t) => {
        if (closed) {
          t.close();
          return;
        }
        tap = t;
        if (t.recvBufferSize < 2 * asked && !this.upstreamBufferWarned) {
          this.upstreamBufferWarned = true;
          this.session.out.warn(`${this.upstreamLabel}: the kernel granted the upstream sockets a receive buffer of ${t.recvBufferSize} bytes, less than the ${2 * asked} asked (--rcvbuf ${asked}; net.core.rmem_max caps it without CAP_NET_ADMIN): bursts of replies may be dropped`);
        }
        try {
          t.connect({ address: this.target.address, port: this.target.port });
        } catch (e) {
          this.targetError(client, e as NodeJS.ErrnoException);
        }
        const a = t.address();
        const local = { address: a.address, port: a.port };
        t.on('message', (m) => this.fromTarget(client, fromRxMessage(m, this.upstreamLabel, local, 'target-to-client')));
        t.on('error', (e: NodeJS.ErrnoException) => this.targetError(client, e));
        for (const d of pending.splice(0)) send(t, d);
      },
      (e: NodeJS.ErrnoException) => this.targetError(client, e),
    );
    return {
      send: (d) => {
        if (closed) return;
        if (tap) send(tap, d);
        else pending.push(d);
      },
      close: () => {
        closed = true;
        tap?.close();
      },
    };
  }

  private fromTarget(client: ClientInfo, o: Observation): void {
    if (this.session.isStopping) return;
    client.lastSeen = Date.now();
    o.client = client.addr;
    o.forwardedTo = client.addr;
    this.replies++;
    if (this.state !== 'up') this.markUp('replied');
    if (o.truncated) {
      o.forwardError = `truncated at ${o.data.length} of ${o.length} B (raise --max-size)`;
      this.countForwardError('target-to-client', 'TRUNCATED');
    } else {
      const opts = client.replyFrom ? { sourceAddress: client.replyFrom } : undefined;
      this.listen.tap.send(o.data, client.addr, opts).catch((e: unknown) => {
        const code = errorCode(e) ?? 'unknown';
        this.countForwardError('target-to-client', code);
        this.event('error', `cannot return a reply to ${formatEndpoint(client.addr)}: ${oneLine(e)}`, code, client);
      });
    }
    // What -f drops is not teed either (ntp pairs only what the session took).
    if (this.session.observe(o)) this.tee?.(o);
  }

  private countForwardError(direction: 'client-to-target' | 'target-to-client', code: string): void {
    this.forwardErrors++;
    this.session.metrics?.relayForwardErrors.inc({ ...this.labels(), direction, code });
  }

  private targetError(client: ClientInfo, e: NodeJS.ErrnoException): void {
    if (this.session.isStopping) return;
    const code = e.code ?? 'unknown';
    if (code === 'ECONNREFUSED') {
      this.refusals++;
      this.lastRefusalAt = Date.now();
      this.session.metrics?.relayRefusals.inc(this.labels());
      if (this.upCheck) clearTimeout(this.upCheck);
      if (this.state !== 'down') {
        this.state = 'down';
        this.gauges();
        this.event('down', `target ${this.targetLabel} refused a datagram (ECONNREFUSED): nothing listens there now — still relaying, waiting for it to come back`, code, client);
      } else this.event('refused', `target ${this.targetLabel} refused another datagram`, code, client);
      return;
    }
    this.countForwardError('client-to-target', code);
    this.event('error', `forwarding to ${this.targetLabel} for ${formatEndpoint(client.addr)}: ${oneLine(e)}`, code, client);
  }

  private scheduleUpCheck(): void {
    if (this.upCheck) return;
    const sentAt = Date.now();
    this.upCheck = setTimeout(() => {
      this.upCheck = undefined;
      if (this.state === 'down' && this.lastRefusalAt < sentAt) this.markUp('accepted datagrams without refusing them');
    }, QUIET_MS);
    this.upCheck.unref();
  }

  private markUp(how: string): void {
    const was = this.state;
    this.state = 'up';
    this.gauges();
    if (was === 'down') this.event('up', `target ${this.targetLabel} is back (${how}) after ${this.refusals} refusals`);
  }

  /**
   * Target events: `down` and `up` always (stderr in text mode, a `target` record with --json);
   * each further refusal only as a record (text mode counts them for the summary), and other
   * errors once per code in text mode.
   */
  private event(event: TargetRecord['event'], message: string, code?: string, client?: ClientInfo): void {
    const out = this.session.out;
    if (out.json) {
      const r: TargetRecord = { ...base(nsToIso(clock.realtimeNs())), type: 'target', event, target: this.targetLabel, message, refusals: this.refusals };
      if (client) r.client = formatEndpoint(client.addr);
      if (code) r.code = code;
      out.record(r);
      return;
    }
    if (event === 'refused') return;
    if (event === 'error') {
      if (this.errorCodesShown.has(code ?? '')) return;
      this.errorCodesShown.add(code ?? '');
    }
    const c = out.e;
    const text = event === 'down' ? c.bold(c.red(message)) : event === 'up' ? c.green(message) : c.red(message);
    out.err(`${out.prefix}: ${text}`);
  }

  private dropClient(c: Client): void {
    c.upstream.close();
    this.clients.delete(c.key);
    this.gauges();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.o.idleTimeout;
    for (const c of [...this.clients.values()]) if (c.lastSeen < cutoff) this.dropClient(c);
  }

  private close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.upCheck) clearTimeout(this.upCheck);
    finalDrops(this.session, [this.listen]);
    this.listen.tap.close();
    for (const c of [...this.clients.values()]) this.dropClient(c);
  }
}

/** The relay's listen socket and target, once it runs. */
export interface RunningRelay {
  listen: OpenTap;
  target: Endpoint;
}

/**
 * Opens the listen socket, starts the session and relays until it stops; `tee` sees every
 * datagram the session took (-f passed it), both ways (direction client-to-target on the listen
 * socket, target-to-client on an upstream socket). `disptap relay` and `disptap ntp --listen` run this same relay.
 */
export async function startRelay(session: Session, o: RelayOptions, tee?: (o: Observation) => void): Promise<RunningRelay> {
  // A bare port listens on loopback only: exposing the relay to other hosts must be asked for.
  const listenEp = parseEndpoint(o.listen, { allowZero: true, defaultHost: '127.0.0.1' });
  const target = parseEndpoint(o.to);
  if (target.address === '0.0.0.0' || target.address === '::') throw new UsageError(`--to ${o.to}: the target must be a concrete address, not a wildcard`);
  const [listen] = await openTaps([listenEp], { ...o, warn: (l) => session.out.warn(l) });
  if (!listen) throw new CliError('no listening socket');
  listen.json.role = 'listen';
  try {
    await session.start();
  } catch (e) {
    listen.tap.close();
    throw e;
  }
  new Relay(session, listen, target, o, tee);
  // A stop by signal or --duration first forwards what clients had already sent (still queued).
  drainTaps(session, [listen]);
  return { listen, target };
}

export async function runRelay(o: RelayOptions): Promise<number> {
  const session = new Session(sessionOptions('relay', o));
  const { listen, target } = await startRelay(session, o);
  session.listening(
    { sockets: [listen.json], target: formatEndpoint(target) },
    `disptap relay: ${listen.label} → ${formatEndpoint(target)} (Ctrl-C for the summary)`,
  );
  return session.done;
}
