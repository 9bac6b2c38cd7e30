// UdpTap: a UDP socket that hands out every datagram with its kernel metadata. Polling, receive()
// and close rules are PolledSource's; batches are BatchQueue's; sending is TxPath's.
import { formatAddress } from '../sys/address.js';
import { CMSG_HDR_LEN } from '../cmsg/macros.js';
import * as C from '../sys/constants.js';
import { invalidArg, pollError, socketError } from '../sys/errors.js';
import { native, UV_PRIORITIZED, UV_READABLE, UV_WRITABLE, type NativeUdpSocket } from '../sys/native.js';
import { resolveOptions, type OpenUdpOptions, type ResolvedOptions, type TimestampMode } from './options.js';
import { PolledSource } from './polled-source.js';
import { attachPollOwner, dispatchPoll } from './poll-owner.js';
import { Arena } from './rx/arena.js';
import type { RxBatch } from './rx/batch.js';
import { BatchQueue } from './rx/batch-queue.js';
import type { RxMessage, SocketAddress } from './rx/rx-types.js';
import { messageAt } from './rx/slot-reader.js';
import { HW_REPORT_FLAG, setupSocket } from './socket-setup.js';
import { accumulate, emptyStats, type TapStats } from './tap-stats.js';
import type { Destination } from './tx/destination.js';
import type { SendOptions } from './tx/send-control.js';
import { TxPath, type BatchItem, type SendResult } from './tx/tx-path.js';
import type { TxEvent, TxStats } from './tx/tx-tracker.js';
import type { WaitOptions } from './waiters.js';

export type { Destination } from './tx/destination.js';
export type { BatchItem, SendResult } from './tx/tx-path.js';

/** Options of `receive()`: an AbortSignal and/or a timeout in milliseconds. */
export type ReceiveOptions = WaitOptions;

/** What `readMsg(b, oob)` copied, and from whom: Go's `ReadMsgUDP` results. */
export interface ReadMsgResult {
  /** Payload bytes copied into b. */
  n: number;
  /** Control bytes copied into oob. */
  oobn: number;
  /** msg_flags (MSG_TRUNC 0x20, MSG_CTRUNC 0x8, …). */
  flags: number;
  addr: SocketAddress;
}

/** A tap's local (or connected peer) address. */
export interface TapAddress extends SocketAddress {}

declare module './rx/rx-types.js' {
  // RxBatch.tap is the UdpTap that read it (see BatchTap).
  interface BatchTap extends UdpTap {}
}

const UV_EBADF = -9;
/**
 * Bytes of the dense slot each datagram is read into first: an Ethernet MTU's datagram and then
 * some. Longer ones (up to maxMessageSize) continue in native memory that only they touch, and
 * their round is packed into a buffer of its own (Arena.packedPayloads).
 */
const DENSE_SLOT = 2048;
/**
 * Slots of a tap's first arenas: a quiet socket's wake-ups bring a datagram or two, and an arena's
 * ArrayBuffer is external memory V8 answers with GCs when many sockets each allocate big ones
 * (~2 KiB per slot). batchSize once a round fills one.
 */
const INITIAL_ROUND = 8;
/** Arenas of more slots than this read into dense slots; smaller ones keep whole slots. */
const DENSE_FROM = 16;
/** Rounds of recvmmsg per poll wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKE = 16;

/**
 * A UDP socket with its kernel metadata, from {@link openUdp}: receive (`receive()`, `for await`, `'message'`,
 * `batches()`, `readMsg()`), send with per-packet options and TX timestamps, `stats()`, `close()`.
 */
export class UdpTap extends PolledSource<RxMessage> {
  protected readonly handle: NativeUdpSocket;
  protected readonly highWaterMark: number;
  readonly #opts: ResolvedOptions;
  readonly #controlSize: number;
  #msgArena: Arena | null = null;
  /**
   * Slots of the arenas rounds are read into now: small at first (a quiet socket's wake-ups bring a
   * few datagrams, and many sockets should not each hold a thousand slots), batchSize once a round
   * came back full.
   */
  #roundCap: number;
  readonly #batches: BatchQueue;
  readonly #tx: TxPath;
  readonly #stats: TapStats = emptyStats();
  #peer: Destination | undefined;
  /** The SO_TIMESTAMPING option the kernel took (65 = _NEW, 37 = old), 0 when off. */
  readonly timestampingOption: number;
  #timestampingFlags: number;

