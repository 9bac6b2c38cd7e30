// JS that runs in the middle of a native call must not leave the call holding pointers into memory
// that JS detached (and the collector freed). The rule the addon follows: read every JS input
// first, then touch memory with no JS in between; build results without running setters.
//
// Before the fix:
// * sendMmsg read datas[i]/controls[i] pointers while later element reads could run accessors (own
//   ones, or inherited through a hole); an accessor that transferred an earlier buffer made
//   sendmmsg read freed memory (ASan: heap-use-after-free READ in the sendmmsg interceptor; without
//   ASan the first datagram carried the stale or recycled bytes instead of nothing).
// * parseControl stored each number with [[Set]] while still walking the caller's bytes, so an
//   inherited index setter ran mid-walk and could detach those bytes.
// * every array-returning call ran inherited index setters.
// Run under scripts/asan-test.sh for the memory part; the assertions below hold without it too.
import { afterEach, describe, expect, it } from 'vitest';
import { native, type NativeUdpSocket } from '../../src/sys/native.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const lo4 = Uint8Array.of(127, 0, 0, 1);
const sockets: NativeUdpSocket[] = [];

function socket(): NativeUdpSocket {
  const s = new native.UdpSocket(4, () => undefined);
  s.bind(lo4, 0, 0, '127.0.0.1');
  sockets.push(s);
  return s;
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** Transfers v's buffer away, drops the copy and collects it: v's old memory is freed. */
function detachAndFree(v: ArrayBufferView): void {
  const ab = v.buffer as ArrayBuffer;
  if (ab.byteLength === 0) return;
  structuredClone(ab, { transfer: [ab] });
  gc();
}

/** Every datagram queued on rx, as [payload, flags]. */
function drain(rx: NativeUdpSocket): Buffer[] {
  const out: Buffer[] = [];
  const b = new Uint8Array(256);
  const oob = new Uint8Array(0);
  for (let r = rx.readMsg(b, oob); r !== null; r = rx.readMsg(b, oob)) out.push(Buffer.from(b.subarray(0, r.n)));
  return out;
}

/** Defines an accessor at arr[index] whose getter first runs `effect`, then returns `value`. */
function accessor<T>(arr: T[], index: number, value: T, effect: () => void): void {
  Object.defineProperty(arr, index, {
    configurable: true,
    enumerable: true,
    get() {
      effect();
      return value;
    },
  });
}

const ARRAYS = ['datas', 'addrs', 'ports', 'scopes', 'controls'] as const;

describe('sendMmsg: element accessors run before any buffer is read', () => {
  it.each(ARRAYS)('an accessor at %s[1] frees datas[0]: datagram 0 is sent as what JS now sees (empty), never stale bytes', (where) => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    const d0 = new Uint8Array(new ArrayBuffer(64)).fill(0x41);
    const d1 = Buffer.from('second');
    const arrays = { datas: [d0, d1] as Uint8Array[], addrs: [lo4, lo4], ports: [port, port], scopes: [0, 0], controls: [null, null] as Array<Uint8Array | null> };
    const target = arrays[where] as unknown[];
    accessor(target, 1, target[1], () => detachAndFree(d0));
    const sent = tx.sendMmsg(arrays.datas, arrays.addrs, arrays.ports, arrays.scopes, arrays.controls);
    expect(sent).toBe(2);
    const got = drain(rx);
    expect(got.map((b) => b.length)).toEqual([0, 6]);
    expect(got[1]!.toString()).toBe('second');
  });

  it('an accessor at controls[1] frees controls[0]: datagram 0 goes without control data, not with freed bytes', () => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    rx.setIntOption(0 /* IPPROTO_IP */, 12 /* IP_RECVTTL */, 1);
    // IP_TTL = 7 as a send-side cmsg (CMSG_SPACE(4) = 24 bytes)
    const ttl7 = new Uint8Array(new ArrayBuffer(24));
    const dv = new DataView(ttl7.buffer);
    dv.setBigUint64(0, 20n, true);
    dv.setInt32(8, 0, true);
    dv.setInt32(12, 2, true);
    dv.setInt32(16, 7, true);
    const controls: Array<Uint8Array | null> = [ttl7, null];
    accessor(controls, 1, null, () => detachAndFree(ttl7));
    expect(tx.sendMmsg([Buffer.from('a'), Buffer.from('b')], [lo4, lo4], [port, port], [0, 0], controls)).toBe(2);
    const b = new Uint8Array(16);
    const oob = new Uint8Array(64);
    const r = rx.readMsg(b, oob)!;
    expect(r.n).toBe(1);
    const meta = native.parseControl(oob.subarray(0, r.oobn));
    // one IP_TTL cmsg (level 0, type 2) whose value is the default 64, not 7 and not garbage
    expect(meta).toHaveLength(1);
    expect([meta[0]!.level, meta[0]!.type]).toEqual([0, 2]);
    expect(new DataView(oob.buffer, oob.byteOffset + meta[0]!.dataOffset, 4).getInt32(0, true)).toBe(64);
  });

  it('an inherited accessor (through a hole) that frees an earlier buffer', () => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    const d0 = new Uint8Array(new ArrayBuffer(32)).fill(0x42);
    const datas: Uint8Array[] = [d0];
    datas.length = 2; // hole at 1
    const d1 = Buffer.from('via the prototype');
    Object.defineProperty(Array.prototype, 1, {
      configurable: true,
      get() {
        detachAndFree(d0);
        return d1;
      },
    });
    let sent: number;
    try {
      sent = tx.sendMmsg(datas, [lo4, lo4], [port, port], [0, 0], [null, null]);
    } finally {
      delete (Array.prototype as unknown as Record<number, unknown>)[1];
    }
    expect(sent).toBe(2);
    expect(drain(rx).map((b) => b.toString())).toEqual(['', 'via the prototype']);
  });

  it('an accessor that throws: the call throws that error, nothing is sent', () => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    const datas = [Buffer.from('a'), Buffer.from('b')];
    accessor(datas, 1, datas[1]!, () => {
      throw new Error('from the accessor');
    });
    expect(() => tx.sendMmsg(datas, [lo4, lo4], [port, port], [0, 0], [null, null])).toThrow('from the accessor');
    expect(drain(rx)).toEqual([]);
  });

  it('an accessor that empties the arrays mid-call: refused as a bad element, nothing sent', () => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    const datas = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')];
    const addrs = [lo4, lo4, lo4];
    accessor(datas, 0, datas[0]!, () => {
      datas.length = 0;
      addrs.length = 0;
    });
    expect(() => tx.sendMmsg(datas, addrs, [port, port, port], [0, 0, 0], [null, null, null])).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/) }),
    );
    expect(drain(rx)).toEqual([]);
  });
});

