// Hand-assembles pcapng/pcap bytes in either byte order, independent of src/pcapng/blocks.ts,
// so the reader is tested against files our writer would never produce.

export class Bytes {
  private parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >> 8) : this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    const b = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    for (const x of this.le ? b.reverse() : b) this.u8(x);
    return this;
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]!);
    return this;
  }
  pad(): this {
    while (this.parts.length % 4) this.u8(0);
    return this;
  }
  option(code: number, value: ArrayLike<number>): this {
    return this.u16(code).u16(value.length).raw(value).pad();
  }
  text(code: number, s: string): this {
    return this.option(code, new TextEncoder().encode(s));
  }
  end(): this {
    return this.u32(0);
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function block(le: boolean, type: number, body: (b: Bytes) => void): Uint8Array {
  const inner = new Bytes(le);
  body(inner);
  inner.pad();
  const total = inner.length + 12;
  return new Bytes(le).u32(type).u32(total).raw(inner.bytes()).u32(total).bytes();
}

export function shb(le: boolean, opts: (b: Bytes) => void = () => {}): Uint8Array {
  return block(le, 0x0a0d0d0a, (b) => {
    b.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn);
    opts(b);
  });
}

export function idb(le: boolean, linkType: number, opts: (b: Bytes) => void = () => {}): Uint8Array {
  return block(le, 1, (b) => {
    b.u16(linkType).u16(0).u32(0);
    opts(b);
  });
}

export function epb(le: boolean, ifId: number, ts: bigint, data: ArrayLike<number>, opts: (b: Bytes) => void = () => {}, origLen = data.length): Uint8Array {
  return block(le, 6, (b) => {
    b.u32(ifId).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(origLen).raw(data).pad();
    opts(b);
  });
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
