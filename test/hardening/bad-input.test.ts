// The bad-input table: every public entry point, every option, with wrong types, out-of-range and
// unknown values. Each case must fail with the right error class and a Node-style `code`, before
// any syscall (no fd is opened), and must not leave anything behind (a timer that throws later, a
// half-open socket). test/lifecycle.test.ts has the first few openUdp cases; this is the full table.
//
// Zero-length and short buffers are not always errors: a 0-byte datagram is valid UDP, readMsg into
// an empty b consumes a datagram as Go's ReadMsgUDP does, and parseControl/decodeControl treat any
// bytes as data (a structured 'malformed' entry, never a throw). A control buffer that could never
// hold a cmsghdr (1..15 bytes) is an argument error. The "defined behaviour" block pins those down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeControl, openUdp, parseControl, type UdpTap } from '../../src/index.js';
import { openFdCount } from '../helpers/fds.js';
import { sleep } from '../helpers/send.js';

type Ctor = typeof TypeError | typeof RangeError;
const T = TypeError;
const R = RangeError;

/** Runs f (sync or async), expects a coded error of class C and code, and no new fd. */
async function expectCoded(f: () => unknown, C: Ctor, code: string): Promise<void> {
  const before = openFdCount();
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(C);
  expect(err).toMatchObject({ code });
  expect(openFdCount()).toBe(before);
}

const A = { address: '127.0.0.1' };
const BOOL_OPTS = ['reuseAddr', 'reusePort', 'ipv6Only', 'pktinfo', 'ttl', 'tos', 'dropCounter'] as const;
const INT_OPTS: Array<[name: string, max: number]> = [
  ['recvBufferSize', 2 ** 31 - 1],
  ['maxMessageSize', 1 << 20],
  ['batchSize', 1024],
  ['controlBufferSize', 1 << 16],
  ['highWaterMark', 1 << 24],
  ['txTimeoutMs', 3_600_000],
  ['maxPendingTx', 1 << 24],
];

const BAD_ADDRESSES = [
  '', ' ', 'not-an-ip', 'localhost', '127.0.0.256', '1.2.3', '127.1', '0x7f.0.0.1', '1.2.3.4.5', '::g', '1::2::3', ':::',
  '[::1', '::1]', '[[::1]]', '::1%', 'fe80::1%no-such-if0', '127.0.0.1\0', '1.2.3.4/24', '127.0.0.1:80',
  'a'.repeat(100_000),
  // the zone is a 32-bit interface index: larger numbers must not wrap to another interface
  '::1%4294967296', '::1%99999999999999999999',
  // a zone on an IPv4 address means nothing and must not be dropped silently
  '127.0.0.1%lo', '127.0.0.1%1',
];

