// The testing kit's assertions as plain functions (node:test or any runner) and as checks that the
// vitest matchers wrap. This module must not import vitest: users without it import it too.
import { AssertionError } from 'node:assert';
import { invalidArg } from '../sys/errors.js';
import type { RxMessage } from '../tap/rx/rx-types.js';
import type { TxKind } from '../tap/tx/send-control.js';
import type { TxTimestamps } from '../tap/tx/tx-tracker.js';
import type { SendResult } from '../tap/udp-tap.js';
import { describeMsg, describeValue, fmtDur, fmtTime } from './format.js';

/**
 * Outcome of one check. `message` explains the outcome it goes with: why it failed when `pass` is
 * false, why it passed when true (what `.not` shows).
 */
export interface CheckResult {
  pass: boolean;
  message: string;
  /** The received value was not of the kind the assertion takes (an RxMessage, TX timestamps). */
  invalid?: boolean;
}

/** An entry of `sendAndCapture().sent`: one datagram with its TX timestamps already awaited. */
export interface SentDatagram {
  /** The payload as sent. */
  data: Buffer;
  /** Bytes the kernel took. */
  bytes: number;
  /** OPT_ID key (only when TX timestamps were asked for). */
  id?: number;
  /** `clock.realtimeNs()` just before the send: a lower bound for the receiver's RX timestamp. */
  sentAt: bigint;
  /** The TX timestamps (undefined when none were asked for). */
  tx?: TxTimestamps;
}

/** What `toHaveTxTimestampBefore` compares against an RxMessage, synchronously. */
export type TxSource = TxTimestamps | SentDatagram;

/** Options of the TX-before-RX check: which TX stamp, and an optional bound on RX − TX. */
export interface TxBeforeOptions {
  /**
   * Which TX timestamp to compare: 'software' (default) or 'sched' against the RX software stamp
   * (all CLOCK_REALTIME); 'hardware' against the RX hardware stamp (both in the NIC's clock).
   */
  kind?: TxKind;
  /** Also require RX − TX ≤ this many ns (e.g. 200_000n: "forwarded within 200 µs"). */
  withinNs?: bigint | number;
}

/** Which interface: a name ('lo', 'eth0') compared with msg.ifName, or an index with msg.dst.ifIndex. */
export type InterfaceRef = string | number;

// What a passing assertion proves, for TypeScript's narrowing (`asserts msg is ...`).
/** An RxMessage known to have a software RX timestamp (what the RX-timestamp assertions narrow to). */
export type WithRxTimestamp = RxMessage & { timestamps: { software: bigint } };
/** An RxMessage known to have a read delay. */
export type WithReadDelay = WithRxTimestamp & { readDelayNs: bigint };
/** An RxMessage known to have a hardware RX timestamp. */
export type WithHardwareTimestamp = RxMessage & { timestamps: { hardware: bigint } };
/** An RxMessage known to have its destination and arrival interface (IP_PKTINFO). */
export type WithDestination = RxMessage & { dst: { address: string; ifIndex: number } };

// ---- helpers ----

/** Bounds below this (2001-09-09) cannot be CLOCK_REALTIME readings of a live test: likely monotonic. */
const REALTIME_FLOOR_NS = 1_000_000_000_000_000_000n;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Whether `v` has the shape of an {@link RxMessage} (what the checks accept). */
export function isRxMessage(v: unknown): v is RxMessage {
  return isObject(v) && isObject(v.timestamps) && isObject(v.src) && typeof v.length === 'number';
}

function isTxTimestamps(v: unknown): v is TxTimestamps {
  return isObject(v) && typeof v.id === 'number' && Array.isArray(v.missing);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return isObject(v) && typeof v.then === 'function';
}

function notAnRxMessage(v: unknown): CheckResult {
  return { pass: false, invalid: true, message: `expected an RxMessage (from tap.receive()), got ${describeValue(v)}` };
}

function rxSoftwareMissing(m: RxMessage): string {
  if (m.controlTruncated)
    return 'the control buffer was truncated (MSG_CTRUNC), so the SCM_TIMESTAMPING cmsg may have been cut off: raise controlBufferSize';
  return "no SCM_TIMESTAMPING cmsg: timestamps were off (open the tap with timestamps: 'software' or 'hardware')";
}

