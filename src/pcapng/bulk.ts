// Enhanced Packet Blocks for a whole receive batch in one buffer: the same bytes
// PcapngWriter.write() makes for each datagram (synthesized IPv4/IPv6 + UDP headers with
// checksums, the `disptap:` metadata comment, extra comments, the inbound flag), but written
// straight from the batch's arrays — no per-datagram record object, header array or block
// allocation — so a capture costs about a copy of the bytes received.
import { LINKTYPE_IPV4, LINKTYPE_RAW, OPT_COMMENT, EPB_FLAGS, BLOCK_EPB, DIRECTION_INBOUND, pad4 } from './blocks.js';
import { META_PREFIX } from './comments.js';
import { ADDR, ADDR_STRIDE, PRESENT } from '../tap/rx/layout.js';
import { formatAddress } from '../sys/address.js';

/** The columns of a receive batch the encoder reads (RxBatch and the CLI's copies have them). */
export interface UdpBatchColumns {
  readonly count: number;
  readonly readAt: bigint;
  readonly present: Int32Array;
  readonly lengths: Uint32Array;
  readonly origLengths: Uint32Array;
  readonly swTimestamps: BigInt64Array;
  readonly hwTimestamps: BigInt64Array;
  readonly ifIndex: Int32Array;
  readonly ttl: Int32Array;
  readonly tos: Int32Array;
  readonly drops: Uint32Array;
  readonly srcFamily: Int32Array;
  readonly dstFamily: Int32Array;
  readonly srcPort: Int32Array;
  readonly addresses: Uint8Array;
}

export interface UdpBatchTarget {
  /** The receiving socket's port (the destination port of every datagram). */
  localPort: number;
  /** Destination address text when pktinfo gave none (the socket's own address). */
  localAddress: string;
  /** The socket's address bytes: 4 (IPv4) or 16 (IPv6), for datagrams without pktinfo. */
  localBytes: Uint8Array;
  /** Interface id of datagram i (the caller keeps the interface blocks). */
  interfaceId(ifIndex: number, linkType: number): number;
  /** Comments after the metadata line, the same for every datagram of the socket. */
  comments: readonly string[];
}

const PROTO_UDP = 17;
const V4_MAPPED = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);

function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (i < end) acc += b[i]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** True when 16 address bytes at `off` are an IPv4-mapped IPv6 address. */
function isMapped(b: Uint8Array, off: number): boolean {
  for (let k = 0; k < 12; k++) if (b[off + k] !== V4_MAPPED[k]) return false;
  return true;
}

function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Encodes datagrams [from, to) of `b` as EPBs; `payload(i)` gives datagram i's captured bytes.
 * Returns the blocks; the caller writes them in one write(2).
 */