const openCases: Array<[label: string, opts: unknown, C: Ctor, code: string]> = [
  ['options null', null, T, 'ERR_INVALID_ARG_TYPE'],
  ['options undefined', undefined, T, 'ERR_INVALID_ARG_TYPE'],
  ['options a string', '127.0.0.1', T, 'ERR_INVALID_ARG_TYPE'],
  ['options a number', 30041, T, 'ERR_INVALID_ARG_TYPE'],
  ['options an array', ['127.0.0.1'], T, 'ERR_INVALID_ARG_TYPE'],
  ['unknown option', { ...A, prot: 1 }, T, 'ERR_INVALID_ARG_VALUE'],
  ...BAD_ADDRESSES.map((a): [string, unknown, Ctor, string] => [`address ${JSON.stringify(a.slice(0, 30))}`, { address: a }, T, 'ERR_INVALID_ADDRESS']),
  ...[42, null, {}, ['127.0.0.1'], true].map((a): [string, unknown, Ctor, string] => [`address ${JSON.stringify(a)}`, { address: a }, T, 'ERR_INVALID_ARG_TYPE']),
  ...['80', null, 80n, new Number(80), true, {}].map((p): [string, unknown, Ctor, string] => [`port ${typeof p} ${String(p)}`, { ...A, port: p }, T, 'ERR_INVALID_ARG_TYPE']),
  ...[-1, 65536, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0.5].map((p): [string, unknown, Ctor, string] => [`port ${p}`, { ...A, port: p }, R, 'ERR_SOCKET_BAD_PORT']),
  ...[0, 5, '4', 4.5, null, true].map((f): [string, unknown, Ctor, string] => [`family ${JSON.stringify(f)}`, { ...A, family: f }, T, 'ERR_INVALID_ARG_VALUE']),
  ['family 4 with an IPv6 address', { address: '::1', family: 4 }, T, 'ERR_INVALID_ARG_VALUE'],
  ...['hw', 'SOFTWARE', '', 1, true, null].map((v): [string, unknown, Ctor, string] => [`timestamps ${JSON.stringify(v)}`, { ...A, timestamps: v }, T, 'ERR_INVALID_ARG_VALUE']),
  ...BOOL_OPTS.flatMap((k) => [1, 'true', null, {}].map((v): [string, unknown, Ctor, string] => [`${k} ${JSON.stringify(v)}`, { ...A, [k]: v }, T, 'ERR_INVALID_ARG_TYPE'])),
  ...INT_OPTS.flatMap(([k, max]) => [
    ...['1', null, 1n, true].map((v): [string, unknown, Ctor, string] => [`${k} ${typeof v} ${String(v)}`, { ...A, [k]: v }, T, 'ERR_INVALID_ARG_TYPE']),
    ...[NaN, Infinity, 1.5, -1, max + 1].map((v): [string, unknown, Ctor, string] => [`${k} ${v}`, { ...A, [k]: v }, R, 'ERR_OUT_OF_RANGE']),
  ]),
  ['recvBufferSize 0', { ...A, recvBufferSize: 0 }, R, 'ERR_OUT_OF_RANGE'],
  ['maxMessageSize 0', { ...A, maxMessageSize: 0 }, R, 'ERR_OUT_OF_RANGE'],
  ['batchSize 0', { ...A, batchSize: 0 }, R, 'ERR_OUT_OF_RANGE'],
  ['highWaterMark 0', { ...A, highWaterMark: 0 }, R, 'ERR_OUT_OF_RANGE'],
  ['txTimeoutMs 0', { ...A, txTimeoutMs: 0 }, R, 'ERR_OUT_OF_RANGE'],
  ['maxPendingTx 0', { ...A, maxPendingTx: 0 }, R, 'ERR_OUT_OF_RANGE'],
  // a control buffer smaller than one cmsghdr could never carry metadata
  ...[1, 8, 15].map((v): [string, unknown, Ctor, string] => [`controlBufferSize ${v} (< one header)`, { ...A, controlBufferSize: v }, R, 'ERR_OUT_OF_RANGE']),
];

describe('openUdp: every option, bad values', () => {
  it.each(openCases)('%s', async (_label, opts, C, code) => {
    await expectCoded(() => openUdp(opts as never), C, code);
  });

  it('an option inherited from the prototype is still validated', async () => {
    await expectCoded(() => openUdp(Object.create({ port: 'x' }) as never), T, 'ERR_INVALID_ARG_TYPE');
  });
});