  /** @internal use openUdp() */
  constructor(options: OpenUdpOptions) {
    super('message', 'tap');
    this.#opts = resolveOptions(options);
    this.highWaterMark = this.#opts.highWaterMark;
    this.#roundCap = this.#opts.growBatches ? Math.min(INITIAL_ROUND, this.#opts.batchSize) : this.#opts.batchSize;
    const sock = new native.UdpSocket(this.#opts.family, dispatchPoll);
    this.handle = sock;
    attachPollOwner(sock, this);
    try {
      const r = setupSocket(sock, this.#opts);
      this.#controlSize = r.controlSize;
      this.timestampingOption = r.timestampingOption;
      this.#timestampingFlags = r.timestampingFlags;
    } catch (e) {
      sock.close();
      throw e;
    }
    const self = this;
    const host = {
      get closed(): boolean {
        return self.closed;
      },
      updatePolling: (): void => this.updatePolling(),
      newArena: (replaces?: Arena): Arena => this.#newArena(replaces),
      outgrown: (a: Arena): boolean => a.cap < this.#roundCap,
      emitTx: (events: readonly TxEvent[]): void => {
        if (this.listenerCount('txTimestamp') === 0) return;
        for (const ev of events) if (!this.closed) this.emit('txTimestamp', ev);
      },
      reportHardwareTx: (): void => {
        if (this.#timestampingFlags & HW_REPORT_FLAG) return;
        const flags = this.#timestampingFlags | HW_REPORT_FLAG;
        this.handle.setIntOption(C.SOL_SOCKET, this.timestampingOption, flags, 'SO_TIMESTAMPING');
        this.#timestampingFlags = flags;
      },
    };
    this.#batches = new BatchQueue(host, this);
    this.#tx = new TxPath(sock, this.#opts, host);
  }

  /** The SO_TIMESTAMPING flags set on the socket now (SOF_TIMESTAMPING_*). */
  get timestampingFlags(): number {
    return this.#timestampingFlags;
  }

  /** The native file descriptor (for diagnostics; do not close it yourself). */
  get fd(): number {
    return this.handle.fd;
  }

  get timestampMode(): TimestampMode {
    return this.#opts.timestamps;
  }

  /** Effective SO_RCVBUF as the kernel reports it (twice what was asked, for bookkeeping). */
  get recvBufferSize(): number {
    this.assertOpen('recvBufferSize');
    return this.handle.getIntOption(C.SOL_SOCKET, C.SO_RCVBUF);
  }

  /**
   * Connects the socket to one peer (connect(2)): the kernel then reports that peer's ICMP errors,
   * such as ECONNREFUSED when nothing listens on its port any more — as a rejected receive(), an
   * 'error' event, or a rejected send(). The tap stays open and goes on receiving afterwards.
   * Datagrams from other sources are no longer delivered.
   */
  connect(to: Destination): void {
    this.assertOpen('connect');
    const dest = this.#tx.destination(to, 'connect');
    this.handle.connect(dest.addr.bytes, dest.port, dest.addr.scopeId, dest.text);
    this.#peer = { address: dest.text, port: dest.port };
  }

  /** The connected peer, if connect() was called. */
  remoteAddress(): Destination | undefined {
    return this.#peer ? { ...this.#peer } : undefined;
  }

  /** The address the tap is bound to (the kernel's port when port 0 was asked for). */
  address(): TapAddress {
    this.assertOpen('address');
    const { family: fam, address, port, scopeId } = this.handle.localAddress();
    const family = fam === 4 ? 4 : 6;
    const a: TapAddress = { family, address: formatAddress(family, address), port };
    if (scopeId) a.scopeId = scopeId;
    return a;
  }

  /** Next datagram with its metadata. */
  override receive(opts: ReceiveOptions = {}): Promise<RxMessage> {
    return super.receive(opts);
  }

  /** One recvmmsg round as struct-of-arrays; valid until the next batch is requested. */
  receiveBatch(opts: ReceiveOptions = {}): Promise<RxBatch> {
    return this.#batches.receiveBatch(opts);
  }

  /**
   * `for await (const batch of tap.batches())`; each batch is released when the next is taken.
   * Ends (done) when the tap closes; a socket error rejects next() and ends it.
   */
  batches(): AsyncGenerator<RxBatch, void, undefined> {
    return this.#batches.iterate();
  }

  /**
   * @internal mergeBatches(): hand every batch to `sink` (null to stop). Reading goes on while a
   * batch arena is free; releasing a batch frees one.
   */
  setBatchSink(sink: ((b: RxBatch) => void) | null): void {
    this.#batches.setSink(sink);
  }

  /**
   * Go's UDPConn.ReadMsgUDP(b, oob): one datagram, payload copied into b and the raw control bytes
   * into oob exactly as the kernel wrote them. Returns null when nothing is queued (never blocks).
   */
  readMsg(b: Uint8Array, oob: Uint8Array): ReadMsgResult | null {
    if (!(b instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'readMsg: b must be a Uint8Array/Buffer');
    if (!(oob instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'readMsg: oob must be a Uint8Array/Buffer');
    this.assertOpen('readMsg');
    // 1..15 bytes can never hold a cmsghdr: the kernel would drop all metadata (MSG_CTRUNC).
    if (oob.length > 0 && oob.length < CMSG_HDR_LEN)
      throw invalidArg('ERR_OUT_OF_RANGE', `readMsg: oob must be empty or at least ${CMSG_HDR_LEN} bytes (one cmsghdr), got ${oob.length}`, RangeError);
    const r = this.handle.readMsg(b, oob);
    if (!r) return null;
    const { n, oobn, flags, family, address, port, scopeId } = r;
    const addr: SocketAddress = { family: family === 4 ? 4 : 6, address: family ? formatAddress(family, address) : '', port };
    if (scopeId) addr.scopeId = scopeId;
    return { n, oobn, flags, addr };
  }

  /**
   * sendmsg with per-packet control messages (source address / interface, TTL, TOS) and, when
   * asked, TX timestamps collected from the error queue and matched by the OPT_ID key.
   */
  send(data: Uint8Array | string, to: Destination, opts?: SendOptions): Promise<SendResult> {
    return this.#tx.send(data, to, opts);
  }

  /** sendmmsg: many datagrams, each with its own destination and options, in as few syscalls as the kernel allows. */
  sendBatch(items: readonly BatchItem[]): Promise<SendResult[]> {
    return this.#tx.sendBatch(items);
  }

  /** What this tap has read so far, plus its TX-timestamp matcher's counters. */
  stats(): TapStats & { tx: TxStats; queued: number } {
    return { ...this.#stats, tx: this.#tx.tracker.stats(), queued: this.queuedItems };
  }

  /** Counters of the TX-timestamp matcher (pending entries are bounded by maxPendingTx). */
  txStats(): TxStats {
    return this.#tx.tracker.stats();
  }

  // ---- PolledSource ----

  protected override onClose(): void {
    this.#batches.close();
    this.#tx.close();
  }

  #wantsData(): boolean {
    if (this.closed) return false;
    return this.#batches.active ? this.#batches.wantsData() : !this.roundPending && this.wantsItems();
  }

  protected override pollEvents(): number {
    return this.#tx.pollEvents(this.#wantsData() ? UV_READABLE : 0);
  }

  protected override onPollError(status: number): void {
    if (status !== UV_EBADF) {
      this.fail(pollError(status));
      return;
    }
    // POLLERR: error-queue data, or a pending socket error (e.g. ECONNREFUSED from an ICMP port
    // unreachable on a connected tap). Take both, so the next poll does not report it again.
    try {
      this.#tx.drainErrorQueue();
      const err = this.handle.getIntOption(C.SOL_SOCKET, C.SO_ERROR);
      if (err !== 0) {
        this.fail(socketError(err, 'recvmsg', this.#peer));
        return;
      }
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.updatePolling();
  }

  protected override onReady(events: number): void {
    if (events & UV_PRIORITIZED) this.#tx.drainErrorQueue();
    if (events & UV_WRITABLE) this.#tx.wakeWriters();
    if (events & UV_READABLE) {
      for (let round = 0; round < ROUNDS_PER_WAKE && this.#wantsData(); round++) {
        const full = this.#batches.active ? this.#readBatchRound() : this.#readMessageRound();
        if (!full) break; // drained (or closed by a listener)
      }
    }
  }

  protected override fail(err: Error): number {
    if (this.closed) return 0;
    const n = super.fail(err) + this.#batches.fail(err);
    this.emitError(err);
    this.updatePolling();
    return n;
  }

  #newArena(replaces?: Arena): Arena {
    const o = this.#opts;
    // Dense slots pay off for big rounds; a small arena keeps whole slots (no second iovec).
    const dense = this.#roundCap > DENSE_FROM ? Math.min(DENSE_SLOT, o.maxMessageSize) : o.maxMessageSize;
    return new Arena(this.handle, this.#roundCap, o.maxMessageSize, this.#controlSize, dense, replaces);
  }

  /** Whether a round filled its arena (more may be queued); later rounds then get batchSize slots. */
  #roundFilled(a: Arena, n: number): boolean {
    if (n < a.cap) return false;
    // Step by ×8 up to batchSize (8 → 64 → 256 by default): a socket that is only briefly behind
    // does not jump to hundreds of slots of external memory (with many sockets that is GC
    // pressure), a busy one gets there.
    if (a.cap < this.#opts.batchSize) this.#roundCap = Math.min(this.#opts.batchSize, Math.max(this.#roundCap, a.cap * 8));
    return true;
  }

  /** Reads one round as messages; true when it filled its arena. */
  #readMessageRound(): boolean {
    let a = (this.#msgArena ??= this.#newArena());
    // A lazy round still being taken reads the old arena's JS memory, which replacing leaves intact.
    if (a.cap < this.#roundCap) a = this.#msgArena = this.#newArena(a);
    const n = this.handle.recv(a.id);
    if (n === 0) return false;
    accumulate(this.#stats, a, n);
    const full = this.#roundFilled(a, n);
    const readAt = a.readAt;
    const data = a.packedPayloads(n) ?? a.data;
    const keep = this.keepsItems();
    const emit = this.listenerCount('message') > 0;
    if (!emit) {
      if (keep) this.deliverLazily(n, (i) => messageAt(a, i, data, readAt));
      return full;
    }
    for (let i = 0; i < n; i++) {
      if (!this.deliver(messageAt(a, i, data, readAt), emit, keep)) return false;
    }
    return full;
  }

  /** Reads one round as a batch; true when it filled its arena. */
  #readBatchRound(): boolean {
    const a = this.#batches.takeArena();
    if (!a) return false;
    const n = this.handle.recv(a.id);
    if (n === 0) {
      this.#batches.putBack(a);
      return false;
    }
    accumulate(this.#stats, a, n);
    const full = this.#roundFilled(a, n);
    const batch = this.#batches.wrap(a, n);
    if (this.listenerCount('message') > 0) {
      for (let i = 0; i < n; i++) {
        this.emit('message', batch.message(i));
        if (this.closed) return false;
      }
    }
    this.#batches.deliver(batch);
    return full;
  }
}

/** Opens and binds a UDP tap. Rejects with a Node-style error (code, errno, syscall, address, port). */
export async function openUdp(options: OpenUdpOptions): Promise<UdpTap> {
  return new UdpTap(options);
}