describe('results are built without running inherited setters', () => {
  // Each call gets fresh inputs; the setter, if it ever ran, would free all of them mid-call.
  const inputs: ArrayBufferView[] = [];
  let setterCalls = 0;
  function withIndexSetters<T>(fn: () => T): T {
    setterCalls = 0;
    const keys = Array.from({ length: 16 }, (_, i) => String(i));
    for (const k of keys)
      Object.defineProperty(Array.prototype, k, {
        configurable: true,
        set() {
          setterCalls++;
          for (const v of inputs.splice(0)) detachAndFree(v);
        },
      });
    try {
      return fn();
    } finally {
      for (const k of keys) delete (Array.prototype as unknown as Record<string, unknown>)[k];
    }
  }

  it('parseControl: the walk is done before any JS value exists', () => {
    // SO_RXQ_OVFL(4 bytes) then IP_TTL(4 bytes), then IP_TOS (1 byte)
    const ctrl = new Uint8Array(new ArrayBuffer(72));
    const dv = new DataView(ctrl.buffer);
    const put = (off: number, len: number, level: number, type: number, v: number) => {
      dv.setBigUint64(off, BigInt(len), true);
      dv.setInt32(off + 8, level, true);
      dv.setInt32(off + 12, type, true);
      dv.setUint32(off + 16, v, true);
    };
    put(0, 20, 1, 40, 9);
    put(24, 20, 0, 2, 64);
    put(48, 17, 0, 1, 0xb8);
    inputs.push(ctrl);
    const rows = withIndexSetters(() => native.parseControl(ctrl));
    expect(setterCalls).toBe(0);
    expect(rows).toEqual([
      { offset: 0, level: 1, type: 40, dataOffset: 16, dataLength: 4, cmsgLen: 20, status: 0 },
      { offset: 24, level: 0, type: 2, dataOffset: 40, dataLength: 4, cmsgLen: 20, status: 0 },
      { offset: 48, level: 0, type: 1, dataOffset: 64, dataLength: 1, cmsgLen: 17, status: 0 },
    ]);
    expect(ctrl.byteLength).toBe(72); // never detached
  });

  it('readMsg, localAddress, cmsgMacros, sockaddr.decode, rawmsg.recvmsg, interfaces.byName, hwtstamp-free calls', () => {
    const rx = socket();
    const tx = socket();
    const port = rx.localAddress().port;
    tx.sendMsg(Buffer.from('hello'), lo4, port, 0, null);
    tx.sendMsg(Buffer.from('again'), lo4, port, 0, null);
    const b = new Uint8Array(16);
    const oob = new Uint8Array(64);
    inputs.push(b, oob);
    const r = withIndexSetters(() => rx.readMsg(b, oob));
    expect(setterCalls).toBe(0);
    expect(r).toMatchObject({ n: 5, family: 4, port: expect.any(Number) });
    expect(Buffer.from(b.subarray(0, 5)).toString()).toBe('hello');
    expect(withIndexSetters(() => rx.localAddress())).toEqual({ family: 4, address: expect.any(Uint8Array), port, scopeId: 0, flowinfo: 0 });
    expect(withIndexSetters(() => native.cmsgMacros(1))).toEqual([8, 17, 24]);
    const sa = native.sockaddr.encode(4, lo4, 53, 0, 0);
    inputs.push(sa);
    expect(withIndexSetters(() => native.sockaddr.decode(sa))).toEqual([4, Buffer.from(lo4), 53, 0, 0]);
    const raw = withIndexSetters(() => native.rawmsg.recvmsg(rx.fd, 16, 0, 0));
    expect(raw?.[0]).toBe(5);
    expect(raw?.[2].toString()).toBe('again');
    const lo = withIndexSetters(() => native.interfaces.byName('lo'));
    expect(lo[0][1]).toBe('lo');
    expect(setterCalls).toBe(0);
  });
});