describe('tap methods: bad arguments', () => {
  let tap: UdpTap;
  let port: number;
  beforeAll(async () => {
    tap = await openUdp(A);
    port = tap.address().port;
  });
  afterAll(() => tap.close());
  const to = () => ({ address: '127.0.0.1', port });
  const NOT_SIGNALS = ['x', {}, 1, { aborted: false }];

  it.each([
    ['null', null, T, 'ERR_INVALID_ARG_TYPE'],
    ['a string', 'x', T, 'ERR_INVALID_ARG_TYPE'],
    ['a number', 5, T, 'ERR_INVALID_ARG_TYPE'],
    ['timeoutMs -1', { timeoutMs: -1 }, R, 'ERR_OUT_OF_RANGE'],
    ['timeoutMs NaN', { timeoutMs: NaN }, R, 'ERR_OUT_OF_RANGE'],
    ['timeoutMs Infinity', { timeoutMs: Infinity }, R, 'ERR_OUT_OF_RANGE'],
    ['timeoutMs a string', { timeoutMs: '5' }, T, 'ERR_INVALID_ARG_TYPE'],
    ['timeoutMs a bigint', { timeoutMs: 5n }, T, 'ERR_INVALID_ARG_TYPE'],
    ...NOT_SIGNALS.map((s): [string, unknown, Ctor, string] => [`signal ${JSON.stringify(s)}`, { signal: s, timeoutMs: 5 }, T, 'ERR_INVALID_ARG_TYPE']),
  ])('receive(%s) and receiveBatch(%s) reject', async (_l, opts, C, code) => {
    await expectCoded(() => tap.receive(opts as never), C, code);
    await expectCoded(() => tap.receiveBatch(opts as never), C, code);
  });

  it('a bad signal leaves no timer behind that would throw later (it used to crash the process)', async () => {
    const errors: unknown[] = [];
    const onErr = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onErr);
    try {
      await tap.receive({ signal: 'x' as never, timeoutMs: 5 }).catch(() => undefined);
      await tap.receiveBatch({ signal: {} as never, timeoutMs: 5 }).catch(() => undefined);
      await sleep(50);
    } finally {
      process.off('uncaughtException', onErr);
    }
    expect(errors).toEqual([]);
  });

  it.each([
    ['b a string', 'x', Buffer.alloc(64), T, 'ERR_INVALID_ARG_TYPE'],
    ['b an ArrayBuffer', new ArrayBuffer(8), Buffer.alloc(64), T, 'ERR_INVALID_ARG_TYPE'],
    ['b an Int8Array', new Int8Array(8), Buffer.alloc(64), T, 'ERR_INVALID_ARG_TYPE'],
    ['b a DataView', new DataView(new ArrayBuffer(8)), Buffer.alloc(64), T, 'ERR_INVALID_ARG_TYPE'],
    ['oob a number', Buffer.alloc(8), 3, T, 'ERR_INVALID_ARG_TYPE'],
    ['oob null', Buffer.alloc(8), null, T, 'ERR_INVALID_ARG_TYPE'],
    ['oob a Uint16Array', Buffer.alloc(8), new Uint16Array(32), T, 'ERR_INVALID_ARG_TYPE'],
    ...[1, 8, 15].map((n): [string, unknown, unknown, Ctor, string] => [`oob of ${n} bytes (< one header)`, Buffer.alloc(8), Buffer.alloc(n), R, 'ERR_OUT_OF_RANGE']),
  ])('readMsg: %s', async (_l, b, oob, C, code) => {
    await expectCoded(() => tap.readMsg(b as never, oob as never), C, code);
  });

  it.each([
    ['data a number', () => tap.send(42 as never, to()), T, 'ERR_INVALID_ARG_TYPE'],
    ['data null', () => tap.send(null as never, to()), T, 'ERR_INVALID_ARG_TYPE'],
    ['data an ArrayBuffer', () => tap.send(new ArrayBuffer(3) as never, to()), T, 'ERR_INVALID_ARG_TYPE'],
    ['data a Uint16Array', () => tap.send(new Uint16Array(3) as never, to()), T, 'ERR_INVALID_ARG_TYPE'],
    ['no destination', () => tap.send('x', undefined as never), T, 'ERR_INVALID_ARG_TYPE'],
    ['destination a string', () => tap.send('x', '127.0.0.1:9' as never), T, 'ERR_INVALID_ARG_TYPE'],
    ['port 0', () => tap.send('x', { address: '127.0.0.1', port: 0 }), R, 'ERR_SOCKET_BAD_PORT'],
    ['port 65536', () => tap.send('x', { address: '127.0.0.1', port: 65536 }), R, 'ERR_SOCKET_BAD_PORT'],
    ['port -1', () => tap.send('x', { address: '127.0.0.1', port: -1 }), R, 'ERR_SOCKET_BAD_PORT'],
    ['port 1.5', () => tap.send('x', { address: '127.0.0.1', port: 1.5 }), R, 'ERR_SOCKET_BAD_PORT'],
    ['port NaN', () => tap.send('x', { address: '127.0.0.1', port: NaN }), R, 'ERR_SOCKET_BAD_PORT'],
    ['port a string', () => tap.send('x', { address: '127.0.0.1', port: '9' as never }), T, 'ERR_INVALID_ARG_TYPE'],
    ['address a number', () => tap.send('x', { address: 1 as never, port }), T, 'ERR_INVALID_ARG_TYPE'],
    ['address invalid', () => tap.send('x', { address: '999.1.1.1', port }), T, 'ERR_INVALID_ADDRESS'],
    ['address with a huge zone', () => tap.send('x', { address: '::1%4294967297', port }), T, 'ERR_INVALID_ADDRESS'],
    ['address of the other family', () => tap.send('x', { address: '::1', port }), T, 'ERR_INVALID_ARG_VALUE'],
    ['options null', () => tap.send('x', to(), null as never), T, 'ERR_INVALID_ARG_TYPE'],
    ['options a string', () => tap.send('x', to(), 'ttl=1' as never), T, 'ERR_INVALID_ARG_TYPE'],
    ['unknown option', () => tap.send('x', to(), { hops: 1 } as never), T, 'ERR_INVALID_ARG_VALUE'],
    ['ttl a string', () => tap.send('x', to(), { ttl: '1' as never }), T, 'ERR_INVALID_ARG_TYPE'],
    ['ttl 256', () => tap.send('x', to(), { ttl: 256 }), R, 'ERR_OUT_OF_RANGE'],
    ['ttl NaN', () => tap.send('x', to(), { ttl: NaN }), R, 'ERR_OUT_OF_RANGE'],
    ['tos -1', () => tap.send('x', to(), { tos: -1 }), R, 'ERR_OUT_OF_RANGE'],
    ['tos 1.5', () => tap.send('x', to(), { tos: 1.5 }), R, 'ERR_OUT_OF_RANGE'],
    ['ifIndex a string', () => tap.send('x', to(), { ifIndex: '1' as never }), T, 'ERR_INVALID_ARG_TYPE'],
    ['ifIndex -1', () => tap.send('x', to(), { ifIndex: -1 }), R, 'ERR_OUT_OF_RANGE'],
    ['ifIndex 2^31', () => tap.send('x', to(), { ifIndex: 2 ** 31 }), R, 'ERR_OUT_OF_RANGE'],
    ['sourceAddress a number', () => tap.send('x', to(), { sourceAddress: 5 as never }), T, 'ERR_INVALID_ARG_TYPE'],
    ['sourceAddress invalid', () => tap.send('x', to(), { sourceAddress: 'x' }), T, 'ERR_INVALID_ADDRESS'],
    ['sourceAddress of the other family', () => tap.send('x', to(), { sourceAddress: '::1' }), T, 'ERR_INVALID_ARG_VALUE'],
    ['txTimestamps unknown kind', () => tap.send('x', to(), { txTimestamps: 'wire' as never }), T, 'ERR_INVALID_ARG_VALUE'],
    ['txTimestamps a number', () => tap.send('x', to(), { txTimestamps: 1 as never }), T, 'ERR_INVALID_ARG_VALUE'],
    ['txTimestamps array with a bad kind', () => tap.send('x', to(), { txTimestamps: ['software', 'x'] as never }), T, 'ERR_INVALID_ARG_VALUE'],
    ['txTimeoutMs 0', () => tap.send('x', to(), { txTimestamps: 'software', txTimeoutMs: 0 }), R, 'ERR_OUT_OF_RANGE'],
    ['txTimeoutMs Infinity', () => tap.send('x', to(), { txTimestamps: 'software', txTimeoutMs: Infinity }), R, 'ERR_OUT_OF_RANGE'],
    ['txTimeoutMs a string', () => tap.send('x', to(), { txTimestamps: 'software', txTimeoutMs: '5' as never }), T, 'ERR_INVALID_ARG_TYPE'],
    ['sendBatch of a non-array', () => tap.sendBatch({} as never), T, 'ERR_INVALID_ARG_TYPE'],
    ['sendBatch item null', () => tap.sendBatch([null as never]), T, 'ERR_INVALID_ARG_TYPE'],
    ['sendBatch item with a bad port', () => tap.sendBatch([{ data: 'x', address: '127.0.0.1', port: 70000 }]), R, 'ERR_SOCKET_BAD_PORT'],
    ['sendBatch item with a bad option', () => tap.sendBatch([{ data: 'x', ...to(), ttl: 'x' as never }]), T, 'ERR_INVALID_ARG_TYPE'],
    ['sendBatch item with an unknown key', () => tap.sendBatch([{ data: 'x', ...to(), bogus: 1 } as never]), T, 'ERR_INVALID_ARG_VALUE'],
    ['sendBatch: one bad item among good ones sends none', () => tap.sendBatch([{ data: 'ok', ...to() }, { data: 7 as never, ...to() }]), T, 'ERR_INVALID_ARG_TYPE'],
  ])('send: %s', async (_l, f, C, code) => {
    await expectCoded(f, C, code);
  });

  it('nothing was sent by any of the rejected sends', async () => {
    await sleep(20);
    const b = Buffer.alloc(64);
    expect(tap.readMsg(b, Buffer.alloc(0))).toBeNull();
  });

  it.each([
    ['a string', 'abc'],
    ['null', null],
    ['a number', 5],
    ['an ArrayBuffer', new ArrayBuffer(16)],
    ['an Int8Array', new Int8Array(16)],
    ['a DataView', new DataView(new ArrayBuffer(16))],
    ['an array of bytes', [16, 0, 0, 0]],
  ])('parseControl / decodeControl of %s', async (_l, v) => {
    await expectCoded(() => parseControl(v as never), T, 'ERR_INVALID_ARG_TYPE');
    await expectCoded(() => decodeControl(v as never), T, 'ERR_INVALID_ARG_TYPE');
  });
});