function rxHardwareMissing(m: RxMessage): string {
  if (m.timestamps.software === undefined) return rxSoftwareMissing(m);
  return "the SCM_TIMESTAMPING cmsg had only a software stamp (ts[2] was 0): the NIC did not timestamp this packet (hardware RX stamps need timestamps: 'hardware' and a NIC with hardware timestamping switched on; loopback never has them)";
}

function cmsgMissing(m: RxMessage, v4: string, v6: string, option: string): string {
  if (m.controlTruncated) return `the control buffer was truncated (MSG_CTRUNC), so the ${m.src.family === 6 ? v6 : v4} cmsg may have been cut off: raise controlBufferSize`;
  return `no ${m.src.family === 6 ? v6 : v4} cmsg: ${option} was off (open the tap with ${option}: true)`;
}

function bigintArg(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw invalidArg('ERR_INVALID_ARG_TYPE', `${what} must be a bigint (ns) or a safe integer number, got ${describeValue(v)}`);
}

function txKindArg(v: unknown): TxKind {
  if (v === undefined) return 'software';
  if (v === 'sched' || v === 'software' || v === 'hardware') return v;
  throw invalidArg('ERR_INVALID_ARG_VALUE', `toHaveTxTimestampBefore: kind must be 'sched', 'software' or 'hardware', got ${describeValue(v)}`);
}

function ifaceLabel(iface: InterfaceRef): string {
  return typeof iface === 'string' ? iface : `ifIndex ${iface}`;
}

function arrivedOn(m: RxMessage & { dst: { ifIndex: number } }): string {
  return m.ifName === undefined ? `ifIndex ${m.dst.ifIndex}` : `${m.ifName} (ifIndex ${m.dst.ifIndex})`;
}

// ---- the checks (one per matcher, named like it) ----

function toHaveRxTimestamp(received: unknown): CheckResult {
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const t = received.timestamps.software;
  if (t === undefined) return { pass: false, message: `expected ${d} to have an RX timestamp, but timestamps.software is missing: ${rxSoftwareMissing(received)}` };
  return { pass: true, message: `expected ${d} not to have an RX timestamp, but timestamps.software = ${fmtTime(t)}` };
}

function toHaveHardwareTimestamp(received: unknown): CheckResult {
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const t = received.timestamps.hardware;
  if (t === undefined)
    return { pass: false, message: `expected ${d} to have a hardware RX timestamp, but timestamps.hardware is missing: ${rxHardwareMissing(received)}` };
  return { pass: true, message: `expected ${d} not to have a hardware RX timestamp, but timestamps.hardware = ${fmtTime(t)}` };
}

function toHaveRxTimestampBetween(received: unknown, start: bigint, end: bigint): CheckResult {
  const a = bigintArg(start, 'toHaveRxTimestampBetween: start');
  const b = bigintArg(end, 'toHaveRxTimestampBetween: end');
  if (a > b) throw invalidArg('ERR_OUT_OF_RANGE', `toHaveRxTimestampBetween: start ${a} is after end ${b}`, RangeError);
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const what = `to have an RX timestamp between ${fmtTime(a)} and ${fmtTime(b)}`;
  const t = received.timestamps.software;
  if (t === undefined) return { pass: false, message: `expected ${d} ${what}, but timestamps.software is missing: ${rxSoftwareMissing(received)}` };
  // Bounds taken with clock.monotonicNs() are the classic mistake: say so instead of "a lot before".
  const hint =
    a < REALTIME_FLOOR_NS && t >= REALTIME_FLOOR_NS
      ? '; the bounds look like CLOCK_MONOTONIC readings, RX timestamps are CLOCK_REALTIME (take them with clock.realtimeNs())'
      : '';
  if (t < a) return { pass: false, message: `expected ${d} ${what}, but timestamps.software = ${fmtTime(t)} is ${fmtDur(a - t)} before the start${hint}` };
  if (t > b) return { pass: false, message: `expected ${d} ${what}, but timestamps.software = ${fmtTime(t)} is ${fmtDur(t - b)} after the end${hint}` };
  return {
    pass: true,
    message: `expected ${d} not ${what}, but timestamps.software = ${fmtTime(t)} is ${fmtDur(t - a)} after the start and ${fmtDur(b - t)} before the end`,
  };
}

