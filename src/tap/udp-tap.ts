// UdpTap: a UDP socket that hands out every datagram with its kernel metadata.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { formatAddress, parseAddress, validatePort, type ParsedAddress } from '../sys/address.js';
import { Arena } from './rx/arena.js';
import { asyncIterator, DONE } from './async-iter.js';
import { CMSG_HDR_LEN } from '../cmsg/cmsg.js';
import { RxBatch } from './rx/batch.js';
import * as C from '../sys/constants.js';
import { abortError, closedError, invalidArg, type SystemError } from '../sys/errors.js';
import { native, UV_PRIORITIZED, UV_READABLE, UV_WRITABLE, type NativeUdpSocket } from '../sys/native.js';
import { resolveOptions, type OpenUdpOptions, type ResolvedOptions, type TimestampMode } from './options.js';
import { attachPollOwner, dispatchPoll } from './poll-owner.js';
import type { RxMessage, SocketAddress } from './rx/rx-types.js';
import { extendedErrorAt, messageAt, timestampsAt } from './rx/slot-reader.js';
import { buildSendControl, type SendOptions, type TxKind } from './tx/send-control.js';
import { setupSocket } from './socket-setup.js';
import { enqueueWaiter, waitOptionsError, type Waiter, type WaitOptions } from './waiters.js';
import { TxTracker, type TxEvent, type TxTimestamps } from './tx/tx-tracker.js';
import { accumulate, emptyStats, type TapStats } from './tap-stats.js';

export type ReceiveOptions = WaitOptions;

export interface ReadMsgResult {
  /** Payload bytes copied into b. */
  n: number;
  /** Control bytes copied into oob. */
  oobn: number;
  /** msg_flags (MSG_TRUNC 0x20, MSG_CTRUNC 0x8, …). */
  flags: number;
  addr: SocketAddress;
}

export interface TapAddress extends SocketAddress {}

export interface Destination {
  address: string;
  port: number;
}

export interface SendResult {
  /** Bytes the kernel took. */
  bytes: number;
  /** OPT_ID key of the datagram when TX timestamps were asked for (ee_data). */
  id?: number;
  /** Settles when the asked-for TX timestamps arrived (or the deadline passed, see README). */
  tx?: Promise<TxTimestamps>;
}

export interface BatchItem extends SendOptions, Destination {
  data: Uint8Array | string;
}

const SO_EE_ORIGIN_TIMESTAMPING = 4;

/** A pending socket error (SO_ERROR) as a Node-style error. */
function socketError(errno: number, syscall: string, peer: Destination | undefined): SystemError {
  const code = Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? `E${errno}`;
  const where = peer ? ` ${peer.address}:${peer.port}` : '';
  const e = new Error(`${syscall} ${code}${where}`) as SystemError;
  e.code = code;
  e.errno = -errno;
  e.syscall = syscall;
  if (peer) {
    e.address = peer.address;
    e.port = peer.port;
  }
  return e;
}
const UV_EBADF = -9;
/** Pending TX timestamps beyond which send() drains the error queue itself. */
const ERRQUEUE_DRAIN_THRESHOLD = 32;

/** Rounds of recvmmsg per poll wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKE = 16;
/** Pooled batch arenas per tap: one lent to the consumer, the rest queued. */
const MAX_BATCH_ARENAS = 4;

// Taps that are watching their socket stay reachable from here, as a dgram socket keeps itself
// alive; idle unclosed taps are not, so GC can collect them (the native finaliser closes the fd).
const watching = new Set<UdpTap>();

