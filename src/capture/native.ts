// The native surface the capture uses: PacketSocket, parseL3 and the packet layout constants.
// Typed here rather than in src/sys/native.ts so this module owns its own waist.
import type { ArenaRegistrar } from '../tap/rx/arena-memory.js';
import { native } from '../sys/native.js';

export interface NativePacketSocket extends ArenaRegistrar {
  readonly fd: number;
  /** 4 words per instruction: code, jt, jf, k. */
  attachFilter(insns: Uint32Array): void;
  /** ifindex 0 = every interface; protocol in host order (ETH_P_ALL = 3). */
  bind(ifIndex: number, protocol: number): void;
  setIntOption(level: number, name: number, value: number, label?: string): void;
  getIntOption(level: number, name: number): number;
  /**
   * [packets, drops, ringErrors, ringFreezes] since the previous call (the kernel resets them on read);
   * ringErrors counts ring blocks found corrupt and handed back (0 without a ring); ringFreezes
   * the times the ring was full (tpacket_stats_v3 tp_freeze_q_cnt; 0 without a ring).
   */
  stats(): [packets: number, drops: number, ringErrors?: number, ringFreezes?: number];
  /**
   * A TPACKET_V3 receive ring (PACKET_RX_RING, mmap'd) instead of recvmmsg: the kernel copies each
   * packet into a block in the receiving context, recv() walks the blocks into the same arena
   * layout. Before bind(), at most once. blockSize: a power of two, a multiple of the page size, at
   * most 4 MiB; blockCount 1..65536; at most 2 GiB in all; retireMs 1..10000 (how long a block that
   * is not full may wait before it is handed over). hardware: the NIC's stamp where it has one
   * (one stamp per packet: the hardware one, else the software one); timestamps false: none.
   * RangeError ERR_OUT_OF_RANGE / TypeError before any syscall; ERR_INVALID_STATE after bind() or
   * a second time; a failed setsockopt/mmap throws Node-style and leaves a working recvmmsg socket.
   */
  setupRing(blockSize: number, blockCount: number, retireMs: number, hardware?: boolean, timestamps?: boolean): NativeRingInfo;
  recv(arena: number, max?: number): number;
  startPoll(events?: number): void;
  stopPoll(): void;
  close(): void;
}

/** What setupRing() got: the ring's geometry. */
export interface NativeRingInfo {
  blockSize: number;
  blockCount: number;
  frameSize: number;
  /** blockSize × blockCount: the mapped bytes. */
  bytes: number;
}

export interface CaptureBinding {
  PacketSocket: {
    new (onPoll: (status: number, events: number) => void): NativePacketSocket;
    /** sysconf(_SC_PAGESIZE): setupRing's blockSize is a multiple of it. */
    readonly pageSize: number;
  };
  parseL3(bytes: Uint8Array, ethertype: number, i32: Int32Array, addr: Uint8Array): void;
  packetLayout: {
    i32Fields: number;
    i64Fields: number;
    addrStride: number;
    /** The layout by field name (native/packet_socket/packet_layout.h). */
    fields: { i32: Readonly<Record<string, number>>; i64: Readonly<Record<string, number>>; addr: Readonly<Record<string, number>>; status: Readonly<Record<string, number>> };
  };
}

export const captureNative = native as unknown as CaptureBinding;