function toHaveReadDelayBelow(received: unknown, limitNs: bigint | number): CheckResult {
  const limit = bigintArg(limitNs, 'toHaveReadDelayBelow: limit');
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const what = `to have a read delay below ${fmtDur(limit)}`;
  const delay = received.readDelayNs;
  if (delay === undefined)
    return { pass: false, message: `expected ${d} ${what}, but readDelayNs is missing (it is readAt − timestamps.software): ${rxSoftwareMissing(received)}` };
  if (delay >= limit)
    return { pass: false, message: `expected ${d} ${what}, but readDelayNs = ${fmtDur(delay)} is ${fmtDur(delay - limit)} over the limit` };
  return { pass: true, message: `expected ${d} not ${what}, but readDelayNs = ${fmtDur(delay)} is ${fmtDur(limit - delay)} under the limit` };
}

function toArriveOn(received: unknown, iface: InterfaceRef): CheckResult {
  if (typeof iface === 'string' ? iface.length === 0 : !(Number.isInteger(iface) && iface > 0))
    throw invalidArg('ERR_INVALID_ARG_VALUE', `toArriveOn: expected an interface name or a positive ifIndex, got ${describeValue(iface)}`);
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const what = `to arrive on ${ifaceLabel(iface)}`;
  const dst = received.dst;
  if (dst === undefined) return { pass: false, message: `expected ${d} ${what}, but dst is missing: ${cmsgMissing(received, 'IP_PKTINFO', 'IPV6_PKTINFO', 'pktinfo')}` };
  const m = received as RxMessage & { dst: { ifIndex: number } };
  if (typeof iface === 'string' && received.ifName === undefined)
    return { pass: false, message: `expected ${d} ${what}, but ifName is missing: ifIndex ${dst.ifIndex} has no name (the interface is gone)` };
  const same = typeof iface === 'string' ? received.ifName === iface : dst.ifIndex === iface;
  if (!same) return { pass: false, message: `expected ${d} ${what}, but it arrived on ${arrivedOn(m)}` };
  return { pass: true, message: `expected ${d} not ${what}, but it arrived on ${arrivedOn(m)}` };
}

function toHaveBeenSentWithTtl(received: unknown, ttl: number): CheckResult {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 255)
    throw invalidArg('ERR_OUT_OF_RANGE', `toHaveBeenSentWithTtl: ttl must be an integer in 0..255, got ${describeValue(ttl)}`, RangeError);
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  // IPv6 calls it the hop limit; say the name the user will find in the packet.
  const word = received.src.family === 6 ? 'hop limit' : 'TTL';
  const what = `to have been sent with ${word} ${ttl}`;
  const got = received.ttl;
  if (got === undefined) return { pass: false, message: `expected ${d} ${what}, but ttl is missing: ${cmsgMissing(received, 'IP_TTL', 'IPV6_HOPLIMIT', 'ttl')}` };
  if (got !== ttl) return { pass: false, message: `expected ${d} ${what}, but it arrived with ${word} ${got}` };
  return { pass: true, message: `expected ${d} not ${what}, but it arrived with ${word} ${got}` };
}

function toHaveMonotonicRxTimestamps(received: unknown): CheckResult {
  if (!Array.isArray(received)) return { pass: false, invalid: true, message: `expected an array of RxMessage, got ${describeValue(received)}` };
  const msgs: readonly unknown[] = received;
  const what = `to have non-decreasing RX timestamps`;
  const n = `${msgs.length} datagram${msgs.length === 1 ? '' : 's'}`;
  let prev: bigint | undefined;
  let first: bigint | undefined;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (!isRxMessage(m)) return { pass: false, invalid: true, message: `expected an array of RxMessage, but #${i} is ${describeValue(m)}` };
    const t = m.timestamps.software;
    if (t === undefined) return { pass: false, message: `expected ${n} ${what}, but ${describeMsg(m, i)} has no timestamps.software: ${rxSoftwareMissing(m)}` };
    if (prev !== undefined && t < prev)
      return {
        pass: false,
        message: `expected ${n} ${what}, but #${i} (timestamps.software = ${fmtTime(t)}) is ${fmtDur(prev - t)} before #${i - 1} (timestamps.software = ${fmtTime(prev)})`,
      };
    first ??= t;
    prev = t;
  }
  const span = first === undefined || prev === undefined ? 0n : prev - first;
  return { pass: true, message: `expected ${n} not ${what}, but each is at or after the one before (first to last: ${fmtDur(span)})` };
}

