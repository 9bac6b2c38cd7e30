// The addon's own surface, called directly with junk: wrong types, wrong typed-array kinds, empty and
// detached buffers, NaN/±Infinity/-0/huge numbers, bigints, objects. The TypeScript layer validates
// first, but the native side must hold on its own: no crash, no abort, no read or write outside a
// buffer (run under scripts/asan-test.sh for the memory part), and every refusal a JS exception.
//
// Kept off the network and off the host's configuration: addresses given to calls that send are
// always loopback, hwtstampSet only sees interface names that do not exist, and raw fds are only
// this test's own sockets or numbers that are not open.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/sys/native.js';

const anyNative = native as unknown as Record<string, unknown>;

function detached(): Uint8Array {
  const ab = new ArrayBuffer(32);
  const view = new Uint8Array(ab, 8, 16);
  structuredClone(ab, { transfer: [ab] });
  return view; // byteLength 0 now, data pointer gone
}

/** Junk for one argument position. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, '', 'lo', 'eth0', 'x'.repeat(300), NaN, Infinity, -Infinity, -0, 0, -1, 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e300, 0.5),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.string({ maxLength: 20 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).subarray(1)),
  fc.integer({ min: 0, max: 64 }).map((n) => new Int32Array(n)),
  fc.integer({ min: 0, max: 16 }).map((n) => new BigInt64Array(n)),
  fc.integer({ min: 0, max: 64 }).map((n) => new Uint16Array(n)),
  fc.integer({ min: 0, max: 64 }).map((n) => new Float64Array(n)),
  fc.constant(0).map(() => new ArrayBuffer(16)),
  fc.constant(0).map(() => new DataView(new ArrayBuffer(16))),
  fc.constant(0).map(detached),
  fc.constant(0).map(() => [Buffer.from('a')]),
  fc.constant(0).map(() => ({ length: 5 })),
  fc.constant(0).map(() => () => undefined),
  fc.constant(0).map(() => Symbol('s')),
);
const args = fc.array(junk, { maxLength: 9 });

/** Any native function: called with junk, so its declared parameter types do not apply. */
type AnyFn = (...a: never[]) => unknown;

/** Calls f; a throw is fine if it is an Error (the addon never throws non-errors or crashes). */
function call(f: AnyFn, self: unknown, a: unknown[]): void {
  try {
    Reflect.apply(f, self, a);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
  }
}

const RUNS = 400;

