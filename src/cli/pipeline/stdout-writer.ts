// stdout as the capture's last stage. Node writes stdout synchronously on Linux (files, pipes,
// terminals): one write(2) per line, and a reader that stops reading (`| less` paused, a full
// pipe) stops the whole process — capture included. Here lines are encoded straight into
// chunk buffers (so each line's string dies young) and written by the thread pool, one write in
// flight; the caller sees `full` when more than `limit` bytes wait and decides what to skip.
import fs from 'node:fs';

const CHUNK = 1024 * 1024;

export class StdoutWriter {
  /** Filled chunks waiting to be written (chunk, bytes used), oldest first; `cur` is the one being filled. */
  private readonly ready: Array<[Buffer, number]> = [];
  // Written chunks kept for reuse: a fresh 1 MiB buffer per MiB of output cost page faults and the
  // kernel's zeroing of every page (a tenth of a µs per NDJSON line).
  private readonly spare: Buffer[] = [];
  private cur: Buffer | null = null;
  private curLen = 0;
  private pendingBytes = 0;
  private inFlight = false;
  private closedByReader = false;
  private scheduled = false;
  private onClosed: (() => void) | undefined;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    private readonly fd = 1,
    /** Bytes that may wait before `full` says stop producing. */
    private readonly limit = 8 * 1024 * 1024,
  ) {}

  /** Called once when the reader went away (EPIPE): a normal end for `| head`. */
  whenClosed(cb: () => void): void {
    this.onClosed = cb;
  }

  get closed(): boolean {
    return this.closedByReader;
  }

  /** More than `limit` bytes wait for the reader. */
  get full(): boolean {
    return this.pendingBytes >= this.limit;
  }

  /** Bytes waiting. */
  get backlog(): number {
    return this.pendingBytes;
  }

  /** Queues one line (without its newline). Never blocks. */
  line(text: string): void {
    if (this.closedByReader) return;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const max = text.length * 3 + 1;
    if (!this.cur || this.curLen + max > this.cur.length) {
      this.seal();
      this.cur = max <= CHUNK && this.spare.length > 0 ? this.spare.pop()! : Buffer.allocUnsafe(Math.max(CHUNK, max));
      this.curLen = 0;
    }
    const n = this.cur.write(text, this.curLen, 'utf8');
    this.cur[this.curLen + n] = 0x0a;
    this.curLen += n + 1;
    this.pendingBytes += n + 1;
    if (!this.scheduled && !this.inFlight) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Resolves once the backlog is below the limit again (or the reader is gone). */
  whenRoom(): Promise<void> {
    if (!this.full || this.closedByReader) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private seal(): void {
    if (this.cur && this.curLen > 0) this.ready.push([this.cur, this.curLen]);
    this.cur = null;
    this.curLen = 0;
  }

  private get hasPending(): boolean {
    return this.ready.length > 0 || this.curLen > 0;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight || !this.hasPending || this.closedByReader) return;
    if (this.ready.length === 0) this.seal();
    this.inFlight = true;
    const [chunk, len] = this.ready.shift()!;
    this.writeAll(chunk, 0, len);
  }

  private writeAll(buf: Buffer, off: number, end: number): void {
    fs.write(this.fd, buf, off, end - off, null, (err, n) => {
      if (err) {
        if (err.code === 'EAGAIN') {
          // stdio pipes can be O_NONBLOCK (left so by another process): wait for the reader.
          setTimeout(() => this.writeAll(buf, off, end), 1);
          return;
        }
        this.inFlight = false;
        this.gone(err);
        return;
      }
      this.pendingBytes -= n;
      if (off + n < end) return this.writeAll(buf, off + n, end);
      if (buf.length === CHUNK && this.spare.length < 4) this.spare.push(buf);
      this.inFlight = false;
      if (this.hasPending) this.flush();
      if (!this.full) for (const w of this.drainWaiters.splice(0)) w();
    });
  }

  private gone(err: NodeJS.ErrnoException): void {
    if (err.code !== 'EPIPE') throw err;
    this.closedByReader = true;
    this.ready.length = 0;
    this.cur = null;
    this.curLen = 0;
    this.pendingBytes = 0;
    for (const w of this.drainWaiters.splice(0)) w();
    this.onClosed?.();
  }

  /** Resolves when everything queued so far is written (or the reader is gone). */
  async end(): Promise<void> {
    while (!this.closedByReader && (this.inFlight || this.hasPending)) {
      if (!this.inFlight) this.flush();
      await new Promise<void>((r) => this.drainWaiters.push(r));
    }
  }
}
