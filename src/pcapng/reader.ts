// A small, total pcapng (and legacy pcap) reader: it never throws on malformed input; what
// it cannot make sense of goes into `errors` with the byte offset where it happened.
import {
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_PB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  EPB_DROPCOUNT,
  EPB_FLAGS,
  IF_DESCRIPTION,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  OPT_COMMENT,
  OPT_ENDOFOPT,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USERAPPL,
  pad4,
} from './blocks.js';

/** What kind of damage a {@link ReadError} reports. */
export type ReadErrorCode =
  | 'BAD_INPUT'
  | 'NOT_PCAPNG'
  | 'TRUNCATED'
  | 'BAD_BYTE_ORDER'
  | 'BAD_BLOCK_LENGTH'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_BLOCK'
  | 'BAD_OPTION'
  | 'BAD_INTERFACE';

/** Damage found by {@link readPcapng}, with the byte offset where it was found. */
export interface ReadError {
  code: ReadErrorCode;
  message: string;
  offset: number;
}

/** A section header block: byte order, version, application, OS, comments. */
export interface PcapngSection {
  offset: number;
  byteOrder: 'le' | 'be';
  major: number;
  minor: number;
  userAppl?: string;
  os?: string;
  hardware?: string;
  comments: string[];
}

/** An interface description block (or a pcap file's one link type). */
export interface PcapngInterface {
  /** Index into `interfaces` (unique across sections, unlike the per-section pcapng id). */
  id: number;
  section: number;
  linkType: number;
  snapLen: number;
  name?: string;
  description?: string;
  /** Timestamp unit is base^-exponent seconds. */
  tsresol: { base: 10 | 2; exponent: number };
  tsoffsetSeconds: bigint;
  comments: string[];
}

/** One packet (EPB, SPB, obsolete PB or pcap record) as read back. */
export interface PcapngPacket {
  /** Index into `interfaces`. */
  interfaceId: number;
  /** ns since the epoch; null for Simple Packet Blocks, which carry no timestamp. */
  timestampNs: bigint | null;
  data: Uint8Array;
  origLength: number;
  comments: string[];
  /** epb_flags word, or null when absent. Bits 0-1: 1 inbound, 2 outbound. */
  flags: number | null;
  dropCount: bigint | null;
  /** Byte offset of the block in the file. */
  offset: number;
}