export function encodeUdpBatch(
  b: UdpBatchColumns,
  from: number,
  to: number,
  payloadBytes: Uint8Array,
  payloadOffsets: Uint32Array,
  t: UdpBatchTarget,
): Buffer {
  const extra = t.comments.map((c) => Buffer.from(c, 'utf8'));
  let extraLen = 0;
  for (const e of extra) extraLen += 4 + pad4(e.length);
  // Upper bound per datagram: block 12 + EPB 20 + IPv6 40 + UDP 8 + payload + 3 pad + options
  // (meta comment ≤ 200 + extra + flags 8 + end 4).
  let bound = 0;
  for (let i = from; i < to; i++) bound += 300 + extraLen + b.lengths[i]!;
  const out = Buffer.allocUnsafe(bound);
  let off = 0;
  let lastIf = -1;
  let lastLink = -1;
  let lastId = 0;
  let lastDstKey = -1;
  let lastDstText = '';
  const addr = b.addresses;
  const localPort = t.localPort;
  for (let i = from; i < to; i++) {
    const p = b.present[i]!;
    const ao = i * ADDR_STRIDE;
    const cap = b.lengths[i]!;
    const orig = Math.max(b.origLengths[i]!, cap);
    const truncated = orig > cap;
    // Addresses: IPv4 on the wire when both ends are IPv4 or v4-mapped (a dual-stack socket).
    const sFam = b.srcFamily[i] === 4 ? 4 : 6;
    const hasDst = (p & PRESENT.dst) !== 0;
    const dFam = hasDst ? (b.dstFamily[i] === 4 ? 4 : 6) : t.localBytes.length === 4 ? 4 : 6;
    const srcOff = ao + ADDR.src;
    const dstOff = ao + ADDR.dst;
    const s4 = sFam === 4 || isMapped(addr, srcOff);
    const d4 = hasDst ? dFam === 4 || isMapped(addr, dstOff) : dFam === 4 || isMapped(t.localBytes, 0);
    const v4 = s4 && d4;
    const ipLen = v4 ? 20 : 40;
    const udpLen = 8 + orig;
    const pktLen = ipLen + 8 + cap;
    const ttl = p & PRESENT.ttl ? b.ttl[i]! & 0xff : 64;
    const tos = p & PRESENT.tos ? b.tos[i]! & 0xff : 0;
    let tsSource: string;
    let ts: bigint;
    if (p & PRESENT.hardwareTs) (ts = b.hwTimestamps[i]!), (tsSource = 'hardware');
    else if (p & PRESENT.softwareTs) (ts = b.swTimestamps[i]!), (tsSource = 'software');
    else (ts = b.readAt), (tsSource = 'user');

    // The metadata comment, as formatMetaComment writes it.
    let dstText: string;
    if (hasDst) {
      // Consecutive datagrams mostly share the destination: format it once.
      const key = dFam === 4 ? (addr[dstOff]! << 24) | (addr[dstOff + 1]! << 16) | (addr[dstOff + 2]! << 8) | addr[dstOff + 3]! : -2;
      if (key !== lastDstKey || key === -2) {
        lastDstText = endpointText(formatAddress(dFam, addr, dstOff), localPort);
        lastDstKey = key;
      }
      dstText = lastDstText;
    } else dstText = endpointText(t.localAddress, localPort);
    let meta = `${META_PREFIX} ts=${tsSource}`;
    meta += ` dst=${dstText}`;
    if (hasDst && b.ifIndex[i]) meta += ` ifindex=${b.ifIndex[i]!}`;
    if (p & PRESENT.ttl) meta += ` ttl=${b.ttl[i]!}`;
    if (p & PRESENT.tos) meta += ` tos=0x${(tos < 16 ? '0' : '') + tos.toString(16)}`;
    if (p & PRESENT.softwareTs) meta += ` read-delay=${b.readAt - b.swTimestamps[i]!}ns`;
    if (p & PRESENT.drops) meta += ` drops=${b.drops[i]! >>> 0}`;

    const blockStart = off;
    out.writeUInt32LE(BLOCK_EPB, off);
    // total length filled in at the end
    // misreadAsRaw(): an IPv4 packet Wireshark would take for PPP under LINKTYPE_RAW.
    const linkType = v4 && tos === 0xff && (20 + udpLen) >> 8 === 0x03 ? LINKTYPE_IPV4 : LINKTYPE_RAW;
    const ifIndex = hasDst ? b.ifIndex[i]! : 0;
    if (ifIndex !== lastIf || linkType !== lastLink) (lastId = t.interfaceId(ifIndex, linkType)), (lastIf = ifIndex), (lastLink = linkType);
    out.writeUInt32LE(lastId, off + 8);
    out.writeUInt32LE(Number(BigInt.asUintN(64, ts) >> 32n) >>> 0, off + 12);
    out.writeUInt32LE(Number(BigInt.asUintN(64, ts) & 0xffffffffn) >>> 0, off + 16);
    out.writeUInt32LE(pktLen, off + 20);
    out.writeUInt32LE(ipLen + udpLen, off + 24);
    const ip = off + 28;
    // IP header, then the UDP header, then the payload.
    let acc = 0;
    if (v4) {
      out[ip] = 0x45;
      out[ip + 1] = tos;
      out.writeUInt16BE(20 + udpLen, ip + 2);
      out.writeUInt32BE(0x00004000, ip + 4); // id 0, DF
      out[ip + 8] = ttl;
      out[ip + 9] = PROTO_UDP;
      out.writeUInt16BE(0, ip + 10);
      out.set(addr.subarray(sFam === 4 ? srcOff : srcOff + 12, (sFam === 4 ? srcOff : srcOff + 12) + 4), ip + 12);
      if (hasDst) out.set(addr.subarray(dFam === 4 ? dstOff : dstOff + 12, (dFam === 4 ? dstOff : dstOff + 12) + 4), ip + 16);
      else out.set(t.localBytes.length === 4 ? t.localBytes : t.localBytes.subarray(12), ip + 16);
      out.writeUInt16BE(~fold(sum16(out, ip, ip + 20, 0)) & 0xffff, ip + 10);
      acc = sum16(out, ip + 12, ip + 20, 0);
    } else {
      out.writeUInt32BE(((6 << 28) | (tos << 20)) >>> 0, ip);
      out.writeUInt16BE(udpLen, ip + 4);
      out[ip + 6] = PROTO_UDP;
      out[ip + 7] = ttl;
      if (sFam === 6) out.set(addr.subarray(srcOff, srcOff + 16), ip + 8);
      else out.set(V4_MAPPED, ip + 8), out.set(addr.subarray(srcOff, srcOff + 4), ip + 20);
      if (hasDst && dFam === 6) out.set(addr.subarray(dstOff, dstOff + 16), ip + 24);
      else if (hasDst) out.set(V4_MAPPED, ip + 24), out.set(addr.subarray(dstOff, dstOff + 4), ip + 36);
      else if (t.localBytes.length === 16) out.set(t.localBytes, ip + 24);
      else out.set(V4_MAPPED, ip + 24), out.set(t.localBytes, ip + 36);
      acc = sum16(out, ip + 8, ip + 40, 0);
    }
    const u = ip + ipLen;
    out.writeUInt16BE(b.srcPort[i]! & 0xffff, u);
    out.writeUInt16BE(localPort, u + 2);
    out.writeUInt16BE(udpLen & 0xffff, u + 4);
    out.writeUInt16BE(0, u + 6);
    const po = payloadOffsets[i]!;
    out.set(payloadBytes.subarray(po, po + cap), u + 8);
    if (!truncated) {
      acc += PROTO_UDP + udpLen;
      acc = sum16(out, u, u + 8 + cap, acc);
      const ck = ~fold(acc) & 0xffff;
      out.writeUInt16BE(ck === 0 ? 0xffff : ck, u + 6);
    }
    off = ip + pktLen;
    const padded = ip + pad4(pktLen);
    out.fill(0, off, padded);
    off = padded;
    // Options: the metadata comment, the socket's comments, the inbound flag, the end.
    const mlen = out.write(meta, off + 4, 'utf8');
    out.writeUInt16LE(OPT_COMMENT, off);
    out.writeUInt16LE(mlen, off + 2);
    const mEnd = off + 4 + mlen;
    off = off + 4 + pad4(mlen);
    out.fill(0, mEnd, off);
    for (const e of extra) {
      out.writeUInt16LE(OPT_COMMENT, off);
      out.writeUInt16LE(e.length, off + 2);
      e.copy(out, off + 4);
      const end = off + 4 + e.length;
      off = off + 4 + pad4(e.length);
      out.fill(0, end, off);
    }
    out.writeUInt16LE(EPB_FLAGS, off);
    out.writeUInt16LE(4, off + 2);
    out.writeUInt32LE(DIRECTION_INBOUND, off + 4);
    out.writeUInt32LE(0, off + 8); // opt_endofopt
    off += 12;
    const total = off + 4 - blockStart;
    out.writeUInt32LE(total, blockStart + 4);
    out.writeUInt32LE(total, off);
    off += 4;
  }
  return out.subarray(0, off);
}

