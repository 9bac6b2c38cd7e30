// A tap's send side: sendmsg/sendmmsg with per-packet control messages, waiting for a writable
// socket when the send buffer is full, and the error queue where TX timestamps come back.
import * as C from '../../sys/constants.js';
import { closedError, invalidArg } from '../../sys/errors.js';
import { UV_PRIORITIZED, UV_WRITABLE, type NativeUdpSocket } from '../../sys/native.js';
import { Arena } from '../rx/arena.js';
import { extendedErrorAt, timestampsAt } from '../rx/slot-reader.js';
import type { ResolvedOptions } from '../options.js';
import { resolveDestination, toPayload, type Destination, type ResolvedDestination } from './destination.js';
import { buildSendControl, type SendOptions } from './send-control.js';
import { TxTracker, type TxEvent, type TxTimestamps } from './tx-tracker.js';

/** What `send()` returns: bytes taken and, when TX timestamps were asked for, their key and a promise of them. */
export interface SendResult {
  /** Bytes the kernel took. */
  bytes: number;
  /** OPT_ID key of the datagram when TX timestamps were asked for (ee_data). */
  id?: number;
  /** Settles when the asked-for TX timestamps arrived (or the deadline passed, see README). */
  tx?: Promise<TxTimestamps>;
}

/** One datagram of `sendBatch()`: data, destination and its own send options. */
export interface BatchItem extends SendOptions, Destination {
  data: Uint8Array | string;
}

/** What the send side needs from its tap. */
export interface TxHost {
  readonly closed: boolean;
  /** Recomputes the poll mask (pollEvents() asks this path for its bits). */
  updatePolling(): void;
  /** Emits 'txTimestamp' events when someone listens. */
  emitTx(events: readonly TxEvent[]): void;
  /** Makes the socket report hardware stamps (before the first send that asks for one). */
  reportHardwareTx(): void;
}

