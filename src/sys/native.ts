// Loads the compiled addon and describes its (deliberately thin) surface.
import type { ArenaRegistrar } from '../tap/rx/arena-memory.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NativeUdpSocket extends ArenaRegistrar {
  readonly fd: number;
  bind(address: Uint8Array, port: number, scopeId: number, display: string): void;
  connect(address: Uint8Array, port: number, scopeId: number, display: string): void;
  setIntOption(level: number, name: number, value: number, label?: string): void;
  getIntOption(level: number, name: number): number;
  localAddress(): { family: number; address: Uint8Array; port: number; scopeId: number; flowinfo: number };
  recv(arena: number, max?: number, flags?: number): number;
  /** The last round's payloads packed into a buffer of their own, when it had a datagram longer than
   * the dense slot (native/udp_socket/arena.h); null otherwise. Taking it clears it. */
  takePayloads(arena: number): ArrayBuffer | null;
  sendMsg(data: Uint8Array, addr: Uint8Array | null, port: number, scopeId: number, control: Uint8Array | null, display?: string): number;
  sendMmsg(datas: Uint8Array[], addrs: Array<Uint8Array | null>, ports: number[], scopes: number[], controls: Array<Uint8Array | null>): number;
  readMsg(
    b: Uint8Array,
    oob: Uint8Array,
  ): { n: number; oobn: number; flags: number; family: number; address: Uint8Array; port: number; scopeId: number } | null;
  startPoll(events: number): void;
  stopPoll(): void;
  close(): void;
}

export interface NativeBinding {
  UdpSocket: new (family: 4 | 6, onPoll: (status: number, events: number) => void) => NativeUdpSocket;
  parseControl(bytes: Uint8Array): NativeControlEntry[];
  decodeControl(bytes: Uint8Array, i32: Int32Array, i64: BigInt64Array, addr: Uint8Array): void;
  ifIndexToName(index: number): string | null;
  ifNameToIndex(name: string): number;
  clock: { realtimeNs(): bigint; monotonicNs(): bigint; monotonicRawNs(): bigint; taiNs(): bigint };
  layout: { i32Fields: number; i64Fields: number; addrStride: number; cmsgAlign: number; cmsgHeaderLen: number };
  /** The control messages the receive path decodes (native/cmsg/cmsg.h kKinds), by name. */
  cmsgKinds: Readonly<Record<string, NativeCmsgKind>>;
  /** The struct-of-arrays layout (native/cmsg/meta_layout.h) by field name. */
  layoutFields: { i32: Readonly<Record<string, number>>; i64: Readonly<Record<string, number>>; addr: Readonly<Record<string, number>>; present: Readonly<Record<string, number>> };
  /** [CMSG_ALIGN(n), CMSG_LEN(n), CMSG_SPACE(n)] from the libc macros. */
  cmsgMacros(n: number): [align: number, len: number, space: number];
  /** The pure C++ sockaddr codec (reference for src/sys/sockaddr.ts) and the libc byte-order functions. */
  sockaddr: {
    encode(family: 4 | 6, address: Uint8Array, port: number, flowinfo: number, scopeId: number): Buffer;
    decode(bytes: Uint8Array): [family: 4 | 6, address: Buffer, port: number, flowinfo: number, scopeId: number];
    htons(v: number): number;
    ntohs(v: number): number;
    htonl(v: number): number;
    ntohl(v: number): number;
    inLength: number;
    in6Length: number;
  };
  /** Raw syscalls on a caller's fd that hand the kernel's sockaddr/control bytes over untouched. */
  rawmsg: {
    getsockname(fd: number): Buffer;
    recvmsg(
      fd: number,
      dataCap: number,
      controlCap: number,
      flags: number,
    ): [n: number, msgFlags: number, data: Buffer, name: Buffer, control: Buffer] | null;
    sendmsg(fd: number, data: Uint8Array | null, name: Uint8Array | null, control: Uint8Array | null): number;
  };
  /** rtnetlink: links as [index, name, mtu, ifi_flags, hwaddr], addresses as [index, family, prefixLen, bytes]. */
  interfaces: {
    list(): [links: NativeLink[], addrs: NativeAddr[]];
    byIndex(index: number): [link: NativeLink, addrs: NativeAddr[]];
    byName(name: string): [link: NativeLink, addrs: NativeAddr[]];
  };
  /** ETHTOOL_GET_TS_INFO: [so_timestamping, phc_index, tx_types, rx_filters]. */
  tsInfo(name: string): [soTimestamping: number, phcIndex: number, txTypes: number, rxFilters: number];
  /** SIOCGHWTSTAMP / SIOCSHWTSTAMP: [flags, tx_type, rx_filter]. */
  hwtstampGet(name: string): [flags: number, txType: number, rxFilter: number];
  hwtstampSet(name: string, flags: number, txType: number, rxFilter: number): [flags: number, txType: number, rxFilter: number];
}

