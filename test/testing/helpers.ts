// Shared pieces of the testing-kit tests: real loopback traffic, a synthetic message with fixed
// values (the one docs/testing.md uses for its sample messages), and independent formatters so the
// expected texts are not produced by the code under test.
import { AssertionError } from 'node:assert';
import { openUdp, type OpenUdpOptions, type RxMessage, type SendOptions, type SendResult, type UdpTap } from '../../src/index.js';

/** 1700000000.123456789 s: 2023-11-14T22:13:20.123456789Z. */
export const T = 1_700_000_000_123_456_789n;

/** A loopback datagram from 127.0.0.1:40000, 'ping', software RX timestamp T, read 250.123 µs later. */
export function fakeMsg(over: Partial<RxMessage> = {}): RxMessage {
  return {
    data: Buffer.from('ping'),
    length: 4,
    src: { family: 4, address: '127.0.0.1', port: 40000 },
    dst: { address: '127.0.0.1', ifIndex: 1 },
    ifName: 'lo',
    timestamps: { software: T },
    readAt: T + 250_123n,
    readDelayNs: 250_123n,
    ttl: 63,
    tos: 0,
    truncated: false,
    controlTruncated: false,
    flags: 0,
    ...over,
  };
}

/** ISO 8601 with nine fractional digits, computed apart from src/sys/time.ts. */
export function iso9(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

/** `<ns> ns (<iso>)` as the messages write an absolute time. */
export const at = (ns: bigint): string => `${ns} ns (${iso9(ns)})`;

/** `<µs> µs (<ns> ns)` as the messages write a duration. */
export function dur(ns: bigint): string {
  const a = ns < 0n ? -ns : ns;
  const digits = a.toString().padStart(4, '0'); // string surgery: exact for any size, unlike Number
  return `${digits.slice(0, -3)}.${digits.slice(-3)} µs (${a} ns)`;
}

/** Runs fn, which must throw; returns the error. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw');
}

export async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

/** The message of what fn threw, asserting it is node:assert's AssertionError. */
export function assertionMessage(fn: () => unknown): string {
  const e = thrown(fn);
  if (!(e instanceof AssertionError)) throw new Error(`expected an AssertionError, got ${e?.constructor?.name}: ${e?.message}`);
  return e.message;
}

/** Taps opened by a test file; closeAll() in afterEach/afterAll. */
export class Taps {
  readonly #open: UdpTap[] = [];
  async open(opts: OpenUdpOptions): Promise<UdpTap> {
    const t = await openUdp(opts);
    this.#open.push(t);
    return t;
  }
  closeAll(): void {
    for (const t of this.#open.splice(0)) t.close();
  }
}

/** Sends one datagram from `from` to `to` and receives it there. */
export async function roundTrip(
  from: UdpTap,
  to: UdpTap,
  data: string | Buffer = 'ping',
  opts?: SendOptions,
): Promise<{ msg: RxMessage; sent: SendResult }> {
  const sent = await from.send(data, to.address(), opts);
  const msg = await to.receive({ timeoutMs: 2000 });
  return { msg, sent };
}
