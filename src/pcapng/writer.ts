// Streams a pcapng capture. Every packet is written with a synchronous write(2) before
// write() returns: pcapng has no trailer, so whatever was reported is a valid file on disk
// even if the process dies by SIGTERM/SIGKILL/uncaught error right after. Interface blocks
// are emitted the first time an interface is seen, so a new IDB may appear mid-file (valid
// pcapng: an EPB may refer to any IDB that precedes it in the section).
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import {
  LINKTYPE_IPV4,
  LINKTYPE_RAW,
  encodeInterfaceDescription,
  encodeSectionHeader,
  misreadAsRaw,
  type Direction,
} from './blocks.js';
import { formatMetaComment, type TimestampSource } from './comments.js';
import { synthesizeUdp, type Endpoint } from './synth.js';
import { encodeEpbFast } from './epb.js';
import { invalidArg, pcapngClosedError } from '../sys/errors.js';

/** One UDP datagram for {@link PcapngWriter.write} (from a message: `rxMessageToPcapngRecord`; from a capture: `toPcapngRecord`). */
export interface CaptureRecord {
  /** Kernel RX timestamp, ns since the Unix epoch. */
  timestampNs: bigint;
  timestampSource: TimestampSource;
  /** Receiving interface; one IDB per distinct (ifName, ifIndex). */
  ifName: string;
  ifIndex?: number;
  src: Endpoint;
  dst: Endpoint;
  ttl?: number;
  tos?: number;
  /** UDP payload as received (may be truncated). */
  payload: Uint8Array;
  /** UDP payload length before truncation (MSG_TRUNC); defaults to payload.length. */
  origLength?: number;
  direction?: Direction;
  readDelayNs?: bigint;
  /** Kernel drop counter of the socket as of this packet. */
  drops?: number | bigint;
  /** Extra comments, after the generated `disptap:` metadata line. */
  comments?: readonly string[];
  /**
   * The IP packet as captured on the wire (a passive capture has it): written as is instead of
   * synthesized headers. origLength is the packet's length on the wire.
   */
  packet?: { data: Uint8Array; origLength: number };
}

/** Options of {@link PcapngWriter.open}. */
export interface WriterOptions {
  /** shb_userappl; default 'disptap'. */
  userAppl?: string;
  /** A section comment, e.g. the command line. */
  comment?: string;
  /** 'wx' refuses to overwrite an existing file. Default 'w'. */
  flags?: 'w' | 'wx';
  mode?: number;
}

/** Options of {@link PcapngWriter.fromFd}. */
export interface FdWriterOptions extends Omit<WriterOptions, 'flags' | 'mode'> {
  /** Close the fd on close(); default false (e.g. stdout). */
  closeFd?: boolean;
}

/** An interface block the writer declared ({@link PcapngWriter.interfaces}). */
export interface CaptureInterface {
  /** pcapng interface id (IDB order). */
  id: number;
  name: string;
  ifIndex?: number;
  /** LINKTYPE_RAW, or LINKTYPE_IPV4 for the sibling IDB that misreadAsRaw() packets use. */
  linkType: number;
}

type ErrnoError = NodeJS.ErrnoException;

function codedError(code: string, message: string, cause?: unknown): ErrnoError {
  const e = new Error(message, cause === undefined ? undefined : { cause }) as ErrnoError;
  e.code = code;
  return e;
}

const fsOpen = promisify(fs.open);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes a pcapng file Wireshark and tshark read: ns timestamps, one interface block per receiving
 * interface, the kernel metadata as a packet comment. Each write() is on disk when it returns.
 */
export class PcapngWriter {
  readonly path: string;
  private readonly fd: number;
  private readonly closeFd: boolean;
  /** Regular files get positional writes, so a torn block can be cut off again; pipes cannot. */
  private readonly seekable: boolean;
  /** Where our first byte went; a caller's fd (stdout `>> file`) may not start at 0. */
  private readonly start: number;
  private offset: number;
  private closed = false;
  private damaged: ErrnoError | null = null;
  private readonly ifaces = new Map<string, CaptureInterface>();
  private packetCount = 0;