/** One control message as the native walker saw it (status: 0 ok, 1 truncated, 2 short, 3 malformed). */
export interface NativeControlEntry {
  offset: number;
  level: number;
  type: number;
  dataOffset: number;
  dataLength: number;
  cmsgLen: number;
  status: number;
}

export interface NativeCmsgKind {
  level: number;
  type: number;
  /** Data bytes the struct needs; shorter is a partial ('short') message. */
  length: number;
  decoder: string;
}

export type NativeLink = [index: number, name: string, mtu: number, flags: number, hwaddr: Buffer];
export type NativeAddr = [index: number, family: 4 | 6, prefixLength: number, address: Buffer];

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`disptap: cannot find the package root above ${start}`);
    dir = up;
  }
}

// Which addon is loaded, first match wins: DISPTAP_NATIVE (a sanitizer or debug build, see
// scripts/asan-test.sh), a source build in build/Release or build/Debug, then the prebuilt N-API
// binary shipped in the npm package, prebuilds/<platform>-<arch>/, chosen by node-gyp-build by
// platform, arch and libc.
function locate(root: string, require: NodeJS.Require): string {
  const explicit = [
    process.env.DISPTAP_NATIVE,
    path.join(root, 'build', 'Release', 'disptap.node'),
    path.join(root, 'build', 'Debug', 'disptap.node'),
  ].filter((p): p is string => !!p);
  const built = explicit.find((p) => fs.existsSync(p));
  if (built) return built;
  try {
    return (require('node-gyp-build') as { path(dir: string): string }).path(root);
  } catch (e) {
    let shipped: string[] = [];
    try {
      shipped = fs.readdirSync(path.join(root, 'prebuilds'));
    } catch {
      // no prebuilds/ folder: a clone, or a package built without them
    }
    const libc = fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc';
    throw new Error(
      `disptap: no native addon for ${process.platform}-${process.arch} (${libc}, Node ${process.version}): ` +
        `none built (looked for ${explicit.join(', ')}) and no matching prebuilt binary in ${path.join(root, 'prebuilds')} ` +
        `(prebuilt: ${shipped.length ? shipped.join(', ') : 'none'}). Build it from source with \`npm rebuild disptap\` ` +
        `(needs a C++ compiler, make and python3), or in a clone \`npm run build:native\``,
      { cause: e },
    );
  }
}

function load(): NativeBinding {
  const root = findRoot(path.dirname(fileURLToPath(import.meta.url)));
  const require = createRequire(import.meta.url);
  const file = locate(root, require);
  try {
    return require(file) as NativeBinding;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(
      `disptap: cannot load the native addon ${file}: ${why}. ` +
        (file.includes(`${path.sep}prebuilds${path.sep}`)
          ? 'The prebuilt binary does not fit this system; build from source with `npm rebuild disptap --build-from-source` (needs a C++ compiler, make and python3)'
          : 'Rebuild it with `npm rebuild disptap` (or `npm run build:native` in a clone)'),
      { cause: e },
    );
  }
}

export const native: NativeBinding = load();

// libuv poll event bits
export const UV_READABLE = 1;
export const UV_WRITABLE = 2;
export const UV_PRIORITIZED = 8;
