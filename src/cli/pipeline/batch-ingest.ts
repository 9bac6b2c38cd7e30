// The ingest stage for whole receive batches of bound sockets: what Session.observe() does per
// datagram, done from the batch's arrays. Without -f and --metrics nothing is decoded and no
// per-datagram object is made: counters from the arrays, the capture in one write, a copy of the
// batch for the display. -f and --metrics decode each payload from a view of the arena (no summary
// text, and nothing of the decoding is kept), and a filter's matches are written and copied the same way.
import type { RxBatch } from '../../tap/rx/batch.js';
import { ADDR, ADDR_STRIDE, PRESENT } from '../../tap/rx/layout.js';
import { AddressTexts } from '../../tap/rx/slot-reader.js';
import { MSG_TRUNC } from '../../sys/constants.js';
import type { Capture } from './capture.js';
import type { Display } from './display.js';
import type { Predicate } from './filter.js';
import { HeldBatch, heldBytes, type BatchSocket } from './held-batch.js';
import { decodeFacts, filterSubject } from './inspect.js';
import type { Metrics } from './metrics.js';
import { HOST } from './record.js';
import type { SocketCounters, Stats } from './stats.js';

/** What the stage needs from its session. */
export interface IngestHost {
  readonly stats: Stats;
  readonly metrics: Metrics | null;
  readonly filter: Predicate | null;
  readonly display: Display;
  /** No display at all (--quiet, or a command that shows nothing). */
  readonly quiet: boolean;
  /** --count: matches after which the session stops. */
  readonly count: number | undefined;
  /** The capture with single writes still corked flushed first, or null without --write. */
  captureForBatch(): Capture | null;
  captureFailed(e: unknown, packets: number): void;
  /** Called with the first datagram's hardware-stamp presence (for --timestamps hardware). */
  firstDatagram(hasHardwareTs: boolean, label: string): void;
  countReached(): void;
}

export class BatchIngest {
  private dropScratch = new Uint32Array(0);
  private delayScratch = new Float64Array(0);
  private pickScratch = new Uint32Array(0);
  // Address texts of the datagrams a filter looks at: consecutive ones mostly share them.
  private readonly texts = new AddressTexts();
  /** Each socket's capture comments: one array, so the capture encodes them once. */
  private readonly comments = new WeakMap<BatchSocket, readonly string[]>();

  constructor(private readonly host: IngestHost) {}

  ingest(b: RxBatch, sock: BatchSocket): void {
    const h = this.host;
    const count = b.count;
    if (this.dropScratch.length < count) this.dropScratch = new Uint32Array(Math.max(count, 1024));
    // Read delays as numbers (NaN without a stamp): no BigInt per datagram.
    if (this.delayScratch.length < count) this.delayScratch = new Float64Array(Math.max(count, 1024));
    if (h.filter) this.filtered(b, sock, h.filter);
    else this.whole(b, sock);
    if (h.count !== undefined && h.stats.matched >= h.count) h.countReached();
  }

  private whole(b: RxBatch, sock: BatchSocket): void {
    const h = this.host;
    let n = b.count;
    if (h.count !== undefined) n = Math.min(n, h.count - h.stats.matched);
    if (n <= 0) return;
    const counters = h.stats.socket(sock.label);
    const dd = this.dropScratch;
    const present = b.present;
    let bytes = 0;
    const delays = b.readDelays(this.delayScratch);
    for (let i = 0; i < n; i++) {
      const p = present[i]!;
      dd[i] = p & PRESENT.drops ? counters.dropsDelta(b.drops[i]!) : 0;
      bytes += b.lengths[i]!;
      counters.observeNs(b.origLengths[i]!, (b.flags[i]! & MSG_TRUNC) !== 0, delays[i]!);
    }
    h.stats.matched += n;
    if (h.metrics) this.metrics(h.metrics, b, n, sock, dd, delays, counters);
    h.firstDatagram((present[0]! & PRESENT.hardwareTs) !== 0, sock.label);
    const frame = this.write(b, n, sock);
    if (!h.quiet) {
      const decoded = h.metrics !== null;
      h.display.batch(n, heldBytes(n, bytes), () => {
        const held = new HeldBatch(b, 0, n, dd, sock);
        held.decodeCounted = decoded;
        return held;
      }, frame);
    }
  }