const SO_EE_ORIGIN_TIMESTAMPING = 4;
/** Pending TX timestamps beyond which a send drains the error queue itself. */
const ERRQUEUE_DRAIN_THRESHOLD = 32;
/** Error-queue rounds per wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKE = 16;

export class TxPath {
  readonly tracker: TxTracker;
  #errArena: Arena | null = null;
  /** Once TX timestamps were asked for, the error queue is watched whenever the tap polls. */
  #everAsked = false;
  readonly #writeWaiters: Array<() => void> = [];

  constructor(
    private readonly sock: NativeUdpSocket,
    private readonly opts: ResolvedOptions,
    private readonly host: TxHost,
  ) {
    this.tracker = new TxTracker(opts.maxPendingTx, opts.txTimeoutMs, () => host.updatePolling());
  }

  // A relay or sender mostly sends to one peer: its parsed address is kept (zones excepted: an
  // interface name may come to mean another index).
  #lastDest: ResolvedDestination | null = null;

  destination(to: unknown, fn: string): ResolvedDestination {
    const last = this.#lastDest;
    if (last && to !== null && typeof to === 'object') {
      const d = to as { address?: unknown; port?: unknown };
      if (d.address === last.text && d.port === last.port) return last;
    }
    const r = resolveDestination(to, fn, this.opts.family, this.opts.ipv6Only);
    this.#lastDest = r.text.includes('%') ? null : r;
    return r;
  }

  /** The poll bits the send side needs, given what the receive side asks for. */
  pollEvents(receiveMask: number): number {
    let mask = receiveMask;
    if (this.#writeWaiters.length > 0) mask |= UV_WRITABLE;
    // epoll reports error-queue data as POLLERR, which libuv turns into UV_EBADF unless POLLPRI is
    // watched: so watch it whenever stamps are pending, or at all once they were asked for.
    if (this.tracker.size > 0 || (this.#everAsked && mask !== 0)) mask |= UV_PRIORITIZED;
    return mask;
  }

  /** The socket became writable. */
  wakeWriters(): void {
    for (const w of this.#writeWaiters.splice(0)) w();
  }

  /** The tap closed: pending stamps reject, blocked senders wake (and see the close). */
  close(): void {
    this.tracker.failAll(closedError('send (TX timestamp)'));
    this.wakeWriters();
  }

  /** Reads the error queue: TX timestamps go to their sends and out as events. */
  drainErrorQueue(): void {
    const a = (this.#errArena ??= new Arena(this.sock, 16, 256, 512));
    for (let round = 0; round < ROUNDS_PER_WAKE && !this.host.closed; round++) {
      const n = this.sock.recv(a.id, a.cap, C.MSG_ERRQUEUE);
      for (let i = 0; i < n && !this.host.closed; i++) {
        const ee = extendedErrorAt(a, i);
        if (ee.origin !== SO_EE_ORIGIN_TIMESTAMPING) continue;
        const ts = timestampsAt(a, i);
        const events: TxEvent[] = [];
        if (ee.info === C.SCM_TSTAMP_SCHED) {
          if (ts.software !== undefined) events.push(this.tracker.deliver(ee.data, 'sched', ts.software));
        } else if (ee.info === C.SCM_TSTAMP_SND) {
          if (ts.software !== undefined) events.push(this.tracker.deliver(ee.data, 'software', ts.software));
          if (ts.hardware !== undefined) events.push(this.tracker.deliver(ee.data, 'hardware', ts.hardware));
        }
        if (events.length) this.host.emitTx(events);
      }
      if (n < a.cap) break;
    }
  }

  #waitWritable(): Promise<void> {
    return new Promise((resolve) => {
      this.#writeWaiters.push(resolve);
      this.host.updatePolling();
    });
  }

  async send(data: Uint8Array | string, to: Destination, opts?: SendOptions): Promise<SendResult> {
    const payload = toPayload(data, 'send');
    const dest = this.destination(to, 'send');
    const ctl = buildSendControl(this.opts.family, opts);
    // A burst of timestamped sends can outrun the event loop; the error queue is charged to this
    // socket's receive buffer and drops stamps when full, so empty it here as well.
    if (this.tracker.size >= ERRQUEUE_DRAIN_THRESHOLD) this.drainErrorQueue();
    for (;;) {
      if (this.host.closed) throw closedError('send');
      let reserved: { id: number; tx: Promise<TxTimestamps> } | undefined;
      if (ctl.tx.size) {
        if (ctl.tx.has('hardware')) this.host.reportHardwareTx();
        this.#everAsked = true;
        reserved = this.tracker.expect(ctl.tx, ctl.txTimeoutMs);
      }
      let n: number;
      try {
        n = this.sock.sendMsg(payload, dest.addr.bytes, dest.port, dest.addr.scopeId, ctl.control, dest.text);
      } catch (e) {
        if (reserved) this.tracker.unreserve(reserved.id);
        throw e;
      }
      if (n < 0) {
        // EAGAIN / ENOBUFS: the send buffer is full; wait until the socket is writable again.
        if (reserved) this.tracker.unreserve(reserved.id);
        await this.#waitWritable();
        continue;
      }
      this.host.updatePolling();
      return reserved ? { bytes: n, id: reserved.id, tx: reserved.tx } : { bytes: n };
    }
  }

  async sendBatch(items: readonly BatchItem[]): Promise<SendResult[]> {
    if (!Array.isArray(items)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'sendBatch: items must be an array');
    const prepared = items.map((it: unknown, i) => {
      if (it === null || typeof it !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `sendBatch: item ${i} must be an object`);
      // family/scopeId are accepted so `{ ...tap.address() }` can be spread into an item
      const { data, address, port, family: _f, scopeId: _s, ...opts } = it as BatchItem & { family?: unknown; scopeId?: unknown };
      return {
        payload: toPayload(data, `sendBatch[${i}]`),
        dest: this.destination({ address, port }, `sendBatch[${i}]`),
        ctl: buildSendControl(this.opts.family, Object.keys(opts).length ? (opts as SendOptions) : undefined),
      };
    });
    const results: SendResult[] = [];
    let next = 0;
    while (next < prepared.length) {
      if (this.host.closed) throw closedError('sendBatch');
      if (this.tracker.size >= ERRQUEUE_DRAIN_THRESHOLD) this.drainErrorQueue();
      // Timestamped datagrams go in smaller chunks so their stamps fit the error queue between drains.
      const room = prepared.slice(next, next + 128).some((p) => p.ctl.tx.size) ? 128 : 1024;
      const chunk = prepared.slice(next, next + room);
      const reserved = chunk.map((p) => {
        if (!p.ctl.tx.size) return undefined;
        if (p.ctl.tx.has('hardware')) this.host.reportHardwareTx();
        this.#everAsked = true;
        return this.tracker.expect(p.ctl.tx, p.ctl.txTimeoutMs);
      });
      const undo = (from: number): void => {
        for (let i = chunk.length - 1; i >= from; i--) if (reserved[i]) this.tracker.unreserve(reserved[i]!.id);
      };
      let r: number;
      try {
        r = this.sock.sendMmsg(
          chunk.map((p) => p.payload),
          chunk.map((p) => p.dest.addr.bytes),
          chunk.map((p) => p.dest.port),
          chunk.map((p) => p.dest.addr.scopeId),
          chunk.map((p) => p.ctl.control),
        );
      } catch (e) {
        undo(0);
        throw e;
      }
      if (r < 0) {
        undo(0);
        await this.#waitWritable();
        continue;
      }
      undo(r);
      for (let i = 0; i < r; i++) {
        const res = reserved[i];
        const bytes = chunk[i]!.payload.length;
        results.push(res ? { bytes, id: res.id, tx: res.tx } : { bytes });
      }
      next += r;
    }
    this.host.updatePolling();
    return results;
  }
}
