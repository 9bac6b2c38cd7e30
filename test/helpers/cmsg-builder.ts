// Crafts control buffers byte by byte (independent of the code under test) for parser tests.
const HDR = 16;
const align = (n: number) => (n + 7) & ~7;

export interface RawCmsg {
  level: number;
  type: number;
  data: Uint8Array;
  /** Override cmsg_len (to craft malformed headers). */
  cmsgLen?: number;
}

export function craft(msgs: RawCmsg[], opts: { padLast?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  msgs.forEach((m, i) => {
    const len = HDR + m.data.length;
    const last = i === msgs.length - 1;
    const space = last && opts.padLast === false ? len : align(len);
    const b = Buffer.alloc(space);
    b.writeBigUInt64LE(BigInt(m.cmsgLen ?? len), 0);
    b.writeInt32LE(m.level, 8);
    b.writeInt32LE(m.type, 12);
    b.set(m.data, HDR);
    parts.push(b);
  });
  return Buffer.concat(parts);
}

export function timespecs(...ns: bigint[]): Buffer {
  const b = Buffer.alloc(16 * ns.length);
  ns.forEach((v, i) => {
    b.writeBigInt64LE(v / 1_000_000_000n, 16 * i);
    b.writeBigInt64LE(v % 1_000_000_000n, 16 * i + 8);
  });
  return b;
}

export function u32s(...v: number[]): Buffer {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
}
