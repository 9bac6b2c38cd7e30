// Builds minimal SCION packets (empty path, IPv4 hosts) carrying SCMP echo/traceroute messages.

export interface ScmpBuild {
  type: number;
  identifier: number;
  sequence: number;
  srcIA?: bigint;
  dstIA?: bigint;
  srcHost?: number[];
  dstHost?: number[];
  data?: Uint8Array;
  /** Insert an HBH extension (8 bytes) before SCMP. */
  hbh?: boolean;
}

export function scmpPacket(o: ScmpBuild): Uint8Array {
  const data = o.data ?? new Uint8Array(0);
  const ext = o.hbh ? 8 : 0;
  const hdrLen = 12 + 16 + 4 + 4;
  const scmpLen = 8 + data.length;
  const b = new Uint8Array(hdrLen + ext + scmpLen);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x00000001); // version 0, TC 0, flow id 1
  b[4] = o.hbh ? 200 : 202;
  b[5] = hdrLen / 4;
  v.setUint16(6, ext + scmpLen);
  b[8] = 0; // empty path
  b[9] = 0; // DT/DL/ST/SL: IPv4 both
  v.setBigUint64(12, o.dstIA ?? 0x0001ff0000000110n);
  v.setBigUint64(20, o.srcIA ?? 0x0001ff0000000111n);
  b.set(o.dstHost ?? [127, 0, 0, 1], 28);
  b.set(o.srcHost ?? [127, 0, 0, 2], 32);
  let off = hdrLen;
  if (o.hbh) {
    b[off] = 202;
    b[off + 1] = 1; // (1 + 1) * 4 = 8 bytes
    b[off + 2] = 0; // Pad1 ×6
    off += 8;
  }
  b[off] = o.type;
  b[off + 1] = 0;
  v.setUint16(off + 4, o.identifier);
  v.setUint16(off + 6, o.sequence);
  b.set(data, off + 8);
  return b;
}

/** The reply a responder makes: type + 1, addresses swapped, same identifier/sequence/data. */
export function scmpReplyTo(req: ScmpBuild): Uint8Array {
  return scmpPacket({
    ...req,
    type: req.type + 1,
    srcIA: req.dstIA ?? 0x0001ff0000000110n,
    dstIA: req.srcIA ?? 0x0001ff0000000111n,
    srcHost: req.dstHost ?? [127, 0, 0, 1],
    dstHost: req.srcHost ?? [127, 0, 0, 2],
  });
}
