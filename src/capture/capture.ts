// Capture: a passive tap on an interface. An AF_PACKET socket with a kernel BPF filter hands over
// copies of the UDP datagrams other processes send and receive, each with its kernel timestamp,
// direction and interface, parsed into CaptureRecords.
import { EventEmitter } from 'node:events';
import { cmsgSpace } from '../cmsg/cmsg.js';
import { abortError, closedError, type SystemError } from '../sys/errors.js';
import { enqueueWaiter, waitOptionsError, type Waiter, type WaitOptions } from '../tap/waiters.js';
import { native } from '../sys/native.js';
import { attachPollOwner, dispatchPoll } from '../tap/poll-owner.js';
import { RX_HARDWARE_FLAGS, RX_SOFTWARE_FLAGS, setRecvBuffer, setTimestampNs, setTimestamping } from '../tap/socket-setup.js';
import { CaptureArena } from './arena.js';
import { encodeProgram, type BpfInstruction } from './bpf.js';
import { permissionError } from './errors.js';
import { buildUdpFilter } from './filter.js';
import { L3_STATUS_NAMES, type L3StatusName } from './layout.js';
import { captureNative, type NativePacketSocket } from './native.js';
import { resolveCaptureOptions, type CaptureTimestampMode, type OpenCaptureOptions, type ResolvedCaptureOptions } from './options.js';
import type { PortRange } from './ports.js';
import { recordAt, type CaptureRecord } from './record.js';

export type CaptureReceiveOptions = WaitOptions;

export interface CaptureStats {
  /** Packets that passed the kernel filter (PACKET_STATISTICS tp_packets), cumulative. */
  packets: number;
  /** Packets the kernel dropped because the socket queue was full (tp_drops), cumulative. */
  kernelDrops: number;
  /** Records handed out (parsed UDP datagrams). */
  records: number;
  /** Packets read but not handed out, by why the parser stopped (custom filters, snap length). */
  skipped: Partial<Record<Exclude<L3StatusName, 'udp'>, number>>;
}

const ETH_P_ALL = 3;
/** SCM_TIMESTAMPING (48) + SCM_TIMESTAMPNS (16) and room for one unexpected message. */
const CONTROL_SIZE = cmsgSpace(48) + cmsgSpace(16) + cmsgSpace(64);
/** recvmmsg rounds per poll wake-up before yielding to the event loop. */
const ROUNDS_PER_WAKE = 16;

// Captures that are watching their socket stay reachable, as a dgram socket does; idle unclosed
// ones can be collected (the native finaliser closes the fd).
const watching = new Set<Capture>();

export class Capture extends EventEmitter {
  readonly #sock: NativePacketSocket;
  readonly #opts: ResolvedCaptureOptions;
  readonly #arena: CaptureArena;
  readonly #queue: CaptureRecord[] = [];
  #queueHead = 0;
  readonly #receivers: Waiter<CaptureRecord>[] = [];
  #iterators = 0;
  #closed = false;
  #polling = false;
  readonly #stats: CaptureStats = { packets: 0, kernelDrops: 0, records: 0, skipped: {} };
  /** The BPF program attached to the socket. */
  readonly program: readonly BpfInstruction[];
  /** The SO_TIMESTAMPING option the kernel took (65 = _NEW, 37 = old), 0 when off. */
  readonly timestampingOption: number;

