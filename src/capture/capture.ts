// Capture: a passive tap on an interface. An AF_PACKET socket with a kernel BPF filter hands over
// copies of the UDP datagrams other processes send and receive, each with its kernel timestamp,
// direction and interface, parsed into CaptureRecords.
import { cmsgSpace } from '../cmsg/macros.js';
import { cmsgSpaceOf } from '../cmsg/kinds.js';
import { pollError, type SystemError } from '../sys/errors.js';
import type { WaitOptions } from '../tap/waiters.js';
import { PolledSource } from '../tap/polled-source.js';
import { native } from '../sys/native.js';
import * as C from '../sys/constants.js';
import { attachPollOwner, dispatchPoll } from '../tap/poll-owner.js';
import { RX_HARDWARE_FLAGS, RX_SOFTWARE_FLAGS, setRecvBuffer, setTimestampNs, setTimestamping } from '../tap/socket-setup.js';
import { CaptureArena } from './arena.js';
import { encodeProgram, type BpfInstruction } from './bpf.js';
import { permissionError } from './errors.js';
import { buildUdpFilter } from './filter.js';
import { L3_STATUS, L3_STATUS_NAMES, type L3StatusName } from './layout.js';
import { captureBatchView, type CaptureBatchView } from './batch.js';
import { captureNative, type NativePacketSocket } from './native.js';
import { resolveCaptureOptions, ringGeometry, type CaptureTimestampMode, type OpenCaptureOptions, type ResolvedCaptureOptions } from './options.js';
import type { PortRange } from './ports.js';
import { recordAt, type CaptureRecord } from './record.js';

/** Options of `capture.receive()`: an AbortSignal and/or a timeout in milliseconds. */
export type CaptureReceiveOptions = WaitOptions;

/** What `capture.stats()` reports: kernel counters (PACKET_STATISTICS) and what was handed out. */
export interface CaptureStats {
  /** Packets that passed the kernel filter (PACKET_STATISTICS tp_packets), cumulative. */
  packets: number;
  /** Packets the kernel dropped because the socket queue was full (tp_drops), cumulative. */
  kernelDrops: number;
  /** Parsed UDP datagrams read and handed out (as records or in batches). */
  records: number;
  /** Packets read but not handed out, by why the parser stopped (custom filters, snap length). */
  skipped: Partial<Record<Exclude<L3StatusName, 'udp'>, number>>;
  /**
   * Ring blocks whose packet headers pointed outside the block: handed back unread (their packets
   * are lost). Never expected from a sane kernel; 0 without a ring.
   */
  ringErrors: number;
  /**
   * Times the ring was full: the kernel's next block was still the reader's, so it dropped until
   * the reader handed one back (tpacket_stats_v3 tp_freeze_q_cnt), cumulative; 0 without a ring.
   * Drops with no freeze were not for want of room in the ring.
   */
  ringFreezes: number;
}

const ETH_P_ALL = 3;
/** SCM_TIMESTAMPING + SCM_TIMESTAMPNS and room for one unexpected message. */
const CONTROL_SIZE = cmsgSpaceOf('SCM_TIMESTAMPING') + cmsgSpaceOf('SCM_TIMESTAMPNS') + cmsgSpace(64);
/** Read rounds per poll wake-up that are always read (when the kernel has them). */
const ROUNDS_PER_WAKE = 16;
/**
 * After those, rounds go on while the kernel has full ones, for up to this many ms of the wake-up:
 * as long as the command's display slices (cli/pipeline/display.ts), so under a burst that both
 * keep busy, reading gets at least half the thread. 16 rounds of 64 alone fell behind a 2 M
 * frames/s burst on lo between 4 ms display slices, and the ring overflowed by a packet or two.
 */
const READ_SLICE_MS = 4;
const UV_READABLE = 1;

/**
 * A passive capture from {@link openCapture}: an AF_PACKET socket with a kernel BPF port filter.
 * Consume it like a tap: `receive()`, `for await`, or `'record'` events with {@link CaptureRecord}s;
 * or take whole read rounds as arrays with `'batch'` events ({@link CaptureBatch}, valid only
 * inside the listener): no object per packet, the way a capture keeps up with a burst. With only
 * `'batch'` listeners no records are made.
 */
