// encodeUdpBatch must write exactly the blocks PcapngWriter.write() writes for the same datagrams:
// received on real sockets (IPv4, IPv6, dual-stack with v4-mapped peers), with TTL/TOS, a TOS 0xff
// datagram of 768..1023 IP bytes (the LINKTYPE_IPV4 case), truncation, and read back by tshark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openUdp, type RxBatch, type UdpTap } from '../../src/index.js';
import fc from 'fast-check';
import { encodeUdpBatch } from '../../src/pcapng/bulk.js';
import { encodeEpbFast } from '../../src/pcapng/epb.js';
import { encodeEnhancedPacket } from '../../src/pcapng/blocks.js';
import { PcapngWriter } from '../../src/pcapng/writer.js';
import { readPcapng } from '../../src/pcapng/reader.js';
import { ifNameOf } from '../../src/netif/ifname-cache.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-bulk-'));
afterAll(() => { if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true }); });

const taps: UdpTap[] = [];
afterAll(() => taps.forEach((t) => t.close()));

async function receiveAll(t: UdpTap, n: number): Promise<RxBatch> {
  const b = await t.receiveBatch({ timeoutMs: 5000 });
  expect(b.count).toBe(n);
  return b;
}

/** Writes the batch both ways and returns the two files' bytes. */
async function both(b: RxBatch, local: { address: string; port: number }, localBytes: Uint8Array, name: string): Promise<[Buffer, Buffer, string]> {
  const comments = ['host h, socket s, direction in'];
  const a = path.join(dir, `${name}-write.pcapng`);
  const w1 = await PcapngWriter.open(a, { comment: 'x' });
  for (let i = 0; i < b.count; i++) {
    const m = b.message(i);
    const ts = m.timestamps.hardware ?? m.timestamps.software ?? b.readAt;
    w1.write({
      timestampNs: ts,
      timestampSource: m.timestamps.hardware !== undefined ? 'hardware' : m.timestamps.software !== undefined ? 'software' : 'user',
      ifName: m.ifName ?? (m.dst?.ifIndex ? `ifindex${m.dst.ifIndex}` : 'unknown'),
      ifIndex: m.dst?.ifIndex || undefined,
      src: m.src,
      dst: m.dst ? { address: m.dst.address, port: local.port } : local,
      ttl: m.ttl,
      tos: m.tos,
      payload: m.data,
      origLength: m.length,
      direction: 'in',
      readDelayNs: m.readDelayNs,
      drops: m.drops,
      comments,
    });
  }
  w1.closeSync();
  const c = path.join(dir, `${name}-bulk.pcapng`);
  const w2 = await PcapngWriter.open(c, { comment: 'x' });
  const blocks = encodeUdpBatch(b, 0, b.count, b.payloads, b.offsets, {
    localPort: local.port,
    localAddress: local.address,
    localBytes,
    comments,
    interfaceId: (ifIndex, linkType) => w2.interfaceId(ifNameOf(ifIndex) ?? (ifIndex ? `ifindex${ifIndex}` : 'unknown'), ifIndex || undefined, linkType),
  });
  expect(w2.writeBlocks(blocks, b.count)).toBe(1);
  w2.closeSync();
  return [fs.readFileSync(a), fs.readFileSync(c), c];
}

/**
 * The same packets, interfaces and options. Byte equality holds too, except that encodeUdpBatch
 * writes a batch's interface blocks before its packet blocks (valid pcapng: an EPB may use any IDB
 * before it), where write() puts each new IDB right before its first packet.
 */
function expectSame(a: Buffer, c: Buffer): void {
  const x = readPcapng(a);
  const y = readPcapng(c);
  expect(y.errors).toEqual([]);
  expect(x.errors).toEqual([]);
  const view = (f: ReturnType<typeof readPcapng>) =>
    f.packets.map((p) => ({ ...p, offset: 0, iface: { ...f.interfaces[p.interfaceId]!, offset: 0 }, interfaceId: 0, data: Buffer.from(p.data).toString('hex') }));
  expect(view(y)).toEqual(view(x));
  if (x.interfaces.length === 1) expect(c.equals(a)).toBe(true);
}

