// capture(): the datagrams that reach an address while a callback runs; sendAndCapture(): send
// datagrams (to that address, or to a dispatcher in front of it) and get both sides back.
import { isIPv6 } from 'node:net';
import { clock } from '../sys/clock.js';
import { invalidArg } from '../sys/errors.js';
import type { OpenUdpOptions } from '../tap/options.js';
import type { RxMessage } from '../tap/rx/rx-types.js';
import type { SendOptions } from '../tap/tx/send-control.js';
import type { TxTimestamps } from '../tap/tx/tx-tracker.js';
import { openUdp, type Destination, type TapAddress, type UdpTap } from '../tap/udp-tap.js';
import type { SentDatagram } from './assertions.js';

/** Options of {@link capture}: where to listen (any openUdp option; 127.0.0.1 by default) and how long. */
export interface CaptureOptions extends OpenUdpOptions {
  /** After the callback, keep listening until this many datagrams arrived (for at most timeoutMs). */
  count?: number;
  /** How long to wait for `count` datagrams once the callback is done. Default 2000 ms. */
  timeoutMs?: number;
  /**
   * Keep listening this long after the callback (and after `count` was reached), so datagrams
   * still in flight, late or duplicated are seen too. Default 10 ms.
   */
  settleMs?: number;
}

/** A datagram's bytes, or text sent as UTF-8. */
export type Payload = string | Uint8Array;

/** Options of {@link sendAndCapture}: where to send, from where, and with which send options. */
export interface SendAndCaptureOptions {
  /**
   * Where to send (e.g. the dispatcher under test). Default: the capture address itself. A function
   * gets the capture address first: the place to tell a dispatcher where to forward (register the
   * backend) before returning the dispatcher's own address.
   */
  to?: Destination | ((capture: TapAddress) => Destination | Promise<Destination>);
  /** The sending tap's openUdp options. Default: the any address of the destination's family. */
  from?: OpenUdpOptions;
  /** Per-datagram send options, merged over `{ txTimestamps: 'software' }` (pass `txTimestamps: []` for none). */
  send?: SendOptions;
}

/** What {@link sendAndCapture} sent (with TX timestamps) and what arrived. */
export interface SendAndCaptureResult {
  /** One entry per datagram sent, TX timestamps already awaited. */
  sent: SentDatagram[];
  /** What arrived at the capture address, in arrival order. */
  received: RxMessage[];
  /** The capture tap's address (its port when port 0 was asked for). */
  address: TapAddress;
  /** The sending tap's bound address; its port is the src.port the receiver sees. */
  sender: TapAddress;
}

function nonNegative(v: unknown, what: string, integer: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
    throw invalidArg('ERR_OUT_OF_RANGE', `${what} must be ${integer ? 'an integer' : 'a finite number'} >= 0, got ${String(v)}`, RangeError);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Opens a tap (default address 127.0.0.1, all metadata on), runs `fn` with its address, and
 * returns every datagram that arrived while `fn` ran, plus those arriving until `count` is reached
 * (at most `timeoutMs`) and for `settleMs` more. The tap is closed afterwards, also when `fn`
 * throws (the error is rethrown). Fewer than `count` datagrams is not an error here: the returned
 * array is what arrived, for the test's own assertion to judge.
 */
export async function capture(options: CaptureOptions, fn: (address: TapAddress, tap: UdpTap) => unknown): Promise<RxMessage[]> {
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'capture(options, fn): options must be an object');
  if (typeof fn !== 'function') throw invalidArg('ERR_INVALID_ARG_TYPE', 'capture(options, fn): fn must be a function');
  const { count, timeoutMs = 2000, settleMs = 10, ...tapOptions } = options;
  if (count !== undefined) nonNegative(count, 'capture: count', true);
  nonNegative(timeoutMs, 'capture: timeoutMs', false);
  nonNegative(settleMs, 'capture: settleMs', false);
  const tap = await openUdp({ address: '127.0.0.1', ...tapOptions });
  const got: RxMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  // A 'message' listener makes the tap read everything as it arrives (nothing waits in a queue).
  tap.on('message', (m: RxMessage) => {
    got.push(m);
    if (count !== undefined && got.length >= count) wake?.();
  });
  tap.on('error', (e: Error) => {
    failure ??= e;
    wake?.();
  });
  try {
    await fn(tap.address(), tap);
    if (count !== undefined && got.length < count && failure === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // A timer (even of 0 ms) lets the loop poll the socket at least once more: a datagram sent just
    // before the callback returned is in the kernel queue but its readable event is still pending.
    await sleep(settleMs);
    if (failure) throw failure;
    return got;
  } finally {
    tap.close();
  }
}

/** A SendResult's tx promise as TxTimestamps; a deadline with nothing at all becomes all-missing. */
async function settleTx(id: number, tx: Promise<TxTimestamps>): Promise<TxTimestamps> {
  try {
    return await tx;
  } catch (e) {
    const missing = (e as { missing?: unknown }).missing;
    if ((e as { code?: unknown }).code === 'ETIMEDOUT' && Array.isArray(missing)) return { id, missing: missing as TxTimestamps['missing'] };
    throw e;
  }
}

/**
 * Sends `data` (one payload or several, in order) from a fresh tap to `options.to` — by default to
 * the capture address itself — while capturing at `target`; returns both sides. By default each
 * datagram asks for a software TX timestamp, so `expect(sent[0].tx).toHaveTxTimestampBefore(received[0])`
 * works at once. `target.count` defaults to the number of datagrams sent.
 */
export async function sendAndCapture(target: CaptureOptions, data: Payload | readonly Payload[], options: SendAndCaptureOptions = {}): Promise<SendAndCaptureResult> {
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', 'sendAndCapture: options must be an object');
  const items: readonly Payload[] = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
  if (!Array.isArray(items) || !items.every((d) => typeof d === 'string' || d instanceof Uint8Array))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'sendAndCapture: data must be a string, a Uint8Array or an array of them');
  const sendOpts: SendOptions = { txTimestamps: 'software', ...options.send };
  const sent: SentDatagram[] = [];
  const pending: Array<{ entry: SentDatagram; id: number; tx: Promise<TxTimestamps> }> = [];
  // Assigned inside the callback; a holder keeps TypeScript from narrowing it to its initial value.
  const state: { sender?: UdpTap; address?: TapAddress } = {};
  try {
    const received = await capture({ count: items.length, ...target }, async (address) => {
      state.address = address;
      const to = typeof options.to === 'function' ? await options.to(address) : (options.to ?? { address: address.address, port: address.port });
      const sender = await openUdp(options.from ?? { address: isIPv6(to.address) ? '::' : '0.0.0.0' });
      state.sender = sender;
      for (const d of items) {
        const payload = Buffer.from(d);
        const sentAt = clock.realtimeNs();
        const r = await sender.send(payload, to, sendOpts);
        const entry: SentDatagram = { data: payload, bytes: r.bytes, sentAt };
        if (r.id !== undefined) entry.id = r.id;
        if (r.id !== undefined && r.tx) pending.push({ entry, id: r.id, tx: r.tx });
        sent.push(entry);
      }
    });
    for (const p of pending) p.entry.tx = await settleTx(p.id, p.tx);
    return { sent, received, address: state.address!, sender: state.sender!.address() };
  } finally {
    state.sender?.close();
  }
}
