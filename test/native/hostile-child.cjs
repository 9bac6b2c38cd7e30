// Child process of test/hardening/hostile-setters.test.ts. Loads the addon directly (DISPTAP_NATIVE,
// as scripts/asan-test.sh sets it, else build/Release), installs throwing setters where the addon's
// error helpers and result builders would hit them, and drives every native error path it can reach
// plus the calls that return fresh arrays. Each case must end in a caught JS error carrying the right
// own `code` (or in a correct result); the process must exit normally. Before the fix, the first
// errno error aborted the process: FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw.
//
//   node hostile-child.cjs error-proto    setters on Error.prototype and Array.prototype indices
//   node hostile-child.cjs object-proto   setters on Object.prototype (names and indices)
//
// While the setters are installed this script itself avoids anything that assigns to a missing
// array index or a named property on a plain object (results go into a Map).
'use strict';
const path = require('node:path');

const addon = require(process.env.DISPTAP_NATIVE || path.resolve(__dirname, '../../build/Release/disptap.node'));
const mode = process.argv[2] || 'error-proto';

const NAMES = ['code', 'errno', 'syscall', 'address', 'port', 'message', 'interface', 'info', 'dest', 'path'];
const INDICES = [];
for (let i = 0; i < 16; i++) INDICES.push(String(i));

const noop = () => undefined;
const lo4 = Uint8Array.of(127, 0, 0, 1);

// ---- everything the cases need, made before the setters exist ----
const s1 = new addon.UdpSocket(4, noop);
s1.bind(lo4, 0, 0, '127.0.0.1');
const port1 = s1.localAddress().port;
const s2 = new addon.UdpSocket(4, noop);
const closed = new addon.UdpSocket(4, noop);
closed.close();
const L = addon.layout;
const arena = (cap) => ({
  data: new Uint8Array(cap * 64),
  control: new Uint8Array(cap * 64),
  i32: new Int32Array(cap * L.i32Fields),
  i64: new BigInt64Array(cap * L.i64Fields + 1),
  addr: new Uint8Array(cap * L.addrStride),
});
const gone = arena(1);
const goneId = s1.registerArena(gone.data, gone.control, gone.i32, gone.i64, gone.addr, 64, 64, 1);
structuredClone(gone.data.buffer, { transfer: [gone.data.buffer] });
const small = arena(1);
const x = Buffer.from('x');
const payload = Buffer.from('hello hostile');
const rb = new Uint8Array(64);
const roob = new Uint8Array(64);
// two cmsgs: SOL_SOCKET/SO_RXQ_OVFL (4 bytes) then IPPROTO_IP/IP_TTL (4 bytes)
const ctrl = Buffer.alloc(40);
ctrl.writeBigUInt64LE(20n, 0);
ctrl.writeInt32LE(1, 8);
ctrl.writeInt32LE(40, 12);
ctrl.writeUInt32LE(7, 16);
ctrl.writeBigUInt64LE(20n, 24);
ctrl.writeInt32LE(0, 32);
ctrl.writeInt32LE(2, 36);
const ctrlWithTtl = Buffer.concat([ctrl, Buffer.from([64, 0, 0, 0, 0, 0, 0, 0])]);
const dI32 = new Int32Array(L.i32Fields);
const dI64 = new BigInt64Array(L.i64Fields);
const dAddr = new Uint8Array(L.addrStride);
const sin = addon.sockaddr.encode(4, lo4, 4242, 0, 0);
const shortSa = Uint8Array.of(2);
const unknownSa = new Uint8Array(16);
unknownSa[0] = 99;
const badFilter = Uint32Array.of(0xffff, 0, 0, 0);
let packet = null;
let packetErr = null;
let ringSock = null; // setupRing cases: a fresh socket, and one whose PACKET_RESERVE makes the kernel refuse a ring
let reserved = null;
let ringArena = null;
const page = addon.PacketSocket.pageSize;
try {
  packet = new addon.PacketSocket(noop);
  ringSock = new addon.PacketSocket(noop);
  reserved = new addon.PacketSocket(noop);
  reserved.setIntOption(263, 12, 2 * page, 'PACKET_RESERVE');
  const P = addon.packetLayout;
  const a = { data: new Uint8Array(4 * 256), control: new Uint8Array(4 * 64), i32: new Int32Array(4 * P.i32Fields), i64: new BigInt64Array(4 * P.i64Fields + 1), addr: new Uint8Array(4 * P.addrStride) };
  ringArena = ringSock.registerArena(a.data, a.control, a.i32, a.i64, a.addr, 256, 64, 4);
} catch (e) {
  packetErr = e;
}
const l3i32 = new Int32Array(64);
const l3addr = new Uint8Array(64);

