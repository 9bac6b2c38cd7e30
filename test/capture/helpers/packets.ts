// Crafted IPv4/IPv6 packets (from the IP header on, as an AF_PACKET SOCK_DGRAM socket sees them).

export interface V4Opts {
  src?: number[];
  dst?: number[];
  srcPort?: number;
  dstPort?: number;
  payload?: Uint8Array;
  proto?: number;
  ttl?: number;
  tos?: number;
  /** IPv4 option bytes (padded to 4). */
  options?: number[];
  /** Fragment offset in 8-byte units, and MF. */
  fragOffset?: number;
  mf?: boolean;
  df?: boolean;
  id?: number;
  /** Override the UDP length field. */
  udpLength?: number;
  /** Extra bytes after the IP packet (link padding). */
  trailer?: number;
}

export function ipv4(o: V4Opts = {}): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const ihl = 20 + opts.length;
  const payload = o.payload ?? new Uint8Array([1, 2, 3, 4]);
  const l4 = o.proto === undefined || o.proto === 17 ? 8 + payload.length : payload.length;
  const total = ihl + l4;
  const b = new Uint8Array(total + (o.trailer ?? 0));
  const v = new DataView(b.buffer);
  b[0] = 0x40 | (ihl / 4);
  b[1] = o.tos ?? 0;
  v.setUint16(2, total);
  v.setUint16(4, o.id ?? 0x1234);
  v.setUint16(6, ((o.df ?? true) && !o.mf && !o.fragOffset ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | (o.fragOffset ?? 0));
  b[8] = o.ttl ?? 64;
  b[9] = o.proto ?? 17;
  b.set(o.src ?? [10, 0, 0, 1], 12);
  b.set(o.dst ?? [10, 0, 0, 2], 16);
  b.set(opts, 20);
  if ((o.proto ?? 17) === 17) {
    v.setUint16(ihl, o.srcPort ?? 40000);
    v.setUint16(ihl + 2, o.dstPort ?? 30041);
    v.setUint16(ihl + 4, o.udpLength ?? 8 + payload.length);
    b.set(payload, ihl + 8);
  } else {
    b.set(payload, ihl);
  }
  return b;
}

export interface V6Opts {
  srcPort?: number;
  dstPort?: number;
  payload?: Uint8Array;
  next?: number;
  hopLimit?: number;
  tclass?: number;
  flowLabel?: number;
  /** Extension headers before UDP: [type, bytes (multiple of 8, including the 2-byte header)]. */
  ext?: Array<{ type: number; len: number; fragOffset?: number; mf?: boolean; id?: number }>;
}

export function ipv6(o: V6Opts = {}): Uint8Array {
  const payload = o.payload ?? new Uint8Array([9, 8, 7]);
  const ext = o.ext ?? [];
  const extLen = ext.reduce((n, e) => n + e.len, 0);
  const finalNext = o.next ?? 17;
  const l4 = finalNext === 17 ? 8 + payload.length : payload.length;
  const b = new Uint8Array(40 + extLen + l4);
  const v = new DataView(b.buffer);
  v.setUint32(0, (6 << 28) | ((o.tclass ?? 0) << 20) | (o.flowLabel ?? 0));
  v.setUint16(4, extLen + l4);
  b[6] = ext.length ? ext[0]!.type : finalNext;
  b[7] = o.hopLimit ?? 64;
  b.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
  b.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 24);
  let off = 40;
  ext.forEach((e, i) => {
    b[off] = i + 1 < ext.length ? ext[i + 1]!.type : finalNext;
    if (e.type === 44) {
      v.setUint16(off + 2, ((e.fragOffset ?? 0) << 3) | (e.mf ? 1 : 0));
      v.setUint32(off + 4, e.id ?? 7);
    } else b[off + 1] = e.len / 8 - 1;
    off += e.len;
  });
  if (finalNext === 17) {
    v.setUint16(off, o.srcPort ?? 40000);
    v.setUint16(off + 2, o.dstPort ?? 30041);
    v.setUint16(off + 4, 8 + payload.length);
    b.set(payload, off + 8);
  } else b.set(payload, off);
  return b;
}