export class Capture extends PolledSource<CaptureRecord> {
  protected readonly handle: NativePacketSocket;
  protected readonly highWaterMark: number;
  readonly #opts: ResolvedCaptureOptions;
  readonly #arena: CaptureArena;
  readonly #view: CaptureBatchView;
  readonly #stats: CaptureStats = { packets: 0, kernelDrops: 0, records: 0, skipped: {}, ringErrors: 0, ringFreezes: 0 };
  /** The BPF program attached to the socket. */
  readonly program: readonly BpfInstruction[];
  /** The SO_TIMESTAMPING option the kernel took (65 = _NEW, 37 = old), 0 when off. */
  readonly timestampingOption: number;
  /**
   * Packets come through a TPACKET_V3 mmap ring (option `ring`); false: through recvmmsg, because
   * the option said so or because the kernel refused the ring (ENOMEM, EINVAL, ENOPROTOOPT).
   */
  readonly ring: boolean;
  /** How long (ms) the kernel may keep a block that is not full before handing it over (option ringTimeoutMs); 0 without a ring. */
  readonly ringTimeoutMs: number;
  /** The ring's mapped bytes; 0 without a ring. */
  readonly #ringBytes: number;

  /** @internal use openCapture() */
  constructor(options: OpenCaptureOptions) {
    super('record', 'capture');
    // 'batch' listeners start and stop the reading as 'record' listeners do.
    const onListenerChange = (event: string | symbol): void => {
      if (event === 'batch') queueMicrotask(() => this.updatePolling());
    };
    this.on('newListener', onListenerChange);
    this.on('removeListener', onListenerChange);
    this.#opts = resolveCaptureOptions(options, (name) => native.ifNameToIndex(name));
    const o = this.#opts;
    this.highWaterMark = o.highWaterMark;
    try {
      this.handle = new captureNative.PacketSocket(dispatchPoll);
      attachPollOwner(this.handle, this);
    } catch (e) {
      const code = (e as SystemError).code;
      if (code === 'EPERM' || code === 'EACCES') throw permissionError(e as SystemError);
      throw e;
    }
    const sock = this.handle;
    try {
      this.program = o.filter ?? buildUdpFilter({ ports: o.ports, portMatch: o.portMatch, direction: o.direction, snapLength: o.snapLength });
      sock.attachFilter(encodeProgram(this.program));
      // The ring before bind(): nothing may reach the plain receive queue, which a ring reader never reads.
      this.#ringBytes = o.ring ? setupRing(sock, o) : 0;
      this.ring = this.#ringBytes > 0;
      this.ringTimeoutMs = this.ring ? o.ringTimeoutMs : 0;
      if (!this.ring) setRecvBuffer(sock, o.recvBufferSize);
      this.timestampingOption = 0;
      if (o.timestamps !== 'none') {
        // With a ring no control messages are made; SO_TIMESTAMPING still switches the kernel's RX
        // stamping on, so the ring's stamp is the one taken on arrival rather than at the copy.
        this.timestampingOption = setTimestamping(sock, o.timestamps === 'hardware' ? RX_HARDWARE_FLAGS : RX_SOFTWARE_FLAGS);
        // As for UDP taps: the kernel switches RX timestamping on lazily; SO_TIMESTAMPNS gets a
        // fallback stamp for the first packets while SO_TIMESTAMPING alone would give none.
        if (!this.ring) setTimestampNs(sock);
      }
      // Protocol 0 until now: nothing was queued before the filter was in place.
      sock.bind(o.ifIndex, ETH_P_ALL);
      this.#arena = new CaptureArena(sock, o.batchSize, o.snapLength, CONTROL_SIZE);
      this.#view = captureBatchView(this.#arena);
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  get fd(): number {
    return this.handle.fd;
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

  /**
   * Bytes the kernel may hold for the capture: the ring's size with a ring, else SO_RCVBUF as the
   * kernel granted it (twice what was asked, when nothing capped it).
   */
  get recvBufferSize(): number {
    if (this.ring) return this.#ringBytes;
    return this.handle.getIntOption(C.SOL_SOCKET, C.SO_RCVBUF);
  }

  get timestampMode(): CaptureTimestampMode {
    return this.#opts.timestamps;
  }

  /** Cumulative counters; reading them also collects the kernel's (which reset on read). */
  stats(): CaptureStats {
    if (!this.closed) this.#collectKernelStats();
    return { ...this.#stats, skipped: { ...this.#stats.skipped } };
  }

  /** The next captured datagram. */
  override receive(opts: CaptureReceiveOptions = {}): Promise<CaptureRecord> {
    return super.receive(opts);
  }

  /** Releases the socket; pending receives reject with ERR_SOCKET_CLOSED. Idempotent. */
  override close(): void {
    if (this.closed) return;
    try {
      this.#collectKernelStats();
    } catch {
      /* the counters are a courtesy at this point */
    }
    super.close();
  }

  // ---- PolledSource ----

  protected override onClose(): void {}

  protected override pollEvents(): number {
    return !this.closed && this.#wanted() ? UV_READABLE : 0;
  }

  protected override onPollError(status: number): void {
    this.fail(pollError(status));
  }

  protected override onReady(): void {
    let deadline = 0;
    for (let round = 1; this.#wanted(); round++) {
      const n = this.#readRound();
      if (n < this.#arena.cap) break; // drained (or closed by a listener)
      if (round === ROUNDS_PER_WAKE) deadline = performance.now() + READ_SLICE_MS;
      else if (round > ROUNDS_PER_WAKE && performance.now() > deadline) break;
    }
  }

  protected override fail(err: Error): number {
    if (this.closed) return 0;
    const rejected = super.fail(err);
    // Like an EventEmitter 'error' nobody handles: not silently lost.
    if (!this.emitError(err) && rejected === 0) queueMicrotask(() => { throw err; });
    return rejected;
  }

  /** Someone takes what a round brings: records (see PolledSource) or whole batches. */
  #wanted(): boolean {
    return this.wantsItems() || this.listenerCount('batch') > 0;
  }

  #collectKernelStats(): void {
    const [packets, drops, ringErrors, ringFreezes] = this.handle.stats();
    this.#stats.packets += packets;
    this.#stats.kernelDrops += drops;
    this.#stats.ringErrors += ringErrors ?? 0;
    this.#stats.ringFreezes += ringFreezes ?? 0;
  }

  #readRound(): number {
    const a = this.#arena;
    const n = this.handle.recv(a.id, a.cap);
    if (n === 0) return 0;
    const readAt = a.readAt;
    const view = this.#view;
    const status = view.status;
    let udp = n;
    for (let i = 0; i < n; i++) {
      if (status[i] === L3_STATUS.udp) continue;
      udp--;
      const name = L3_STATUS_NAMES[status[i]!] as Exclude<L3StatusName, 'udp'> | undefined;
      if (name) this.#stats.skipped[name] = (this.#stats.skipped[name] ?? 0) + 1;
    }
    this.#stats.records += udp;
    if (this.listenerCount('batch') > 0) {
      view.count = n;
      view.readAt = readAt;
      this.emit('batch', view);
      if (this.closed) return 0;
    }
    const emit = this.listenerCount('record') > 0;
    const keep = this.keepsItems();
    if (!emit && !keep) return n;
    for (let i = 0; i < n; i++) {
      if (status[i] !== L3_STATUS.udp) continue;
      if (!this.deliver(recordAt(a, i, readAt, this.#opts.rawPacket)!, emit, keep)) return 0;
    }
    return n;
  }
}

/** setupRing errors after which a capture goes on with recvmmsg: no memory for the ring, or a kernel without TPACKET_V3. */
const RING_FALLBACK = new Set(['ENOMEM', 'EINVAL', 'ENOPROTOOPT']);

/** The capture's ring (recvBufferSize bytes, see ringGeometry); its bytes, or 0 when the kernel refused it. */
function setupRing(sock: NativePacketSocket, o: ResolvedCaptureOptions): number {
  const g = ringGeometry(o.recvBufferSize, captureNative.PacketSocket.pageSize, o.snapLength);
  try {
    return sock.setupRing(g.blockSize, g.blockCount, o.ringTimeoutMs, o.timestamps === 'hardware', o.timestamps !== 'none').bytes;
  } catch (e) {
    if (RING_FALLBACK.has((e as SystemError).code)) return 0;
    throw e;
  }
}

/** Opens a passive capture (needs CAP_NET_RAW). Rejects with a Node-style error otherwise. */
export async function openCapture(options: OpenCaptureOptions): Promise<Capture> {
  return new Capture(options);
}