describe('defined behaviour for empty and short buffers', () => {
  it('a zero-length payload is a valid datagram: sent, received with length 0', async () => {
    const rx = await openUdp(A);
    const tx = await openUdp(A);
    const to = { address: '127.0.0.1', port: rx.address().port };
    await expect(tx.send(Buffer.alloc(0), to)).resolves.toMatchObject({ bytes: 0 });
    await expect(tx.send('', to)).resolves.toMatchObject({ bytes: 0 });
    const m = await rx.receive({ timeoutMs: 2000 });
    expect(m.length).toBe(0);
    expect(m.data.length).toBe(0);
    expect(m.timestamps.software).toBeTypeOf('bigint');
    // readMsg into an empty b consumes the datagram and reports MSG_TRUNC (Go's ReadMsgUDP too)
    await tx.send('seven b', to);
    await sleep(10);
    const oob = Buffer.alloc(512);
    const drained: Array<ReturnType<UdpTap['readMsg']>> = [];
    for (let r = rx.readMsg(Buffer.alloc(0), oob); r; r = rx.readMsg(Buffer.alloc(0), oob)) drained.push(r);
    expect(drained.some((r) => r!.n === 0 && (r!.flags & 0x20) !== 0 && r!.oobn > 0)).toBe(true);
    // an empty oob asks for no metadata: the kernel flags MSG_CTRUNC, nothing else changes
    await tx.send('x', to);
    await sleep(10);
    const r = rx.readMsg(Buffer.alloc(8), Buffer.alloc(0));
    expect(r).toMatchObject({ n: 1, oobn: 0 });
    rx.close();
    tx.close();
  });

  it('parseControl / decodeControl of 0 bytes and of less than one header', () => {
    expect(parseControl(Buffer.alloc(0))).toEqual([]);
    expect(decodeControl(Buffer.alloc(0))).toMatchObject({ timestamps: {}, defectiveControlMessages: 0 });
    for (const n of [1, 8, 15]) {
      const msgs = parseControl(Buffer.alloc(n, 0xff));
      expect(msgs).toEqual([{ offset: 0, level: -1, type: -1, data: Buffer.alloc(n, 0xff), status: 'malformed' }]);
      expect(decodeControl(Buffer.alloc(n))).toMatchObject({ defectiveControlMessages: 1, timestamps: {} });
    }
    // a view into a larger buffer is read within its own bounds
    const big = Buffer.alloc(64, 0x10);
    expect(parseControl(big.subarray(60))).toEqual([{ offset: 0, level: -1, type: -1, data: Buffer.alloc(4, 0x10), status: 'malformed' }]);
  });

  it('controlBufferSize 0 turns metadata off; 16 is the smallest accepted non-zero size', async () => {
    const off = await openUdp({ ...A, controlBufferSize: 0 });
    const min = await openUdp({ ...A, controlBufferSize: 16 });
    const tx = await openUdp(A);
    await tx.send('a', { address: '127.0.0.1', port: off.address().port });
    await tx.send('b', { address: '127.0.0.1', port: min.address().port });
    const a = await off.receive({ timeoutMs: 2000 });
    const b = await min.receive({ timeoutMs: 2000 });
    expect(a.data.toString()).toBe('a');
    expect(b.data.toString()).toBe('b');
    expect(b.controlTruncated).toBe(true); // 16 bytes hold a header, not the timestamps
    for (const t of [off, min, tx]) t.close();
  });
});
