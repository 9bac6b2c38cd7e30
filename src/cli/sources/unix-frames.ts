// Dispatcher unix-socket frames into the common pipeline, for `relay --unix-*` and for `decode` of
// a captured stream: SCION packet frames become observations (decode → counters → filter →
// capture → output, like any datagram), registrations, confirmations and garbage become `frame`
// records. Counts and the delivery delay (tap read time − the trailer's kernel RX time) feed the
// summary and the metrics.
import type { DispatcherEvent } from '../../decode/dispatcher-framing.js';
import { reportFrame, registrationText, SCION_ONLY_PORT_MAP, type FrameContext, type FrameReport } from '../../unix-relay/frame-report.js';
import type { StreamDirection } from '../../unix-relay/stream-relay.js';
import { formatNs } from '../pipeline/format.js';
import type { Observation } from '../pipeline/observation.js';
import { base, delayJson, ns, type FrameRecord, type UnixRelaySummary } from '../pipeline/record.js';
import type { Session } from '../pipeline/session.js';
import { Quantiles } from '../../sys/quantiles.js';
import { nsToIso } from '../../sys/time.js';

const TAG: Readonly<Record<StreamDirection, string>> = { 'app-to-dispatcher': 'a→d', 'dispatcher-to-app': 'd→a' };

/** Turns decoder events of many connections into observations and frame records of one session. */
export class FrameReporter {
  private readonly contexts = new Map<number, FrameContext>();
  private readonly delay = new Quantiles();
  readonly totals: Omit<UnixRelaySummary, 'listen' | 'target' | 'takeover' | 'connections' | 'upstreamErrors' | 'bytes' | 'deliveryDelay'> = {
    frames: { appToDispatcher: 0, dispatcherToApp: 0 },
    registrations: 0,
    confirmations: 0,
    skipped: 0,
    skippedBytes: 0,
    incomplete: 0,
  };

  /** `bind`: the label packets are counted under (`unix:/run/shm/dispatcher/default.sock`). */
  constructor(
    private readonly session: Session,
    private readonly bind: string,
  ) {
    session.stats.socket(bind);
  }

  /** A connection ended: forget its registration. */
  forget(connection: number): void {
    this.contexts.delete(connection);
  }

  /** Delivery-delay percentiles for the summary. */
  deliveryDelay(): UnixRelaySummary['deliveryDelay'] {
    const q = this.delay;
    return delayJson({ count: q.count, p50Ns: q.quantile(0.5), p99Ns: q.quantile(0.99), maxNs: q.max });
  }

  /** One decoder event; `readAtNs` is the tap's read time (undefined when decoding a file). */
  handle(connection: number, direction: StreamDirection, ev: DispatcherEvent, readAtNs: bigint | undefined): void {
    let ctx = this.contexts.get(connection);
    if (!ctx) this.contexts.set(connection, (ctx = {}));
    const rep = reportFrame(ctx, direction, ev);
    const key = direction === 'app-to-dispatcher' ? 'appToDispatcher' : 'dispatcherToApp';
    if (ev.kind === 'frame') this.totals.frames[key]++;
    this.session.metrics?.unixFrames.inc({ direction, kind: rep.kind });
    if (rep.kind === 'packet') this.packet(connection, direction, rep, readAtNs);
    else this.event(connection, direction, rep, readAtNs);
  }

