// Vitest matchers over the checks of assertions.ts. Nothing is imported from vitest, not even
// types: the caller passes its own `expect` to installMatchers(), so importing disptap/testing never
// loads vitest, and the emitted .d.ts type-checks for users without it (even with skipLibCheck off:
// an augmentation of a module that is not installed is ignored, an import of it would be an error).
import { AssertionError } from 'node:assert';
import type { RxMessage } from '../tap/rx/rx-types.js';
import { checks, checkTxTimestampBeforeAsync, needsSettling, type CheckResult, type InterfaceRef, type TxBeforeOptions } from './assertions.js';

/** What a vitest matcher returns (structurally vitest's SyncExpectationResult). */
export interface MatcherResult {
  pass: boolean;
  /** The failure text (or, under `.not`, the text of an unexpected pass). */
  message: () => string;
}

/** The part of vitest's MatcherState the matchers read (`this` inside a matcher). */
export interface MatcherContext {
  isNot: boolean;
}

/** The part of vitest's `expect` installMatchers() needs. */
export interface ExtendableExpect {
  /** vitest's `expect.extend`. */
  extend(matchers: DisptapMatcherFunctions): void;
}

function result(state: MatcherContext, operator: string, r: CheckResult): MatcherResult {
  // A value of the wrong kind must fail even under .not: "not a timestamp of a number" passing
  // silently would hide a broken test.
  if (r.invalid && state.isNot) throw new AssertionError({ message: r.message, operator });
  return { pass: r.pass, message: () => r.message };
}

/**
 * The matcher implementations, as `expect.extend()` takes them. A type alias, not an interface:
 * only an alias is assignable to vitest's Record<string, matcher> parameter.
 */
export type DisptapMatcherFunctions = {
  /** See {@link DisptapAssertions.toHaveRxTimestamp}. */
  toHaveRxTimestamp(this: MatcherContext, received: unknown): MatcherResult;
  /** See {@link DisptapAssertions.toHaveHardwareTimestamp}. */
  toHaveHardwareTimestamp(this: MatcherContext, received: unknown): MatcherResult;
  /** See {@link DisptapAssertions.toHaveRxTimestampBetween}. */
  toHaveRxTimestampBetween(this: MatcherContext, received: unknown, start: bigint, end: bigint): MatcherResult;
  /** See {@link DisptapAssertions.toHaveReadDelayBelow}. */
  toHaveReadDelayBelow(this: MatcherContext, received: unknown, limitNs: bigint | number): MatcherResult;
  /** See {@link DisptapAssertions.toArriveOn}. */
  toArriveOn(this: MatcherContext, received: unknown, iface: InterfaceRef): MatcherResult;
  /** See {@link DisptapAssertions.toHaveBeenSentWithTtl}. */
  toHaveBeenSentWithTtl(this: MatcherContext, received: unknown, ttl: number): MatcherResult;
  /** See {@link DisptapAssertions.toHaveMonotonicRxTimestamps}. */
  toHaveMonotonicRxTimestamps(this: MatcherContext, received: unknown): MatcherResult;
  /** See {@link DisptapAssertions.toArriveComplete}. */
  toArriveComplete(this: MatcherContext, received: unknown): MatcherResult;
  /** See {@link DisptapAssertions.toHaveTxTimestampBefore}; async when given a SendResult whose `tx` is still a promise. */
  toHaveTxTimestampBefore(this: MatcherContext, received: unknown, rx: RxMessage, options?: TxBeforeOptions): MatcherResult | Promise<MatcherResult>;
};

