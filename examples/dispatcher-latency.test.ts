// Example: test scripts for a UDP dispatcher and an NTP-style server, written with disptap/testing.
// It runs as part of `npm test`. In your own project import from 'disptap/testing' and 'disptap'.
//
// The dispatcher and the server are toys in this test's own event loop, so the example runs on any
// Linux box over loopback. Against a real dispatcher, replace ToyDispatcher with whatever registers
// a backend with it, and tighten FORWARD_BUDGET_NS to the real budget (typically 200 µs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openUdp, type Destination, type RxMessage, type SendResult, type TapAddress, type UdpTap } from '../src/index.js';
import { capture, clock, estimateClockOffset, installMatchers, sendAndCapture, toRealtimeNs } from '../src/testing/index.js';

installMatchers(expect); // usually done once, in a vitest setup file

/** The toy forwards in JavaScript on a shared, busy test machine: allow far more than 200 µs. */
const FORWARD_BUDGET_NS = 50_000_000n; // 50 ms

/** Forwards every datagram to the registered backend, one TTL less, as a dispatcher/router would. */
class ToyDispatcher {
  #backend: TapAddress | undefined;
  private constructor(readonly tap: UdpTap) {
    tap.on('message', (m: RxMessage) => {
      if (this.#backend) void this.tap.send(m.data, this.#backend, { ttl: Math.max(0, (m.ttl ?? 64) - 1) });
    });
  }
  static async start(): Promise<ToyDispatcher> {
    return new ToyDispatcher(await openUdp({ address: '127.0.0.1' }));
  }
  /** Registers where to forward; returns the address clients send to. */
  register(backend: TapAddress): Destination {
    this.#backend = backend;
    return this.tap.address();
  }
  close(): void {
    this.tap.close();
  }
}

describe('dispatcher', () => {
  let dispatcher: ToyDispatcher;
  beforeEach(async () => {
    dispatcher = await ToyDispatcher.start();
  });
  afterEach(() => dispatcher.close());

  it('forwards every datagram whole, in order, on lo, one hop down, within budget', async () => {
    const { sent, received } = await sendAndCapture({ address: '127.0.0.1', port: 0 }, ['one', 'two', 'three'], {
      to: (backend) => dispatcher.register(backend), // the backend is the capture address
      send: { ttl: 5 }, // software TX timestamps are asked for by default
    });

    expect(received.map((m) => m.data.toString())).toEqual(['one', 'two', 'three']);
    expect(received).toArriveComplete(); // "no packet may arrive truncated"
    expect(received).toHaveMonotonicRxTimestamps();
    received.forEach((msg, i) => {
      expect(msg).toArriveOn('lo');
      expect(msg).toHaveBeenSentWithTtl(4); // the dispatcher is one hop
      expect(msg).toHaveReadDelayBelow(FORWARD_BUDGET_NS);
      // "the dispatcher must forward within its budget": our TX → the backend's RX
      expect(sent[i]!.tx).toHaveTxTimestampBefore(msg, { withinNs: FORWARD_BUDGET_NS });
    });
  });

  it('the same with capture(): send from your own socket inside the callback', async () => {
    const client = await openUdp({ address: '127.0.0.1' });
    const results: SendResult[] = [];
    const received = await capture({ address: '127.0.0.1', port: 0, count: 2 }, async (backend) => {
      const to = dispatcher.register(backend);
      results.push(await client.send('a', to, { txTimestamps: 'software' }));
      results.push(await client.send('b', to, { txTimestamps: 'software' }));
    });
    expect(received).toHaveLength(2);
    // A SendResult still holds its TX timestamps as a promise: await the matcher.
    await expect(results[0]!).toHaveTxTimestampBefore(received[0]!, { withinNs: FORWARD_BUDGET_NS });
    expect(await results[1]!.tx).toHaveTxTimestampBefore(received[1]!, { withinNs: FORWARD_BUDGET_NS });
    client.close();
  });
});

describe('NTP-style exchange', () => {
  it("the server's reply TX timestamp precedes our RX timestamp", async () => {
    const server = await openUdp({ address: '127.0.0.1' });
    const replies: Array<Promise<SendResult>> = [];
    server.on('message', (m: RxMessage) => replies.push(server.send(m.data, m.src, { txTimestamps: 'software' })));
    const client = await openUdp({ address: '127.0.0.1' });

    const request = await client.send('ntp?', server.address(), { txTimestamps: 'software' });
    const reply = await client.receive({ timeoutMs: 2000 });

    expect(reply).toHaveRxTimestamp();
    expect(await request.tx).toHaveTxTimestampBefore(reply); // our request left before the reply came
    await expect((await replies[0]!).tx).resolves.toHaveTxTimestampBefore(reply); // server TX ≤ our RX
    client.close();
    server.close();
  });

  it("relates the kernel's RX timestamp to the script's own monotonic clock", async () => {
    const offset = estimateClockOffset({ samples: 64 });
    const t0 = clock.monotonicNs();
    const { received } = await sendAndCapture({ port: 0 }, 'tick');
    const t1 = clock.monotonicNs();
    // RX timestamps are CLOCK_REALTIME; the script timed itself on CLOCK_MONOTONIC.
    expect(received[0]).toHaveRxTimestampBetween(toRealtimeNs(t0, offset) - offset.uncertaintyNs, toRealtimeNs(t1, offset) + offset.uncertaintyNs);
  });
});

describe('payload sizes', () => {
  it('no datagram up to 1472 bytes arrives truncated in a 2 KiB slot', async () => {
    const sizes = [1, 512, 1200, 1472];
    const { received } = await sendAndCapture(
      { address: '127.0.0.1', port: 0, maxMessageSize: 2048 },
      sizes.map((n) => Buffer.alloc(n, 0x5a)),
    );
    expect(received.map((m) => m.length)).toEqual(sizes);
    expect(received).toArriveComplete();
  });
});