  private packet(connection: number, direction: StreamDirection, rep: Extract<FrameReport, { kind: 'packet' }>, readAtNs: bigint | undefined): void {
    const o: Observation = {
      bind: this.bind,
      direction,
      data: rep.packet,
      length: rep.packet.length,
      src: rep.src,
      dst: rep.dst,
      local: rep.dst,
      truncated: false,
      controlTruncated: false,
      portMap: SCION_ONLY_PORT_MAP,
      extra: { connection, streamOffset: rep.offset },
      notes: [`#${connection}`],
      captureComments: [`dispatcher unix socket: ${direction}, connection ${connection}, stream offset ${rep.offset}, frame ${rep.frameLength} B`],
    };
    if (readAtNs !== undefined) o.readAtNs = readAtNs;
    if (rep.hop) {
      if (direction === 'app-to-dispatcher') o.extra!.nextHop = rep.hop;
      else o.extra!.previousHop = rep.hop;
    }
    if (rep.scionTime && rep.txEcho) {
      // The fork hands a sent packet back with its TX stamps: not a reception, no delivery delay.
      const t = rep.scionTime;
      o.extra!.scionTime = t;
      o.extra!.txEcho = true;
      o.notes!.push(`TX timestamp echo, kernel ${t.kernelNs} ns${t.hardwareNs !== '0' ? `, hardware ${t.hardwareNs} ns` : ''}`);
      o.captureComments!.push(`scion-time TX timestamp echo: kernel ${t.kernelNs} ns, hardware ${t.hardwareNs} ns, interface ${t.interfaceId}`);
    } else if (rep.scionTime) {
      const t = rep.scionTime;
      o.extra!.scionTime = t;
      // The trailer's stamps are the kernel's RX stamps of the underlay datagram.
      if (rep.kernelNs !== undefined) o.swTsNs = rep.kernelNs;
      if (rep.hardwareNs !== undefined) o.hwTsNs = rep.hardwareNs;
      if (rep.kernelNs !== undefined && readAtNs !== undefined) {
        const delay = readAtNs - rep.kernelNs;
        o.readDelayNs = delay;
        o.extra!.deliveryDelayNs = delay.toString();
        if (delay >= 0n) {
          this.delay.add(Number(delay));
          this.session.metrics?.unixDeliveryDelay.observe({ bind: this.bind }, Number(delay) / 1e9);
        }
        o.notes!.push(`delivery ${formatNs(delay)}`);
      }
      o.notes!.push(`trailer if ${t.interfaceId} pktinfo if ${t.pktinfo.ifindex} ${t.pktinfo.addr}`);
      o.captureComments!.push(
        `scion-time trailer: kernel ${t.kernelNs} ns, hardware ${t.hardwareNs} ns, interface ${t.interfaceId}, L2 length ${t.pktLengthL2}, pktinfo ifindex ${t.pktinfo.ifindex} spec_dst ${t.pktinfo.specDst} addr ${t.pktinfo.addr}` +
          (o.extra!.deliveryDelayNs !== undefined ? `, delivery delay ${o.extra!.deliveryDelayNs} ns` : ''),
      );
    }
    this.session.observe(o);
  }

  private event(connection: number, direction: StreamDirection, rep: Exclude<FrameReport, { kind: 'packet' }>, readAtNs: bigint | undefined): void {
    const r: FrameRecord = {
      ...base(nsToIso(readAtNs ?? this.session.opts.now())),
      type: 'frame',
      connection,
      direction,
      kind: rep.kind,
      offset: rep.offset,
      length: rep.length,
      readAtNs: ns(readAtNs),
    };
    let what: string;
    const c = this.session.out.c;
    switch (rep.kind) {
      case 'registration':
        this.totals.registrations++;
        if (rep.registration) {
          r.registration = rep.registration;
          what = `registration ${registrationText(rep.registration)}`;
        } else {
          r.error = rep.error;
          what = c.magenta(`registration that does not decode: ${rep.error!.code} ${rep.error!.message}`);
        }
        break;
      case 'confirmation':
        this.totals.confirmations++;
        r.port = rep.port;
        what = `confirmation port ${rep.port}`;
        break;
      case 'skipped':
        this.totals.skipped++;
        this.totals.skippedBytes += rep.length;
        r.error = rep.error;
        r.preview = rep.preview;
        what = c.magenta(`skipped ${rep.length} B that are no frame (${rep.error.code}: ${rep.error.message}) ${rep.preview.slice(0, 32)}${rep.preview.length > 32 ? '…' : ''} — forwarded unchanged, resynchronised`);
        break;
      case 'incomplete':
        this.totals.incomplete++;
        r.error = rep.error;
        what = c.magenta(`unfinished frame at the end of the stream: ${rep.error.message}`);
        break;
    }
    const reg = rep.kind === 'registration' ? rep.registration : undefined;
    const subject = {
      srcPort: reg?.publicPort ?? 0,
      dstPort: 0,
      layers: ['DISPATCHER', rep.kind.toUpperCase()],
      srcIA: reg?.ia,
      dstIA: reg?.ia,
      srcAddress: reg?.publicAddress ?? '',
      truncated: false,
      dropsDelta: 0,
      errorCode: r.error?.code,
    };
    const time = readAtNs !== undefined ? nsToIso(readAtNs) : '';
    this.session.event(r, `${time ? `${time} ` : ''}${c.blue(`[${TAG[direction]}]`)} #${connection} ${c.cyan('dispatcher')} ${what} (offset ${rep.offset}, ${rep.length} B)`, subject);
  }
}