describe('native surface under junk arguments', () => {
  const plain: Array<[string, AnyFn, unknown]> = [
    ['parseControl', native.parseControl, native],
    ['decodeControl', native.decodeControl, native],
    ['cmsgMacros', native.cmsgMacros, native],
    ['ifIndexToName', native.ifIndexToName, native],
    ['ifNameToIndex', native.ifNameToIndex, native],
    ['tsInfo', native.tsInfo, native],
    ['hwtstampGet', native.hwtstampGet, native],
    ['interfaces.byIndex', native.interfaces.byIndex, native.interfaces],
    ['interfaces.byName', native.interfaces.byName, native.interfaces],
    ['sockaddr.encode', native.sockaddr.encode, native.sockaddr],
    ['sockaddr.decode', native.sockaddr.decode, native.sockaddr],
    ['sockaddr.htons', native.sockaddr.htons, native.sockaddr],
    ['sockaddr.htonl', native.sockaddr.htonl, native.sockaddr],
    ['sockaddr.ntohs', native.sockaddr.ntohs, native.sockaddr],
    ['sockaddr.ntohl', native.sockaddr.ntohl, native.sockaddr],
    ['clock.realtimeNs', native.clock.realtimeNs, native.clock],
  ];
  if (typeof anyNative.parseL3 === 'function') plain.push(['parseL3', anyNative.parseL3 as AnyFn, native]);
  // the pcapng encoders' byte work (fuzz/napi/surface.mjs builds valid jobs for them too)
  for (const name of ['encodeCaptureEpbs', 'copyUdpPayloads']) plain.push([name, anyNative[name] as AnyFn, native]);

  it.each(plain)('%s', (_name, f, self) => {
    fc.assert(fc.property(args, (a) => call(f, self, a)), { numRuns: RUNS });
  });

  it('hwtstampSet only ever sees interfaces that do not exist', () => {
    const noIf = fc.constantFrom('', 'no-such-if0', 'x'.repeat(40), 'a/b', '..');
    fc.assert(
      fc.property(noIf, junk, junk, junk, (name, a, b, c) => call(native.hwtstampSet, native, [name, a, b, c])),
      { numRuns: RUNS },
    );
  });

  it('rawmsg on fds that are not open, and with junk arguments', () => {
    const closedFd = fc.constantFrom(-1, 999_999, 2 ** 31 - 1, NaN, 1.5, '3', null);
    fc.assert(
      fc.property(closedFd, junk, junk, junk, (fd, a, b, c) => {
        call(native.rawmsg.getsockname, native.rawmsg, [fd]);
        call(native.rawmsg.recvmsg, native.rawmsg, [fd, a, b, c]);
        call(native.rawmsg.sendmsg, native.rawmsg, [fd, a, null, b]);
      }),
      { numRuns: RUNS },
    );
  });

  it('UdpSocket: constructor and every method with junk, on a loopback socket', () => {
    fc.assert(fc.property(args, (a) => call((...x: unknown[]) => new native.UdpSocket(...(x as [4, () => void])), null, a)), { numRuns: RUNS });
    const lo = Uint8Array.from([127, 0, 0, 1]);
    const sock = new native.UdpSocket(4, () => undefined);
    sock.bind(lo, 0, 0, '127.0.0.1');
    const port = sock.localAddress().port;
    const proto = native.UdpSocket.prototype as unknown as Record<string, AnyFn>;
    // Methods that take a destination get loopback (or null) there; junk everywhere else.
    const safe: Record<string, (a: unknown[]) => unknown[]> = {
      bind: (a) => a,
      connect: (a) => [lo, port, ...a.slice(2)],
      sendMsg: (a) => [a[0], a[1] === null ? null : lo, port, ...a.slice(3)],
      sendMmsg: (a) => [[a[0]], [lo], [port], [a[1]], [a[2]]],
      setIntOption: (a) => a,
      getIntOption: (a) => a,
      localAddress: (a) => a,
      registerArena: (a) => a,
      recv: (a) => a,
      takePayloads: (a) => a,
      readMsg: (a) => a,
      startPoll: (a) => a,
      stopPoll: (a) => a,
    };
    for (const [m, shape] of Object.entries(safe)) {
      fc.assert(fc.property(args, (a) => call(proto[m]!, sock, shape(a))), { numRuns: RUNS });
      // the same method on something that is not a UdpSocket: V8's receiver check refuses it
      for (const self of [{}, Object.create(native.UdpSocket.prototype)])
        expect(() => Reflect.apply(proto[m]!, self, []), m).toThrow(expect.objectContaining({ name: 'TypeError', message: 'Illegal invocation' }));
    }
    sock.stopPoll();
    expect(sock.close()).toBeUndefined();
    expect(sock.close()).toBeUndefined(); // a second close is a no-op
    expect(sock.fd).toBe(-1);

    // After close, every method that would touch the fd refuses before looking at its arguments:
    // Error code ERR_SOCKET_CLOSED, "<syscall>: socket is closed" (CheckOpen, native/common/polled_socket.h).
    const syscallOf: Record<string, string> = {
      bind: 'bind',
      connect: 'connect',
      sendMsg: 'sendmsg',
      sendMmsg: 'sendmmsg',
      setIntOption: 'setsockopt',
      getIntOption: 'getsockopt',
      localAddress: 'getsockname',
      recv: 'recvmmsg',
      readMsg: 'recvmsg',
      startPoll: 'uv_poll_start',
    };
    for (const [m, syscall] of Object.entries(syscallOf)) {
      const closed = expect.objectContaining({ name: 'Error', code: 'ERR_SOCKET_CLOSED', message: `${syscall}: socket is closed` });
      expect(() => Reflect.apply(proto[m]!, sock, []), m).toThrow(closed);
      fc.assert(
        fc.property(args, (a) => {
          expect(() => Reflect.apply(proto[m]!, sock, safe[m]!(a)), m).toThrow(closed);
        }),
        { numRuns: 20 },
      );
    }
    // stopPoll on a closed socket: nothing to stop, returns undefined, whatever it is given
    fc.assert(
      fc.property(args, (a) => {
        expect(Reflect.apply(proto.stopPoll!, sock, a)).toBeUndefined();
      }),
      { numRuns: 20 },
    );
    // registerArena on a closed socket: refused like every other method, whatever it is given
    expect(() => Reflect.apply(proto.registerArena!, sock, [])).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(() => sock.registerArena(new Uint8Array(64), new Uint8Array(64), new Int32Array(64), new BigInt64Array(64), new Uint8Array(256), 16, 16, 1)).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_CLOSED', message: 'registerArena: socket is closed' }),
    );
    expect(sock.fd).toBe(-1);
  });
});

describe('the fd getter checks its receiver', () => {
  // node-addon-api accessors get no receiver check: before the type tags, a foreign `this` threw a
  // code-less Error and a socket of the other class was read as this one (found by fuzz/napi).
  const captureNative = (native as unknown as { PacketSocket: new (onPoll: () => void) => { fd: number; close(): void } });
  const udpFd = Object.getOwnPropertyDescriptor(native.UdpSocket.prototype, 'fd')!.get!;
  const pktFd = Object.getOwnPropertyDescriptor(captureNative.PacketSocket.prototype, 'fd')!.get!;

  it('on its own class: the fd, -1 after close', () => {
    const u = new native.UdpSocket(4, () => undefined);
    expect(udpFd.call(u)).toBe(u.fd);
    expect(u.fd).toBeGreaterThan(2);
    u.close();
    expect(udpFd.call(u)).toBe(-1);
  });

  it.each([
    ['a plain object', {}],
    ['null', null],
    ['a function', () => 0],
    ['an object inheriting from the prototype', Object.create(native.UdpSocket.prototype)],
  ])('on %s: TypeError ERR_INVALID_THIS', (_l, self) => {
    expect(() => udpFd.call(self)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_THIS' }));
  });

  it('a socket of the other class is refused both ways', () => {
    const u = new native.UdpSocket(4, () => undefined);
    const p = new captureNative.PacketSocket(() => undefined);
    try {
      expect(() => pktFd.call(u)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_THIS' }));
      expect(() => udpFd.call(p)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_THIS' }));
      expect(pktFd.call(p)).toBe(p.fd);
    } finally {
      u.close();
      p.close();
    }
  });
});
