// The plain-function assertions (node:test or any runner): same checks and messages as the
// matchers, thrown as node:assert's AssertionError; type narrowing after a passing assertion.
import { AssertionError } from 'node:assert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, type RxMessage, type TxTimestamps, type UdpTap } from '../../src/index.js';
import {
  assertArrivesComplete,
  assertArrivesOn,
  assertHardwareTimestamp,
  assertMonotonicRxTimestamps,
  assertReadDelayBelow,
  assertRxTimestamp,
  assertRxTimestampBetween,
  assertSentWithTtl,
  assertTxTimestampBefore,
  checks,
  disptapMatchers,
  installMatchers,
} from '../../src/testing/index.js';
import { assertionMessage, fakeMsg, rejected, T, Taps, thrown, roundTrip } from './helpers.js';

installMatchers(expect);

const taps = new Taps();
let rx: UdpTap;
let tx: UdpTap;
beforeAll(async () => {
  rx = await taps.open({ address: '127.0.0.1' });
  tx = await taps.open({ address: '127.0.0.1' });
});
afterAll(() => taps.closeAll());

describe('plain assertions on real traffic', () => {
  it('all pass on a loopback datagram sent with TTL 5 and software TX timestamps', async () => {
    const before = clock.realtimeNs();
    const { msg, sent } = await roundTrip(tx, rx, 'ping', { ttl: 5, txTimestamps: 'software' });
    const after = clock.realtimeNs();
    const m: unknown = msg; // the asserts-signatures narrow from unknown
    assertRxTimestamp(m);
    const sw: bigint = m.timestamps.software; // narrowed: no `!` needed
    assertRxTimestampBetween(msg, before, after);
    assertReadDelayBelow(m, 1_000_000_000n);
    const delay: bigint = m.readDelayNs;
    expect(sw + delay).toBe(m.readAt);
    assertArrivesOn(m, 'lo');
    const ifIndex: number = m.dst.ifIndex;
    expect(ifIndex).toBe(1);
    assertArrivesOn(msg, 1);
    assertSentWithTtl(msg, 5);
    assertArrivesComplete(msg);
    assertArrivesComplete([msg]);
    assertMonotonicRxTimestamps([msg, msg]);
    assertTxTimestampBefore(await sent.tx, msg);
    await assertTxTimestampBefore(sent, msg, { withinNs: 1_000_000_000n });
  });
});