describe('encodeUdpBatch', () => {
  it('IPv4 with TTL/TOS, a TOS 0xff datagram Wireshark would misread as PPP, and a truncated one: the same blocks as write()', async () => {
    const rx = await openUdp({ address: '127.0.0.1', port: 0, maxMessageSize: 1000 });
    const tx = await openUdp({ address: '127.0.0.1', port: 0 });
    taps.push(rx, tx);
    const to = { address: '127.0.0.1', port: rx.address().port };
    await tx.send(Buffer.from('hello'), to, { ttl: 7, tos: 0x10 });
    await tx.send(Buffer.alloc(800, 1), to, { tos: 0xff }); // IP total 828: byte 2 = 0x03
    await tx.send(Buffer.alloc(1500, 2), to); // truncated to 1000
    await tx.send(Buffer.alloc(0), to);
    await tx.send(Buffer.from('odd'), to);
    await new Promise((r) => setTimeout(r, 50));
    const b = await receiveAll(rx, 5);
    const [a, c, file] = await both(b, to, Uint8Array.of(127, 0, 0, 1), 'v4');
    expectSame(a, c);
    const t = spawnSync('tshark', ['-r', file, '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.cap_len', '-e', 'ip.ttl', '-e', 'ip.dsfield', '-e', 'udp.checksum.status', '-e', 'frame.interface_name'], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
    const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(['33', '828', '1028', '28', '31']);
    expect(rows[0]!.slice(1, 3)).toEqual(['7', '0x10']);
    expect(rows[1]![2]).toBe('0xff');
    expect(rows.map((r) => r[4])).toEqual(['lo', 'lo', 'lo', 'lo', 'lo']);
    // Good checksums except the truncated datagram (not computable over bytes we lack: 0, "not present").
    expect(rows.map((r) => r[3])).toEqual(['1', '1', '3', '1', '1']);
  });

  it('IPv6, and a dual-stack socket with an IPv4 peer (v4-mapped): the same blocks as write()', async () => {
    const rx6 = await openUdp({ address: '::1', port: 0 });
    const tx6 = await openUdp({ address: '::1', port: 0 });
    const dual = await openUdp({ address: '::', port: 0, ipv6Only: false });
    const tx4 = await openUdp({ address: '127.0.0.1', port: 0 });
    taps.push(rx6, tx6, dual, tx4);
    const to6 = { address: '::1', port: rx6.address().port };
    await tx6.send(Buffer.from('six'), to6, { ttl: 9, tos: 0xb8 });
    await tx6.send(Buffer.alloc(2000, 3), to6);
    await new Promise((r) => setTimeout(r, 50));
    const [a, c] = await both(await receiveAll(rx6, 2), to6, new Uint8Array(16).fill(0, 0, 15).fill(1, 15), 'v6');
    expectSame(a, c);

    const toDual = { address: '::', port: dual.address().port };
    await tx4.send(Buffer.from('mapped'), { address: '127.0.0.1', port: toDual.port });
    await new Promise((r) => setTimeout(r, 50));
    const [a2, c2, file] = await both(await receiveAll(dual, 1), toDual, new Uint8Array(16), 'dual');
    expectSame(a2, c2);
    const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst'], { encoding: 'utf8' });
    expect(t.stdout.trim()).toBe('127.0.0.1\t127.0.0.1');
  });

  it('payloads around the copy-loop limit and the 4-byte checksum steps (255..259, 1201 B): write()\'s blocks, checksums tshark verifies', async () => {
    const sizes = [1, 255, 256, 257, 258, 259, 1201]; // one round: a fresh tap reads 8 at first
    for (const [host, bytes] of [['127.0.0.1', Uint8Array.of(127, 0, 0, 1)], ['::1', new Uint8Array(16).fill(0, 0, 15).fill(1, 15)]] as const) {
      const rx = await openUdp({ address: host, port: 0 });
      const tx = await openUdp({ address: host, port: 0 });
      taps.push(rx, tx);
      const to = { address: host, port: rx.address().port };
      // bytes that differ in every position, so a word summed twice or skipped changes the checksum
      for (const n of sizes) await tx.send(Buffer.from(Array.from({ length: n }, (_, k) => (k * 37 + n) & 0xff)), to);
      await new Promise((r) => setTimeout(r, 50));
      const [a, c, file] = await both(await receiveAll(rx, sizes.length), to, bytes, `sizes-${bytes.length}`);
      expectSame(a, c);
      const t = spawnSync('tshark', ['-r', file, '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'udp.length', '-e', 'udp.checksum.status'], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
      expect(t.stdout.trim().split('\n')).toEqual(sizes.map((n) => `${n + 8}\t1`));
    }
  });

  it('consecutive rounds of one socket whose metadata changes between them: each round write()\'s blocks (the comment kept from the last round is not reused wrongly)', async () => {
    const rx = await openUdp({ address: '127.0.0.1', port: 0 });
    const tx = await openUdp({ address: '127.0.0.1', port: 0 });
    const other = await openUdp({ address: '127.0.0.1', port: 0 });
    taps.push(rx, tx, other);
    const to = { address: '127.0.0.1', port: rx.address().port };
    const toOther = { address: '127.0.0.1', port: other.address().port };
    const round = async (t: UdpTap, dst: typeof to, ttls: number[], name: string) => {
      for (const ttl of ttls) await tx.send(Buffer.from(`ttl ${ttl}`), dst, { ttl });
      await new Promise((r) => setTimeout(r, 50));
      const [a, c] = await both(await receiveAll(t, ttls.length), dst, Uint8Array.of(127, 0, 0, 1), name);
      expectSame(a, c);
      expect(c.includes(`ttl=${ttls[0]}`)).toBe(true);
    };
    await round(rx, to, [7, 7], 'r1');
    await round(rx, to, [9, 7], 'r2'); // starts with a different TTL
    await round(rx, to, [7], 'r3'); // starts where r2 ended
    await round(other, toOther, [7], 'r4'); // another socket: its own port in dst=
    await round(rx, to, [7], 'r5');
  });

  it('encodeEpbFast makes the bytes encodeEnhancedPacket makes, for any packet, comments and direction', () => {
    fc.assert(
      fc.property(
        fc.nat(5),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ maxLength: 70 }),
        fc.nat(100),
        fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 3 }),
        fc.constantFrom(undefined, 'in' as const, 'out' as const),
        (id, ts, data, extra, comments, direction) => {
          const a = encodeEnhancedPacket({ interfaceId: id, timestamp: ts, data, origLength: data.length + extra, comments, direction });
          const b = encodeEpbFast(id, ts, data, data.length + extra, comments, direction);
          expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('encodeUdpBatch metadata digits', () => {
  it('read delays and drop counters of every magnitude and sign are written as formatMetaComment writes them', () => {
    const readAt = 1_796_572_675_257_527_176n;
    const delays = [0, 9, 10, 99_999, 2 ** 31 - 1, 2 ** 31, 5_000_000_123, -5, -(2 ** 31)];
    const drops = [0, 7, 10, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 123_456_789, 1, 42];
    const n = delays.length;
    const addresses = new Uint8Array(n * 64);
    for (let i = 0; i < n; i++) addresses.set([127, 0, 0, 1], i * 64);
    const cols = {
      count: n,
      readAt,
      present: new Int32Array(n).fill(1 | (1 << 8)), // software stamp + drop counter
      lengths: new Uint32Array(n).fill(4),
      origLengths: new Uint32Array(n).fill(4),
      swTimestamps: BigInt64Array.from(delays, (d) => readAt - BigInt(d)),
      hwTimestamps: new BigInt64Array(n),
      ifIndex: new Int32Array(n),
      ttl: new Int32Array(n),
      tos: new Int32Array(n),
      drops: Uint32Array.from(drops),
      srcFamily: new Int32Array(n).fill(4),
      dstFamily: new Int32Array(n).fill(4),
      srcPort: new Int32Array(n).fill(40000),
      addresses,
    };
    const payload = new Uint8Array(4 * n).fill(0x61);
    const blocks = encodeUdpBatch(cols, 0, n, payload, Uint32Array.from({ length: n }, (_, i) => 4 * i), {
      localPort: 30041,
      localAddress: '127.0.0.1',
      localBytes: Uint8Array.of(127, 0, 0, 1),
      comments: [],
      interfaceId: () => 0,
    });
    const shb = Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex');
    const idb = Buffer.from('0100000014000000650000000000000014000000', 'hex'); // LINKTYPE_RAW
    const file = readPcapng(Buffer.concat([shb, idb, blocks]));
    expect(file.errors).toEqual([]);
    expect(file.packets.map((p) => p.comments[0]!.replace(/^.* read-delay=/, 'read-delay='))).toEqual(
      delays.map((d, i) => `read-delay=${d}ns drops=${drops[i]}`),
    );
  });
});
