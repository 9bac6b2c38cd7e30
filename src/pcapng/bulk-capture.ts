// Enhanced Packet Blocks for a passive capture's read round in one buffer: the blocks
// PcapngWriter.write() makes for each captured packet (the IP packet as it was on the wire, the
// `disptap:` metadata comment, extra comments, the direction flag). Here, per packet, only what
// needs text or a table: the interface block id and the comment up to `read-delay=`, each made
// once per run of packets that share it; the bytes are written natively, straight from the
// capture's arena (native/pcapng/epb_encode.cc).
import type { CaptureBatchView } from '../capture/batch.js';
import { formatAddress } from '../sys/address.js';
import { native } from '../sys/native.js';
import { int64Halves } from '../tap/rx/layout.js';
import { LINKTYPE_IPV4, LINKTYPE_RAW, pad4 } from './blocks.js';
import { META_PREFIX } from './comments.js';

export interface CaptureBatchTarget {
  /** Interface id for packets seen on ifIndex (the caller keeps the interface blocks). */
  interfaceId(ifIndex: number, linkType: number): number;
  /** Comment options after the metadata line (blocks.ts commentOptions()), by direction. */
  extraIn: Uint8Array;
  extraOut: Uint8Array;
  /** Where the blocks go (at least `size` bytes; block-scratch.ts for the command); a fresh buffer when absent. */
  output?: (size: number) => Buffer;
}

interface PcapngBinding {
  encodeCaptureEpbs(
    out: Uint8Array,
    i32: Int32Array,
    i64: BigInt64Array,
    data: Uint8Array,
    cap: number,
    slotSize: number,
    readAt: bigint,
    pick: Uint32Array,
    n: number,
    ifaceIds: Int32Array,
    prefixIds: Int32Array,
    prefixes: Uint8Array,
    prefixOffsets: Int32Array,
    extraIn: Uint8Array,
    extraOut: Uint8Array,
  ): number;
}
const pcapngNative = native as unknown as PcapngBinding;

const PACKET_OUTGOING = 4;
/** " read-delay=" + sign + 19 digits + "ns" (native/pcapng/epb_encode.cc kMaxDelayText). */
const MAX_DELAY_TEXT = 12 + 1 + 19 + 2;

/** The tables of one call, kept between rounds (a round is at most a few thousand packets). */
let ifaceIds = new Int32Array(1024);
let prefixIds = new Int32Array(1024);

/**
 * Encodes packets pick[0..n) of `b` (UDP datagrams of the round) as EPBs; returns the blocks for
 * one write(2).
 */
export function encodeCaptureBatch(b: CaptureBatchView, pick: Uint32Array, n: number, t: CaptureBatchTarget): Buffer {
  const { extraIn, extraOut } = t;
  if (ifaceIds.length < n) (ifaceIds = new Int32Array(n)), (prefixIds = new Int32Array(n));
  const slot = b.slotSize;
  const { capLen, data, addresses: addr } = b;
  // Stamps tested through their 32-bit halves: a BigInt64Array read makes a BigInt.
  const sw = int64Halves(b.software, b.count);
  const hw = int64Halves(b.hardware, b.count);
  const prefixes: Buffer[] = [];
  let bound = 0;
  let lastIf = -1;
  let lastLink = -1;
  let lastId = 0;
  // The comment prefix of the previous packet, and what it was made from.
  let pTs = -1;
  let pFam = 0;
  let pPort = -1;
  let pIf = -1;
  let pTtl = -1;
  let pTos = -1;
  let pLen = 0;
  const pDst = new Uint8Array(16);
  for (let j = 0; j < n; j++) {
    const i = pick[j]!;
    const cap = capLen[i]!;
    const start = i * slot;
    const hasSw = (sw[2 * i]! | sw[2 * i + 1]!) !== 0;
    const tsSource = (hw[2 * i]! | hw[2 * i + 1]!) !== 0 ? 0 : hasSw ? 1 : 2; // hardware, software, user
    const fam = b.family[i] === 4 ? 4 : 6;
    const dstOff = i * 32 + 16;
    const dstPort = b.dstPort[i]!;
    const ifIndex = b.ifIndex[i]!;
    const ttl = b.ttl[i]!;
    const tos = b.tos[i]!;
    // misreadAsRaw(): an IPv4 packet Wireshark would take for PPP under LINKTYPE_RAW.
    const linkType = cap >= 3 && data[start]! >> 4 === 4 && data[start + 1] === 0xff && data[start + 2] === 0x03 ? LINKTYPE_IPV4 : LINKTYPE_RAW;
    if (ifIndex !== lastIf || linkType !== lastLink) (lastId = t.interfaceId(ifIndex, linkType)), (lastIf = ifIndex), (lastLink = linkType);
    ifaceIds[j] = lastId;
    let same = prefixes.length > 0 && tsSource === pTs && fam === pFam && dstPort === pPort && ifIndex === pIf && ttl === pTtl && tos === pTos;
    const alen = fam === 4 ? 4 : 16;
    for (let k = 0; k < alen && same; k++) if (addr[dstOff + k] !== pDst[k]) same = false;
    if (!same) {
      (pTs = tsSource), (pFam = fam), (pPort = dstPort), (pIf = ifIndex), (pTtl = ttl), (pTos = tos);
      pDst.set(addr.subarray(dstOff, dstOff + alen));
      const a = formatAddress(fam, addr, dstOff);
      const dst = a.includes(':') ? `[${a}]:${dstPort}` : `${a}:${dstPort}`;
      const ts = tsSource === 0 ? 'hardware' : tsSource === 1 ? 'software' : 'user';
      const p = Buffer.from(`${META_PREFIX} ts=${ts} dst=${dst} ifindex=${ifIndex} ttl=${ttl} tos=0x${(tos < 16 ? '0' : '') + tos.toString(16)}`, 'utf8');
      prefixes.push(p);
      pLen = p.length;
    }
    prefixIds[j] = prefixes.length - 1;
    const extra = b.pktType[i] === PACKET_OUTGOING ? extraOut.length : extraIn.length;
    // the size native/pcapng/epb_encode.cc EpbSize() reserves
    bound += 28 + pad4(cap) + 4 + pad4(pLen + (hasSw ? MAX_DELAY_TEXT : 0)) + extra + 16;
  }
  const offsets = new Int32Array(prefixes.length + 1);
  for (let k = 0; k < prefixes.length; k++) offsets[k + 1] = offsets[k]! + prefixes[k]!.length;
  const out = t.output ? t.output(bound) : Buffer.allocUnsafe(bound);
  const a = b.arena;
  const written = pcapngNative.encodeCaptureEpbs(
    out, a.i32, a.i64, data, a.cap, slot, b.readAt, pick, n, ifaceIds, prefixIds,
    prefixes.length === 1 ? prefixes[0]! : Buffer.concat(prefixes), offsets, extraIn, extraOut,
  );
  return out.subarray(0, written);
}