function toArriveComplete(received: unknown): CheckResult {
  const one = (m: RxMessage, d: string): string | undefined => {
    if (m.truncated) return `${d} was truncated (MSG_TRUNC): ${m.data.length} of ${m.length} bytes kept, raise maxMessageSize`;
    if (m.controlTruncated)
      return `${d === 'it' ? 'its control data' : `the control data of ${d}`} was truncated (MSG_CTRUNC): some metadata may be missing, raise controlBufferSize`;
    return undefined;
  };
  if (Array.isArray(received)) {
    const msgs: readonly unknown[] = received;
    const n = `${msgs.length} datagram${msgs.length === 1 ? '' : 's'}`;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      if (!isRxMessage(m)) return { pass: false, invalid: true, message: `expected an array of RxMessage, but #${i} is ${describeValue(m)}` };
      const why = one(m, describeMsg(m, i));
      if (why) return { pass: false, message: `expected ${n} to arrive complete, but ${why}` };
    }
    return { pass: true, message: `expected ${n} not to arrive complete, but every one did` };
  }
  if (!isRxMessage(received)) return notAnRxMessage(received);
  const d = describeMsg(received);
  const why = one(received, 'it');
  if (why) return { pass: false, message: `expected ${d} to arrive complete, but ${why}` };
  return { pass: true, message: `expected ${d} not to arrive complete, but it did (payload and control data intact)` };
}

/** Missing TX stamp: the deadline passed without it, or the send never asked for it. */
function txMissing(tx: TxTimestamps, kind: TxKind): string {
  if (!tx.missing.includes(kind)) return `it was not asked for (send with { txTimestamps: '${kind}' })`;
  const list = `(missing: ${tx.missing.join(', ')})`;
  if (kind === 'sched') return `the kernel reported no SCM_TSTAMP_SCHED stamp before the deadline ${list}`;
  if (kind === 'software') return `the kernel reported no SCM_TSTAMP_SND stamp before the deadline ${list}`;
  return `the kernel reported no hardware SCM_TSTAMP_SND stamp before the deadline ${list}: hardware TX timestamps need a NIC with hardware timestamping switched on (SIOCSHWTSTAMP)`;
}

/**
 * The TX side in one of its synchronous forms: TxTimestamps, a SentDatagram (its `tx`), or a
 * SendResult/SentDatagram without TX timestamps (`null`: none were asked for).
 */
function txOf(v: unknown): TxTimestamps | null | undefined {
  if (isTxTimestamps(v)) return v;
  if (isObject(v) && typeof v.bytes === 'number' && !('tx' in v)) return null;
  if (isObject(v) && 'tx' in v && !isThenable(v.tx)) return v.tx === undefined ? null : isTxTimestamps(v.tx) ? v.tx : undefined;
  return undefined;
}

