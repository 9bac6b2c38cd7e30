// Applies resolved options to a fresh native socket: metadata switches, buffers, bind.
import fs from 'node:fs';
import { cmsgSpaceOf } from '../cmsg/kinds.js';
import * as C from '../sys/constants.js';
import type { SystemError } from '../sys/errors.js';
import type { NativeUdpSocket } from '../sys/native.js';
import type { ResolvedOptions } from './options.js';

/** All the option helpers below need; a packet socket (src/capture) has it too. */
export type IntOptionSocket = Pick<NativeUdpSocket, 'setIntOption'>;

export interface SetupResult {
  controlSize: number;
  /** The SO_TIMESTAMPING option number the kernel accepted (65 = _NEW, 37 = old). */
  timestampingOption: number;
  timestampingFlags: number;
}

// Reporting and option bits for TX timestamps: set once on the socket; each send then asks for the
// recording points it wants with a per-packet cmsg. OPT_ID keys datagrams 0,1,2… (ee_data);
// OPT_TSONLY keeps packet copies off the error queue; OPT_TX_SWHW allows both sw and hw stamps.
// RAW_HARDWARE (reporting hardware stamps) is not among them: it makes the kernel read every
// received packet's shared info, one more cache miss per datagram. Hardware RX mode has it; a tap
// in another mode adds it when a send first asks for a hardware TX stamp (HW_REPORT_FLAG).
export const HW_REPORT_FLAG = C.SOF_TIMESTAMPING_RAW_HARDWARE;
export const TX_REPORT_FLAGS =
  C.SOF_TIMESTAMPING_SOFTWARE |
  C.SOF_TIMESTAMPING_OPT_ID |
  C.SOF_TIMESTAMPING_OPT_TSONLY |
  C.SOF_TIMESTAMPING_OPT_TX_SWHW;

export const RX_SOFTWARE_FLAGS = C.SOF_TIMESTAMPING_RX_SOFTWARE | C.SOF_TIMESTAMPING_SOFTWARE;
export const RX_HARDWARE_FLAGS =
  RX_SOFTWARE_FLAGS | C.SOF_TIMESTAMPING_RX_HARDWARE | C.SOF_TIMESTAMPING_RAW_HARDWARE | C.SOF_TIMESTAMPING_OPT_PKTINFO;

/** Sets SO_TIMESTAMPING, preferring the y2038-safe SO_TIMESTAMPING_NEW where the kernel has it. */
export function setTimestamping(sock: IntOptionSocket, flags: number): number {
  try {
    sock.setIntOption(C.SOL_SOCKET, C.SO_TIMESTAMPING_NEW, flags, 'SO_TIMESTAMPING_NEW');
    return C.SO_TIMESTAMPING_NEW;
  } catch (e) {
    const code = (e as SystemError).code;
    if (code !== 'ENOPROTOOPT' && code !== 'EINVAL') throw e;
  }
  sock.setIntOption(C.SOL_SOCKET, C.SO_TIMESTAMPING_OLD, flags, 'SO_TIMESTAMPING');
  return C.SO_TIMESTAMPING_OLD;
}

export function setTimestampNs(sock: IntOptionSocket): void {
  try {
    sock.setIntOption(C.SOL_SOCKET, C.SO_TIMESTAMPNS_NEW, 1, 'SO_TIMESTAMPNS_NEW');
  } catch (e) {
    const code = (e as SystemError).code;
    if (code !== 'ENOPROTOOPT' && code !== 'EINVAL') throw e;
    sock.setIntOption(C.SOL_SOCKET, C.SO_TIMESTAMPNS_OLD, 1, 'SO_TIMESTAMPNS');
  }
}

