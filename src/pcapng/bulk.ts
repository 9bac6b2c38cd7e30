// Enhanced Packet Blocks for a whole receive batch in one buffer: the same bytes
// PcapngWriter.write() makes for each datagram (synthesized IPv4/IPv6 + UDP headers with
// checksums, the `disptap:` metadata comment, extra comments, the inbound flag), but written
// straight from the batch's arrays — no per-datagram record object, header array or block
// allocation — so a capture costs about a copy of the bytes received. JS writes the headers and
// comments; the payloads and the rest of their UDP checksums are one native call per round
// (native/pcapng/udp_payloads.cc).
import { LINKTYPE_IPV4, LINKTYPE_RAW, OPT_COMMENT, EPB_FLAGS, BLOCK_EPB, DIRECTION_INBOUND, commentOptions, pad4 } from './blocks.js';
import { META_PREFIX } from './comments.js';
import { fold, sum16 } from './synth.js';
import { ADDR, ADDR_STRIDE, HALF_HI, HALF_LO, PRESENT, delayBase, int64Halves } from '../tap/rx/layout.js';
import { formatAddress } from '../sys/address.js';
import { native } from '../sys/native.js';

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
  /**
   * The same comments already encoded as options (blocks.ts commentOptions()), for a caller that
   * writes the same ones every round; `comments` is then not read.
   */
  commentBytes?: Uint8Array;
  /** Where the blocks go (at least `size` bytes; block-scratch.ts for the command); a fresh buffer when absent. */
  output?: (size: number) => Buffer;
}

const PROTO_UDP = 17;
const V4_MAPPED = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);

/** True when 16 address bytes at `off` are an IPv4-mapped IPv6 address. */
function isMapped(b: Uint8Array, off: number): boolean {
  for (let k = 0; k < 12; k++) if (b[off + k] !== V4_MAPPED[k]) return false;
  return true;
}

function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const READ_DELAY = Buffer.from(' read-delay=', 'latin1');
const DROPS = Buffer.from(' drops=', 'latin1');

/** Writes the integer `v` (a safe integer, maybe negative) as ASCII digits at `at`; returns the end. */
export function writeDecimal(out: Uint8Array, at: number, v: number): number {
  if (v < 0) {
    out[at++] = 0x2d; // -
    v = -v;
  }
  if (v > 0x7fffffff) {
    // beyond int32 (a read delay over 2 s): the rare case, as text
    for (const ch of String(v)) out[at++] = ch.charCodeAt(0);
    return at;
  }
  // int32 arithmetic: a float division per digit cost as much as the rest of the comment
  let digits = 1;
  for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
  const end = at + digits;
  for (let k = end - 1; k >= at; k--) {
    const q = (v / 10) | 0;
    out[k] = 0x30 + v - q * 10;
    v = q;
  }
  return end;
}

const EMPTY = Buffer.alloc(0);

/**
 * The last metadata-comment prefix encoded, and what it was made of (pDst in `dst`): the next call
 * starts from it. One for the module: JS runs one call at a time, and a different socket only
 * means the first datagram makes its prefix anew.
 */
const last = { port: -1, localAddress: '', prefix: EMPTY, ts: -1, hasDst: false, ifIndex: -1, ttl: -2, tos: -2, fam: 0, dst: new Uint8Array(16) };

/** Copies 16 address bytes. */
function copy16(from: Uint8Array, at: number, to: Uint8Array, dst: number): void {
  for (let k = 0; k < 16; k++) to[dst + k] = from[at + k]!;
}

/** Writes the IPv4 address at from[at..at+4) as an IPv4-mapped IPv6 address. */
function mapped(from: Uint8Array, at: number, to: Uint8Array, dst: number): void {
  for (let k = 0; k < 10; k++) to[dst + k] = 0;
  to[dst + 10] = 0xff;
  to[dst + 11] = 0xff;
  for (let k = 0; k < 4; k++) to[dst + 12 + k] = from[at + k]!;
}

// One round's payload copies for native/pcapng/udp_payloads.cc: where each payload is, its length,
// where it goes, and its checksum's sum so far. Kept between calls (a round is at most 1024).
let jobSrc = new Uint32Array(256);
let jobLen = new Uint32Array(256);
let jobDst = new Uint32Array(256);
let jobPartial = new Int32Array(256);

function growJobs(n: number): void {
  jobSrc = new Uint32Array(n);
  jobLen = new Uint32Array(n);
  jobDst = new Uint32Array(n);
  jobPartial = new Int32Array(n);
}

