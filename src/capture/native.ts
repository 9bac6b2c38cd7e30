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
  /** [packets, drops] since the previous call (the kernel resets them on read). */
  stats(): [packets: number, drops: number];
  recv(arena: number, max?: number): number;
  startPoll(events?: number): void;
  stopPoll(): void;
  close(): void;
}

export interface CaptureBinding {
  PacketSocket: new (onPoll: (status: number, events: number) => void) => NativePacketSocket;
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
