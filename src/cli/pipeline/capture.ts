// `--write FILE.pcapng` for watch/relay/demo: one EPB per shown datagram, stamped with the kernel
// RX timestamp, written synchronously before the datagram is printed — so a capture cut short by
// Ctrl-C, SIGTERM or even SIGKILL holds every packet that was printed.
import ipaddr from '../../sys/ipaddr.js';
import { PcapngWriter } from '../../pcapng/index.js';
import { encodeUdpBatch } from '../../pcapng/bulk.js';
import { encodeCaptureBatch } from '../../pcapng/bulk-capture.js';
import { commentOptions } from '../../pcapng/blocks.js';
import { blockScratch } from '../../pcapng/block-scratch.js';
import type { CaptureBatchView } from '../../capture/batch.js';
import { HOST } from './record.js';
import { ifNameOf } from '../../netif/ifname-cache.js';
import type { RxBatch } from '../../tap/rx/batch.js';
import type { BatchSocket } from './held-batch.js';
import { CliError, errorCode, oneLine } from '../errors.js';
import type { Observation } from './observation.js';
import type { TimestampSource } from './record.js';

export class Capture {
  private constructor(
    private readonly writer: PcapngWriter,
    readonly path: string,
  ) {}

  static async open(path: string, comment: string): Promise<Capture> {
    try {
      return new Capture(await PcapngWriter.open(path, { comment }), path);
    } catch (e) {
      throw new CliError(`cannot write ${path}: ${oneLine(e)}`, errorCode(e), { cause: e });
    }
  }

  get packets(): number {
    return this.writer.packets;
  }

  /** Returns the frame number; throws the writer's coded error (ENOSPC, …) on failure. */
  write(o: Observation, ts: { ns: bigint; source: TimestampSource }, comments: readonly string[]): number {
    return this.writer.write({
      timestampNs: ts.ns,
      timestampSource: ts.source,
      // One interface block per receiving interface; unknown when pktinfo gave none.
      ifName: o.ifName ?? (o.ifIndex ? `ifindex${o.ifIndex}` : 'unknown'),
      ifIndex: o.ifIndex,
      src: o.src,
      dst: o.dst ?? o.local,
      ttl: o.ttl,
      tos: o.tos,
      payload: o.data,
      origLength: o.length,
      // A passive capture's outgoing copy, and what the tap saw an application hand to the
      // dispatcher, are on their way out.
      direction: o.direction === 'out' || o.direction === 'app-to-dispatcher' ? 'out' : 'in',
      // A passive capture has the IP packet as it was on the wire: no synthesized headers.
      ...(o.packet ? { packet: o.packet } : {}),
      readDelayNs: o.readDelayNs,
      drops: o.drops,
      comments,
    });
  }

  /**
   * The first `count` datagrams of a receive batch in one write (the same blocks write() makes,
   * minus per-datagram objects), or with `pick` datagrams pick[0..count). Returns the frame number
   * of the first.
   */
  writeBatch(b: RxBatch, count: number, sock: BatchSocket, comments: readonly string[], pick?: Uint32Array): number {
    let local = this.locals.get(sock.label);
    if (!local) {
      const text = sock.local.address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      local = ipaddr.isValid(text) ? Uint8Array.from(ipaddr.parse(text).toByteArray()) : new Uint8Array(16);
      this.locals.set(sock.label, local);
    }
    const w = this.writer;
    let extra = this.socketComments.get(sock.label);
    if (!extra || extra.comments !== comments) {
      extra = { comments, bytes: commentOptions(comments) };
      this.socketComments.set(sock.label, extra);
    }
    const blocks = encodeUdpBatch(b, 0, count, b.payloads, b.offsets, {
      localPort: sock.local.port,
      localAddress: sock.local.address,
      localBytes: local,
      comments,
      commentBytes: extra.bytes,
      interfaceId: (ifIndex, linkType) =>
        w.interfaceId(ifNameOf(ifIndex) ?? (ifIndex ? `ifindex${ifIndex}` : 'unknown'), ifIndex || undefined, linkType),
      output: blockScratch,
    }, pick);
    return w.writeBlocks(blocks, count, true);
  }

  private readonly locals = new Map<string, Uint8Array>();
  /** A bound socket's comment options, encoded once for the comments array its caller keeps. */
  private readonly socketComments = new Map<string, { comments: readonly string[]; bytes: Buffer }>();

  /**
   * Datagrams pick[0..n) of a passive capture's round in one write (the blocks write() makes for
   * their records); returns the frame number of the first.
   */
  writeCaptureBatch(b: CaptureBatchView, pick: Uint32Array, n: number, label: string): number {
    const w = this.writer;
    let extra = this.captureComments.get(label);
    if (!extra) {
      const of = (direction: string): Buffer => commentOptions([`host ${HOST}, socket ${label}, direction ${direction}`]);
      extra = { extraIn: of('in'), extraOut: of('out') };
      this.captureComments.set(label, extra);
    }
    const blocks = encodeCaptureBatch(b, pick, n, {
      interfaceId: (ifIndex, linkType) => w.interfaceId(ifNameOf(ifIndex) ?? (ifIndex ? `ifindex${ifIndex}` : 'unknown'), ifIndex, linkType),
      ...extra,
      output: blockScratch,
    });
    return w.writeBlocks(blocks, n, true);
  }

  /** The comment options of a capture's packets, by label: the same for every round. */
  private readonly captureComments = new Map<string, { extraIn: Buffer; extraOut: Buffer }>();

  /** Gathers writes until uncork() (one write per receive round instead of one per datagram). */
  cork(): void {
    this.writer.cork();
  }

  /** Writes what was gathered; throws the write error with `packets` = how many were lost. */
  uncork(): void {
    this.writer.uncork();
  }

  /** fsync + close; idempotent. */
  close(): void {
    this.writer.closeSync();
  }
}
