// The ingest stage for a passive capture's read rounds: what Session.observe() does per datagram,
// done from the round's arrays (src/capture/batch.ts). Without -f and --metrics nothing is decoded
// and no per-datagram object is made: counters from the arrays, the capture in one write, a copy
// of the datagrams for the display. -f and --metrics decode each payload from a view of the arena.
import { captureReadDelays, type CaptureBatchView } from '../../capture/batch.js';
import { L3_STATUS } from '../../capture/layout.js';
import { AddressTexts } from '../../tap/rx/slot-reader.js';
import type { IngestHost } from './batch-ingest.js';
import { heldBytes } from './held-batch.js';
import { HeldCaptureBatch } from './held-capture.js';
import { decodeFacts, filterSubject } from './inspect.js';

const MSG_TRUNC = 0x20;
const PACKET_OUTGOING = 4;

export class CaptureIngest {
  private pick = new Uint32Array(0);
  private delays = new Float64Array(0);
  // Address texts of the datagrams a filter looks at: consecutive ones mostly share them.
  private readonly texts = new AddressTexts();

  constructor(private readonly host: IngestHost) {}

  ingest(b: CaptureBatchView, label: string): void {
    const h = this.host;
    const n = b.count;
    if (this.pick.length < n) this.pick = new Uint32Array(Math.max(n, 1024));
    if (this.delays.length < n) this.delays = new Float64Array(Math.max(n, 1024));
    const pick = this.pick;
    const delays = captureReadDelays(b, this.delays);
    const counters = h.stats.socket(label);
    const m = h.metrics;
    const filter = h.filter;
    const decode = m !== null || filter !== null;
    const { status, udpLength, payloadLen, payloadOffset, flags, srcPort, dstPort, data, addresses } = b;
    const slot = b.slotSize;
    const texts = this.texts;
    let matched = 0;
    let bytes = 0;
    let seen = false;
    for (let i = 0; i < n; i++) {
      if (status[i] !== L3_STATUS.udp) continue;
      if (h.count !== undefined && h.stats.matched >= h.count) break;
      if (!seen) {
        seen = true;
        h.firstDatagram(b.hardware[i] !== 0n, label);
      }
      const length = udpLength[i]! - 8;
      const cap = payloadLen[i]!;
      const truncated = cap < length || (flags[i]! & MSG_TRUNC) !== 0;
      counters.observeNs(length, truncated, delays[i]!);
      if (decode) {
        const off = i * slot + payloadOffset[i]!;
        const sp = srcPort[i]!;
        const dp = dstPort[i]!;
        const insp = decodeFacts(sp, dp, data.subarray(off, off + cap));
        const code = insp.error?.code;
        if (code !== undefined) counters.decodeError(code);
        if (m) {
          const d = delays[i]!;
          m.rx.series(label, insp.layer, b.pktType[i] === PACKET_OUTGOING ? 'out' : 'in').add(length, truncated, code, d >= 0 ? d / 1e9 : NaN);
        }
        if (filter) {
          const fam = b.family[i] === 4 ? 4 : 6;
          const src = texts.src.of(fam, addresses, i * 32);
          const dst = texts.dst.of(fam, addresses, i * 32 + 16);
          if (!filter(filterSubject(insp, sp, dp, src, dst, truncated, 0))) continue;
        }
      }
      pick[matched++] = i;
      bytes += cap;
      h.stats.matched++;
    }
    if (matched > 0) {
      const frame = this.write(b, matched, label);
      if (!h.quiet) {
        h.display.batch(matched, heldBytes(matched, bytes), () => {
          const held = new HeldCaptureBatch(b, pick, matched, label);
          held.decodeCounted = decode;
          return held;
        }, frame);
      }
    }
    if (h.count !== undefined && h.stats.matched >= h.count) h.countReached();
  }

  /** The datagrams in one pcapng write (with --write); the frame number of the first. */
  private write(b: CaptureBatchView, n: number, label: string): number | undefined {
    const capture = this.host.captureForBatch();
    if (!capture) return undefined;
    try {
      return capture.writeCaptureBatch(b, this.pick, n, label);
    } catch (e) {
      this.host.captureFailed(e, n);
      return undefined;
    }
  }
}
