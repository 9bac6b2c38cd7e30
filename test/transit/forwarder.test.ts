// Transit on the real loopback with a forwarder standing in for the shim: each reported transit is
// at least its injected delay, with both stamps inside the test's own clock window; dropped datagrams come out unmatched;
// an SCMP echo answered by the forwarder shows as a request → reply turnaround.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type Capture, type CaptureRecord } from '../../src/capture/index.js';
import { clock } from '../../src/sys/clock.js';
import { classifyTransit } from '../../src/transit/classify.js';
import { TransitPairer } from '../../src/transit/pairer.js';
import { pairTransit } from '../../src/transit/streams.js';
import type { TransitEvent } from '../../src/transit/types.js';
import { captureSkipReason } from '../capture/helpers/privileges.js';
import { closeSocket, sendTo, sleep, udpSender } from '../helpers/send.js';
import { holdTimestampingOn } from '../helpers/warm-timestamps.js';
import { startForwarder, type Forwarder } from './helpers/forwarder.js';
import { scmpPacket } from './helpers/scion.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[transit live tests skipped] ${skip}`);

const MS = 1_000_000n;
// These tests judge order and counts, not speed. A transit is at least its injected delay (the
// forwarder holds the datagram that long) and both of its stamps fall between a clock reading taken
// before the first send and one taken after the last datagram was seen; there is no upper bound
// on how late a starved forwarder may be. Deadlines only turn a hang into a failure.
/** How long the pairer waits for an output before an input is lost: far above any scheduling delay. */
const LOSS_TIMEOUT = 3000n * MS;
const PATIENCE_MS = 20_000;

