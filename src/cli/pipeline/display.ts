// The display stage: turns accepted datagrams into text lines or NDJSON records, after capture
// and metrics are done with them. Runs in slices of a few milliseconds between receive rounds
// (setImmediate), so a burst is drained from the kernel first and printed afterwards; a slow
// stdout reader only fills the bounded queue, and what does not fit is skipped and said so.
import { inspect, type Inspected } from './inspect.js';
import type { Observation } from './observation.js';
import type { Output } from './output.js';
import type { AnyRecord } from './record.js';
import { DisplayQueue } from './display-queue.js';
import type { HeldDatagrams } from './held-batch.js';

/** How one datagram becomes output; the session provides it (it knows the record schema). */
export interface Formatter {
  /** Called for every datagram that reaches the display, in order; `seq` is 1-based. */
  show(o: Observation, insp: Inspected, dropsDelta: number, frame: number | undefined, seq: number): void;
  /** A note where lines were skipped. */
  skipped(count: number): void;
  /** A datagram decoded only here (not at ingest): its decode fault for the counters. */
  decodedLate(o: Observation, insp: Inspected): void;
}

const SLICE_MS = 4;

export class Display {
  readonly queue: DisplayQueue;
  private seq = 0;
  private pumping = false;
  private waitingForRoom = false;
  private readonly pending: Array<{ rec: AnyRecord | null; text: string }> = [];

  constructor(
    private readonly out: Output,
    private readonly fmt: Formatter,
    limitBytes: number,
    /** Show at once (decode of a file: nothing to drain, and callers print after each packet). */
    private readonly direct: boolean,
  ) {
    this.queue = new DisplayQueue(limitBytes);
  }

  get isDirect(): boolean {
    return this.direct;
  }

  /** Lines shown so far. */
  get shown(): number {
    return this.seq;
  }

  one(o: Observation, insp: Inspected | null, dropsDelta: number, frame: number | undefined): void {
    if (this.direct && this.queue.length === 0) return this.showOne(o, insp, dropsDelta, frame);
    this.queue.pushOne(o, insp, dropsDelta, frame);
    this.schedule();
  }

  batch(count: number, bytes: number, make: () => HeldDatagrams, firstFrame: number | undefined): void {
    this.queue.pushBatch(count, bytes, make, firstFrame);
    this.schedule();
  }

  /** A record that is no datagram (dispatcher frame, connection): kept in order with the packets. */
  event(rec: AnyRecord | null, text: string): void {
    if (this.queue.length === 0) return this.emit(rec, text);
    this.pending.push({ rec, text });
    this.queue.pushOne(EVENT_MARK, null, 0, undefined);
    this.schedule();
  }

  private emit(rec: AnyRecord | null, text: string): void {
    if (this.out.json) {
      if (rec) this.out.record(rec);
    } else this.out.out(text);
  }

  /** `countDecode`: a decoding made here is reported to decodedLate (the ingest did not count it). */
  private showOne(o: Observation, insp: Inspected | null, dropsDelta: number, frame: number | undefined, countDecode = true): void {
    if (o === EVENT_MARK) {
      const e = this.pending.shift();
      if (e) this.emit(e.rec, e.text);
      return;
    }
    let i = insp;
    if (!i) {
      i = inspect(o.src.port, (o.dst ?? o.local).port, o.data, o.portMap);
      if (countDecode) this.fmt.decodedLate(o, i);
    }
    this.fmt.show(o, i, dropsDelta, frame, ++this.seq);
  }

  private schedule(): void {
    if (this.pumping || this.waitingForRoom) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump(SLICE_MS);
    });
  }

  /** Shows queued items for about `budgetMs` (Infinity: all, ignoring a full stdout). */
  private pump(budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    const q = this.queue;
    let n = 0;
    while (q.length > 0) {
      if (budgetMs !== Infinity && this.out.stdout.full) {
        // The reader is slow: wait for it, and let the queue take (or skip) what comes meanwhile.
        this.waitingForRoom = true;
        void this.out.stdout.whenRoom().then(() => {
          this.waitingForRoom = false;
          this.schedule();
        });
        return;
      }
      const it = q.peek()!;
      if (it.kind === 'gap') {
        this.fmt.skipped(it.count);
        q.shift();
      } else if (it.kind === 'one') {
        this.showOne(it.o, it.insp, it.dropsDelta, it.frame);
        q.shift();
        n++;
      } else {
        const b = it.b;
        const end = Math.min(b.count, it.next + 64);
        for (let i = it.next; i < end; i++) {
          this.showOne(b.observation(i), null, b.dropsDelta[i]!, it.firstFrame === undefined ? undefined : it.firstFrame + i, !b.decodeCounted);
        }
        n += end - it.next;
        it.next = end;
        if (end === b.count) q.shift();
      }
      if (n >= 64 && performance.now() > deadline) break;
    }
    if (q.length > 0) this.schedule();
  }

  /** Shows everything still queued (the run is ending: nothing else needs the time). */
  flush(): void {
    this.pump(Infinity);
  }
}

/** Stands for an event record in the queue (events are rare; they keep their place in order). */
const EVENT_MARK: Observation = {
  bind: '',
  direction: 'in',
  data: new Uint8Array(0),
  length: 0,
  src: { address: '', port: 0 },
  local: { address: '', port: 0 },
  truncated: false,
  controlTruncated: false,
};