/** The matchers for `expect.extend(disptapMatchers)`; installMatchers(expect) does just that. */
export const disptapMatchers: DisptapMatcherFunctions = {
  toHaveRxTimestamp(this: MatcherContext, received: unknown): MatcherResult {
    return result(this, 'toHaveRxTimestamp', checks.toHaveRxTimestamp(received));
  },
  toHaveHardwareTimestamp(this: MatcherContext, received: unknown): MatcherResult {
    return result(this, 'toHaveHardwareTimestamp', checks.toHaveHardwareTimestamp(received));
  },
  toHaveRxTimestampBetween(this: MatcherContext, received: unknown, start: bigint, end: bigint): MatcherResult {
    return result(this, 'toHaveRxTimestampBetween', checks.toHaveRxTimestampBetween(received, start, end));
  },
  toHaveReadDelayBelow(this: MatcherContext, received: unknown, limitNs: bigint | number): MatcherResult {
    return result(this, 'toHaveReadDelayBelow', checks.toHaveReadDelayBelow(received, limitNs));
  },
  toArriveOn(this: MatcherContext, received: unknown, iface: InterfaceRef): MatcherResult {
    return result(this, 'toArriveOn', checks.toArriveOn(received, iface));
  },
  toHaveBeenSentWithTtl(this: MatcherContext, received: unknown, ttl: number): MatcherResult {
    return result(this, 'toHaveBeenSentWithTtl', checks.toHaveBeenSentWithTtl(received, ttl));
  },
  toHaveMonotonicRxTimestamps(this: MatcherContext, received: unknown): MatcherResult {
    return result(this, 'toHaveMonotonicRxTimestamps', checks.toHaveMonotonicRxTimestamps(received));
  },
  toArriveComplete(this: MatcherContext, received: unknown): MatcherResult {
    return result(this, 'toArriveComplete', checks.toArriveComplete(received));
  },
  toHaveTxTimestampBefore(this: MatcherContext, received: unknown, rx: RxMessage, options?: TxBeforeOptions): MatcherResult | Promise<MatcherResult> {
    // A SendResult still holds its TX timestamps as a promise: vitest awaits async matchers, so
    // `await expect(r).toHaveTxTimestampBefore(rx)` works as well as `expect(await r.tx)`.
    if (needsSettling(received)) return checkTxTimestampBeforeAsync(received, rx, options).then((r) => result(this, 'toHaveTxTimestampBefore', r));
    return result(this, 'toHaveTxTimestampBefore', checks.toHaveTxTimestampBefore(received, rx, options));
  },
};

/**
 * Installs the matchers on vitest's `expect` (call it once, in a setup file or at the top of a test
 * file): `import { expect } from 'vitest'; installMatchers(expect);`.
 * The expect is taken from the caller so this package never imports vitest at run time.
 */
export function installMatchers(expect: ExtendableExpect): void {
  expect.extend(disptapMatchers);
}

/** `R` of a SendResult (TX timestamps still a promise) makes the TX matcher async. */
type TxMatcherReturn<T> = T extends { bytes: number; tx?: PromiseLike<unknown> } ? Promise<void> : void;

/** The matchers as `expect(x)` shows them; T is the received type. */
export interface DisptapAssertions<T = unknown> {
  /** msg.timestamps.software is there (the kernel's CLOCK_REALTIME RX timestamp). */
  toHaveRxTimestamp(): void;
  /** msg.timestamps.hardware is there (the NIC's RX timestamp). */
  toHaveHardwareTimestamp(): void;
  /** start ≤ msg.timestamps.software ≤ end, bigint ns since the epoch (clock.realtimeNs()). */
  toHaveRxTimestampBetween(start: bigint, end: bigint): void;
  /** msg.readDelayNs < limitNs: the time the datagram sat in the socket before user space read it. */
  toHaveReadDelayBelow(limitNs: bigint | number): void;
  /** The arrival interface (IP_PKTINFO): a name compares msg.ifName, a number msg.dst.ifIndex. */
  toArriveOn(iface: InterfaceRef): void;
  /** msg.ttl (IPv6: hop limit) as the receiver saw it equals ttl. */
  toHaveBeenSentWithTtl(ttl: number): void;
  /** On an RxMessage[]: every software RX timestamp is ≥ the one before. */
  toHaveMonotonicRxTimestamps(): void;
  /** On an RxMessage or RxMessage[]: no MSG_TRUNC, no MSG_CTRUNC. */
  toArriveComplete(): void;
  /**
   * On TxTimestamps (`await r.tx`) or a sendAndCapture() sent entry: TX ≤ rx's RX timestamp, and
   * RX − TX ≤ withinNs when given. On a SendResult it returns a promise: await it.
   */
  toHaveTxTimestampBefore(rx: RxMessage, options?: TxBeforeOptions): TxMatcherReturn<T>;
}

declare module 'vitest' {
  // Matchers<T> is what vitest (≥ 3.2) documents for custom matchers: Assertion<T> extends it, and so
  // does ExpectStatic (for expect.toArriveOn('lo') used asymmetrically). Augmenting Assertion itself
  // merges only when vitest's types were loaded before this file, which depends on import order; and
  // AsymmetricMatchersContaining is left alone because ExpectStatic extends it as well as Matchers,
  // so any signature differing in the slightest would be a conflict inside vitest's own types.
  // The type parameter list must repeat vitest's own (`T = any`) or the declarations do not merge.
  interface Matchers<T = any> extends DisptapAssertions<T> {}
}