describe('failures throw AssertionError with the matcher message and name', () => {
  // Each case: the plain call, and the vitest matcher it must agree with word for word.
  const m = fakeMsg();
  const none = fakeMsg({ timestamps: {}, readDelayNs: undefined });
  const cut = fakeMsg({ truncated: true, data: Buffer.from('pi') });
  const late: TxTimestamps = { id: 3, software: T + 1n, missing: [] };
  const cases: Array<[string, () => void, () => void]> = [
    ['toHaveRxTimestamp', () => assertRxTimestamp(none), () => expect(none).toHaveRxTimestamp()],
    ['toHaveHardwareTimestamp', () => assertHardwareTimestamp(m), () => expect(m).toHaveHardwareTimestamp()],
    ['toHaveRxTimestampBetween', () => assertRxTimestampBetween(m, T + 1n, T + 2n), () => expect(m).toHaveRxTimestampBetween(T + 1n, T + 2n)],
    ['toHaveReadDelayBelow', () => assertReadDelayBelow(m, 1000n), () => expect(m).toHaveReadDelayBelow(1000n)],
    ['toArriveOn', () => assertArrivesOn(m, 'eth0'), () => expect(m).toArriveOn('eth0')],
    ['toHaveBeenSentWithTtl', () => assertSentWithTtl(m, 64), () => expect(m).toHaveBeenSentWithTtl(64)],
    ['toHaveMonotonicRxTimestamps', () => assertMonotonicRxTimestamps([m, none]), () => expect([m, none]).toHaveMonotonicRxTimestamps()],
    ['toArriveComplete', () => assertArrivesComplete(cut), () => expect(cut).toArriveComplete()],
    ['toHaveTxTimestampBefore', () => assertTxTimestampBefore(late, m), () => expect(late).toHaveTxTimestampBefore(m)],
  ];
  for (const [operator, plain, matcher] of cases) {
    it(operator, () => {
      const e = thrown(plain);
      expect(e).toBeInstanceOf(AssertionError);
      expect((e as AssertionError).operator).toBe(operator);
      expect((e as AssertionError).generatedMessage).toBe(false);
      expect(e.message).toBe(thrown(matcher).message);
      expect(e.message.startsWith('expected ')).toBe(true);
    });
  }

  it('checks and the raw matcher functions give the same text (for other runners / expect libraries)', () => {
    const r = disptapMatchers.toArriveOn.call({ isNot: false }, m, 'eth0');
    const viaMatcher = r.message();
    expect(r.pass).toBe(false);
    expect(checks.toArriveOn(m, 'eth0')).toEqual({ pass: false, message: viaMatcher });
    expect(assertionMessage(() => assertArrivesOn(m, 'eth0'))).toBe(viaMatcher);
    expect(viaMatcher).toBe('expected datagram from 127.0.0.1:40000 (4 bytes) to arrive on eth0, but it arrived on lo (ifIndex 1)');
  });

  it('expect.extend(disptapMatchers) is what installMatchers(expect) does', () => {
    expect.extend(disptapMatchers);
    expect(fakeMsg()).toArriveOn('lo');
    expect(thrown(() => expect(fakeMsg()).toArriveOn(2)).message).toBe(
      'expected datagram from 127.0.0.1:40000 (4 bytes) to arrive on ifIndex 2, but it arrived on lo (ifIndex 1)',
    );
  });

  it('the stack starts at the caller, not inside the kit', () => {
    const e = thrown(() => assertRxTimestamp(none));
    expect(e.stack!.split('\n')[1]).toContain('assertions.test.ts');
  });

  it('a wrong value is an AssertionError too; wrong expected arguments are TypeError/RangeError', () => {
    expect(assertionMessage(() => assertRxTimestamp(42))).toBe('expected an RxMessage (from tap.receive()), got 42');
    expect(assertionMessage(() => assertMonotonicRxTimestamps('abc'))).toBe("expected an array of RxMessage, got 'abc'");
    expect(thrown(() => assertSentWithTtl(m, -1))).toBeInstanceOf(RangeError);
    expect(thrown(() => assertRxTimestampBetween(m, 'x' as unknown as bigint, 1n))).toBeInstanceOf(TypeError);
  });

  it('assertTxTimestampBefore on a SendResult returns a promise that rejects with AssertionError', async () => {
    const { msg, sent } = await roundTrip(tx, rx, 'late', { txTimestamps: 'software' });
    const ts = (await sent.tx)!;
    const earlier: RxMessage = { ...msg, timestamps: { software: ts.software! - 1_000n } };
    const e = await rejected(assertTxTimestampBefore(sent, earlier));
    expect(e).toBeInstanceOf(AssertionError);
    expect(e.message).toContain(`is 1.000 µs (1000 ns) after RX`);
  });

  it('a SendResult whose TX timestamps never came for another reason (tap closed) rejects naming it', async () => {
    const t = await taps.open({ address: '127.0.0.1' });
    const sent = await t.send('x', rx.address(), { txTimestamps: 'hardware', txTimeoutMs: 5000 });
    t.close();
    const e = await rejected(assertTxTimestampBefore(sent, fakeMsg()));
    expect(e).toBeInstanceOf(AssertionError);
    expect(e.message).toBe(`the TX timestamps of send #${sent.id} never arrived: send (TX timestamp): the tap is closed`);
    await rx.receive({ timeoutMs: 2000 }); // the datagram itself still arrived: keep the queue clean
  });
});
