// Transit on the real loopback with a forwarder standing in for the shim: the reported transit
// times bracket each injected delay and are never negative; dropped datagrams come out unmatched;
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
/** Upper slack over the injected delay: scheduling on a loaded 2-core CI machine. */
const SLACK = 250n * MS;

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
    it(`IPv${family}: per-packet transit brackets the injected delay; drops are unmatched; SCMP echo turnaround`, async () => {
      const { fwd, client, host } = await setup(family);
      const capture = await openCapture({ interface: 'lo', ports: [fwd.inPort, fwd.outPort] });
      cleanup.push(() => capture.close());
      const classifier = { inPorts: [{ from: fwd.inPort, to: fwd.inPort }], outPorts: [{ from: fwd.outPort, to: fwd.outPort }] };
      const pairer = new TransitPairer<CaptureRecord>({ timeoutNs: 1500n * MS });
      const events: TransitEvent<CaptureRecord>[] = [];
      capture.on('record', (r) => {
        const side = classifyTransit(r, classifier);
        if (side) events.push(...(side === 'in' ? pairer.pushIn(r) : pairer.pushOut(r)));
      });

      const delays = [0, 2, 5, 10, 20, 35, 50, 3, 15, 25];
      for (const [i, d] of delays.entries()) await sendTo(client, `D${d}:packet ${i}`, fwd.inPort, host);
      await sendTo(client, 'DROP: this one the dispatcher loses', fwd.inPort, host);
      await sendTo(client, 'DROP: and this one', fwd.inPort, host);
      await sendTo(client, scmpPacket({ type: 128, identifier: 12, sequence: 1, data: Buffer.from('echo') }), fwd.inPort, host);

      const deadline = Date.now() + 10_000;
      const unmatchedIn = () => events.filter((e) => e.kind === 'unmatched' && e.side === 'in').length;
      while ((events.filter((e) => e.kind === 'pair').length < delays.length + 1 || unmatchedIn() < 2) && Date.now() < deadline) {
        await sleep(50);
        events.push(...pairer.expire(clock.realtimeNs()));
      }
      const got = events.filter((e) => e.kind === 'pair');
      expect(got).toHaveLength(delays.length + 1);
      for (const p of got) {
        const want = delayOf(p.in.data);
        expect(p.transitNs, p.in.data.toString('latin1')).toBeGreaterThanOrEqual(want);
        expect(p.transitNs, p.in.data.toString('latin1')).toBeLessThan(want + SLACK);
        expect(p.in.direction).toBe('in');
        expect(p.out.direction).toBe('out');
        expect(p.transitNs).toBe(p.out.timestamps.software! - p.in.timestamps.software!);
      }
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
      for await (const e of pairTransit(ins, outs, { timeoutNs: 500n * MS })) evs.push(e);
      return evs;
    })();
    await sleep(20);
    for (let i = 0; i < N; i++) await sendTo(client, `D${i % 4}:burst ${i}`, fwd.inPort, host);
    await sendTo(client, 'DROP: lost', fwd.inPort, host);
    const deadline = Date.now() + 3000;
    while (outs.stats().records < N && Date.now() < deadline) await sleep(20);
    await sleep(50);
    ins.close();
    outs.close();
    const evs = await run;
    const pairs = evs.filter((e) => e.kind === 'pair');
    expect(pairs).toHaveLength(N);
    for (const p of pairs) {
      expect(p.transitNs).toBeGreaterThanOrEqual(delayOf(p.in.data));
      expect(p.transitNs).toBeLessThan(delayOf(p.in.data) + SLACK);
    }
    expect(evs.filter((e) => e.kind === 'unmatched').map((e) => e.kind === 'unmatched' && e.record.data.toString())).toEqual(['DROP: lost']);
  });
});
