// The vitest matchers of disptap/testing: each passes on real loopback traffic and fails with its
// documented message (exact text) on wrong input; `.not` explains why it passed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clock, decodeControl, type RxMessage, type TxTimestamps, type UdpTap } from '../../src/index.js';
import { installMatchers } from '../../src/testing/index.js';
import { timespecs, craft } from '../helpers/cmsg-builder.js';
import { at, dur, fakeMsg, rejected, T, Taps, thrown, roundTrip } from './helpers.js';

installMatchers(expect);

const taps = new Taps();
let rx: UdpTap;
let tx: UdpTap;
beforeAll(async () => {
  rx = await taps.open({ address: '127.0.0.1' });
  tx = await taps.open({ address: '127.0.0.1' });
});
afterAll(() => taps.closeAll());

const extra = new Taps();
afterEach(() => extra.closeAll());

const NO_TS = "no SCM_TIMESTAMPING cmsg: timestamps were off (open the tap with timestamps: 'software' or 'hardware')";
const CTRUNC_TS = 'the control buffer was truncated (MSG_CTRUNC), so the SCM_TIMESTAMPING cmsg may have been cut off: raise controlBufferSize';
const ONLY_SW =
  "the SCM_TIMESTAMPING cmsg had only a software stamp (ts[2] was 0): the NIC did not timestamp this packet (hardware RX stamps need timestamps: 'hardware' and a NIC with hardware timestamping switched on; loopback never has them)";

/** The describe-string of a real datagram from `tx`. */
const from = (m: RxMessage, bytes = m.length) => `datagram from 127.0.0.1:${m.src.port} (${bytes} byte${bytes === 1 ? '' : 's'})`;

/** A message off a tap opened with `opts` (to exercise missing metadata for real). */
async function messageFrom(opts: Parameters<Taps['open']>[0], data = 'ping'): Promise<RxMessage> {
  const t = await extra.open({ address: '127.0.0.1', ...opts });
  return (await roundTrip(tx, t, data)).msg;
}

/** A real message with a hardware stamp decoded by the native parser from a crafted SCM_TIMESTAMPING. */
function withHardware(m: RxMessage, hw: bigint): RxMessage {
  const meta = decodeControl(craft([{ level: 1, type: 37, data: timespecs(m.timestamps.software!, 0n, hw) }]));
  return { ...m, timestamps: meta.timestamps };
}

describe('toHaveRxTimestamp', () => {
  it('passes on a real datagram; .not shows the stamp', async () => {
    const { msg } = await roundTrip(tx, rx);
    expect(msg).toHaveRxTimestamp();
    expect(thrown(() => expect(msg).not.toHaveRxTimestamp()).message).toBe(
      `expected ${from(msg)} not to have an RX timestamp, but timestamps.software = ${at(msg.timestamps.software!)}`,
    );
  });

  it("fails with 'timestamps were off' on a tap opened with timestamps: 'none'", async () => {
    const msg = await messageFrom({ timestamps: 'none' });
    expect(thrown(() => expect(msg).toHaveRxTimestamp()).message).toBe(`expected ${from(msg)} to have an RX timestamp, but timestamps.software is missing: ${NO_TS}`);
  });

  it('fails naming MSG_CTRUNC when the control buffer was too small (real, controlBufferSize 0)', async () => {
    const msg = await messageFrom({ controlBufferSize: 0 });
    expect(msg.controlTruncated).toBe(true);
    expect(thrown(() => expect(msg).toHaveRxTimestamp()).message).toBe(`expected ${from(msg)} to have an RX timestamp, but timestamps.software is missing: ${CTRUNC_TS}`);
  });

  it('a value that is no RxMessage fails, with .not too (it must never pass silently)', () => {
    expect(thrown(() => expect(5).toHaveRxTimestamp()).message).toBe('expected an RxMessage (from tap.receive()), got 5');
    expect(thrown(() => expect(undefined).not.toHaveRxTimestamp()).message).toBe('expected an RxMessage (from tap.receive()), got undefined');
    expect(thrown(() => expect({ a: 1 }).toHaveRxTimestamp()).message).toBe('expected an RxMessage (from tap.receive()), got { a: 1 }');
  });
});