// ---- the hostile properties ----
let setterCalls = 0;
const installed = new Map();
function hostile(target, key) {
  installed.set(target, (installed.get(target) || '') + '\u0000' + key);
  Object.defineProperty(target, key, {
    configurable: true,
    get() {
      return undefined;
    },
    set() {
      setterCalls++;
      throw new Error(`hostile setter ${key}`);
    },
  });
}
function uninstall() {
  for (const [target, keys] of installed) for (const k of keys.split('\u0000')) if (k) delete target[k];
}
if (mode === 'object-proto') {
  for (const k of NAMES) hostile(Object.prototype, k);
  for (const k of INDICES) hostile(Object.prototype, k);
} else {
  for (const k of NAMES) hostile(Error.prototype, k);
  for (const k of INDICES) hostile(Array.prototype, k);
}

// ---- cases ----
const results = new Map();
const own = (o, k) => {
  const d = Object.getOwnPropertyDescriptor(o, k);
  return d && 'value' in d ? d.value : undefined;
};
function record(name, ok, detail) {
  results.set(name, { ok, detail, setterCalls });
  setterCalls = 0;
}
/** fn must throw an Error whose own code is `code` and whose own props match `props`. */
function throws(name, fn, code, props) {
  setterCalls = 0;
  let threw = false;
  let detail = 'no throw';
  let ok = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    ok = e instanceof Error && own(e, 'code') === code && setterCalls === 0;
    detail = `code=${String(own(e, 'code'))} message=${String(own(e, 'message'))} error=${e instanceof Error}`;
    if (props) {
      for (const k of Object.keys(props)) {
        if (own(e, k) !== props[k]) {
          ok = false;
          detail += ` ${k}=${String(own(e, k))}≠${String(props[k])}`;
        }
      }
    }
  }
  record(name, threw && ok, detail);
}
/** fn must return; check(result) says whether the result is right. */
function returns(name, fn, check) {
  setterCalls = 0;
  try {
    const r = fn();
    const why = check(r);
    record(name, why === true && setterCalls === 0, why === true ? '' : String(why));
  } catch (e) {
    record(name, false, `threw ${String(e && own(e, 'message'))}`);
  }
}
const isArr = (n) => (r) => (Array.isArray(r) && r.length === n && Object.keys(r).length === n) || `not an array of ${n}: ${String(r)}`;