  private constructor(fd: number, path: string, closeFd: boolean, opts: WriterOptions) {
    this.fd = fd;
    this.path = path;
    this.closeFd = closeFd;
    const st = fs.fstatSync(fd);
    this.seekable = st.isFile();
    // Never write over, or truncate into, what an inherited fd already holds.
    this.start = this.offset = this.seekable ? st.size : 0;
    const comments = opts.comment ? [opts.comment] : [];
    this.append(encodeSectionHeader({ userAppl: opts.userAppl ?? 'disptap', os: `${os.type()} ${os.release()}`, comments }));
  }

  /** Creates (truncates) `path` and writes the section header; throws ENOSPC/EACCES/... as Node errors. */
  static async open(path: string, opts: WriterOptions = {}): Promise<PcapngWriter> {
    const fd = await fsOpen(path, opts.flags ?? 'w', opts.mode ?? 0o644);
    try {
      return new PcapngWriter(fd, path, true, opts);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Writes to an fd the caller opened (a pipe to `wireshark -k -i -`, stdout). */
  static fromFd(fd: number, opts: FdWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(fd, `fd:${fd}`, opts.closeFd ?? false, opts);
  }

  get interfaces(): readonly CaptureInterface[] {
    return [...this.ifaces.values()];
  }

  /** Packets written so far. */
  get packets(): number {
    return this.packetCount;
  }

  get bytesWritten(): number {
    return this.offset - this.start;
  }

  /**
   * Writes one packet (and its interface block the first time). On return the bytes are in
   * the kernel; returns the packet's 1-based frame number as Wireshark shows it.
   */
  write(record: CaptureRecord): number {
    if (this.closed) throw pcapngClosedError(this.path);
    if (this.damaged) {
      throw codedError(this.damaged.code ?? 'EIO', `${this.path}: an earlier failed write left a partial block: ${this.damaged.message}`, this.damaged);
    }
    if (typeof record.timestampNs !== 'bigint') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', `timestampNs must be a bigint (ns), got ${typeof record.timestampNs}`);
    }
    const pkt = record.packet
      ? { data: record.packet.data, origLength: Math.max(record.packet.origLength, record.packet.data.length) }
      : synthesizeUdp({
          src: record.src,
          dst: record.dst,
          ttl: record.ttl,
          tos: record.tos,
          payload: record.payload,
          origPayloadLength: record.origLength,
        });
    const meta = formatMetaComment({
      timestampSource: record.timestampSource,
      dst: record.dst,
      ifIndex: record.ifIndex,
      ttl: record.ttl,
      tos: record.tos,
      readDelayNs: record.readDelayNs,
      drops: record.drops,
    });
    // One IDB per receiving interface; a rare second one (same name) for packets that
    // Wireshark would mistake for PPP under LINKTYPE_RAW.
    const linkType = misreadAsRaw(pkt.data) ? LINKTYPE_IPV4 : LINKTYPE_RAW;
    const key = `${record.ifIndex ?? ''}\u0000${linkType}\u0000${record.ifName}`;
    let iface = this.ifaces.get(key);
    const blocks: Uint8Array[] = [];
    if (!iface) {
      iface = { id: this.ifaces.size, name: record.ifName, ifIndex: record.ifIndex, linkType };
      blocks.push(
        encodeInterfaceDescription({
          name: record.ifName || undefined,
          description: record.ifIndex === undefined ? undefined : `ifindex ${record.ifIndex}`,
          linkType,
        }),
      );
    }
    blocks.push(
      encodeEpbFast(iface.id, record.timestampNs, pkt.data, pkt.origLength, record.comments ? [meta, ...record.comments] : [meta], record.direction),
    );
    this.append(concat(blocks));
    // Only now is the IDB on disk (or corked); a failed write must not leave a phantom interface mapped.
    this.ifaces.set(key, iface);
    if (this.corked) this.corkedKeys.push(key);
    return ++this.packetCount;
  }

  /**
   * The id of the interface block for (name, ifIndex, linkType), written now if it is new: for
   * callers that encode packet blocks themselves (encodeUdpBatch) and then call writeBlocks().
   */
  interfaceId(name: string, ifIndex: number | undefined, linkType: number): number {
    if (this.closed) throw pcapngClosedError(this.path);
    const key = `${ifIndex ?? ''}\u0000${linkType}\u0000${name}`;
    const known = this.ifaces.get(key);
    if (known) return known.id;
    const iface: CaptureInterface = { id: this.ifaces.size, name, ifIndex, linkType };
    this.append(encodeInterfaceDescription({ name: name || undefined, description: ifIndex === undefined ? undefined : `ifindex ${ifIndex}`, linkType }));
    this.ifaces.set(key, iface);
    if (this.corked) this.corkedKeys.push(key);
    return iface.id;
  }

  /**
   * Writes `packets` complete packet blocks (made by encodeUdpBatch) in one write; returns the
   * frame number of the first. Their interface ids must come from interfaceId(). `borrowed`: the
   * caller reuses `blocks` once this returns, so a corked writer keeps a copy.
   */
  writeBlocks(blocks: Uint8Array, packets: number, borrowed = false): number {
    if (this.closed) throw pcapngClosedError(this.path);
    if (this.damaged) {
      throw codedError(this.damaged.code ?? 'EIO', `${this.path}: an earlier failed write left a partial block: ${this.damaged.message}`, this.damaged);
    }
    this.append(borrowed && this.corked ? new Uint8Array(blocks) : blocks);
    const first = this.packetCount + 1;
    this.packetCount += packets;
    return first;
  }

  /**
   * Gathers the following writes in memory until uncork(): many packets then cost one write(2).
   * What was written while corked is on disk only after uncork() returns.
   */
  cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.corkedFrom = this.packetCount;
  }