function readProcInt(path: string): number | undefined {
  try {
    return Number(fs.readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

export function setRecvBuffer(sock: IntOptionSocket, size: number): void {
  const max = readProcInt('/proc/sys/net/core/rmem_max');
  if (max !== undefined && size > max) {
    try {
      // Needs CAP_NET_ADMIN; without it fall back to what an ordinary process may have.
      sock.setIntOption(C.SOL_SOCKET, C.SO_RCVBUFFORCE, size, 'SO_RCVBUFFORCE');
      return;
    } catch (e) {
      if ((e as SystemError).code !== 'EPERM') throw e;
    }
  }
  sock.setIntOption(C.SOL_SOCKET, C.SO_RCVBUF, size, 'SO_RCVBUF');
}

/** Everything before bind(), then bind. */
export function setupSocket(sock: NativeUdpSocket, o: ResolvedOptions): SetupResult {
  const v6 = o.family === 6;
  const dual = v6 && !o.ipv6Only;
  let control = 0;
  if (o.reuseAddr) sock.setIntOption(C.SOL_SOCKET, C.SO_REUSEADDR, 1, 'SO_REUSEADDR');
  if (o.reusePort) sock.setIntOption(C.SOL_SOCKET, C.SO_REUSEPORT, 1, 'SO_REUSEPORT');
  if (v6) sock.setIntOption(C.IPPROTO_IPV6, C.IPV6_V6ONLY, o.ipv6Only ? 1 : 0, 'IPV6_V6ONLY');
  if (o.recvBufferSize !== undefined) setRecvBuffer(sock, o.recvBufferSize);

  let timestampingFlags = TX_REPORT_FLAGS;
  if (o.timestamps === 'software') timestampingFlags |= RX_SOFTWARE_FLAGS;
  if (o.timestamps === 'hardware') timestampingFlags |= RX_HARDWARE_FLAGS;
  let timestampingOption: number;
  if (o.timestamps === 'none') {
    // Reporting bits alone would also report RX stamps that other sockets switched on; OPT_RX_FILTER
    // (Linux 6.12+) stops that. Older kernels: accept the occasional stray stamp.
    try {
      timestampingOption = setTimestamping(sock, timestampingFlags | C.SOF_TIMESTAMPING_OPT_RX_FILTER);
      timestampingFlags |= C.SOF_TIMESTAMPING_OPT_RX_FILTER;
    } catch {
      timestampingOption = setTimestamping(sock, timestampingFlags);
    }
  } else {
    timestampingOption = setTimestamping(sock, timestampingFlags);
    control += cmsgSpaceOf('SCM_TIMESTAMPING');
    // SO_TIMESTAMPNS too: the kernel switches RX timestamping on lazily (a deferred static key), and
    // in that window only sockets with SOCK_RCVTSTAMP get a fallback stamp taken at recvmsg time;
    // SO_TIMESTAMPING alone would deliver no timestamp at all for those first datagrams.
    setTimestampNs(sock);
    control += cmsgSpaceOf('SCM_TIMESTAMPNS');
    if (o.timestamps === 'hardware') control += cmsgSpaceOf('SCM_TIMESTAMPING_PKTINFO');
  }
  // Error-queue readiness then shows as POLLPRI, which libuv reports as UV_PRIORITIZED.
  sock.setIntOption(C.SOL_SOCKET, C.SO_SELECT_ERR_QUEUE, 1, 'SO_SELECT_ERR_QUEUE');
  if (o.dropCounter) {
    sock.setIntOption(C.SOL_SOCKET, C.SO_RXQ_OVFL, 1, 'SO_RXQ_OVFL');
    control += cmsgSpaceOf('SO_RXQ_OVFL');
  }
  // A dual-stack IPv6 socket gets the IPv4-level cmsgs too for IPv4-mapped traffic.
  if (o.pktinfo) {
    if (v6) {
      sock.setIntOption(C.IPPROTO_IPV6, C.IPV6_RECVPKTINFO, 1, 'IPV6_RECVPKTINFO');
      control += cmsgSpaceOf('IPV6_PKTINFO');
    }
    if (!v6 || dual) {
      sock.setIntOption(C.IPPROTO_IP, C.IP_PKTINFO, 1, 'IP_PKTINFO');
      control += cmsgSpaceOf('IP_PKTINFO');
    }
  }
  if (o.ttl) {
    if (v6) {
      sock.setIntOption(C.IPPROTO_IPV6, C.IPV6_RECVHOPLIMIT, 1, 'IPV6_RECVHOPLIMIT');
      control += cmsgSpaceOf('IPV6_HOPLIMIT');
    }
    if (!v6 || dual) {
      sock.setIntOption(C.IPPROTO_IP, C.IP_RECVTTL, 1, 'IP_RECVTTL');
      control += cmsgSpaceOf('IP_TTL');
    }
  }
  if (o.tos) {
    if (v6) {
      sock.setIntOption(C.IPPROTO_IPV6, C.IPV6_RECVTCLASS, 1, 'IPV6_RECVTCLASS');
      control += cmsgSpaceOf('IPV6_TCLASS');
    }
    if (!v6 || dual) {
      sock.setIntOption(C.IPPROTO_IP, C.IP_RECVTOS, 1, 'IP_RECVTOS');
      control += cmsgSpaceOf('IP_TOS');
    }
  }
  sock.bind(o.bind.bytes, o.port, o.bind.scopeId, o.addressText);
  return { controlSize: o.controlBufferSize ?? control, timestampingOption, timestampingFlags };
}