interface PayloadBinding {
  copyUdpPayloads(out: Uint8Array, src: Uint8Array, srcOff: Uint32Array, len: Uint32Array, dstOff: Uint32Array, partial: Int32Array, n: number): number;
}
const payloadNative = native as unknown as PayloadBinding;

/** Copies the round's payloads into their blocks and completes their checksums (one native call). */
function copyPayloads(out: Uint8Array, src: Uint8Array, n: number): void {
  if (n > 0) payloadNative.copyUdpPayloads(out, src, jobSrc, jobLen, jobDst, jobPartial, n);
}

/**
 * Encodes datagrams [from, to) of `b` as EPBs — or, with `pick`, datagrams pick[from], …,
 * pick[to - 1] (a filter's matches); datagram i's captured bytes are
 * `payloadBytes[payloadOffsets[i] .. + lengths[i]]`. Returns the blocks; the caller writes them in
 * one write(2). Per datagram it only writes numbers (the payload bytes are copied natively at the
 * end): the constant part of the metadata comment is encoded once per run of datagrams that
 * share it.
 */
export function encodeUdpBatch(
  b: UdpBatchColumns,
  from: number,
  to: number,
  payloadBytes: Uint8Array,
  payloadOffsets: Uint32Array,
  t: UdpBatchTarget,
  pick?: Uint32Array,
): Buffer {
  const extra = t.commentBytes ?? commentOptions(t.comments);
  // Upper bound per datagram: block 12 + EPB 20 + IPv6 40 + UDP 8 + payload + 3 pad + options
  // (meta comment ≤ 200 + extra + flags 8 + end 4).
  let bound = 0;
  for (let j = from; j < to; j++) bound += 300 + extra.length + b.lengths[pick ? pick[j]! : j]!;
  const out = t.output ? t.output(bound) : Buffer.allocUnsafe(bound);
  // Numbers go in through a DataView, which the optimizing compiler turns into plain stores;
  // Buffer#writeUInt32LE is a call with range checks per field.
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // The columns, read once: in the loop each `b.x` would be a getter call or a polymorphic load.
  const { present, lengths, origLengths, srcFamily, dstFamily, ttl: ttls, tos: toss, drops, srcPort } = b;
  const ifIndexes = b.ifIndex;
  const swHalf = int64Halves(b.swTimestamps);
  const hwHalf = int64Halves(b.hwTimestamps);
  const lo = HALF_LO;
  const hi = HALF_HI;
  // readAt's halves: the stamp of a datagram without one
  const readLo = Number(BigInt.asUintN(64, b.readAt) & 0xffffffffn);
  const readHi = Number(BigInt.asUintN(64, b.readAt) >> 32n);
  const { hi: delayHi, lo: delayLo } = delayBase(b.readAt);
  let off = 0;
  let lastIf = -1;
  let lastLink = -1;
  let lastId = 0;
  // The metadata comment up to read-delay is the same for a run of datagrams, mostly from one
  // round to the next too: keep it encoded (`last` holds it between calls).
  const addr = b.addresses;
  const localPort = t.localPort;
  const lb = t.localBytes;
  const sameSocket = last.port === localPort && last.localAddress === t.localAddress;
  last.port = -1; // until this call has written its state back (an interfaceId() that throws)
  let prefix = sameSocket ? last.prefix : EMPTY;
  let pTs = last.ts;
  let pHasDst = last.hasDst;
  let pIf = last.ifIndex;
  let pTtl = last.ttl;
  let pTos = last.tos;
  let pFam = last.fam;
  const pDst = last.dst;
  const extraLen = extra.length;
  if (jobSrc.length < to - from) growJobs(to - from);
  let jobs = 0;
  for (let j = from; j < to; j++) {
    const i = pick ? pick[j]! : j;
    const p = present[i]!;
    const ao = i * ADDR_STRIDE;
    const cap = lengths[i]!;
    const orig = Math.max(origLengths[i]!, cap);
    const truncated = orig > cap;
    // Addresses: IPv4 on the wire when both ends are IPv4 or v4-mapped (a dual-stack socket).
    const sFam = srcFamily[i] === 4 ? 4 : 6;
    const hasDst = (p & PRESENT.dst) !== 0;
    const dFam = hasDst ? (dstFamily[i] === 4 ? 4 : 6) : lb.length === 4 ? 4 : 6;
    const srcOff = ao + ADDR.src;
    const dstOff = ao + ADDR.dst;
    const s4 = sFam === 4 || isMapped(addr, srcOff);
    const d4 = hasDst ? dFam === 4 || isMapped(addr, dstOff) : dFam === 4 || isMapped(lb, 0);
    const v4 = s4 && d4;
    const ipLen = v4 ? 20 : 40;
    const udpLen = 8 + orig;
    const pktLen = ipLen + 8 + cap;
    const hasTtl = (p & PRESENT.ttl) !== 0;
    const hasTos = (p & PRESENT.tos) !== 0;
    const ttl = hasTtl ? ttls[i]! & 0xff : 64;
    const tos = hasTos ? toss[i]! & 0xff : 0;
    const hasSw = (p & PRESENT.softwareTs) !== 0;
    let tsSource: number; // 0 hardware, 1 software, 2 user
    let tsLo: number;
    let tsHi: number;
    if (p & PRESENT.hardwareTs) (tsLo = hwHalf[2 * i + lo]!), (tsHi = hwHalf[2 * i + hi]!), (tsSource = 0);
    else if (hasSw) (tsLo = swHalf[2 * i + lo]!), (tsHi = swHalf[2 * i + hi]!), (tsSource = 1);
    else (tsLo = readLo), (tsHi = readHi), (tsSource = 2);

    // The metadata comment, as formatMetaComment writes it.
    const ifIndex = hasDst ? ifIndexes[i]! : 0;
    // Compared field by field (a string key per datagram cost more than the rest of the block).
    let same =
      prefix.length > 0 && tsSource === pTs && hasDst === pHasDst && ifIndex === pIf && (hasTtl ? ttl : -1) === pTtl && (hasTos ? tos : -1) === pTos && dFam === pFam;
    if (same && hasDst) {
      const n = dFam === 4 ? 4 : 16;
      for (let k = 0; k < n && same; k++) if (addr[dstOff + k] !== pDst[k]) same = false;
    }
    if (!same) {
      pTs = tsSource;
      pHasDst = hasDst;
      pIf = ifIndex;
      pTtl = hasTtl ? ttl : -1;
      pTos = hasTos ? tos : -1;
      pFam = dFam;
      if (hasDst) pDst.set(addr.subarray(dstOff, dstOff + (dFam === 4 ? 4 : 16)));
      const dstText = hasDst ? endpointText(formatAddress(dFam, addr, dstOff), localPort) : endpointText(t.localAddress, localPort);
      let text = `${META_PREFIX} ts=${tsSource === 0 ? 'hardware' : tsSource === 1 ? 'software' : 'user'} dst=${dstText}`;
      if (hasDst && ifIndex) text += ` ifindex=${ifIndex}`;
      if (hasTtl) text += ` ttl=${ttls[i]!}`;
      if (hasTos) text += ` tos=0x${(tos < 16 ? '0' : '') + tos.toString(16)}`;
      prefix = Buffer.from(text, 'utf8');
    }

    const blockStart = off;
    dv.setUint32(off, BLOCK_EPB, true);
    // total length filled in at the end
    // misreadAsRaw(): an IPv4 packet Wireshark would take for PPP under LINKTYPE_RAW.
    const linkType = v4 && tos === 0xff && (20 + udpLen) >> 8 === 0x03 ? LINKTYPE_IPV4 : LINKTYPE_RAW;
    if (ifIndex !== lastIf || linkType !== lastLink) (lastId = t.interfaceId(ifIndex, linkType)), (lastIf = ifIndex), (lastLink = linkType);
    dv.setUint32(off + 8, lastId, true);
    dv.setUint32(off + 12, tsHi, true);
    dv.setUint32(off + 16, tsLo, true);
    dv.setUint32(off + 20, pktLen, true);
    dv.setUint32(off + 24, ipLen + udpLen, true);
    const ip = off + 28;
    // IP header, then the UDP header, then the payload. `acc` gathers the UDP checksum's
    // pseudo-header addresses as 16-bit words.
    let acc = 0;
    if (v4) {
      const s0 = sFam === 4 ? srcOff : srcOff + 12;
      const a0 = hasDst ? (dFam === 4 ? dstOff : dstOff + 12) : 0;
      const dsrc = hasDst ? addr : lb;
      const d0 = hasDst ? a0 : lb.length === 4 ? 0 : 12;
      const sHi = (addr[s0]! << 8) | addr[s0 + 1]!;
      const sLo = (addr[s0 + 2]! << 8) | addr[s0 + 3]!;
      const dHi = (dsrc[d0]! << 8) | dsrc[d0 + 1]!;
      const dLo = (dsrc[d0 + 2]! << 8) | dsrc[d0 + 3]!;
      acc = sHi + sLo + dHi + dLo;
      // id 0, DF, no fragment offset; checksum over the header's words
      const hsum = (0x4500 | tos) + 20 + udpLen + 0x4000 + ((ttl << 8) | PROTO_UDP) + acc;
      dv.setUint16(ip, 0x4500 | tos);
      dv.setUint16(ip + 2, 20 + udpLen);
      dv.setUint32(ip + 4, 0x00004000);
      dv.setUint16(ip + 8, (ttl << 8) | PROTO_UDP);
      dv.setUint16(ip + 10, ~fold(hsum) & 0xffff);
      dv.setUint16(ip + 12, sHi);
      dv.setUint16(ip + 14, sLo);
      dv.setUint16(ip + 16, dHi);
      dv.setUint16(ip + 18, dLo);
    } else {
      dv.setUint32(ip, ((6 << 28) | (tos << 20)) >>> 0);
      dv.setUint16(ip + 4, udpLen);
      out[ip + 6] = PROTO_UDP;
      out[ip + 7] = ttl;
      // Byte by byte (a subarray view per address cost more than the copy).
      if (sFam === 6) copy16(addr, srcOff, out, ip + 8);
      else mapped(addr, srcOff, out, ip + 8);
      if (hasDst && dFam === 6) copy16(addr, dstOff, out, ip + 24);
      else if (hasDst) mapped(addr, dstOff, out, ip + 24);
      else if (lb.length === 16) copy16(lb, 0, out, ip + 24);
      else mapped(lb, 0, out, ip + 24);
      acc = sum16(out, ip + 8, ip + 40, 0);
    }
    const u = ip + ipLen;
    const sp = srcPort[i]! & 0xffff;
    dv.setUint16(u, sp);
    dv.setUint16(u + 2, localPort);
    dv.setUint16(u + 4, udpLen & 0xffff);
    dv.setUint16(u + 6, 0);
    // The payload and the rest of its checksum: natively, for the whole round after this loop.
    jobSrc[jobs] = payloadOffsets[i]!;
    jobLen[jobs] = cap;
    jobDst[jobs] = u + 8;
    // ports, length (twice: header and pseudo-header), protocol; a truncated datagram's checksum
    // is not computable (0: none)
    jobPartial[jobs++] = truncated ? -1 : acc + sp + localPort + udpLen + udpLen + PROTO_UDP;
    off = ip + pktLen;
    const padded = ip + pad4(pktLen);
    while (off < padded) out[off++] = 0;
    // Options: the metadata comment, the socket's comments, the inbound flag, the end.
    out.set(prefix, off + 4);
    // The comment's varying tail as ASCII digits straight into the block: a string per datagram
    // and Buffer#write cost more than the rest of the comment.
    let m = off + 4 + prefix.length;
    if (hasSw) {
      // readAt − software stamp in ns, exact in a double (read delays are far below 2^53 ns).
      const d = (delayHi - swHalf[2 * i + hi]!) * 0x1_0000_0000 + (delayLo - swHalf[2 * i + lo]!);
      out.set(READ_DELAY, m);
      m = writeDecimal(out, m + READ_DELAY.length, d);
      out[m++] = 0x6e; // n
      out[m++] = 0x73; // s
    }
    if (p & PRESENT.drops) {
      out.set(DROPS, m);
      m = writeDecimal(out, m + DROPS.length, drops[i]! >>> 0);
    }
    const mlen = m - (off + 4);
    dv.setUint16(off, OPT_COMMENT, true);
    dv.setUint16(off + 2, mlen, true);
    off = off + 4 + pad4(mlen);
    while (m < off) out[m++] = 0;
    if (extraLen) {
      out.set(extra, off);
      off += extraLen;
    }
    dv.setUint16(off, EPB_FLAGS, true);
    dv.setUint16(off + 2, 4, true);
    dv.setUint32(off + 4, DIRECTION_INBOUND, true);
    dv.setUint32(off + 8, 0, true); // opt_endofopt
    off += 12;
    const total = off + 4 - blockStart;
    dv.setUint32(blockStart + 4, total, true);
    dv.setUint32(off, total, true);
    off += 4;
  }
  copyPayloads(out, payloadBytes, jobs);
  last.port = localPort;
  last.localAddress = t.localAddress;
  last.prefix = prefix;
  last.ts = pTs;
  last.hasDst = pHasDst;
  last.ifIndex = pIf;
  last.ttl = pTtl;
  last.tos = pTos;
  last.fam = pFam;
  return out.subarray(0, off);
}