  /** @internal use openCapture() */
  constructor(options: OpenCaptureOptions) {
    super();
    this.#opts = resolveCaptureOptions(options, (name) => native.ifNameToIndex(name));
    const o = this.#opts;
    try {
      this.#sock = new captureNative.PacketSocket(dispatchPoll);
      attachPollOwner(this.#sock, this);
    } catch (e) {
      const code = (e as SystemError).code;
      if (code === 'EPERM' || code === 'EACCES') throw permissionError(e as SystemError);
      throw e;
    }
    try {
      this.program = o.filter ?? buildUdpFilter({ ports: o.ports, portMatch: o.portMatch, direction: o.direction, snapLength: o.snapLength });
      this.#sock.attachFilter(encodeProgram(this.program));
      setRecvBuffer(this.#sock, o.recvBufferSize);
      this.timestampingOption = 0;
      if (o.timestamps !== 'none') {
        this.timestampingOption = setTimestamping(this.#sock, o.timestamps === 'hardware' ? RX_HARDWARE_FLAGS : RX_SOFTWARE_FLAGS);
        // As for UDP taps: the kernel switches RX timestamping on lazily; SO_TIMESTAMPNS gets a
        // fallback stamp for the first packets while SO_TIMESTAMPING alone would give none.
        setTimestampNs(this.#sock);
      }
      // Protocol 0 until now: nothing was queued before the filter was in place.
      this.#sock.bind(o.ifIndex, ETH_P_ALL);
      this.#arena = new CaptureArena(this.#sock, o.batchSize, o.snapLength, CONTROL_SIZE);
    } catch (e) {
      this.#sock.close();
      throw e;
    }
    const onListenerChange = (event: string | symbol) => {
      if (event === 'record') queueMicrotask(() => this.#updatePolling());
    };
    this.on('newListener', onListenerChange);
    this.on('removeListener', onListenerChange);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get fd(): number {
    return this.#sock.fd;
  }

  get interfaceName(): string {
    return this.#opts.interfaceText;
  }

  get ifIndex(): number {
    return this.#opts.ifIndex;
  }

  get ports(): readonly PortRange[] {
    return this.#opts.ports;
  }

  get timestampMode(): CaptureTimestampMode {
    return this.#opts.timestamps;
  }

  /** Cumulative counters; reading them also collects the kernel's (which reset on read). */
  stats(): CaptureStats {
    if (!this.#closed) this.#collectKernelStats();
    return { ...this.#stats, skipped: { ...this.#stats.skipped } };
  }

  /** The next captured datagram. */
  receive(opts: CaptureReceiveOptions = {}): Promise<CaptureRecord> {
    const bad = waitOptionsError(opts, 'receive');
    if (bad) return Promise.reject(bad);
    if (this.#closed) return Promise.reject(closedError('receive'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal.reason));
    if (this.#queueHead < this.#queue.length) return Promise.resolve(this.#shift());
    return enqueueWaiter(this.#receivers, opts, 'receive', () => this.#updatePolling());
  }

  /** `for await (const rec of capture)`: every record until close() or the loop breaks. */
  async *[Symbol.asyncIterator](): AsyncGenerator<CaptureRecord, void, undefined> {
    this.#iterators++;
    this.#updatePolling();
    try {
      while (!this.#closed) {
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

  /** Releases the socket; pending receives reject with ERR_SOCKET_CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    try {
      this.#collectKernelStats();
    } catch {
      /* the counters are a courtesy at this point */
    }
    this.#closed = true;
    this.#polling = false;
    watching.delete(this);
    this.#sock.close();
    const err = closedError('receive');
    for (const w of this.#receivers.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
    this.#queue.length = 0;
    this.#queueHead = 0;
    this.emit('close');
  }

  // ---- internals ----

  #collectKernelStats(): void {
    const [packets, drops] = this.#sock.stats();
    this.#stats.packets += packets;
    this.#stats.kernelDrops += drops;
  }

  #shift(): CaptureRecord {
    const r = this.#queue[this.#queueHead]!;
    this.#queue[this.#queueHead++] = undefined as unknown as CaptureRecord;
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    if (!this.#polling) this.#updatePolling();
    return r;
  }

  #wantsData(): boolean {
    if (this.#closed) return false;
    if (this.#receivers.length > 0) return true;
    if (this.#iterators > 0 && this.#queue.length - this.#queueHead < this.#opts.highWaterMark) return true;
    return this.listenerCount('record') > 0;
  }

  #updatePolling(): void {
    if (this.#closed) return;
    const want = this.#wantsData();
    if (want === this.#polling) return;
    if (want) {
      this.#sock.startPoll();
      watching.add(this);
    } else {
      this.#sock.stopPoll();
      watching.delete(this);
    }
    this.#polling = want;
  }

  /** @internal called by the native poll handle */
  onPollEvent(status: number, _events: number): void {
    if (this.#closed) return;
    if (status < 0) {
      this.#polling = false;
      watching.delete(this);
      this.#fail(Object.assign(new Error(`poll failed (${status})`), { code: 'ERR_POLL', errno: status }));
      return;
    }
    try {
      for (let round = 0; round < ROUNDS_PER_WAKE && !this.#closed && this.#wantsData(); round++) {
        const n = this.#readRound();
        if (n < this.#arena.cap) break; // drained
      }
    } catch (e) {
      this.#fail(e as Error);
      return;
    }
    this.#updatePolling();
  }

  #readRound(): number {
    const a = this.#arena;
    const n = this.#sock.recv(a.id, a.cap);
    if (n === 0) return 0;
    const readAt = a.readAt;
    const emit = this.listenerCount('record') > 0;
    const keep = this.#receivers.length > 0 || this.#iterators > 0;
    for (let i = 0; i < n; i++) {
      const rec = recordAt(a, i, readAt, this.#opts.rawPacket);
      if (rec === null) {
        const name = L3_STATUS_NAMES[a.status(i)] as Exclude<L3StatusName, 'udp'> | undefined;
        if (name) this.#stats.skipped[name] = (this.#stats.skipped[name] ?? 0) + 1;
        continue;
      }
      this.#stats.records++;
      if (emit) this.emit('record', rec);
      if (!keep || this.#closed) continue;
      const w = this.#receivers.shift();
      if (w) {
        w.cleanup();
        w.resolve(rec);
      } else this.#queue.push(rec);
    }
    return n;
  }

  #fail(e: Error): void {
    const ws = this.#receivers.splice(0);
    for (const w of ws) {
      w.cleanup();
      w.reject(e);
    }
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else if (ws.length === 0) queueMicrotask(() => { throw e; });
  }
}

/** Opens a passive capture (needs CAP_NET_RAW). Rejects with a Node-style error otherwise. */
export async function openCapture(options: OpenCaptureOptions): Promise<Capture> {
  return new Capture(options);
}
