/** Byte helpers for the decoders and encoders: big-endian reads, copies, hex, a growable writer. */

import { EncodeError } from './errors.js';

/** What the decoders accept. Node Buffers are Uint8Arrays. */
export type BytesLike = Uint8Array | ArrayBuffer;

/**
 * A plain Uint8Array view of the input, or undefined when it is not bytes. Re-viewing a Buffer as
 * a Uint8Array makes `.slice()` copy (Buffer#slice would alias the caller's memory).
 */
export function asBytes(input: unknown): Uint8Array | undefined {
  if (input instanceof Uint8Array) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return undefined;
}

/** Copy of data[start, end): decoded objects never alias the caller's buffer. */
export function copy(data: Uint8Array, start: number, end: number = data.length): Uint8Array {
  return data.slice(start, end);
}

export function u16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}

export function u32(d: Uint8Array, o: number): number {
  return d[o]! * 0x1000000 + ((d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!);
}

/** 48-bit big-endian (exact in a double). */
export function u48(d: Uint8Array, o: number): number {
  return u16(d, o) * 0x100000000 + u32(d, o + 2);
}

export function u64(d: Uint8Array, o: number): bigint {
  return (BigInt(u32(d, o)) << 32n) | BigInt(u32(d, o + 4));
}

export function u32le(d: Uint8Array, o: number): number {
  return d[o]! + d[o + 1]! * 0x100 + d[o + 2]! * 0x10000 + d[o + 3]! * 0x1000000;
}

export function u64le(d: Uint8Array, o: number): bigint {
  return (BigInt(u32le(d, o + 4)) << 32n) | BigInt(u32le(d, o));
}

// Buffer's native hex encoder, called on the bytes themselves: making a Buffer view first cost as
// much as the encoding (this runs for every datagram of --json). Checked once, with a fallback.
const hexSlice = (Buffer.prototype as unknown as { hexSlice?: (this: Uint8Array, start: number, end: number) => string }).hexSlice;
const nativeHex = typeof hexSlice === 'function' && hexSlice.call(new Uint8Array([0xab, 1]), 0, 2) === 'ab01';

export function toHex(bytes: Uint8Array): string {
  if (nativeHex) return hexSlice!.call(bytes, 0, bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function hex16(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}

export function hex32(v: number): string {
  return '0x' + v.toString(16).padStart(8, '0');
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws EncodeError unless v is an integer in 0..max. */
export function assertUint(v: number, max: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new EncodeError(`${field}: ${String(v)} is not an integer in 0..${max}`);
  }
  return v;
}

/** Growable big-endian writer for the encoders; range-checks every field it writes. */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): number {
    const at = this.len;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    this.len += n;
    return at;
  }

  u8(v: number, field = 'u8'): this {
    assertUint(v, 0xff, field);
    // reserve() may swap this.buf: take the index before touching the buffer.
    const o = this.reserve(1);
    this.buf[o] = v;
    return this;
  }

  u16(v: number, field = 'u16'): this {
    assertUint(v, 0xffff, field);
    const o = this.reserve(2);
    this.buf[o] = v >>> 8;
    this.buf[o + 1] = v & 0xff;
    return this;
  }

  u32(v: number, field = 'u32'): this {
    assertUint(v, 0xffffffff, field);
    const o = this.reserve(4);
    this.buf[o] = Math.floor(v / 0x1000000) & 0xff;
    this.buf[o + 1] = (v >>> 16) & 0xff;
    this.buf[o + 2] = (v >>> 8) & 0xff;
    this.buf[o + 3] = v & 0xff;
    return this;
  }

  u48(v: number, field = 'u48'): this {
    assertUint(v, 0xffffffffffff, field);
    this.u16(Math.floor(v / 0x100000000), field);
    return this.u32(v % 0x100000000, field);
  }

  u64(v: bigint, field = 'u64'): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new EncodeError(`${field}: ${String(v)} is not a bigint in 0..2^64-1`);
    }
    this.u32(Number(v >> 32n), field);
    return this.u32(Number(v & 0xffffffffn), field);
  }

  u32le(v: number, field = 'u32le'): this {
    assertUint(v, 0xffffffff, field);
    const o = this.reserve(4);
    this.buf[o] = v & 0xff;
    this.buf[o + 1] = (v >>> 8) & 0xff;
    this.buf[o + 2] = (v >>> 16) & 0xff;
    this.buf[o + 3] = Math.floor(v / 0x1000000) & 0xff;
    return this;
  }

  u64le(v: bigint, field = 'u64le'): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new EncodeError(`${field}: ${String(v)} is not a bigint in 0..2^64-1`);
    }
    this.u32le(Number(v & 0xffffffffn), field);
    return this.u32le(Number(v >> 32n), field);
  }

  bytes(b: Uint8Array, field = 'bytes', exactLength?: number): this {
    if (!(b instanceof Uint8Array)) throw new EncodeError(`${field}: expected a Uint8Array`);
    if (exactLength !== undefined && b.length !== exactLength) {
      throw new EncodeError(`${field}: expected ${exactLength} bytes, got ${b.length}`);
    }
    const o = this.reserve(b.length);
    this.buf.set(b, o);
    return this;
  }

  /** Overwrite a 16-bit field already written (lengths and checksums known only at the end). */
  patchU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