function toHaveTxTimestampBefore(received: unknown, rx: RxMessage, options: TxBeforeOptions = {}): CheckResult {
  if (!isRxMessage(rx)) throw invalidArg('ERR_INVALID_ARG_TYPE', `toHaveTxTimestampBefore: expected an RxMessage to compare with, got ${describeValue(rx)}`);
  if (!isObject(options)) throw invalidArg('ERR_INVALID_ARG_TYPE', `toHaveTxTimestampBefore: options must be an object, got ${describeValue(options)}`);
  const kind = txKindArg(options.kind);
  const within = options.withinNs === undefined ? undefined : bigintArg(options.withinNs, 'toHaveTxTimestampBefore: withinNs');
  if (within !== undefined && within < 0n) throw invalidArg('ERR_OUT_OF_RANGE', `toHaveTxTimestampBefore: withinNs must be >= 0, got ${within}`, RangeError);
  const tx = txOf(received);
  if (tx === undefined) {
    // `await r.tx` is undefined exactly when the send asked for no TX timestamps: say so.
    const hint = received === undefined ? ` (a send without txTimestamps has no tx: send with { txTimestamps: '${kind}' })` : '';
    return {
      pass: false,
      invalid: true,
      message: `expected TX timestamps (await send(...).tx, a SendResult or a sendAndCapture() sent entry), got ${describeValue(received)}${hint}`,
    };
  }
  const rxKind = kind === 'hardware' ? 'hardware' : 'software';
  const subject = `the ${kind} TX timestamp of ${tx === null ? 'the send' : `send #${tx.id}`}`;
  const what = `to be at or before the ${rxKind} RX timestamp of ${describeMsg(rx)}${within === undefined ? '' : ` and within ${fmtDur(within)} of it`}`;
  if (tx === null) return { pass: false, message: `expected ${subject} ${what}, but the send asked for no TX timestamps (send with { txTimestamps: '${kind}' })` };
  const t = tx[kind];
  if (t === undefined) return { pass: false, message: `expected ${subject} ${what}, but the ${kind} TX timestamp is missing: ${txMissing(tx, kind)}` };
  const r = rx.timestamps[rxKind];
  if (r === undefined)
    return { pass: false, message: `expected ${subject} ${what}, but the ${rxKind} RX timestamp is missing: ${rxKind === 'hardware' ? rxHardwareMissing(rx) : rxSoftwareMissing(rx)}` };
  if (t > r) return { pass: false, message: `expected ${subject} ${what}, but TX = ${fmtTime(t)} is ${fmtDur(t - r)} after RX = ${fmtTime(r)}` };
  if (within !== undefined && r - t > within)
    return { pass: false, message: `expected ${subject} ${what}, but RX = ${fmtTime(r)} is ${fmtDur(r - t)} after TX = ${fmtTime(t)}, ${fmtDur(r - t - within)} over the limit` };
  return { pass: true, message: `expected ${subject} not ${what}, but TX = ${fmtTime(t)} is ${fmtDur(r - t)} before RX = ${fmtTime(r)}` };
}

/**
 * A SendResult's `tx` promise, awaited into the synchronous form. A deadline that passed with no
 * stamp at all rejects with `{ code: 'ETIMEDOUT', id, missing }`: that becomes TxTimestamps with
 * everything missing, so the check explains it like any missing stamp.
 */
async function settleTx(v: unknown): Promise<unknown> {
  if (!isObject(v) || !isThenable(v.tx)) return v;
  try {
    return await v.tx;
  } catch (e) {
    if (isObject(e) && typeof e.id === 'number' && Array.isArray(e.missing)) return { id: e.id, missing: e.missing } satisfies TxTimestamps;
    const id = typeof v.id === 'number' ? `send #${v.id}` : 'the send';
    throw new AssertionError({ message: `the TX timestamps of ${id} never arrived: ${e instanceof Error ? e.message : String(e)}`, operator: 'toHaveTxTimestampBefore' });
  }
}

/** True when `toHaveTxTimestampBefore` must await the value first (a SendResult with a `tx` promise). */
export function needsSettling(v: unknown): boolean {
  return isObject(v) && isThenable(v.tx);
}

/** The checks by matcher name; vitest.ts wraps them, the assert* functions below throw on them. */
export const checks = {
  /** A software RX timestamp is present. */
  toHaveRxTimestamp,
  /** A hardware RX timestamp is present. */
  toHaveHardwareTimestamp,
  /** The software RX timestamp lies in [start, end]. */
  toHaveRxTimestampBetween,
  /** The read delay is below a limit in ns. */
  toHaveReadDelayBelow,
  /** Arrived on the interface named or numbered. */
  toArriveOn,
  /** Arrived with this TTL / hop limit. */
  toHaveBeenSentWithTtl,
  /** Every message has a software RX timestamp, none earlier than the one before. */
  toHaveMonotonicRxTimestamps,
  /** No message was truncated (MSG_TRUNC) or lost control data (MSG_CTRUNC). */
  toArriveComplete,
  /** The TX timestamp precedes the RX timestamp (within a bound, if given). */
  toHaveTxTimestampBefore,
} as const;