/** What {@link readPcapng} read: sections, interfaces, packets, and any damage. */
export interface PcapngFile {
  format: 'pcapng' | 'pcap' | 'unknown';
  sections: PcapngSection[];
  interfaces: PcapngInterface[];
  packets: PcapngPacket[];
  errors: ReadError[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const decoder = new TextDecoder('utf-8'); // non-fatal: bad UTF-8 becomes U+FFFD, never throws

interface Option {
  code: number;
  value: Uint8Array;
  view: DataView;
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Parses a pcapng (any byte order, several sections) or classic pcap capture held in memory. Never
 * throws: what cannot be read is in `errors`, each with its byte offset; the packets before it are kept.
 */
export function readPcapng(input: Uint8Array): PcapngFile {
  const out: PcapngFile = { format: 'unknown', sections: [], interfaces: [], packets: [], errors: [] };
  try {
    if (!(input instanceof Uint8Array)) {
      out.errors.push({ code: 'BAD_INPUT', message: 'input is not a Uint8Array', offset: 0 });
      return out;
    }
    if (input.length >= 4) {
      const m = viewOf(input).getUint32(0, true);
      if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || swap32(m) === PCAP_MAGIC_US || swap32(m) === PCAP_MAGIC_NS) {
        out.format = 'pcap';
        readLegacy(input, out);
        return out;
      }
    }
    readBlocks(input, out);
  } catch (err) {
    // A bug here must not take down `disptap decode`; report it like any other damage.
    out.errors.push({ code: 'BAD_BLOCK', message: `internal reader error: ${String(err)}`, offset: 0 });
  }
  return out;
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function readBlocks(bytes: Uint8Array, out: PcapngFile): void {
  const view = viewOf(bytes);
  let le = true;
  let inSection = false;
  let sectionIfaces: number[] = []; // per-section id → index in out.interfaces
  let off = 0;
  const err = (code: ReadErrorCode, message: string, at = off) => out.errors.push({ code, message, offset: at });

  while (off < bytes.length) {
    if (bytes.length - off < 12) {
      err('TRUNCATED', `${bytes.length - off} trailing bytes are too few for a block`);
      return;
    }
    let type = view.getUint32(off, le);
    if (type === BLOCK_SHB) {
      const bom = view.getUint32(off + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === swap32(BYTE_ORDER_MAGIC)) le = false;
      else {
        err('BAD_BYTE_ORDER', `section header byte-order magic is 0x${bom.toString(16)}`);
        return;
      }
      type = BLOCK_SHB;
    } else if (!inSection) {
      err('NOT_PCAPNG', `file does not start with a section header block (type 0x${type.toString(16)})`);
      return;
    }
    const total = view.getUint32(off + 4, le);
    if (total < 12 || total % 4 !== 0) {
      err('BAD_BLOCK_LENGTH', `block length ${total} is not a multiple of 4 of at least 12`);
      return;
    }
    if (total > bytes.length - off) {
      err('TRUNCATED', `block of ${total} bytes runs past the end of the file (${bytes.length - off} left)`);
      return;
    }
    if (view.getUint32(off + total - 4, le) !== total) {
      err('BAD_BLOCK_LENGTH', `block trailer length ${view.getUint32(off + total - 4, le)} differs from header ${total}`);
      return; // without matching lengths there is no trustworthy way to the next block
    }
    const body = bytes.subarray(off + 8, off + total - 4);
    const bv = viewOf(body);
    const opts = (start: number) => parseOptions(body, start, le, off + 8, out.errors);

    switch (type) {
      case BLOCK_SHB: {
        if (body.length < 16) {
          err('BAD_BLOCK', 'section header body shorter than 16 bytes');
          return;
        }
        const major = bv.getUint16(4, le);
        const minor = bv.getUint16(6, le);
        if (major !== 1) {
          err('UNSUPPORTED_VERSION', `pcapng version ${major}.${minor}`);
          return;
        }
        const section: PcapngSection = { offset: off, byteOrder: le ? 'le' : 'be', major, minor, comments: [] };
        for (const o of opts(16)) {
          if (o.code === OPT_COMMENT) section.comments.push(text(o));
          else if (o.code === SHB_USERAPPL) section.userAppl = text(o);
          else if (o.code === SHB_OS) section.os = text(o);
          else if (o.code === SHB_HARDWARE) section.hardware = text(o);
        }
        out.sections.push(section);
        out.format = 'pcapng';
        inSection = true;
        sectionIfaces = [];
        break;
      }
      case BLOCK_IDB: {
        if (body.length < 8) {
          err('BAD_BLOCK', 'interface description body shorter than 8 bytes');
          break;
        }
        const iface: PcapngInterface = {
          id: out.interfaces.length,
          section: out.sections.length - 1,
          linkType: bv.getUint16(0, le),
          snapLen: bv.getUint32(4, le),
          tsresol: { base: 10, exponent: 6 },
          tsoffsetSeconds: 0n,
          comments: [],
        };
        for (const o of opts(8)) {
          if (o.code === IF_NAME) iface.name = text(o);
          else if (o.code === IF_DESCRIPTION) iface.description = text(o);
          else if (o.code === OPT_COMMENT) iface.comments.push(text(o));
          else if (o.code === IF_TSRESOL && o.value.length >= 1) {
            const r = o.value[0]!;
            iface.tsresol = r & 0x80 ? { base: 2, exponent: r & 0x7f } : { base: 10, exponent: r };
          } else if (o.code === IF_TSOFFSET && o.value.length >= 8) iface.tsoffsetSeconds = o.view.getBigInt64(0, le);
        }
        sectionIfaces.push(iface.id);
        out.interfaces.push(iface);
        break;
      }
      case BLOCK_EPB:
      case BLOCK_PB: {
        if (body.length < 20) {
          err('BAD_BLOCK', 'packet block body shorter than 20 bytes');
          break;
        }
        const localId = type === BLOCK_EPB ? bv.getUint32(0, le) : bv.getUint16(0, le);
        const ifaceIndex = sectionIfaces[localId];
        if (ifaceIndex === undefined) {
          err('BAD_INTERFACE', `packet refers to interface ${localId}; the section has ${sectionIfaces.length}`);
          break;
        }
        const capLen = bv.getUint32(12, le);
        if (capLen > body.length - 20) {
          err('BAD_BLOCK', `captured length ${capLen} exceeds the block`);
          break;
        }
        const raw = (BigInt(bv.getUint32(4, le)) << 32n) | BigInt(bv.getUint32(8, le));
        const pkt: PcapngPacket = {
          interfaceId: ifaceIndex,
          timestampNs: toNs(raw, out.interfaces[ifaceIndex]!),
          data: body.subarray(20, 20 + capLen),
          origLength: bv.getUint32(16, le),
          comments: [],
          flags: null,
          dropCount: type === BLOCK_PB ? BigInt(bv.getUint16(2, le)) : null,
          offset: off,
        };
        for (const o of opts(20 + pad4(capLen))) {
          if (o.code === OPT_COMMENT) pkt.comments.push(text(o));
          else if (o.code === EPB_FLAGS && o.value.length >= 4) pkt.flags = o.view.getUint32(0, le);
          else if (o.code === EPB_DROPCOUNT && o.value.length >= 8 && type === BLOCK_EPB) pkt.dropCount = o.view.getBigUint64(0, le);
        }
        out.packets.push(pkt);
        break;
      }
      case BLOCK_SPB: {
        const ifaceIndex = sectionIfaces[0];
        if (body.length < 4 || ifaceIndex === undefined) {
          err(ifaceIndex === undefined ? 'BAD_INTERFACE' : 'BAD_BLOCK', 'simple packet block without interface 0 or body');
          break;
        }
        const origLength = bv.getUint32(0, le);
        const snap = out.interfaces[ifaceIndex]!.snapLen || Infinity;
        const capLen = Math.min(origLength, snap, body.length - 4);
        out.packets.push({
          interfaceId: ifaceIndex,
          timestampNs: null,
          data: body.subarray(4, 4 + capLen),
          origLength,
          comments: [],
          flags: null,
          dropCount: null,
          offset: off,
        });
        break;
      }
      default:
        break; // other block types (NRB, ISB, DSB, custom) carry nothing we report
    }
    off += total;
  }
}

/** Options from `start` in `body`; stops at opt_endofopt, the end, or the first damaged option. */
function parseOptions(body: Uint8Array, start: number, le: boolean, bodyOffset: number, errors: ReadError[]): Option[] {
  const opts: Option[] = [];
  const v = viewOf(body);
  let p = start;
  while (p + 4 <= body.length) {
    const code = v.getUint16(p, le);
    const len = v.getUint16(p + 2, le);
    if (code === OPT_ENDOFOPT) break;
    if (p + 4 + len > body.length) {
      errors.push({ code: 'BAD_OPTION', message: `option ${code} of ${len} bytes runs past its block`, offset: bodyOffset + p });
      break;
    }
    const value = body.subarray(p + 4, p + 4 + len);
    opts.push({ code, value, view: viewOf(value) });
    p += 4 + pad4(len);
  }
  return opts;
}

function text(o: Option): string {
  return decoder.decode(o.value);
}

function toNs(raw: bigint, iface: PcapngInterface): bigint {
  const { base, exponent } = iface.tsresol;
  let ns: bigint;
  if (base === 10) ns = exponent <= 9 ? raw * 10n ** BigInt(9 - exponent) : raw / 10n ** BigInt(exponent - 9);
  else ns = (raw * 1_000_000_000n) >> BigInt(exponent);
  return ns + iface.tsoffsetSeconds * 1_000_000_000n;
}

function readLegacy(bytes: Uint8Array, out: PcapngFile): void {
  const view = viewOf(bytes);
  const m = view.getUint32(0, true);
  const le = m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS;
  const nanos = (le ? m : swap32(m)) === PCAP_MAGIC_NS;
  if (bytes.length < 24) {
    out.errors.push({ code: 'TRUNCATED', message: 'pcap file header shorter than 24 bytes', offset: 0 });
    return;
  }
  out.interfaces.push({
    id: 0,
    section: 0,
    linkType: view.getUint32(20, le) & 0xffff, // upper bits carry FCS information
    snapLen: view.getUint32(16, le),
    tsresol: { base: 10, exponent: nanos ? 9 : 6 },
    tsoffsetSeconds: BigInt(view.getInt32(8, le)),
    comments: [],
  });
  let off = 24;
  while (off < bytes.length) {
    if (bytes.length - off < 16) {
      out.errors.push({ code: 'TRUNCATED', message: 'partial pcap record header', offset: off });
      return;
    }
    const sec = BigInt(view.getUint32(off, le));
    const frac = BigInt(view.getUint32(off + 4, le));
    const incl = view.getUint32(off + 8, le);
    const orig = view.getUint32(off + 12, le);
    if (incl > bytes.length - off - 16) {
      out.errors.push({ code: 'TRUNCATED', message: `pcap record of ${incl} bytes runs past the end`, offset: off });
      return;
    }
    out.packets.push({
      interfaceId: 0,
      timestampNs: (sec + out.interfaces[0]!.tsoffsetSeconds) * 1_000_000_000n + (nanos ? frac : frac * 1000n),
      data: bytes.subarray(off + 16, off + 16 + incl),
      origLength: orig,
      comments: [],
      flags: null,
      dropCount: null,
      offset: off,
    });
    off += 16 + incl;
  }
}
