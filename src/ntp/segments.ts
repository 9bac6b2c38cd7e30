// Two capture points on one path, one answer: the same exchange seen at two points (the NIC and
// the application side of a dispatcher, or both legs of a relay) is joined by its NTP content and
// its delay split per segment and direction. The points must share one clock (one host).
import { percentileNs } from './exchange.js';
import type { NtpExchange } from './types.js';

/** One exchange seen at two points: what the stretch between them added, each way. */
export interface NtpSegment {
  type: 'segment';
  /** The point that saw the request first (nearer the client). */
  upstream: string;
  downstream: string;
  /** Request: downstream T1 − upstream T1. */
  requestNs: bigint;
  /** Response: upstream T4 − downstream T4. */
  responseNs: bigint;
  /** (request − response) / 2: how much the upstream point's offset exceeds the downstream one's. */
  biasNs: bigint;
  upstreamExchange: NtpExchange;
  downstreamExchange: NtpExchange;
}

/** Per pair of points: medians and the 99th percentiles. */
export interface NtpSegmentSummary {
  upstream: string;
  downstream: string;
  count: number;
  requestP50Ns: bigint;
  responseP50Ns: bigint;
  biasP50Ns: bigint;
  requestP99Ns: bigint;
  responseP99Ns: bigint;
}

/** The identity of an exchange at every point: the request cookie and the server's two stamps. */
export function exchangeKey(x: NtpExchange): string {
  return `${x.mode}|${x.requestTransmitRaw}|${x.responseReceiveRaw}|${x.responseTransmitRaw}`;
}

function half(a: bigint): bigint {
  return a >= 0n ? a / 2n : -((-a + 1n) / 2n);
}

/** Joins exchanges from different points (or different legs in one capture) into segments. */
export class NtpSegmentJoiner {
  private readonly waiting = new Map<string, NtpExchange>();
  private readonly samples = new Map<string, { up: string; down: string; req: bigint[]; resp: bigint[]; bias: bigint[] }>();

  constructor(private readonly memory = 65536) {}

  /** The segment this exchange completes, if its twin from another point (or leg) came before. */
  add(x: NtpExchange): NtpSegment | null {
    if (x.t1Cookie) return null;
    const k = exchangeKey(x);
    const other = this.waiting.get(k);
    // Client ports change per request (chrony): a leg is named by client address and server.
    const leg = (e: NtpExchange) => `${e.point}${e.point ? ' ' : ''}${e.client.address}>${e.server.address}:${e.server.port}`;
    if (!other || leg(other) === leg(x)) {
      this.waiting.set(k, x);
      while (this.waiting.size > this.memory) this.waiting.delete(this.waiting.keys().next().value as string);
      return null;
    }
    this.waiting.delete(k);
    const [up, down] = other.t1Ns <= x.t1Ns ? [other, x] : [x, other];
    const requestNs = down.t1Ns - up.t1Ns;
    const responseNs = up.t4Ns - down.t4Ns;
    // Name the points; two legs of one capture are told apart by their addresses.
    const [nu, nd] = up.point !== down.point ? [up.point, down.point] : [leg(up), leg(down)];
    const seg: NtpSegment = {
      type: 'segment', upstream: nu, downstream: nd, requestNs, responseNs, biasNs: half(requestNs - responseNs),
      upstreamExchange: up, downstreamExchange: down,
    };
    const sk = `${nu}\u0000${nd}`;
    let s = this.samples.get(sk);
    if (!s) this.samples.set(sk, (s = { up: nu, down: nd, req: [], resp: [], bias: [] }));
    s.req.push(requestNs);
    s.resp.push(responseNs);
    s.bias.push(seg.biasNs);
    return seg;
  }

  /** Summaries per pair of points. */
  summary(): NtpSegmentSummary[] {
    return [...this.samples.values()].map((s) => ({
      upstream: s.up,
      downstream: s.down,
      count: s.req.length,
      requestP50Ns: percentileNs(s.req, 50)!,
      responseP50Ns: percentileNs(s.resp, 50)!,
      biasP50Ns: percentileNs(s.bias, 50)!,
      requestP99Ns: percentileNs(s.req, 99)!,
      responseP99Ns: percentileNs(s.resp, 99)!,
    }));
  }
}