  /**
   * Under -f: counters and metrics for every datagram, the filter from the arrays and a view of the
   * payload, then the matches written in one write and copied for the display.
   */
  private filtered(b: RxBatch, sock: BatchSocket, filter: Predicate): void {
    const h = this.host;
    const m = h.metrics;
    const counters = h.stats.socket(sock.label);
    const count = b.count;
    if (this.pickScratch.length < count) this.pickScratch = new Uint32Array(Math.max(count, 1024));
    const dd = this.dropScratch;
    const pick = this.pickScratch;
    const delays = b.readDelays(this.delayScratch);
    const { present, payloads, offsets, lengths, addresses } = b;
    const texts = this.texts;
    const dstPort = sock.local.port;
    let matched = 0;
    let drops = 0;
    for (let i = 0; i < count; i++) {
      if (h.count !== undefined && h.stats.matched >= h.count) break;
      const p = present[i]!;
      const d = p & PRESENT.drops ? counters.dropsDelta(b.drops[i]!) : 0;
      dd[i] = d;
      drops += d;
      const off = offsets[i]!;
      const srcPort = b.srcPort[i]!;
      const insp = decodeFacts(srcPort, dstPort, payloads.subarray(off, off + lengths[i]!));
      const truncated = (b.flags[i]! & MSG_TRUNC) !== 0;
      const code = insp.error?.code;
      counters.observeNs(b.origLengths[i]!, truncated, delays[i]!);
      if (code !== undefined) counters.decodeError(code);
      if (m) m.rx.series(sock.label, insp.layer, 'in').add(b.origLengths[i]!, truncated, code, delays[i]! >= 0 ? delays[i]! / 1e9 : NaN);
      const ao = i * ADDR_STRIDE;
      const srcAddress = texts.src.of(b.srcFamily[i] === 4 ? 4 : 6, addresses, ao + ADDR.src);
      const dstAddress = p & PRESENT.dst ? texts.dst.of(b.dstFamily[i] === 4 ? 4 : 6, addresses, ao + ADDR.dst) : sock.local.address;
      if (!filter(filterSubject(insp, srcPort, dstPort, srcAddress, dstAddress, truncated, d))) continue;
      pick[matched++] = i;
      h.stats.matched++;
    }
    if (m && drops > 0) m.drops.inc({ bind: sock.label }, drops);
    if (count > 0) h.firstDatagram((present[0]! & PRESENT.hardwareTs) !== 0, sock.label);
    if (matched === 0) return;
    const frame = this.write(b, matched, sock, pick);
    if (!h.quiet) {
      let bytes = 0;
      for (let j = 0; j < matched; j++) bytes += lengths[pick[j]!]!;
      h.display.batch(matched, heldBytes(matched, bytes), () => {
        const held = new HeldBatch(b, 0, matched, dd, sock, pick);
        held.decodeCounted = true;
        return held;
      }, frame);
    }
  }

  /** --metrics for the first n datagrams: each decoded for its layer label, counted per series. */
  private metrics(m: Metrics, b: RxBatch, n: number, sock: BatchSocket, dropsDelta: Uint32Array, delaysNs: Float64Array, counters: SocketCounters): void {
    const { payloads, offsets, lengths } = b;
    const dstPort = sock.local.port;
    let drops = 0;
    for (let i = 0; i < n; i++) {
      const off = offsets[i]!;
      const insp = decodeFacts(b.srcPort[i]!, dstPort, payloads.subarray(off, off + lengths[i]!));
      const d = delaysNs[i]!;
      const code = insp.error?.code;
      m.rx.series(sock.label, insp.layer, 'in').add(b.origLengths[i]!, (b.flags[i]! & MSG_TRUNC) !== 0, code, d >= 0 ? d / 1e9 : NaN);
      if (code !== undefined) counters.decodeError(code);
      drops += dropsDelta[i]!;
    }
    if (drops > 0) m.drops.inc({ bind: sock.label }, drops);
  }

  /** The datagrams in one pcapng write (with --write); the frame number of the first. */
  private write(b: RxBatch, n: number, sock: BatchSocket, pick?: Uint32Array): number | undefined {
    const capture = this.host.captureForBatch();
    if (!capture) return undefined;
    try {
      let comments = this.comments.get(sock);
      if (!comments) this.comments.set(sock, (comments = [`host ${HOST}, socket ${sock.label}, direction in`]));
      return capture.writeBatch(b, n, sock, comments, pick);
    } catch (e) {
      this.host.captureFailed(e, n);
      return undefined;
    }
  }
}