/** Async form of the TX check: awaits a SendResult's `tx` promise first. */
export async function checkTxTimestampBeforeAsync(received: unknown, rx: RxMessage, options?: TxBeforeOptions): Promise<CheckResult> {
  return toHaveTxTimestampBefore(await settleTx(received), rx, options);
}

// ---- plain functions: throw node:assert's AssertionError ----

// stackStartFn cuts the assert* frame off the stack, so the trace starts at the caller's line.
function enforce(operator: string, r: CheckResult, stackStartFn: Function): void {
  if (r.pass) return;
  throw new AssertionError({ message: r.message, operator, stackStartFn });
}

/** The message has a software RX timestamp (CLOCK_REALTIME ns): `msg.timestamps.software`. */
export function assertRxTimestamp(msg: unknown): asserts msg is WithRxTimestamp {
  enforce('toHaveRxTimestamp', toHaveRxTimestamp(msg), assertRxTimestamp);
}

/** The message has a NIC hardware RX timestamp: `msg.timestamps.hardware`. */
export function assertHardwareTimestamp(msg: unknown): asserts msg is WithHardwareTimestamp {
  enforce('toHaveHardwareTimestamp', toHaveHardwareTimestamp(msg), assertHardwareTimestamp);
}

/** start ≤ msg.timestamps.software ≤ end (CLOCK_REALTIME ns, both ends included). */
export function assertRxTimestampBetween(msg: unknown, start: bigint, end: bigint): asserts msg is WithRxTimestamp {
  enforce('toHaveRxTimestampBetween', toHaveRxTimestampBetween(msg, start, end), assertRxTimestampBetween);
}

/** msg.readDelayNs (readAt − software RX timestamp) < limitNs. */
export function assertReadDelayBelow(msg: unknown, limitNs: bigint | number): asserts msg is WithReadDelay {
  enforce('toHaveReadDelayBelow', toHaveReadDelayBelow(msg, limitNs), assertReadDelayBelow);
}

/** msg.ifName === iface (a name) or msg.dst.ifIndex === iface (a number). */
export function assertArrivesOn(msg: unknown, iface: InterfaceRef): asserts msg is WithDestination {
  enforce('toArriveOn', toArriveOn(msg, iface), assertArrivesOn);
}

/** msg.ttl === ttl: the TTL / hop limit the receiver saw (each router hop lowers it by one). */
export function assertSentWithTtl(msg: unknown, ttl: number): asserts msg is RxMessage & { ttl: number } {
  enforce('toHaveBeenSentWithTtl', toHaveBeenSentWithTtl(msg, ttl), assertSentWithTtl);
}

/** Every message has a software RX timestamp, each ≥ the one before (equal stamps pass). */
export function assertMonotonicRxTimestamps(msgs: unknown): asserts msgs is WithRxTimestamp[] {
  enforce('toHaveMonotonicRxTimestamps', toHaveMonotonicRxTimestamps(msgs), assertMonotonicRxTimestamps);
}

/** Neither MSG_TRUNC nor MSG_CTRUNC on the message (or on any message of an array). */
export function assertArrivesComplete(msgs: unknown): void {
  enforce('toArriveComplete', toArriveComplete(msgs), assertArrivesComplete);
}

/**
 * TX ≤ RX (and RX − TX ≤ withinNs when given). `sent` is TxTimestamps (`await r.tx`) or a
 * sendAndCapture() sent entry; a SendResult whose `tx` is still a promise makes this return a
 * promise to await.
 */
export function assertTxTimestampBefore(sent: TxSource | undefined, rx: RxMessage, options?: TxBeforeOptions): void;
export function assertTxTimestampBefore(sent: SendResult, rx: RxMessage, options?: TxBeforeOptions): Promise<void>;
export function assertTxTimestampBefore(sent: TxSource | SendResult | undefined, rx: RxMessage, options?: TxBeforeOptions): void | Promise<void> {
  if (needsSettling(sent)) {
    return checkTxTimestampBeforeAsync(sent, rx, options).then((r) => enforce('toHaveTxTimestampBefore', r, assertTxTimestampBefore));
  }
  enforce('toHaveTxTimestampBefore', toHaveTxTimestampBefore(sent, rx, options), assertTxTimestampBefore);
}
