// Between capture and display: what was received and accepted, waiting for its line. Bounded in
// bytes; when it is full the datagrams are still counted, written and measured (the ingest stage
// did that already), only their lines are skipped — and a `gap` item says how many, where.
import type { Inspected } from './inspect.js';
import type { Observation } from './observation.js';
import type { HeldDatagrams } from './held-batch.js';

export interface OneItem {
  kind: 'one';
  o: Observation;
  /** Decoded at ingest when a filter or the metrics needed it. */
  insp: Inspected | null;
  dropsDelta: number;
  frame: number | undefined;
}

export interface BatchItem {
  kind: 'batch';
  b: HeldDatagrams;
  /** Next datagram of `b` to show. */
  next: number;
  /** Capture frame number of datagram 0, when it was written. */
  firstFrame: number | undefined;
  /** What it counts against the bound. */
  bytes: number;
}

export interface GapItem {
  kind: 'gap';
  count: number;
}

export type DisplayItem = OneItem | BatchItem | GapItem;

const ONE_BYTES = 400;

export class DisplayQueue {
  private items: DisplayItem[] = [];
  private head = 0;
  private bytes = 0;
  /** Lines skipped so far because the queue was full. */
  skipped = 0;

  constructor(readonly limitBytes: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get backlogBytes(): number {
    return this.bytes;
  }

  private room(n: number): boolean {
    return this.bytes + n <= this.limitBytes || this.length === 0;
  }

  private gap(n: number): void {
    this.skipped += n;
    const last = this.items[this.items.length - 1];
    if (last && last.kind === 'gap' && this.length > 0) last.count += n;
    else this.items.push({ kind: 'gap', count: n });
  }

  pushOne(o: Observation, insp: Inspected | null, dropsDelta: number, frame: number | undefined): void {
    const n = ONE_BYTES + o.data.length;
    if (!this.room(n)) return this.gap(1);
    this.bytes += n;
    this.items.push({ kind: 'one', o, insp, dropsDelta, frame });
  }

  /** `make` copies the batch only when it fits. */
  pushBatch(count: number, bytes: number, make: () => HeldDatagrams, firstFrame: number | undefined): void {
    if (!this.room(bytes)) return this.gap(count);
    this.bytes += bytes;
    this.items.push({ kind: 'batch', b: make(), next: 0, firstFrame, bytes });
  }

  peek(): DisplayItem | undefined {
    return this.items[this.head];
  }

  /** Drops the head item (fully shown). */
  shift(): void {
    const it = this.items[this.head];
    if (!it) return;
    this.items[this.head++] = undefined as unknown as DisplayItem;
    if (it.kind === 'one') this.bytes -= ONE_BYTES + it.o.data.length;
    else if (it.kind === 'batch') this.bytes -= it.bytes;
    // Compact now and then so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
