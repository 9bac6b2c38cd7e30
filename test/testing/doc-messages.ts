// The sample failures docs/testing.md lists under "Failure messages", keyed by the line the docs
// show above each message. docs.test.ts checks that every documented message is what the matcher
// says today, and that every case here is documented.
import { expect } from 'vitest';
import type { TxTimestamps } from '../../src/index.js';
import { fakeMsg, T } from './helpers.js';

/** The docs' sample: 'ping' from 127.0.0.1:40000, RX at T, read 250.123 µs later, on lo, TTL 63. */
const msg = fakeMsg();

export const docMessages: Record<string, () => void> = {
  "expect(msg).toHaveRxTimestamp()  // tap opened with timestamps: 'none'": () =>
    expect(fakeMsg({ timestamps: {}, readDelayNs: undefined })).toHaveRxTimestamp(),
  'expect(msg).toHaveRxTimestamp()  // control buffer too small: MSG_CTRUNC': () =>
    expect(fakeMsg({ timestamps: {}, readDelayNs: undefined, controlTruncated: true })).toHaveRxTimestamp(),
  'expect(msg).not.toHaveRxTimestamp()': () => expect(msg).not.toHaveRxTimestamp(),
  "expect(msg).toHaveHardwareTimestamp()  // loopback: software stamp only": () => expect(msg).toHaveHardwareTimestamp(),
  'expect(msg).toHaveRxTimestampBetween(1700000000123469134n, 1700000000123476789n)': () =>
    expect(msg).toHaveRxTimestampBetween(1700000000123469134n, 1700000000123476789n),
  'expect(msg).toHaveRxTimestampBetween(5000000000n, 6000000000n)  // bounds read from clock.monotonicNs()': () =>
    expect(msg).toHaveRxTimestampBetween(5000000000n, 6000000000n),
  'expect(msg).toHaveReadDelayBelow(200_000n)': () => expect(msg).toHaveReadDelayBelow(200_000n),
  "expect(msg).toArriveOn('eth0')": () => expect(msg).toArriveOn('eth0'),
  "expect(msg).toArriveOn('lo')  // tap opened with pktinfo: false": () => expect(fakeMsg({ dst: undefined, ifName: undefined })).toArriveOn('lo'),
  'expect(msg).toHaveBeenSentWithTtl(64)': () => expect(msg).toHaveBeenSentWithTtl(64),
  'expect(msg).toHaveBeenSentWithTtl(64)  // tap opened with ttl: false': () => expect(fakeMsg({ ttl: undefined })).toHaveBeenSentWithTtl(64),
  'expect([msg, earlier]).toHaveMonotonicRxTimestamps()  // earlier: received 1 µs before msg': () =>
    expect([msg, fakeMsg({ timestamps: { software: T - 1000n } })]).toHaveMonotonicRxTimestamps(),
  'expect([msg, big]).toArriveComplete()  // big: 100 bytes into a tap with maxMessageSize: 16': () =>
    expect([msg, fakeMsg({ data: Buffer.alloc(16), length: 100, truncated: true })]).toArriveComplete(),
  'expect(tx).toHaveTxTimestampBefore(msg)  // tx: { id: 7, software: 3 µs after msg’s RX }': () =>
    expect({ id: 7, software: T + 3000n, missing: [] } satisfies TxTimestamps).toHaveTxTimestampBefore(msg),
  'expect(tx).toHaveTxTimestampBefore(msg, { withinNs: 200_000n })  // tx.software 250.123 µs before msg’s RX': () =>
    expect({ id: 7, software: T - 250_123n, missing: [] } satisfies TxTimestamps).toHaveTxTimestampBefore(msg, { withinNs: 200_000n }),
  "expect(tx).toHaveTxTimestampBefore(msg, { kind: 'hardware' })  // loopback, sent with txTimestamps: ['software', 'hardware']": () =>
    expect({ id: 7, software: T - 3000n, missing: ['hardware'] } satisfies TxTimestamps).toHaveTxTimestampBefore(msg, { kind: 'hardware' }),
  "expect(tx).toHaveTxTimestampBefore(msg, { kind: 'sched' })  // sent with txTimestamps: 'software'": () =>
    expect({ id: 7, software: T - 3000n, missing: [] } satisfies TxTimestamps).toHaveTxTimestampBefore(msg, { kind: 'sched' }),
  'expect(5).toHaveRxTimestamp()': () => expect(5).toHaveRxTimestamp(),
};

/** The message a case fails with. */
export function docMessage(run: () => void): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the documented case passed');
}
