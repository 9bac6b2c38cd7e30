/**
 * The "Scion Time" trailer: the 2021 dispatcher fork for chrony appended 52 bytes of RX metadata
 * after the SCION packet (inside the unix-socket frame, not covered by PayloadLen). Layout, all
 * little-endian (x86-64 host order), as the fork's Packet.DecodeFromConn reads it:
 *
 *   0 u64 KernelTS.sec   8 u64 KernelTS.nsec   16 u64 HwTS.sec   24 u64 HwTS.nsec
 *  32 u32 InterfaceID (scm_ts_pktinfo.if_index)  36 u32 PktLengthL2 (scm_ts_pktinfo.pkt_length)
 *  40 i32 Ipi.Ifindex   44 [4] Ipi.Spec_dst   48 [4] Ipi.Addr   (IP_PKTINFO, in_pktinfo)
 */

import { u32le, u64le, ByteWriter } from '../bytes.js';
import { isoFromNs } from '../time.js';
import { formatIPv4 } from './address.js';

/** Bytes of the Scion Time trailer the dispatcher fork appends to a delivered packet. */
export const SCION_TIME_TRAILER_LEN = 52;
/** The `label` of a decoded Scion Time trailer: says what the 52 bytes are. */
export const SCION_TIME_TRAILER_LABEL = 'Scion Time timestamp trailer (52 bytes appended by the dispatcher fork, little-endian)';

/** A `struct timespec` from the trailer, with its nanoseconds and ISO reading. */
export interface Timespec {
  sec: bigint;
  nsec: bigint;
  /** sec * 1e9 + nsec. */
  ns: bigint;
  /** Null when zero (no timestamp) or not representable as a date. */
  iso: string | null;
}

/** The decoded Scion Time trailer: kernel and hardware RX timestamps, interface ID, L2 length and pktinfo. */
export interface ScionTimeTrailer {
  label: typeof SCION_TIME_TRAILER_LABEL;
  kernel: Timespec;
  hardware: Timespec;
  interfaceId: number;
  pktLengthL2: number;
  pktinfo: { ifindex: number; specDst: string; addr: string };
}

/** Bytes after the end of a SCION packet (past HdrLen + PayloadLen), decoded as a Scion Time trailer when they fit one. */
export interface TrailingData {
  /** Offset of the first byte after the SCION packet (HdrLen*4 + PayloadLen). */
  offset: number;
  data: Uint8Array;
  /** Set when exactly 52 bytes trail the packet. */
  scionTime?: ScionTimeTrailer;
}

/** A timespec for the trailer encoder. */
export interface TimespecInput {
  sec: bigint;
  nsec: bigint;
}

/** A Scion Time trailer for {@link encodeScionTimeTrailer}; only the kernel timestamp is required. */
export interface ScionTimeTrailerInput {
  kernel: TimespecInput;
  hardware?: TimespecInput;
  interfaceId?: number;
  pktLengthL2?: number;
  pktinfo?: { ifindex?: number; specDst?: string; addr?: string };
}

function timespec(sec: bigint, nsec: bigint): Timespec {
  const ns = sec * 1_000_000_000n + nsec;
  return { sec, nsec, ns, iso: ns === 0n ? null : isoFromNs(ns) };
}

/** Decode the 52 bytes at d[o]; the caller has checked the length. */
export function decodeScionTimeTrailer(d: Uint8Array, o: number): ScionTimeTrailer {
  // Go wrote the Timespec fields as uint64; reading them unsigned keeps the bytes' meaning.
  const ifindex = u32le(d, o + 40);
  return {
    label: SCION_TIME_TRAILER_LABEL,
    kernel: timespec(u64le(d, o), u64le(d, o + 8)),
    hardware: timespec(u64le(d, o + 16), u64le(d, o + 24)),
    interfaceId: u32le(d, o + 32),
    pktLengthL2: u32le(d, o + 36),
    pktinfo: {
      ifindex: ifindex > 0x7fffffff ? ifindex - 0x100000000 : ifindex,
      specDst: formatIPv4(d.subarray(o + 44, o + 48)),
      addr: formatIPv4(d.subarray(o + 48, o + 52)),
    },
  };
}

function ipv4Bytes(s: string | undefined): Uint8Array {
  const parts = (s ?? '0.0.0.0').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return new Uint8Array(4);
  }
  return Uint8Array.from(parts);
}

/** Build a Scion Time trailer, e.g. to append to a packet in a test frame. */
export function encodeScionTimeTrailer(t: ScionTimeTrailerInput): Uint8Array {
  const w = new ByteWriter();
  const hw = t.hardware ?? { sec: 0n, nsec: 0n };
  const ifindex = t.pktinfo?.ifindex ?? 0;
  w.u64le(t.kernel.sec, 'kernel.sec').u64le(t.kernel.nsec, 'kernel.nsec')
    .u64le(hw.sec, 'hardware.sec').u64le(hw.nsec, 'hardware.nsec')
    .u32le(t.interfaceId ?? 0, 'interfaceId').u32le(t.pktLengthL2 ?? 0, 'pktLengthL2')
    .u32le(ifindex < 0 ? ifindex + 0x100000000 : ifindex, 'pktinfo.ifindex')
    .bytes(ipv4Bytes(t.pktinfo?.specDst)).bytes(ipv4Bytes(t.pktinfo?.addr));
  return w.finish();
}