// constructors and argument checks
throws('new UdpSocket(5)', () => new addon.UdpSocket(5, noop), 'ERR_INVALID_ARG_VALUE');
throws('new UdpSocket()', () => new addon.UdpSocket(), 'ERR_INVALID_ARG_TYPE');
// errno errors on a live socket
throws('bind EADDRINUSE', () => s2.bind(lo4, port1, 0, '127.0.0.1'), 'EADDRINUSE', { errno: -98, syscall: 'bind', address: '127.0.0.1', port: port1 });
throws('setIntOption ENOPROTOOPT', () => s2.setIntOption(1, 9999, 1, 'BOGUS'), 'ENOPROTOOPT', { errno: -92, syscall: 'setsockopt', address: 'BOGUS' });
throws('getIntOption ENOPROTOOPT', () => s2.getIntOption(1, 9999), 'ENOPROTOOPT', { syscall: 'getsockopt' });
throws('sendMsg EINVAL (port 0)', () => s2.sendMsg(x, lo4, 0, 0, null, '127.0.0.1'), 'EINVAL', { syscall: 'sendmsg', address: '127.0.0.1', port: 0 });
throws('sendMmsg EINVAL (port 0)', () => s2.sendMmsg([x], [lo4], [0], [0], [null]), 'EINVAL', { syscall: 'sendmmsg' });
throws('sendMmsg empty', () => s2.sendMmsg([], [], [], [], []), 'ERR_OUT_OF_RANGE');
throws('sendMmsg bad data', () => s2.sendMmsg(['x'], [lo4], [1], [0], [null]), 'ERR_INVALID_ARG_TYPE');
throws('readMsg bad args', () => s2.readMsg('x', 'y'), 'ERR_INVALID_ARG_TYPE');
throws('recv unknown arena', () => s1.recv(12345), 'ERR_OUT_OF_RANGE');
throws('recv detached arena', () => s1.recv(goneId), 'ERR_INVALID_STATE');
throws('registerArena bad types', () => s1.registerArena(1, 2, 3, 4, 5, 6, 7, 8), 'ERR_INVALID_ARG_TYPE');
throws('registerArena too small', () => s1.registerArena(small.data, small.control, small.i32, small.i64, small.addr, 64, 64, 2), 'ERR_OUT_OF_RANGE');
throws('setIntOption bad args', () => s1.setIntOption('a'), 'ERR_INVALID_ARG_TYPE');
throws('bind bad port', () => s2.bind(lo4, 70000, 0, ''), 'ERR_SOCKET_BAD_PORT');
throws('bind bad address', () => s2.bind(Uint8Array.of(1, 2, 3), 1, 0, ''), 'ERR_INVALID_ARG_VALUE');
// results built as fresh arrays
returns('localAddress', () => s1.localAddress(), (r) => r && r.family === 4 && r.port === port1 && r.address.length === 16 && Object.keys(r).join() === 'family,address,port,scopeId,flowinfo' ? true : `got ${JSON.stringify(r)}`);
returns('sendMsg ok', () => s2.sendMsg(payload, lo4, port1, 0, null, '127.0.0.1'), (r) => r === payload.length || `sent ${r}`);
returns('readMsg', () => {
  for (let i = 0; i < 1000; i++) {
    const r = s1.readMsg(rb, roob);
    if (r !== null) return r;
  }
  return null;
}, (r) => (r && r.n === payload.length && r.family === 4 && r.address.length === 16 && Object.keys(r).join() === 'n,oobn,flags,family,address,port,scopeId' ? true : `got ${JSON.stringify(r)}`));
// every method of a closed socket
throws('closed bind', () => closed.bind(lo4, 0, 0, ''), 'ERR_SOCKET_CLOSED');
throws('closed connect', () => closed.connect(lo4, 1, 0, ''), 'ERR_SOCKET_CLOSED');
throws('closed recv', () => closed.recv(0), 'ERR_SOCKET_CLOSED');
throws('closed readMsg', () => closed.readMsg(rb, roob), 'ERR_SOCKET_CLOSED');
throws('closed sendMsg', () => closed.sendMsg(x, lo4, 1, 0, null), 'ERR_SOCKET_CLOSED');
throws('closed sendMmsg', () => closed.sendMmsg([x], [lo4], [1], [0], [null]), 'ERR_SOCKET_CLOSED');
throws('closed localAddress', () => closed.localAddress(), 'ERR_SOCKET_CLOSED');
throws('closed setIntOption', () => closed.setIntOption(1, 2, 3), 'ERR_SOCKET_CLOSED');
throws('closed getIntOption', () => closed.getIntOption(1, 2), 'ERR_SOCKET_CLOSED');
throws('closed startPoll', () => closed.startPoll(1), 'ERR_SOCKET_CLOSED');
// interface names and indices
throws('ifIndexToName bad arg', () => addon.ifIndexToName('x'), 'ERR_INVALID_ARG_TYPE');
throws('ifNameToIndex bad arg', () => addon.ifNameToIndex(1), 'ERR_INVALID_ARG_TYPE');
throws('hwtstampGet missing device', () => addon.hwtstampGet('nosuchdev0'), 'ENODEV', { interface: 'nosuchdev0', errno: -19 });
throws('hwtstampSet missing device', () => addon.hwtstampSet('nosuchdev0', 0, 0, 0), 'ENODEV', { interface: 'nosuchdev0' });
throws('hwtstampSet bad values', () => addon.hwtstampSet('nosuchdev0', -1, 0, 0), 'ERR_OUT_OF_RANGE');
throws('hwtstampGet empty name', () => addon.hwtstampGet(''), 'ERR_INVALID_ARG_VALUE');
throws('hwtstampGet non-string', () => addon.hwtstampGet(1), 'ERR_INVALID_ARG_TYPE');
throws('tsInfo missing device', () => addon.tsInfo('nosuchdev0'), 'ENODEV', { interface: 'nosuchdev0' });
throws('interfaces.byName missing', () => addon.interfaces.byName('nosuchdev0'), 'ENODEV');
throws('interfaces.byIndex missing', () => addon.interfaces.byIndex(2147483647), 'ENODEV');
throws('interfaces.byIndex 0', () => addon.interfaces.byIndex(0), 'ERR_OUT_OF_RANGE');
returns('interfaces.list', () => addon.interfaces.list(), (r) => (isArr(2)(r) === true && r[0].length > 0 && Array.isArray(r[0][0]) && r[0][0].length === 5 ? true : `got ${String(r)}`));
returns('interfaces.byName lo', () => addon.interfaces.byName('lo'), (r) => (isArr(2)(r) === true && r[0][1] === 'lo' ? true : `got ${String(r)}`));
returns('ifIndexToName 1', () => addon.ifIndexToName(1), (r) => typeof r === 'string' || `got ${String(r)}`);
// raw syscalls on numbers that are not open fds
throws('rawmsg.getsockname EBADF', () => addon.rawmsg.getsockname(2147483647), 'EBADF', { errno: -9, syscall: 'getsockname' });
throws('rawmsg.recvmsg EBADF', () => addon.rawmsg.recvmsg(2147483647, 16, 16, 0), 'EBADF');
throws('rawmsg.sendmsg EBADF', () => addon.rawmsg.sendmsg(2147483647, x, null, null), 'EBADF');
throws('rawmsg.recvmsg bad cap', () => addon.rawmsg.recvmsg(0, -1, 16, 0), 'ERR_OUT_OF_RANGE');
throws('rawmsg.sendmsg bad data', () => addon.rawmsg.sendmsg(0, 'x', null, null), 'ERR_INVALID_ARG_TYPE');
returns('rawmsg.getsockname', () => addon.rawmsg.getsockname(s1.fd), (r) => (Buffer.isBuffer(r) && r.length === 16) || `got ${String(r)}`);
returns('rawmsg.recvmsg nothing queued', () => addon.rawmsg.recvmsg(s1.fd, 16, 16, 0), (r) => r === null || `got ${String(r)}`);
// codecs
throws('sockaddr.decode short', () => addon.sockaddr.decode(shortSa), 'ERR_SOCKADDR_TOO_SHORT');
throws('sockaddr.decode unknown family', () => addon.sockaddr.decode(unknownSa), 'ERR_SOCKADDR_UNKNOWN_FAMILY');
throws('sockaddr.encode bad family', () => addon.sockaddr.encode(5, lo4, 1, 0, 0), 'ERR_INVALID_ARG_VALUE');
throws('sockaddr.encode bad port', () => addon.sockaddr.encode(4, lo4, 70000, 0, 0), 'ERR_OUT_OF_RANGE');
throws('sockaddr.htons bad', () => addon.sockaddr.htons('x'), 'ERR_INVALID_ARG_TYPE');
returns('sockaddr.decode', () => addon.sockaddr.decode(sin), (r) => (isArr(5)(r) === true && r[0] === 4 && r[2] === 4242 ? true : `got ${String(r)}`));
throws('cmsgMacros out of range', () => addon.cmsgMacros(-1), 'ERR_OUT_OF_RANGE');
throws('cmsgMacros bad type', () => addon.cmsgMacros('x'), 'ERR_INVALID_ARG_TYPE');
returns('cmsgMacros', () => addon.cmsgMacros(4), (r) => (isArr(3)(r) === true && r[0] === 8 && r[1] === 20 && r[2] === 24 ? true : `got ${String(r)}`));
throws('parseControl bad type', () => addon.parseControl('x'), 'ERR_INVALID_ARG_TYPE');
returns('parseControl', () => addon.parseControl(ctrlWithTtl), (r) => (isArr(2)(r) === true && r[0].offset === 0 && r[0].level === 1 && r[0].type === 40 && r[1].offset === 24 && r[1].type === 2 ? true : `got ${JSON.stringify(r)}`));
throws('decodeControl bad type', () => addon.decodeControl('x', dI32, dI64, dAddr), 'ERR_INVALID_ARG_TYPE');
throws('decodeControl small layout', () => addon.decodeControl(ctrl, new Int32Array(1), dI64, dAddr), 'ERR_OUT_OF_RANGE');
throws('parseL3 bad type', () => addon.parseL3('x', 0, l3i32, l3addr), 'ERR_INVALID_ARG_TYPE');
returns('clock.realtimeNs', () => addon.clock.realtimeNs(), (r) => typeof r === 'bigint' || `got ${typeof r}`);
// packet socket (CAP_NET_RAW; without it the constructor's own error is the case)
if (packet) {
  throws('PacketSocket attachFilter EINVAL', () => packet.attachFilter(badFilter), 'EINVAL', { address: 'SO_ATTACH_FILTER', syscall: 'setsockopt' });
  throws('PacketSocket attachFilter bad type', () => packet.attachFilter('x'), 'ERR_INVALID_ARG_TYPE');
  throws('PacketSocket bind ENODEV', () => packet.bind(2147483647, 3), 'ENODEV', { syscall: 'bind' });
  returns('PacketSocket stats', () => packet.stats(), isArr(4));
  throws('PacketSocket setupRing bad type', () => ringSock.setupRing('x', 2, 8), 'ERR_INVALID_ARG_TYPE');
  throws('PacketSocket setupRing out of range', () => ringSock.setupRing(page + 1, 2, 8), 'ERR_OUT_OF_RANGE');
  throws('PacketSocket setupRing EINVAL', () => reserved.setupRing(page, 2, 8), 'EINVAL', { errno: -22, syscall: 'setsockopt', address: 'PACKET_RX_RING' });
  returns('PacketSocket setupRing', () => ringSock.setupRing(page, 2, 8), (r) => (r && own(r, 'bytes') === 2 * page && own(r, 'blockCount') === 2 ? true : `got ${JSON.stringify(r)}`));
  throws('PacketSocket setupRing twice', () => ringSock.setupRing(page, 2, 8), 'ERR_INVALID_STATE');
  returns('PacketSocket ring recv', () => ringSock.recv(ringArena, 4), (r) => r === 0 || `got ${String(r)}`);
  returns('PacketSocket ring stats', () => ringSock.stats(), isArr(4));
  ringSock.close();
  reserved.close();
  throws('PacketSocket recv unknown arena', () => packet.recv(7), 'ERR_OUT_OF_RANGE');
  packet.close();
  throws('PacketSocket closed bind', () => packet.bind(1, 3), 'ERR_SOCKET_CLOSED');
} else {
  record('PacketSocket constructor error', packetErr instanceof Error && typeof own(packetErr, 'code') === 'string', String(packetErr));
}

// ---- report (setters gone, so printing is safe) ----
uninstall();
s1.close();
s2.close();
const out = [];
for (const [name, r] of results) out.push({ name, ...r });
process.stdout.write(JSON.stringify({ mode, results: out }) + '\n');
