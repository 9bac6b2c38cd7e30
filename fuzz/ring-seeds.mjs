#!/usr/bin/env node
// Writes the seed corpus of the ring walker's fuzz target (fuzz/corpus/ring/), in the input format
// native/packet_socket/fuzz/packet_ring_fuzz.cc reads: [block size selector, block count - 1,
// packets per read - 1], then the ring's memory. The blocks are laid out as the kernel's TPACKET_V3
// code fills them (tpacket_block_desc, then per packet a tpacket3_hdr, its sockaddr_ll at 48, the
// IP packet at tp_mac = tp_net = 96, the next header 8-byte aligned after it), with real IPv4/IPv6
// UDP packets; a few are then broken the ways the walker must refuse.
//
//   node fuzz/ring-seeds.mjs
//
// Needs nothing but node. Rerunning rewrites the same files with the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus', 'ring');
fs.mkdirSync(dir, { recursive: true });

const TP_STATUS_USER = 1;
const TP_STATUS_TS_SOFTWARE = 1 << 29;
const BLOCK_DESC = 48;
const SLL = 48;
const MAC = 96;

function udp4(payload) {
  const p = Buffer.alloc(28 + payload.length);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE(0x4000, 6);
  p[8] = 64;
  p[9] = 17;
  p.set([127, 0, 0, 1], 12);
  p.set([127, 0, 0, 1], 16);
  p.writeUInt16BE(40000, 20);
  p.writeUInt16BE(30041, 22);
  p.writeUInt16BE(8 + payload.length, 24);
  p.set(payload, 28);
  return p;
}

function udp6(payload) {
  const p = Buffer.alloc(48 + payload.length);
  p[0] = 0x60;
  p.writeUInt16BE(8 + payload.length, 4);
  p[6] = 17;
  p[7] = 64;
  p[23] = 1;
  p[39] = 1;
  p.writeUInt16BE(40000, 40);
  p.writeUInt16BE(30041, 42);
  p.writeUInt16BE(8 + payload.length, 44);
  p.set(payload, 48);
  return p;
}

/** One block: packets as [ipPacket, {snaplen?, len?, pkttype?, proto?}] at the kernel's offsets. */
function block(size, status, packets) {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(3, 0); // version (TPACKET_V3, as a reader may check)
  b.writeUInt32LE(BLOCK_DESC, 4); // offset_to_priv
  b.writeUInt32LE(status, 8);
  b.writeUInt32LE(packets.length, 12);
  b.writeUInt32LE(BLOCK_DESC, 16); // offset_to_first_pkt
  let off = BLOCK_DESC;
  packets.forEach(([pkt, o = {}], i) => {
    const snap = o.snaplen ?? pkt.length;
    const next = (MAC + snap + 7) & ~7;
    b.writeUInt32LE(i + 1 < packets.length ? next : 0, off); // tp_next_offset
    b.writeUInt32LE(1_700_000_000 + i, off + 4); // tp_sec
    b.writeUInt32LE(123_456_789, off + 8); // tp_nsec
    b.writeUInt32LE(snap, off + 12);
    b.writeUInt32LE(o.len ?? pkt.length, off + 16);
    b.writeUInt32LE(TP_STATUS_USER | TP_STATUS_TS_SOFTWARE, off + 20);
    b.writeUInt16LE(MAC, off + 24);
    b.writeUInt16LE(MAC, off + 26);
    b.writeUInt16LE(17, off + SLL); // sll_family AF_PACKET
    b.writeUInt16BE(o.proto ?? (pkt[0] >> 4 === 6 ? 0x86dd : 0x0800), off + SLL + 2);
    b.writeInt32LE(1, off + SLL + 4); // sll_ifindex
    b.writeUInt16LE(772, off + SLL + 8); // ARPHRD_LOOPBACK
    b[off + SLL + 10] = o.pkttype ?? 0;
    pkt.copy(b, off + MAC, 0, Math.min(snap, pkt.length, size - off - MAC));
    off += next;
  });
  b.writeUInt32LE(off, 20); // blk_len
  return b;
}

const seeds = {};
const sel = (blockSize) => Math.log2(blockSize / 64); // byte 0
const ring = (blockSize, perRead, blocks) => Buffer.concat([Buffer.from([sel(blockSize), blocks.length - 1, perRead - 1]), ...blocks]);
const a = udp4(Buffer.from('hello ring'));
const b6 = udp6(Buffer.from('v6 datagram'));
const long = udp4(Buffer.alloc(300, 7));

seeds['two-blocks-v4-v6'] = ring(1024, 2, [block(1024, TP_STATUS_USER, [[a], [b6], [a, { pkttype: 4 }]]), block(1024, TP_STATUS_USER, [[b6]])]);
seeds['one-packet-per-read'] = ring(512, 1, [block(512, TP_STATUS_USER, [[a], [a]])]);
seeds['kernel-owned-first'] = ring(512, 4, [block(512, 0, [[a]]), block(512, TP_STATUS_USER, [[a]])]);
seeds['empty-user-block'] = ring(512, 4, [block(512, TP_STATUS_USER, []), block(512, TP_STATUS_USER, [[b6]])]);
seeds['snap-cut'] = ring(1024, 8, [block(1024, TP_STATUS_USER, [[long, { snaplen: 64, len: long.length }]])]);
seeds['fills-block'] = ring(512, 8, [block(512, TP_STATUS_USER, [[udp4(Buffer.alloc(512 - BLOCK_DESC - MAC - 28, 1))]])]);
seeds['four-blocks'] = ring(256, 16, [0, 1, 2, 3].map(() => block(256, TP_STATUS_USER, [[a]])));

// broken ones
const badNext = block(1024, TP_STATUS_USER, [[a], [a], [a]]);
badNext.writeUInt32LE(8, BLOCK_DESC); // tp_next_offset into its own header
seeds['bad-next-offset'] = ring(1024, 8, [badNext, block(1024, TP_STATUS_USER, [[a]])]);
const badSnap = block(512, TP_STATUS_USER, [[a]]);
badSnap.writeUInt32LE(0xffff, BLOCK_DESC + 12); // tp_snaplen past the block
seeds['snaplen-past-block'] = ring(512, 8, [badSnap, block(512, TP_STATUS_USER, [[a]])]);
const badMac = block(512, TP_STATUS_USER, [[a]]);
badMac.writeUInt16LE(0xfff0, BLOCK_DESC + 24); // tp_mac past the block
seeds['mac-past-block'] = ring(512, 8, [badMac]);
const badFirst = block(512, TP_STATUS_USER, [[a]]);
badFirst.writeUInt32LE(600, 16); // offset_to_first_pkt past the block
seeds['first-past-block'] = ring(512, 8, [badFirst]);
const manyPkts = block(512, TP_STATUS_USER, [[a]]);
manyPkts.writeUInt32LE(0xffffffff, 12); // num_pkts
seeds['num-pkts-huge'] = ring(512, 8, [manyPkts]);

for (const [name, bytes] of Object.entries(seeds)) fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
console.log(`wrote ${Object.keys(seeds).length} seeds to ${path.relative(process.cwd(), dir)}`);