  /**
   * Writes what was gathered since cork(), in one write. On failure nothing of it is in the file
   * (a torn write is cut back), the packets are uncounted, and the error is thrown with
   * `packets` = how many were lost.
   */
  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    const parts = this.corkedParts;
    const packets = this.packetCount - this.corkedFrom;
    const keys = this.corkedKeys;
    this.corkedParts = [];
    this.corkedKeys = [];
    this.corkedFrom = this.packetCount;
    if (parts.length === 0) return;
    try {
      this.append(concat(parts));
    } catch (e) {
      // Interface blocks that did not reach the file must be written again by the next packet.
      for (const k of keys) this.ifaces.delete(k);
      this.packetCount -= packets;
      this.corkedFrom = this.packetCount;
      (e as ErrnoError & { packets?: number }).packets = packets;
      throw e;
    }
  }

  private corked = false;
  private corkedParts: Uint8Array[] = [];
  private corkedKeys: string[] = [];
  private corkedFrom = 0;

  /** Writes all of `bytes` or, on failure, cuts the file back to the last whole block and throws. */
  private append(bytes: Uint8Array): void {
    if (this.corked) {
      this.corkedParts.push(bytes);
      return;
    }
    let done = 0;
    try {
      while (done < bytes.length) {
        const pos = this.seekable ? this.offset + done : null;
        try {
          done += fs.writeSync(this.fd, bytes, done, bytes.length - done, pos);
        } catch (err) {
          // A full non-blocking pipe (libuv may leave stdio pipes O_NONBLOCK): wait for the
          // reader like a blocking write would, rather than tear the block.
          if ((err as ErrnoError).code !== 'EAGAIN') throw err;
          Atomics.wait(sleeper, 0, 0, 1);
        }
      }
    } catch (err) {
      const e = err as ErrnoError;
      if (done > 0) {
        if (!this.seekable) this.damaged = e;
        else {
          try {
            fs.ftruncateSync(this.fd, this.offset);
          } catch {
            this.damaged = e;
          }
        }
      }
      throw e;
    }
    this.offset += bytes.length;
  }

  /** fsync (regular files) then close; idempotent. Errors such as EIO/ENOSPC from fsync are thrown. */
  async close(): Promise<void> {
    this.closeSync();
  }

  /** For 'exit' handlers, where nothing async runs. */
  closeSync(): void {
    if (this.closed) return;
    let lost: unknown;
    try {
      this.uncork();
    } catch (e) {
      lost = e;
    }
    this.closed = true;
    try {
      if (this.seekable) fs.fsyncSync(this.fd);
    } finally {
      if (this.closeFd) fs.closeSync(this.fd);
    }
    if (lost !== undefined) throw lost;
  }

}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