export class UdpTap extends EventEmitter {
  readonly #sock: NativeUdpSocket;
  readonly #opts: ResolvedOptions;
  readonly #controlSize: number;
  #closed = false;
  #polling = false;
  #msgArena: Arena | null = null;
  readonly #freeArenas: Arena[] = [];
  #arenaCount = 0;
  readonly #queue: RxMessage[] = [];
  #queueHead = 0;
  readonly #receivers: Waiter<RxMessage>[] = [];
  #iterators = 0;
  readonly #batchWaiters: Waiter<RxBatch>[] = [];
  readonly #batchQueue: RxBatch[] = [];
  #batchIterators = 0;
  /** Set while the tap belongs to mergeBatches(): every batch goes there. */
  #sink: ((b: RxBatch) => void) | null = null;
  #lent: RxBatch | null = null;
  readonly #tx: TxTracker;
  #errArena: Arena | null = null;
  #txEver = false;
  readonly #writeWaiters: Array<() => void> = [];
  #pollMask = 0;
  readonly #stats: TapStats = emptyStats();
  #peer: Destination | undefined;
  /** The SO_TIMESTAMPING option the kernel took (65 = _NEW, 37 = old), 0 when off. */
  readonly timestampingOption: number;
  readonly timestampingFlags: number;

  /** @internal use openUdp() */
  constructor(options: OpenUdpOptions) {
    super();
    this.#opts = resolveOptions(options);
    this.#sock = new native.UdpSocket(this.#opts.family, dispatchPoll);
    attachPollOwner(this.#sock, this);
    this.#tx = new TxTracker(this.#opts.maxPendingTx, this.#opts.txTimeoutMs, () => this.#updatePolling());
    try {
      const r = setupSocket(this.#sock, this.#opts);
      this.#controlSize = r.controlSize;
      this.timestampingOption = r.timestampingOption;
      this.timestampingFlags = r.timestampingFlags;
    } catch (e) {
      this.#sock.close();
      throw e;
    }
    const onListenerChange = (event: string | symbol) => {
      if (event === 'message') queueMicrotask(() => this.#updatePolling());
    };
    this.on('newListener', onListenerChange);
    this.on('removeListener', onListenerChange);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The native file descriptor (for diagnostics; do not close it yourself). */
  get fd(): number {
    return this.#sock.fd;
  }

  get timestampMode(): TimestampMode {
    return this.#opts.timestamps;
  }

  /** Effective SO_RCVBUF as the kernel reports it (twice what was asked, for bookkeeping). */
  get recvBufferSize(): number {
    this.#assertOpen('recvBufferSize');
    return this.#sock.getIntOption(C.SOL_SOCKET, C.SO_RCVBUF);
  }

  /**
   * Connects the socket to one peer (connect(2)): the kernel then reports that peer's ICMP errors,
   * such as ECONNREFUSED when nothing listens on its port any more — as a rejected receive(), an
   * 'error' event, or a rejected send(). The tap stays open and goes on receiving afterwards.
   * Datagrams from other sources are no longer delivered.
   */
  connect(to: Destination): void {
    this.#assertOpen('connect');
    const dest = this.#destination(to, 'connect');
    this.#sock.connect(dest.addr.bytes, dest.port, dest.addr.scopeId, dest.text);
    this.#peer = { address: dest.text, port: dest.port };
  }

  /** The connected peer, if connect() was called. */
  remoteAddress(): Destination | undefined {
    return this.#peer ? { ...this.#peer } : undefined;
  }

  address(): TapAddress {
    this.#assertOpen('address');
    const [fam, bytes, port, scopeId] = this.#sock.localAddress();
    const family = fam === 4 ? 4 : 6;
    const a: TapAddress = { family, address: formatAddress(family, bytes), port };
    if (scopeId) a.scopeId = scopeId;
    return a;
  }

  /** Next datagram with its metadata. */
  receive(opts: ReceiveOptions = {}): Promise<RxMessage> {
    const bad = waitOptionsError(opts, 'receive');
    if (bad) return Promise.reject(bad);
    if (this.#closed) return Promise.reject(closedError('receive'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal.reason));
    if (this.#queueHead < this.#queue.length) return Promise.resolve(this.#shift());
    return enqueueWaiter(this.#receivers, opts, 'receive', () => this.#updatePolling());
  }

  /** `for await (const msg of tap)`: every datagram until the tap closes or the loop breaks. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RxMessage, void, undefined> {
    this.#iterators++;
    this.#updatePolling();
    try {
      while (!this.#closed) {
        // Queued datagrams are handed out without another promise per message.
        if (this.#queueHead < this.#queue.length) {
          yield this.#shift();
          continue;
        }
        try {
          yield await this.receive();
        } catch (e) {
          if ((e as SystemError).code === 'ERR_SOCKET_CLOSED') return;
          throw e;
        }
      }
    } finally {
      this.#iterators--;
      this.#updatePolling();
    }
  }

  /** One recvmmsg round as struct-of-arrays; valid until the next batch is requested. */
  receiveBatch(opts: ReceiveOptions = {}): Promise<RxBatch> {
    const bad = waitOptionsError(opts, 'receiveBatch');
    if (bad) return Promise.reject(bad);
    if (this.#closed) return Promise.reject(closedError('receiveBatch'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal.reason));
    this.#lent?.release();
    this.#lent = null;
    const queued = this.#batchQueue.shift();
    if (queued) return Promise.resolve(this.#lend(queued));
    return enqueueWaiter(this.#batchWaiters, opts, 'receiveBatch', () => this.#updatePolling(), (b) => this.#lend(b));
  }

  /**
   * `for await (const batch of tap.batches())`; each batch is released when the next is taken.
   * Ends (done) when the tap closes; a socket error rejects next() and ends it.
   */
  batches(): AsyncGenerator<RxBatch, void, undefined> {
    // Hand-written rather than an async generator: with many quiet sockets each wake-up yields a
    // small batch, and a generator's extra await per yield was a large share of that cost.
    let state: 'idle' | 'running' | 'done' = 'idle';
    let pending: Promise<IteratorResult<RxBatch, void>> | null = null;
    let settle: ((r: IteratorResult<RxBatch, void>) => void) | null = null;
    let fail: ((e: Error) => void) | null = null;
    const finish = (): void => {
      if (state === 'running') {
        this.#batchIterators--;
        this.#lent?.release();
        this.#lent = null;
        this.#updatePolling();
      }
      state = 'done';
    };
    const waiter: Waiter<RxBatch> = {
      resolve: (b) => {
        pending = null;
        settle!({ value: this.#lend(b), done: false });
      },
      reject: (e) => {
        pending = null;
        finish();
        if ((e as SystemError).code === 'ERR_SOCKET_CLOSED') settle!(DONE);
        else fail!(e);
      },
      cleanup: () => {},
    };
    const capture = (res: (r: IteratorResult<RxBatch, void>) => void, rej: (e: Error) => void): void => {
      settle = res;
      fail = rej;
    };
    const next = (): Promise<IteratorResult<RxBatch, void>> => {
      // Calls made while one is pending wait their turn, as with a generator.
      if (pending) return pending.then(next, next);
      if (state === 'idle') {
        state = 'running';
        this.#batchIterators++;
      }
      if (state === 'done' || this.#closed) {
        finish();
        return Promise.resolve(DONE);
      }
      this.#lent?.release();
      this.#lent = null;
      const queued = this.#batchQueue.shift();
      if (queued) return Promise.resolve({ value: this.#lend(queued), done: false });
      pending = new Promise(capture);
      this.#batchWaiters.push(waiter);
      this.#updatePolling();
      return pending;
    };
    return asyncIterator(next, finish);
  }

  /**
   * Go's UDPConn.ReadMsgUDP(b, oob): one datagram, payload copied into b and the raw control bytes
   * into oob exactly as the kernel wrote them. Returns null when nothing is queued (never blocks).
   */
  readMsg(b: Uint8Array, oob: Uint8Array): ReadMsgResult | null {
    if (!(b instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'readMsg: b must be a Uint8Array/Buffer');
    if (!(oob instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'readMsg: oob must be a Uint8Array/Buffer');
    this.#assertOpen('readMsg');
    // 1..15 bytes can never hold a cmsghdr: the kernel would drop all metadata (MSG_CTRUNC).
    if (oob.length > 0 && oob.length < CMSG_HDR_LEN)
      throw invalidArg('ERR_OUT_OF_RANGE', `readMsg: oob must be empty or at least ${CMSG_HDR_LEN} bytes (one cmsghdr), got ${oob.length}`, RangeError);
    const r = this.#sock.readMsg(b, oob);
    if (!r) return null;
    const [n, oobn, flags, fam, bytes, port, scopeId] = r;
    const family = fam === 4 ? 4 : 6;
    const addr: SocketAddress = { family, address: fam ? formatAddress(family, bytes) : '', port };
    if (scopeId) addr.scopeId = scopeId;
    return { n, oobn, flags, addr };
  }

  /** Releases the fd and the uv handle; pending receives reject with ERR_SOCKET_CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#polling = false;
    watching.delete(this);
    this.#sock.close();
    const err = closedError('receive');
    for (const w of this.#receivers.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
    for (const w of this.#batchWaiters.splice(0)) {
      w.cleanup();
      w.reject(closedError('receiveBatch'));
    }
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.#batchQueue.length = 0;
    this.#lent = null;
    this.#tx.failAll(closedError('send (TX timestamp)'));
    for (const w of this.#writeWaiters.splice(0)) w();
    this.emit('close');
  }

  // ---- internals ----

  #assertOpen(op: string): void {
    if (this.#closed) throw closedError(op);
  }

  #shift(): RxMessage {
    const m = this.#queue[this.#queueHead]!;
    this.#queue[this.#queueHead++] = undefined as unknown as RxMessage;
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    if (this.#polling === false) this.#updatePolling();
    return m;
  }

  #lend(b: RxBatch): RxBatch {
    this.#lent = b;
    return b;
  }

  #batchMode(): boolean {
    return this.#sink !== null || this.#batchWaiters.length > 0 || this.#batchIterators > 0;
  }

  /**
   * @internal mergeBatches(): hand every batch to `sink` (null to stop). Reading goes on while a
   * batch arena is free; releasing a batch frees one.
   */
  setBatchSink(sink: ((b: RxBatch) => void) | null): void {
    if (sink && this.#sink && sink !== this.#sink)
      throw Object.assign(new Error('mergeBatches: this tap is already merged elsewhere (a tap can be in one merge at a time)'), {
        code: 'ERR_INVALID_STATE',
      });
    this.#sink = sink;
    this.#updatePolling();
  }

  #wantsData(): boolean {
    if (this.#closed) return false;
    if (this.#sink) return this.#freeArenas.length > 0 || this.#arenaCount < MAX_BATCH_ARENAS;
    if (this.#batchMode()) return this.#batchWaiters.length > 0 || this.#batchQueue.length < MAX_BATCH_ARENAS - 1;
    const queued = this.#queue.length - this.#queueHead;
    if (this.#receivers.length > 0) return true;
    if (this.#iterators > 0 && queued < this.#opts.highWaterMark) return true;
    return this.listenerCount('message') > 0;
  }

  #updatePolling(): void {
    if (this.#closed) return;
    let mask = 0;
    if (this.#wantsData()) mask |= UV_READABLE;
    if (this.#writeWaiters.length > 0) mask |= UV_WRITABLE;
    // Once TX timestamps were asked for, always watch the error queue while polling at all: epoll
    // reports error-queue data as POLLERR, which libuv turns into UV_EBADF unless POLLPRI is watched.
    if (this.#tx.size > 0 || (this.#txEver && mask !== 0)) mask |= UV_PRIORITIZED;
    if (mask === this.#pollMask && (mask !== 0) === this.#polling) return;
    if (mask !== 0) {
      this.#sock.startPoll(mask);
      this.#polling = true;
      watching.add(this);
    } else if (this.#polling) {
      this.#sock.stopPoll();
      this.#polling = false;
      watching.delete(this);
    }
    this.#pollMask = mask;
  }

  readonly #returnArena = (arena: Arena): void => {
    if (this.#closed) return;
    this.#freeArenas.push(arena);
    // A merged tap stops polling when all its arenas are out; a released one lets it read again.
    if (this.#sink && !this.#polling) this.#updatePolling();
  };

  #takeArena(): Arena | null {
    for (let a = this.#freeArenas.pop(); a; a = this.#freeArenas.pop()) {
      if (!a.detached) return a;
      this.#arenaCount--; // its buffers were transferred away: let it go, a fresh one replaces it
    }
    if (this.#arenaCount >= MAX_BATCH_ARENAS) return null;
    this.#arenaCount++;
    return new Arena(this.#sock, this.#opts.batchSize, this.#opts.maxMessageSize, this.#controlSize);
  }

  /** @internal called by the native poll handle */
  onPollEvent(status: number, events: number): void {
    if (this.#closed) return;
    if (status < 0) {
      // libuv stopped the handle. UV_EBADF with POLLERR means error-queue data: drain and go on.
      this.#polling = false;
      this.#pollMask = 0;
      watching.delete(this);
      if (status === UV_EBADF) {
        // POLLERR: error-queue data, or a pending socket error (e.g. ECONNREFUSED from an ICMP port
        // unreachable on a connected tap). Take both, so the next poll does not report it again.
        try {
          this.#drainErrorQueue();
          const err = this.#sock.getIntOption(C.SOL_SOCKET, C.SO_ERROR);
          if (err !== 0) {
            this.#fail(socketError(err, 'recvmsg', this.#peer));
            return;
          }
        } catch (e) {
          this.#fail(e as Error);
          return;
        }
        this.#updatePolling();
        return;
      }
      this.#fail(Object.assign(new Error(`poll failed (${status})`), { code: 'ERR_POLL', errno: status }));
      return;
    }
    try {
      if (events & UV_PRIORITIZED) this.#drainErrorQueue();
      if (events & UV_WRITABLE) for (const w of this.#writeWaiters.splice(0)) w();
      if (events & UV_READABLE) {
        for (let round = 0; round < ROUNDS_PER_WAKE && !this.#closed && this.#wantsData(); round++) {
          const n = this.#batchMode() ? this.#readBatchRound() : this.#readMessageRound();
          if (n < this.#opts.batchSize) break; // drained
        }
      }
    } catch (e) {
      this.#fail(e as Error);
      return;
    }
    this.#updatePolling();
  }

  #drainErrorQueue(): void {
    const a = (this.#errArena ??= new Arena(this.#sock, 16, 256, 512));
    for (let round = 0; round < ROUNDS_PER_WAKE && !this.#closed; round++) {
      const n = this.#sock.recv(a.id, a.cap, C.MSG_ERRQUEUE);
      for (let i = 0; i < n; i++) {
        const ts = timestampsAt(a, i);
        const ee = extendedErrorAt(a, i);
        if (ee.origin !== SO_EE_ORIGIN_TIMESTAMPING) continue;
        const events: TxEvent[] = [];
        if (ee.info === C.SCM_TSTAMP_SCHED) {
          if (ts.software !== undefined) events.push(this.#tx.deliver(ee.data, 'sched', ts.software));
        } else if (ee.info === C.SCM_TSTAMP_SND) {
          if (ts.software !== undefined) events.push(this.#tx.deliver(ee.data, 'software', ts.software));
          if (ts.hardware !== undefined) events.push(this.#tx.deliver(ee.data, 'hardware', ts.hardware));
        }
        if (this.listenerCount('txTimestamp') > 0) for (const ev of events) this.emit('txTimestamp', ev);
      }
      if (n < a.cap) break;
    }
  }

  // ---- sending ----

  #destination(to: unknown, fn: string): { addr: ParsedAddress; port: number; text: string } {
    if (to === null || typeof to !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: destination must be { address, port }`);
    const d = to as Record<string, unknown>;
    const port = validatePort(d.port, `${fn}: port`);
    if (port === 0) throw invalidArg('ERR_SOCKET_BAD_PORT', `${fn}: port 0 is not a destination`, RangeError);
    if (typeof d.address !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: address must be a string`);
    const addr = parseAddress(d.address, `${fn}: address`, (zone) => {
      const idx = native.ifNameToIndex(zone);
      if (!idx) throw invalidArg('ERR_INVALID_ADDRESS', `${fn}: no interface named '${zone}'`);
      return idx;
    });
    if (addr.family !== this.#opts.family) {
      if (this.#opts.family === 6 && !this.#opts.ipv6Only) {
        const m = new Uint8Array(16);
        m[10] = 0xff;
        m[11] = 0xff;
        m.set(addr.bytes, 12);
        return { addr: { family: 6, bytes: m, scopeId: 0 }, port, text: d.address };
      }
      throw invalidArg('ERR_INVALID_ARG_VALUE', `${fn}: ${d.address} is not reachable from an IPv${this.#opts.family} tap`);
    }
    return { addr, port, text: d.address };
  }

  #payload(data: unknown, fn: string): Uint8Array {
    if (typeof data === 'string') return Buffer.from(data);
    if (data instanceof Uint8Array) return data;
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: data must be a Uint8Array, Buffer or string`);
  }

  #waitWritable(): Promise<void> {
    return new Promise((resolve) => {
      this.#writeWaiters.push(resolve);
      this.#updatePolling();
    });
  }

  /**
   * sendmsg with per-packet control messages (source address / interface, TTL, TOS) and, when
   * asked, TX timestamps collected from the error queue and matched by the OPT_ID key.
   */
  async send(data: Uint8Array | string, to: Destination, opts?: SendOptions): Promise<SendResult> {
    const payload = this.#payload(data, 'send');
    const dest = this.#destination(to, 'send');
    const ctl = buildSendControl(this.#opts.family, opts);
    // A burst of timestamped sends can outrun the event loop; the error queue is charged to this
    // socket's receive buffer and drops stamps when full, so empty it here as well.
    if (this.#tx.size >= ERRQUEUE_DRAIN_THRESHOLD) this.#drainErrorQueue();
    for (;;) {
      if (this.#closed) throw closedError('send');
      let reserved: { id: number; tx: Promise<TxTimestamps> } | undefined;
      if (ctl.tx.size) {
        this.#txEver = true;
        reserved = this.#tx.expect(ctl.tx, ctl.txTimeoutMs);
      }
      let n: number;
      try {
        n = this.#sock.sendMsg(payload, dest.addr.bytes, dest.port, dest.addr.scopeId, ctl.control, dest.text);
      } catch (e) {
        if (reserved) this.#tx.unreserve(reserved.id);
        throw e;
      }
      if (n < 0) {
        // EAGAIN / ENOBUFS: the send buffer is full; wait until the socket is writable again.
        if (reserved) this.#tx.unreserve(reserved.id);
        await this.#waitWritable();
        continue;
      }
      this.#updatePolling();
      return reserved ? { bytes: n, id: reserved.id, tx: reserved.tx } : { bytes: n };
    }
  }

  /** sendmmsg: many datagrams, each with its own destination and options, in as few syscalls as the kernel allows. */
  async sendBatch(items: readonly BatchItem[]): Promise<SendResult[]> {
    if (!Array.isArray(items)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'sendBatch: items must be an array');
    const prepared = items.map((it, i) => {
      if (it === null || typeof it !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `sendBatch: item ${i} must be an object`);
      // family/scopeId are accepted so `{ ...tap.address() }` can be spread into an item
      const { data, address, port, family: _f, scopeId: _s, ...opts } = it as BatchItem & { family?: unknown; scopeId?: unknown };
      return {
        payload: this.#payload(data, `sendBatch[${i}]`),
        dest: this.#destination({ address, port }, `sendBatch[${i}]`),
        ctl: buildSendControl(this.#opts.family, Object.keys(opts).length ? (opts as SendOptions) : undefined),
      };
    });
    const results: SendResult[] = [];
    let next = 0;
    while (next < prepared.length) {
      if (this.#closed) throw closedError('sendBatch');
      if (this.#tx.size >= ERRQUEUE_DRAIN_THRESHOLD) this.#drainErrorQueue();
      // Timestamped datagrams go in smaller chunks so their stamps fit the error queue between drains.
      const room = prepared.slice(next, next + 128).some((p) => p.ctl.tx.size) ? 128 : 1024;
      const chunk = prepared.slice(next, next + room);
      const reserved = chunk.map((p) => {
        if (!p.ctl.tx.size) return undefined;
        this.#txEver = true;
        return this.#tx.expect(p.ctl.tx, p.ctl.txTimeoutMs);
      });
      const undo = (from: number) => {
        for (let i = chunk.length - 1; i >= from; i--) if (reserved[i]) this.#tx.unreserve(reserved[i]!.id);
      };
      let r: number;
      try {
        r = this.#sock.sendMmsg(
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
        results.push(res ? { bytes: chunk[i]!.payload.length, id: res.id, tx: res.tx } : { bytes: chunk[i]!.payload.length });
      }
      next += r;
    }
    this.#updatePolling();
    return results;
  }

  /** What this tap has read so far, plus its TX-timestamp matcher's counters. */
  stats(): TapStats & { tx: ReturnType<TxTracker['stats']>; queued: number } {
    return { ...this.#stats, tx: this.#tx.stats(), queued: this.#queue.length - this.#queueHead };
  }

  /** Counters of the TX-timestamp matcher (pending entries are bounded by maxPendingTx). */
  txStats(): { pending: number; matched: number; expired: number; evicted: number; unmatched: number } {
    return this.#tx.stats();
  }

  #readMessageRound(): number {
    const a = (this.#msgArena ??= new Arena(this.#sock, this.#opts.batchSize, this.#opts.maxMessageSize, this.#controlSize));
    const n = this.#sock.recv(a.id);
    if (n === 0) return 0;
    accumulate(this.#stats, a, n);
    const readAt = a.readAt;
    const queueing = this.#receivers.length > 0 || this.#iterators > 0;
    const emitting = this.listenerCount('message') > 0;
    for (let i = 0; i < n; i++) {
      const msg = messageAt(a, i, a.data, a.slotSize, readAt);
      if (emitting) this.emit('message', msg);
      const w = this.#receivers.shift();
      if (w) {
        w.cleanup();
        w.resolve(msg);
      } else if (queueing) this.#queue.push(msg);
    }
    return n;
  }

  #readBatchRound(): number {
    const a = this.#takeArena();
    if (!a) return 0;
    const n = this.#sock.recv(a.id);
    if (n === 0) {
      this.#freeArenas.push(a);
      return 0;
    }
    accumulate(this.#stats, a, n);
    const batch = new RxBatch(a, n, this.#returnArena, this);
    if (this.listenerCount('message') > 0) for (let i = 0; i < n; i++) this.emit('message', batch.message(i));
    if (this.#sink) {
      this.#sink(batch);
      return n;
    }
    const w = this.#batchWaiters.shift();
    if (w) {
      w.cleanup();
      w.resolve(batch);
    } else this.#batchQueue.push(batch);
    return n;
  }

  #fail(err: Error): void {
    for (const w of this.#receivers.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
    for (const w of this.#batchWaiters.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.#updatePolling();
  }
}

/** Opens and binds a UDP tap. Rejects with a Node-style error (code, errno, syscall, address, port). */
export async function openUdp(options: OpenUdpOptions): Promise<UdpTap> {
  return new UdpTap(options);
}