describe('toHaveHardwareTimestamp', () => {
  it('passes on a datagram whose SCM_TIMESTAMPING carried ts[2] (decoded natively from crafted bytes)', async () => {
    const { msg } = await roundTrip(tx, rx);
    const hw = msg.timestamps.software! - 1234n;
    const m = withHardware(msg, hw);
    expect(m).toHaveHardwareTimestamp();
    expect(thrown(() => expect(m).not.toHaveHardwareTimestamp()).message).toBe(
      `expected ${from(m)} not to have a hardware RX timestamp, but timestamps.hardware = ${at(hw)}`,
    );
  });

  it('fails on real loopback traffic: only a software stamp, and says why', async () => {
    const msg = await messageFrom({ timestamps: 'hardware' });
    expect(thrown(() => expect(msg).toHaveHardwareTimestamp()).message).toBe(
      `expected ${from(msg)} to have a hardware RX timestamp, but timestamps.hardware is missing: ${ONLY_SW}`,
    );
  });

  it("fails with 'timestamps were off' when there was no timestamp cmsg at all", async () => {
    const msg = await messageFrom({ timestamps: 'none' });
    expect(thrown(() => expect(msg).toHaveHardwareTimestamp()).message).toBe(
      `expected ${from(msg)} to have a hardware RX timestamp, but timestamps.hardware is missing: ${NO_TS}`,
    );
  });
});

