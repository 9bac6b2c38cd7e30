// Pure pcapng block encoders (little-endian), per draft-ietf-opsawg-pcapng.
// Each function returns one complete block: type, total length, body, options, total length again.

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002; // obsolete Packet Block; read only
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** IPv4/IPv6 without link-layer header: the version nibble tells which. */
export const LINKTYPE_RAW = 101;
/** IPv4 only, no heuristics: for the packets Wireshark would misread under LINKTYPE_RAW. */
export const LINKTYPE_IPV4 = 228;

/**
 * Wireshark's LINKTYPE_RAW dissector first looks for a PPP header (ff 03) at byte 1; an IPv4
 * packet with TOS 0xff and a total length of 768..1023 has exactly that, and would be shown as
 * PPP. No other IPv4/IPv6 header trips its heuristics (bytes 6-7 and the version nibble rule
 * the rest out), so only these packets need an explicit IPv4 link type.
 */
export function misreadAsRaw(packet: Uint8Array): boolean {
  return packet.length >= 3 && packet[0]! >> 4 === 4 && packet[1] === 0xff && packet[2] === 0x03;
}

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;
export const EPB_FLAGS = 2;
export const EPB_DROPCOUNT = 4;

/** epb_flags bits 0-1. */
export const DIRECTION_UNKNOWN = 0;
export const DIRECTION_INBOUND = 1;
export const DIRECTION_OUTBOUND = 2;

/** A packet's direction, written as epb_flags (inbound 1, outbound 2). */
export type Direction = 'in' | 'out';

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

const utf8 = new TextEncoder();

export const pad4 = (n: number): number => (n + 3) & ~3;

export function stringOption(code: number, text: string): PcapngOption {
  return { code, value: utf8.encode(text) };
}

export function u32Option(code: number, v: number): PcapngOption {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, v >>> 0, true);
  return { code, value };
}

export function u64Option(code: number, v: bigint): PcapngOption {
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return { code, value };
}

function optionsLength(options: readonly PcapngOption[]): number {
  if (options.length === 0) return 0; // the end marker is only needed when there are options
  let n = 4; // opt_endofopt
  for (const o of options) n += 4 + pad4(o.value.length);
  return n;
}

function writeOptions(view: DataView, bytes: Uint8Array, off: number, options: readonly PcapngOption[]): number {
  if (options.length === 0) return off;
  for (const o of options) {
    if (o.value.length > 0xffff) throw new RangeError(`pcapng option ${o.code} is ${o.value.length} bytes; the limit is 65535`);
    view.setUint16(off, o.code, true);
    view.setUint16(off + 2, o.value.length, true);
    bytes.set(o.value, off + 4);
    off += 4 + pad4(o.value.length); // padding bytes stay zero (fresh buffer)
  }
  view.setUint32(off, OPT_ENDOFOPT, true); // code 0, length 0
  return off + 4;
}

/** Lays out one block: 8-byte header, fixed body of `bodyLength`, options, 4-byte trailer. */
function block(
  type: number,
  bodyLength: number,
  options: readonly PcapngOption[],
  fillBody: (view: DataView, bytes: Uint8Array, off: number) => void,
): Uint8Array {
  const total = 12 + pad4(bodyLength) + optionsLength(options);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  fillBody(view, bytes, 8);
  writeOptions(view, bytes, 8 + pad4(bodyLength), options);
  view.setUint32(total - 4, total, true);
  return bytes;
}

export interface SectionHeaderOptions {
  userAppl?: string;
  hardware?: string;
  os?: string;
  comments?: readonly string[];
}

export function encodeSectionHeader(opts: SectionHeaderOptions = {}): Uint8Array {
  const options: PcapngOption[] = [];
  for (const c of opts.comments ?? []) options.push(stringOption(OPT_COMMENT, c));
  if (opts.hardware) options.push(stringOption(SHB_HARDWARE, opts.hardware));
  if (opts.os) options.push(stringOption(SHB_OS, opts.os));
  options.push(stringOption(SHB_USERAPPL, opts.userAppl ?? 'disptap'));
  return block(BLOCK_SHB, 16, options, (view, _bytes, off) => {
    view.setUint32(off, BYTE_ORDER_MAGIC, true);
    view.setUint16(off + 4, 1, true); // major
    view.setUint16(off + 6, 0, true); // minor
    view.setBigInt64(off + 8, -1n, true); // section length unknown: we stream
  });
}

export interface InterfaceOptions {
  name?: string;
  description?: string;
  linkType?: number;
  /** 0 = no limit. */
  snapLen?: number;
  /** if_tsresol byte; default 9 (10^-9 s, nanoseconds). */
  tsresol?: number;
}

export function encodeInterfaceDescription(opts: InterfaceOptions = {}): Uint8Array {
  const options: PcapngOption[] = [];
  if (opts.name) options.push(stringOption(IF_NAME, opts.name));
  if (opts.description) options.push(stringOption(IF_DESCRIPTION, opts.description));
  options.push({ code: IF_TSRESOL, value: Uint8Array.of(opts.tsresol ?? 9) });
  return block(BLOCK_IDB, 8, options, (view, _bytes, off) => {
    view.setUint16(off, opts.linkType ?? LINKTYPE_RAW, true);
    view.setUint16(off + 2, 0, true);
    view.setUint32(off + 4, opts.snapLen ?? 0, true);
  });
}

export interface EnhancedPacketOptions {
  interfaceId: number;
  /** In the interface's if_tsresol units (ns for the IDBs this module writes). */
  timestamp: bigint;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  origLength?: number;
  comments?: readonly string[];
  direction?: Direction;
  /** epb_dropcount: packets lost between the previous packet and this one. */
  dropCount?: bigint;
}

export function encodeEnhancedPacket(p: EnhancedPacketOptions): Uint8Array {
  if (p.timestamp < 0n || p.timestamp >= 1n << 64n) throw new RangeError(`pcapng timestamp ${p.timestamp} does not fit 64 bits unsigned`);
  const origLength = p.origLength ?? p.data.length;
  if (origLength < p.data.length) throw new RangeError(`origLength ${origLength} is shorter than the ${p.data.length} captured bytes`);
  const options: PcapngOption[] = [];
  for (const c of p.comments ?? []) options.push(stringOption(OPT_COMMENT, c));
  if (p.direction) options.push(u32Option(EPB_FLAGS, p.direction === 'in' ? DIRECTION_INBOUND : DIRECTION_OUTBOUND));
  if (p.dropCount !== undefined) options.push(u64Option(EPB_DROPCOUNT, p.dropCount));
  return block(BLOCK_EPB, 20 + p.data.length, options, (view, bytes, off) => {
    view.setUint32(off, p.interfaceId, true);
    // pcapng splits the 64-bit timestamp into high word then low word, each in section byte order
    view.setUint32(off + 4, Number(p.timestamp >> 32n), true);
    view.setUint32(off + 8, Number(p.timestamp & 0xffffffffn), true);
    view.setUint32(off + 12, p.data.length, true);
    view.setUint32(off + 16, origLength, true);
    bytes.set(p.data, off + 20);
  });
}

/** One encoded comment option per string, end to end. */
export function commentOptions(comments: readonly string[]): Buffer {
  return Buffer.concat(
    comments.map((c) => {
      const e = Buffer.from(c, 'utf8');
      const o = Buffer.alloc(4 + pad4(e.length));
      o.writeUInt16LE(OPT_COMMENT, 0);
      o.writeUInt16LE(e.length, 2);
      e.copy(o, 4);
      return o;
    }),
  );
}