/** Both stamps of a pair inside [t0, t1], in order, and the transit at least the injected delay. */
function judgePair(p: Extract<TransitEvent<CaptureRecord>, { kind: 'pair' }>, t0: bigint, t1: bigint): void {
  const what = p.in.data.toString('latin1');
  const tin = p.in.timestamps.software!;
  const tout = p.out.timestamps.software!;
  expect(tin, what).toBeGreaterThanOrEqual(t0);
  expect(tout, what).toBeLessThanOrEqual(t1);
  expect(p.transitNs, what).toBe(tout - tin);
  expect(p.transitNs, what).toBeGreaterThanOrEqual(delayOf(p.in.data));
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(family: 4 | 6 = 4): Promise<{ fwd: Forwarder; client: Awaited<ReturnType<typeof udpSender>>; host: string }> {
  const fwd = await startForwarder(family);
  cleanup.push(() => fwd.stop());
  const client = await udpSender(family);
  cleanup.push(() => closeSocket(client));
  return { fwd, client, host: family === 4 ? '127.0.0.1' : '::1' };
}

const delayOf = (data: Buffer): bigint => {
  const m = /^D(\d+):/.exec(data.toString('latin1'));
  if (m) return BigInt(m[1]!) * MS;
  return BigInt(data.readUInt16BE(40)) * MS; // SCMP echo: the identifier is the delay
};

describe.skipIf(skip !== null)('transit through a forwarder on lo', () => {
  // Transit is out-stamp minus in-stamp: both must be real kernel stamps (see warm-timestamps.ts).
  let keeper: Awaited<ReturnType<typeof holdTimestampingOn>> | undefined;
  beforeAll(async () => {
    keeper = await holdTimestampingOn();
  });
  afterAll(() => keeper?.close());

  for (const family of [4, 6] as const) {
    it(`IPv${family}: every packet paired once, transit at least the injected delay; drops are unmatched; SCMP echo turnaround`, async () => {
      const { fwd, client, host } = await setup(family);
      const capture = await openCapture({ interface: 'lo', ports: [fwd.inPort, fwd.outPort] });
      cleanup.push(() => capture.close());
      const classifier = { inPorts: [{ from: fwd.inPort, to: fwd.inPort }], outPorts: [{ from: fwd.outPort, to: fwd.outPort }] };
      const pairer = new TransitPairer<CaptureRecord>({ timeoutNs: LOSS_TIMEOUT });
      const events: TransitEvent<CaptureRecord>[] = [];
      capture.on('record', (r) => {
        const side = classifyTransit(r, classifier);
        if (side) events.push(...(side === 'in' ? pairer.pushIn(r) : pairer.pushOut(r)));
      });

      const delays = [0, 2, 5, 10, 20, 35, 50, 3, 15, 25];
      const t0 = clock.realtimeNs();
      for (const [i, d] of delays.entries()) await sendTo(client, `D${d}:packet ${i}`, fwd.inPort, host);
      await sendTo(client, 'DROP: this one the dispatcher loses', fwd.inPort, host);
      await sendTo(client, 'DROP: and this one', fwd.inPort, host);
      await sendTo(client, scmpPacket({ type: 128, identifier: 12, sequence: 1, data: Buffer.from('echo') }), fwd.inPort, host);

      const deadline = Date.now() + PATIENCE_MS;
      const unmatchedIn = () => events.filter((e) => e.kind === 'unmatched' && e.side === 'in').length;
      while ((events.filter((e) => e.kind === 'pair').length < delays.length + 1 || unmatchedIn() < 2) && Date.now() < deadline) {
        await sleep(50);
        events.push(...pairer.expire(clock.realtimeNs()));
      }
      const t1 = clock.realtimeNs();
      const got = events.filter((e) => e.kind === 'pair');
      expect(got).toHaveLength(delays.length + 1);
      for (const p of got) {
        judgePair(p, t0, t1);
        expect(p.in.direction).toBe('in');
        expect(p.out.direction).toBe('out');
      }
      // every datagram sent is paired exactly once
      expect(got.filter((p) => p.matcher === 'bytes').map((p) => p.in.data.toString('latin1')).sort()).toEqual(
        delays.map((d, i) => `D${d}:packet ${i}`).sort(),
      );
      const echo = got.find((p) => p.matcher === 'scmp-echo')!;
      expect(echo).toBeDefined();
      expect(echo.out.dst.port).toBe(client.address().port);
      expect(echo.out.src.port).toBe(fwd.inPort);
      expect(got.filter((p) => p.matcher === 'bytes')).toHaveLength(delays.length);

      const lost = events.filter((e) => e.kind === 'unmatched');
      expect(lost.map((e) => e.kind === 'unmatched' && `${e.side} ${e.reason} ${e.record.data.toString().slice(0, 4)}`)).toEqual([
        'in no-output DROP',
        'in no-output DROP',
      ]);
      const s = pairer.summary();
      expect(s.pairs).toBe(delays.length + 1);
      expect(s.byMatcher.bytes!.max!).toBeGreaterThanOrEqual(50n * MS);
      expect(s.byMatcher.bytes!.min!).toBeGreaterThanOrEqual(0n);
      expect(s.byMatcher.bytes!.p50!).toBeGreaterThanOrEqual(10n * MS);
      expect(s.unmatched.in['no-output']).toBe(2);
      expect(s.unmatched.out['no-input']).toBe(0);
    });
  }

  it('pairTransit over two independent captures (in copies of one port, out copies of the other)', async () => {
    const { fwd, client, host } = await setup(4);
    // Only what was sent to the dispatcher port, and only what was sent to the application port:
    // a forward leaves from the dispatcher port, so matching either port would see it on both sides.
    const ins: Capture = await openCapture({ interface: 'lo', ports: [fwd.inPort], portMatch: 'dst', direction: 'in' });
    const outs: Capture = await openCapture({ interface: 'lo', ports: [fwd.outPort], portMatch: 'dst', direction: 'out' });
    cleanup.push(() => ins.close(), () => outs.close());
    const N = 30;
    const run = (async () => {
      const evs: TransitEvent<CaptureRecord>[] = [];
      for await (const e of pairTransit(ins, outs, { timeoutNs: LOSS_TIMEOUT })) evs.push(e);
      return evs;
    })();
    await sleep(20);
    const t0 = clock.realtimeNs();
    for (let i = 0; i < N; i++) await sendTo(client, `D${i % 4}:burst ${i}`, fwd.inPort, host);
    await sendTo(client, 'DROP: lost', fwd.inPort, host);
    // wait for what was sent, not for a time: all N forwarded, and all N + 1 seen on the way in
    const deadline = Date.now() + PATIENCE_MS;
    while ((outs.stats().records < N || ins.stats().records < N + 1) && Date.now() < deadline) await sleep(20);
    const t1 = clock.realtimeNs();
    ins.close();
    outs.close();
    const evs = await run;
    const pairs = evs.filter((e) => e.kind === 'pair');
    expect(pairs).toHaveLength(N);
    for (const p of pairs) judgePair(p, t0, t1);
    expect(pairs.map((p) => p.in.data.toString()).sort()).toEqual(Array.from({ length: N }, (_, i) => `D${i % 4}:burst ${i}`).sort());
    expect(evs.filter((e) => e.kind === 'unmatched').map((e) => e.kind === 'unmatched' && e.record.data.toString())).toEqual(['DROP: lost']);
  });
});
