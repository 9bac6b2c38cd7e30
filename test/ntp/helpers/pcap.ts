// An independent, minimal reader for tcpdump's classic pcap (µs or ns magic) and the NTP math, so
// the tests judge disptap's numbers with code that shares nothing with it.
import fs from 'node:fs';

export interface UdpPacket {
  tsNs: bigint;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  payload: Buffer;
}

function ip4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** UDP datagrams over IPv4 of a pcap file (Ethernet, Linux cooked v1/v2, raw IP). */
export function readPcapUdp(file: string): UdpPacket[] {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  const nano = magic === 0xa1b23c4d;
  if (!nano && magic !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian pcap`);
  const link = b.readUInt32LE(20);
  const out: UdpPacket[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = BigInt(b.readUInt32LE(o));
    const frac = BigInt(b.readUInt32LE(o + 4));
    const caplen = b.readUInt32LE(o + 8);
    const pkt = b.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    const l3 = link === 1 ? 14 : link === 113 ? 16 : link === 276 ? 20 : link === 101 ? 0 : -1;
    if (l3 < 0 || pkt.length < l3 + 28) continue;
    const ethertype = link === 1 ? pkt.readUInt16BE(12) : link === 113 ? pkt.readUInt16BE(14) : link === 276 ? pkt.readUInt16BE(0) : 0x0800;
    if (ethertype !== 0x0800 || pkt[l3]! >> 4 !== 4 || pkt[l3 + 9] !== 17) continue;
    const ihl = (pkt[l3]! & 15) * 4;
    const u = l3 + ihl;
    const ulen = pkt.readUInt16BE(u + 4);
    out.push({
      tsNs: sec * 1_000_000_000n + (nano ? frac : frac * 1000n),
      src: ip4(pkt, l3 + 12),
      dst: ip4(pkt, l3 + 16),
      sport: pkt.readUInt16BE(u),
      dport: pkt.readUInt16BE(u + 2),
      payload: Buffer.from(pkt.subarray(u + 8, u + ulen)),
    });
  }
  return out;
}

/** The 48-byte NTP header at `at` (the end of the payload for NTP in SCION). */
export interface Ntp {
  mode: number;
  stratum: number;
  org: bigint;
  rec: bigint;
  xmt: bigint;
}

export function ntpAt(p: Buffer, at = p.length - 48): Ntp {
  return { mode: p[at]! & 7, stratum: p[at + 1]!, org: p.readBigUInt64BE(at + 24), rec: p.readBigUInt64BE(at + 32), xmt: p.readBigUInt64BE(at + 40) };
}

/** NTP 64-bit timestamp (era 0, 1968-2036) → ns since 1970. */
export function ntpNs(raw: bigint): bigint {
  const secs = raw >> 32n;
  return (secs - 2_208_988_800n) * 1_000_000_000n + (((raw & 0xffffffffn) * 1_000_000_000n) >> 32n);
}

export interface RefExchange {
  t1: bigint;
  t2: bigint;
  t3: bigint;
  t4: bigint;
  offset: bigint;
  delay: bigint;
  interleaved: boolean;
}

function fl2(x: bigint): bigint {
  // floor(x / 2)
  return x >= 0n ? x / 2n : -((-x + 1n) / 2n);
}

export function ref(t1: bigint, t2: bigint, t3: bigint, t4: bigint, interleaved: boolean): RefExchange {
  return { t1, t2, t3, t4, offset: fl2(t2 - t1 + (t3 - t4)), delay: t4 - t1 - (t3 - t2), interleaved };
}

/**
 * Reference exchanges from one capture point: a basic response answers the request whose transmit
 * field is its origin; an interleaved one (origin = the request's receive field) completes the
 * previous exchange with its transmit field as T3.
 */
export function referenceExchanges(pkts: readonly UdpPacket[], ntpOffset?: (p: UdpPacket) => number): RefExchange[] {
  const reqByXmt = new Map<bigint, { p: UdpPacket; n: Ntp }>();
  const reqByRec = new Map<bigint, { p: UdpPacket; n: Ntp }>();
  const answered = new Map<bigint, { req: { p: UdpPacket; n: Ntp }; p: UdpPacket; n: Ntp }>(); // by response rec
  const out: RefExchange[] = [];
  for (const p of pkts) {
    const n = ntpAt(p.payload, ntpOffset ? ntpOffset(p) : p.payload.length - 48);
    if (n.mode === 3) {
      reqByXmt.set(n.xmt, { p, n });
      if (n.rec !== 0n && n.org !== 0n) reqByRec.set(n.rec, { p, n });
    } else if (n.mode === 4 && n.org !== 0n) {
      const basic = reqByXmt.get(n.org);
      const req = basic ?? reqByRec.get(n.org);
      if (!req) continue;
      reqByXmt.delete(req.n.xmt);
      answered.set(n.rec, { req, p, n });
      if (basic) out.push(ref(req.p.tsNs, ntpNs(n.rec), ntpNs(n.xmt), p.tsNs, false));
      else {
        const prev = answered.get(req.n.org);
        if (prev) out.push(ref(prev.req.p.tsNs, ntpNs(prev.n.rec), ntpNs(n.xmt), prev.p.tsNs, true));
      }
    }
  }
  return out;
}
