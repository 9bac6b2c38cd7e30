// startPoll / stopPoll of the native sockets (native/common/polled_socket.h, ready_queue.cc).
// * startPoll(0) (or events that mask to 0) watches nothing: it used to take the strong reference
//   that keeps a polling socket alive anyway, and nothing dropped it unless stopPoll or close came,
//   so a socket left that way was never collected and its fd never closed.
// * stopPoll used to leave the socket in the ready queue: a socket stopped by another socket's
//   handler in the same loop turn still got its callback.
import { describe, expect, it } from 'vitest';
import { native } from '../../src/sys/native.js';
import { fdIsOpen, gcUntil, openFdCount } from '../helpers/fds.js';

const lo4 = Uint8Array.of(127, 0, 0, 1);
const UV_READABLE = 1;

/** A bound socket that is referenced from nowhere once this returns; its fd. */
function abandoned(setup: (s: InstanceType<typeof native.UdpSocket>) => void): number {
  const s = new native.UdpSocket(4, () => undefined);
  s.bind(lo4, 0, 0, '127.0.0.1');
  setup(s);
  return s.fd;
}

const turn = () => new Promise((r) => setTimeout(r, 20));

describe('startPoll / stopPoll', () => {
  it.each([
    ['startPoll(0)', (s: InstanceType<typeof native.UdpSocket>) => s.startPoll(0)],
    ['startPoll(UV_READABLE) then startPoll(0)', (s: InstanceType<typeof native.UdpSocket>) => (s.startPoll(UV_READABLE), s.startPoll(0))],
    ['startPoll(UV_DISCONNECT only: masks to 0)', (s: InstanceType<typeof native.UdpSocket>) => s.startPoll(4)],
    ['startPoll(0) twice', (s: InstanceType<typeof native.UdpSocket>) => (s.startPoll(0), s.startPoll(0))],
    ['startPoll(UV_READABLE) then stopPoll()', (s: InstanceType<typeof native.UdpSocket>) => (s.startPoll(UV_READABLE), s.stopPoll())],
  ])('%s, then dropped without close: collected, fd closed', async (_name, setup) => {
    const base = openFdCount();
    const fd = abandoned(setup);
    expect(await gcUntil(() => !fdIsOpen(fd))).toBe(true);
    expect(openFdCount()).toBe(base);
  });

  it('startPoll(0) stops a running poll: no callback for a queued datagram', async () => {
    let calls = 0;
    const s = new native.UdpSocket(4, () => calls++);
    s.bind(lo4, 0, 0, '127.0.0.1');
    const port = s.localAddress().port;
    s.startPoll(UV_READABLE);
    s.startPoll(0);
    s.sendMsg(Buffer.from('x'), lo4, port, 0, null);
    await turn();
    expect(calls).toBe(0);
    s.startPoll(UV_READABLE); // and it can be started again
    await turn();
    expect(calls).toBeGreaterThan(0);
    s.close();
  });

  it('stopPoll from another socket’s handler in the same turn: the stopped socket gets no callback', async () => {
    const calls: string[] = [];
    const socks: Array<InstanceType<typeof native.UdpSocket>> = [];
    const stopAll = () => {
      for (const s of socks) s.stopPoll();
    };
    for (const name of ['a', 'b', 'c']) {
      const s = new native.UdpSocket(4, () => {
        calls.push(name);
        stopAll();
      });
      s.bind(lo4, 0, 0, '127.0.0.1');
      socks.push(s);
    }
    // every socket readable before any poll starts: all three are ready in the same turn
    for (const s of socks) s.sendMsg(Buffer.from('x'), lo4, s.localAddress().port, 0, null);
    for (const s of socks) s.startPoll(UV_READABLE);
    await turn();
    await turn();
    expect(calls).toHaveLength(1);
    for (const s of socks) s.close();
  });

  it('startPoll(0) / stopPoll, then close: fd closed at once, a second close is a no-op', () => {
    const base = openFdCount();
    const s = new native.UdpSocket(4, () => undefined);
    s.startPoll(0);
    s.stopPoll();
    s.startPoll(UV_READABLE);
    s.startPoll(0);
    const fd = s.fd;
    s.close();
    expect(fdIsOpen(fd)).toBe(false);
    s.close();
    expect(openFdCount()).toBe(base);
  });
});
