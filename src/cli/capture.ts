// `--write FILE.pcapng` for watch/relay/demo: one EPB per shown datagram, stamped with the kernel
// RX timestamp, written synchronously before the datagram is printed — so a capture cut short by
// Ctrl-C, SIGTERM or even SIGKILL holds every packet that was printed.
import { PcapngWriter } from '../pcapng/index.js';
import { CliError, errorCode, oneLine } from './errors.js';
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
      // What the tap saw an application hand to the dispatcher is on its way out.
      direction: o.direction === 'app-to-dispatcher' ? 'out' : 'in',
      readDelayNs: o.readDelayNs,
      drops: o.drops,
      comments,
    });
  }

  /** fsync + close; idempotent. */
  close(): void {
    this.writer.closeSync();
  }
}