describe('toHaveRxTimestampBetween', () => {
  it('passes between realtime readings taken around the send; .not shows both margins', async () => {
    const before = clock.realtimeNs();
    const { msg } = await roundTrip(tx, rx);
    const after = clock.realtimeNs();
    expect(msg).toHaveRxTimestampBetween(before, after);
    const t = msg.timestamps.software!;
    expect(msg).toHaveRxTimestampBetween(t, t); // both ends included
    expect(thrown(() => expect(msg).not.toHaveRxTimestampBetween(before, after)).message).toBe(
      `expected ${from(msg)} not to have an RX timestamp between ${at(before)} and ${at(after)}, but timestamps.software = ${at(t)} is ${dur(t - before)} after the start and ${dur(after - t)} before the end`,
    );
  });

  it('fails before the start / after the end with the difference in µs and ns', () => {
    const m = fakeMsg();
    expect(thrown(() => expect(m).toHaveRxTimestampBetween(T + 12_345n, T + 20_000n)).message).toBe(
      'expected datagram from 127.0.0.1:40000 (4 bytes) to have an RX timestamp between 1700000000123469134 ns (2023-11-14T22:13:20.123469134Z) and 1700000000123476789 ns (2023-11-14T22:13:20.123476789Z), but timestamps.software = 1700000000123456789 ns (2023-11-14T22:13:20.123456789Z) is 12.345 µs (12345 ns) before the start',
    );
    expect(thrown(() => expect(m).toHaveRxTimestampBetween(T - 5_000_000n, T - 3_000n)).message).toBe(
      'expected datagram from 127.0.0.1:40000 (4 bytes) to have an RX timestamp between 1700000000118456789 ns (2023-11-14T22:13:20.118456789Z) and 1700000000123453789 ns (2023-11-14T22:13:20.123453789Z), but timestamps.software = 1700000000123456789 ns (2023-11-14T22:13:20.123456789Z) is 3.000 µs (3000 ns) after the end',
    );
  });

  it('says so when the bounds came from the monotonic clock (real traffic)', async () => {
    const before = clock.monotonicNs();
    const { msg } = await roundTrip(tx, rx);
    const after = clock.monotonicNs();
    const t = msg.timestamps.software!;
    expect(thrown(() => expect(msg).toHaveRxTimestampBetween(before, after)).message).toBe(
      `expected ${from(msg)} to have an RX timestamp between ${at(before)} and ${at(after)}, but timestamps.software = ${at(t)} is ${dur(t - after)} after the end; the bounds look like CLOCK_MONOTONIC readings, RX timestamps are CLOCK_REALTIME (take them with clock.realtimeNs())`,
    );
  });

  it('fails on a missing timestamp; rejects bad bounds with TypeError/RangeError', async () => {
    const msg = await messageFrom({ timestamps: 'none' });
    expect(thrown(() => expect(msg).toHaveRxTimestampBetween(1n, 2n)).message).toBe(
      `expected ${from(msg)} to have an RX timestamp between 1 ns (1970-01-01T00:00:00.000000001Z) and 2 ns (1970-01-01T00:00:00.000000002Z), but timestamps.software is missing: ${NO_TS}`,
    );
    expect(thrown(() => expect(msg).toHaveRxTimestampBetween(2n, 1n))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'toHaveRxTimestampBetween: start 2 is after end 1' });
    expect(thrown(() => expect(msg).toHaveRxTimestampBetween(1.5 as unknown as bigint, 2n))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('toHaveReadDelayBelow', () => {
  it('passes on real traffic (bigint or number limit); .not shows the margin', async () => {
    const { msg } = await roundTrip(tx, rx);
    expect(msg).toHaveReadDelayBelow(1_000_000_000n);
    expect(msg).toHaveReadDelayBelow(1_000_000_000);
    const d = msg.readDelayNs!;
    expect(thrown(() => expect(msg).not.toHaveReadDelayBelow(1_000_000_000n)).message).toBe(
      `expected ${from(msg)} not to have a read delay below 1000000.000 µs (1000000000 ns), but readDelayNs = ${dur(d)} is ${dur(1_000_000_000n - d)} under the limit`,
    );
  });

  it('fails over the limit with the excess; real traffic cannot beat a 0 ns limit', async () => {
    expect(thrown(() => expect(fakeMsg()).toHaveReadDelayBelow(200_000n)).message).toBe(
      'expected datagram from 127.0.0.1:40000 (4 bytes) to have a read delay below 200.000 µs (200000 ns), but readDelayNs = 250.123 µs (250123 ns) is 50.123 µs (50123 ns) over the limit',
    );
    const { msg } = await roundTrip(tx, rx);
    const d = msg.readDelayNs!;
    expect(thrown(() => expect(msg).toHaveReadDelayBelow(0n)).message).toBe(
      `expected ${from(msg)} to have a read delay below 0.000 µs (0 ns), but readDelayNs = ${dur(d)} is ${dur(d)} over the limit`,
    );
  });

  it('fails when there is no read delay (no software stamp)', async () => {
    const msg = await messageFrom({ timestamps: 'none' });
    expect(thrown(() => expect(msg).toHaveReadDelayBelow(1000n)).message).toBe(
      `expected ${from(msg)} to have a read delay below 1.000 µs (1000 ns), but readDelayNs is missing (it is readAt − timestamps.software): ${NO_TS}`,
    );
  });
});

describe('toArriveOn', () => {
  it("passes with 'lo' and with its ifIndex; .not names the interface", async () => {
    const { msg } = await roundTrip(tx, rx);
    expect(msg).toArriveOn('lo');
    expect(msg).toArriveOn(1);
    expect(thrown(() => expect(msg).not.toArriveOn('lo')).message).toBe(`expected ${from(msg)} not to arrive on lo, but it arrived on lo (ifIndex 1)`);
  });

  it('fails on another name or index, showing where it arrived', async () => {
    const { msg } = await roundTrip(tx, rx);
    expect(thrown(() => expect(msg).toArriveOn('eth0')).message).toBe(`expected ${from(msg)} to arrive on eth0, but it arrived on lo (ifIndex 1)`);
    expect(thrown(() => expect(msg).toArriveOn(2)).message).toBe(`expected ${from(msg)} to arrive on ifIndex 2, but it arrived on lo (ifIndex 1)`);
  });

  it('fails naming IP_PKTINFO / IPV6_PKTINFO when pktinfo was off', async () => {
    const m4 = await messageFrom({ pktinfo: false });
    expect(thrown(() => expect(m4).toArriveOn('lo')).message).toBe(
      `expected ${from(m4)} to arrive on lo, but dst is missing: no IP_PKTINFO cmsg: pktinfo was off (open the tap with pktinfo: true)`,
    );
    const r6 = await extra.open({ address: '::1', pktinfo: false });
    const s6 = await extra.open({ address: '::1' });
    const { msg: m6 } = await roundTrip(s6, r6);
    expect(thrown(() => expect(m6).toArriveOn(1)).message).toBe(
      `expected datagram from [::1]:${m6.src.port} (4 bytes) to arrive on ifIndex 1, but dst is missing: no IPV6_PKTINFO cmsg: pktinfo was off (open the tap with pktinfo: true)`,
    );
  });

  it('an index without a name fails a by-name check; bad arguments are rejected', () => {
    const m = fakeMsg({ dst: { address: '10.0.0.1', ifIndex: 77 }, ifName: undefined });
    expect(thrown(() => expect(m).toArriveOn('eth9')).message).toBe(
      'expected datagram from 127.0.0.1:40000 (4 bytes) to arrive on eth9, but ifName is missing: ifIndex 77 has no name (the interface is gone)',
    );
    expect(thrown(() => expect(m).toArriveOn(1)).message).toBe('expected datagram from 127.0.0.1:40000 (4 bytes) to arrive on ifIndex 1, but it arrived on ifIndex 77');
    expect(m).toArriveOn(77);
    expect(thrown(() => expect(m).toArriveOn(''))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => expect(m).toArriveOn(0))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });
});

describe('toHaveBeenSentWithTtl', () => {
  it('passes with the TTL the sender chose; fails with the one that arrived', async () => {
    const { msg } = await roundTrip(tx, rx, 'ping', { ttl: 9 });
    expect(msg).toHaveBeenSentWithTtl(9);
    expect(thrown(() => expect(msg).toHaveBeenSentWithTtl(64)).message).toBe(`expected ${from(msg)} to have been sent with TTL 64, but it arrived with TTL 9`);
    expect(thrown(() => expect(msg).not.toHaveBeenSentWithTtl(9)).message).toBe(`expected ${from(msg)} not to have been sent with TTL 9, but it arrived with TTL 9`);
  });

  it('IPv6 says hop limit', async () => {
    const r6 = await extra.open({ address: '::1' });
    const s6 = await extra.open({ address: '::1' });
    const { msg } = await roundTrip(s6, r6, 'ping', { ttl: 3 });
    expect(msg).toHaveBeenSentWithTtl(3);
    expect(thrown(() => expect(msg).toHaveBeenSentWithTtl(64)).message).toBe(
      `expected datagram from [::1]:${msg.src.port} (4 bytes) to have been sent with hop limit 64, but it arrived with hop limit 3`,
    );
  });

  it('fails naming IP_TTL when the tap did not ask for it; rejects an impossible TTL', async () => {
    const msg = await messageFrom({ ttl: false });
    expect(thrown(() => expect(msg).toHaveBeenSentWithTtl(64)).message).toBe(
      `expected ${from(msg)} to have been sent with TTL 64, but ttl is missing: no IP_TTL cmsg: ttl was off (open the tap with ttl: true)`,
    );
    expect(thrown(() => expect(msg).toHaveBeenSentWithTtl(256))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  });
});

describe('toHaveMonotonicRxTimestamps', () => {
  it('passes on a real burst; .not shows the span', async () => {
    for (let i = 0; i < 50; i++) await tx.send(`m${i}`, rx.address());
    const msgs: RxMessage[] = [];
    for (let i = 0; i < 50; i++) msgs.push(await rx.receive({ timeoutMs: 2000 }));
    expect(msgs).toHaveMonotonicRxTimestamps();
    expect([]).toHaveMonotonicRxTimestamps();
    const span = msgs[49]!.timestamps.software! - msgs[0]!.timestamps.software!;
    expect(thrown(() => expect(msgs).not.toHaveMonotonicRxTimestamps()).message).toBe(
      `expected 50 datagrams not to have non-decreasing RX timestamps, but each is at or after the one before (first to last: ${dur(span)})`,
    );
  });

  it('fails at the first step back, naming both datagrams (real traffic, reordered)', async () => {
    await tx.send('a', rx.address());
    const a = await rx.receive({ timeoutMs: 2000 });
    // b is sent after a has arrived and the clock has moved on, so its stamp is strictly later
    // (equal stamps would be no step back, and the reordered pair would then pass)
    await new Promise((resolve) => setTimeout(resolve, 2));
    await tx.send('b', rx.address());
    const b = await rx.receive({ timeoutMs: 2000 });
    const [ta, tb] = [a.timestamps.software!, b.timestamps.software!];
    expect(tb).toBeGreaterThan(ta);
    expect(thrown(() => expect([b, a]).toHaveMonotonicRxTimestamps()).message).toBe(
      `expected 2 datagrams to have non-decreasing RX timestamps, but #1 (timestamps.software = ${at(ta)}) is ${dur(tb - ta)} before #0 (timestamps.software = ${at(tb)})`,
    );
  });

  it('fails on a datagram without a timestamp, and on something that is no array of messages', () => {
    const msgs = [fakeMsg(), fakeMsg({ timestamps: {}, readDelayNs: undefined })];
    expect(thrown(() => expect(msgs).toHaveMonotonicRxTimestamps()).message).toBe(
      `expected 2 datagrams to have non-decreasing RX timestamps, but datagram #1 from 127.0.0.1:40000 (4 bytes) has no timestamps.software: ${NO_TS}`,
    );
    expect(thrown(() => expect(fakeMsg()).toHaveMonotonicRxTimestamps()).message).toMatch(/^expected an array of RxMessage, got \{ data: <Buffer/);
    expect(thrown(() => expect([fakeMsg(), 'x']).not.toHaveMonotonicRxTimestamps()).message).toBe("expected an array of RxMessage, but #1 is 'x'");
  });
});

describe('toArriveComplete', () => {
  it('passes on whole datagrams, one or many', async () => {
    const { msg } = await roundTrip(tx, rx, Buffer.alloc(1400, 1));
    expect(msg).toArriveComplete();
    expect([msg, msg]).toArriveComplete();
    expect(thrown(() => expect(msg).not.toArriveComplete()).message).toBe(`expected ${from(msg)} not to arrive complete, but it did (payload and control data intact)`);
    expect(thrown(() => expect([msg]).not.toArriveComplete()).message).toBe('expected 1 datagram not to arrive complete, but every one did');
  });

  it('fails on a real MSG_TRUNC datagram with kept/real sizes', async () => {
    const msg = await messageFrom({ maxMessageSize: 16 }, 'x'.repeat(100));
    expect(thrown(() => expect(msg).toArriveComplete()).message).toBe(
      `expected datagram from 127.0.0.1:${msg.src.port} (16 of 100 bytes) to arrive complete, but it was truncated (MSG_TRUNC): 16 of 100 bytes kept, raise maxMessageSize`,
    );
    const ok = fakeMsg();
    const ct = fakeMsg({ controlTruncated: true });
    expect(thrown(() => expect([ok, ct]).toArriveComplete()).message).toBe(
      'expected 2 datagrams to arrive complete, but the control data of datagram #1 from 127.0.0.1:40000 (4 bytes) was truncated (MSG_CTRUNC): some metadata may be missing, raise controlBufferSize',
    );
    expect(thrown(() => expect([ok, msg]).toArriveComplete()).message).toBe(
      `expected 2 datagrams to arrive complete, but datagram #1 from 127.0.0.1:${msg.src.port} (16 of 100 bytes) was truncated (MSG_TRUNC): 16 of 100 bytes kept, raise maxMessageSize`,
    );
  });

  it('fails on a real MSG_CTRUNC datagram', async () => {
    const msg = await messageFrom({ controlBufferSize: 0 });
    expect(thrown(() => expect(msg).toArriveComplete()).message).toBe(
      `expected ${from(msg)} to arrive complete, but its control data was truncated (MSG_CTRUNC): some metadata may be missing, raise controlBufferSize`,
    );
  });
});

describe('toHaveTxTimestampBefore', () => {
  it('passes on real traffic: TxTimestamps, an awaited SendResult, .resolves, and with a budget', async () => {
    const { msg, sent } = await roundTrip(tx, rx, 'ping', { txTimestamps: ['sched', 'software'] });
    const ts = (await sent.tx)!;
    expect(ts).toHaveTxTimestampBefore(msg);
    expect(ts).toHaveTxTimestampBefore(msg, { kind: 'sched' });
    expect(ts).toHaveTxTimestampBefore(msg, { withinNs: 1_000_000_000n });
    await expect(sent).toHaveTxTimestampBefore(msg);
    await expect(sent.tx).resolves.toHaveTxTimestampBefore(msg);
    const r = msg.timestamps.software!;
    expect(thrown(() => expect(ts).not.toHaveTxTimestampBefore(msg)).message).toBe(
      `expected the software TX timestamp of send #${ts.id} not to be at or before the software RX timestamp of ${from(msg)}, but TX = ${at(ts.software!)} is ${dur(r - ts.software!)} before RX = ${at(r)}`,
    );
  });

  it('fails when TX is after RX, and when RX − TX is over the budget', () => {
    const m = fakeMsg();
    const late: TxTimestamps = { id: 7, software: T + 3_000n, missing: [] };
    expect(thrown(() => expect(late).toHaveTxTimestampBefore(m)).message).toBe(
      'expected the software TX timestamp of send #7 to be at or before the software RX timestamp of datagram from 127.0.0.1:40000 (4 bytes), but TX = 1700000000123459789 ns (2023-11-14T22:13:20.123459789Z) is 3.000 µs (3000 ns) after RX = 1700000000123456789 ns (2023-11-14T22:13:20.123456789Z)',
    );
    const slow: TxTimestamps = { id: 8, software: T - 250_123n, missing: [] };
    expect(thrown(() => expect(slow).toHaveTxTimestampBefore(m, { withinNs: 200_000n })).message).toBe(
      'expected the software TX timestamp of send #8 to be at or before the software RX timestamp of datagram from 127.0.0.1:40000 (4 bytes) and within 200.000 µs (200000 ns) of it, but RX = 1700000000123456789 ns (2023-11-14T22:13:20.123456789Z) is 250.123 µs (250123 ns) after TX = 1700000000123206666 ns (2023-11-14T22:13:20.123206666Z), 50.123 µs (50123 ns) over the limit',
    );
  });

  it('hardware on loopback: the TX stamp is missing and the message says the deadline passed', async () => {
    const { msg, sent } = await roundTrip(tx, rx, 'ping', { txTimestamps: ['software', 'hardware'], txTimeoutMs: 100 });
    const ts = (await sent.tx)!;
    expect(ts.missing).toEqual(['hardware']);
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(withHardware(msg, 5n), { kind: 'hardware' })).message).toBe(
      `expected the hardware TX timestamp of send #${ts.id} to be at or before the hardware RX timestamp of ${from(msg)}, but the hardware TX timestamp is missing: the kernel reported no hardware SCM_TSTAMP_SND stamp before the deadline (missing: hardware): hardware TX timestamps need a NIC with hardware timestamping switched on (SIOCSHWTSTAMP)`,
    );
  });

  it('a SendResult whose tx promise rejected (nothing arrived) fails the same way, asynchronously', async () => {
    const { msg, sent } = await roundTrip(tx, rx, 'ping', { txTimestamps: 'hardware', txTimeoutMs: 100 });
    const e = await rejected(expect(sent).toHaveTxTimestampBefore(msg, { kind: 'hardware' }));
    expect(e.message).toBe(
      `expected the hardware TX timestamp of send #${sent.id} to be at or before the hardware RX timestamp of ${from(msg)}, but the hardware TX timestamp is missing: the kernel reported no hardware SCM_TSTAMP_SND stamp before the deadline (missing: hardware): hardware TX timestamps need a NIC with hardware timestamping switched on (SIOCSHWTSTAMP)`,
    );
  });

  it('fails when the kind was never asked for, or the send asked for no TX timestamps at all', async () => {
    const { msg, sent } = await roundTrip(tx, rx, 'ping', { txTimestamps: 'software' });
    const ts = (await sent.tx)!;
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(msg, { kind: 'sched' })).message).toBe(
      `expected the sched TX timestamp of send #${ts.id} to be at or before the software RX timestamp of ${from(msg)}, but the sched TX timestamp is missing: it was not asked for (send with { txTimestamps: 'sched' })`,
    );
    const plain = await roundTrip(tx, rx);
    expect(thrown(() => expect(plain.sent).toHaveTxTimestampBefore(plain.msg)).message).toBe(
      `expected the software TX timestamp of the send to be at or before the software RX timestamp of ${from(plain.msg)}, but the send asked for no TX timestamps (send with { txTimestamps: 'software' })`,
    );
    const none = await plain.sent.tx;
    expect(thrown(() => expect(none).toHaveTxTimestampBefore(plain.msg)).message).toBe(
      "expected TX timestamps (await send(...).tx, a SendResult or a sendAndCapture() sent entry), got undefined (a send without txTimestamps has no tx: send with { txTimestamps: 'software' })",
    );
    expect(thrown(() => expect(42).not.toHaveTxTimestampBefore(plain.msg)).message).toBe(
      'expected TX timestamps (await send(...).tx, a SendResult or a sendAndCapture() sent entry), got 42',
    );
  });

  it('fails when the receiver has no RX timestamp; rejects a bad rx/kind/budget', async () => {
    const t = await extra.open({ address: '127.0.0.1', timestamps: 'none' });
    const { msg, sent } = await roundTrip(tx, t, 'ping', { txTimestamps: 'software' });
    const ts = (await sent.tx)!;
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(msg)).message).toBe(
      `expected the software TX timestamp of send #${ts.id} to be at or before the software RX timestamp of ${from(msg)}, but the software RX timestamp is missing: ${NO_TS}`,
    );
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(5 as unknown as RxMessage))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(msg, { kind: 'ack' as 'sched' }))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => expect(ts).toHaveTxTimestampBefore(msg, { withinNs: -1n }))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  });
});

describe('asymmetric use', () => {
  it('expect.toArriveOn(...) and friends work inside toContainEqual / toEqual', async () => {
    const { msg } = await roundTrip(tx, rx, 'ping', { ttl: 12 });
    expect([5, msg]).toContainEqual(expect.toHaveBeenSentWithTtl(12));
    expect({ m: msg }).toEqual({ m: expect.toArriveOn('lo') });
    expect(thrown(() => expect({ m: msg }).toEqual({ m: expect.toArriveOn('eth0') }))).toBeInstanceOf(Error);
  });
});
