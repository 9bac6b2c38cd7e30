// Human names for control messages: 'SOL_SOCKET/SCM_TIMESTAMPING'.
import * as C from '../sys/constants.js';
import { invalidArg } from '../sys/errors.js';

const LEVEL_NAMES: ReadonlyMap<number, string> = new Map([
  [C.SOL_SOCKET, 'SOL_SOCKET'],
  [C.IPPROTO_IP, 'IPPROTO_IP'],
  [C.IPPROTO_IPV6, 'IPPROTO_IPV6'],
  [C.IPPROTO_UDP, 'IPPROTO_UDP'],
]);

function byNumber(names: Record<string, number>): ReadonlyMap<number, string> {
  return new Map(Object.entries(names).map(([name, value]) => [value, name] as const));
}

// One name per (level, type): the SCM_* name where an option and its cmsg share a number.
const TYPE_NAMES: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [C.SOL_SOCKET, byNumber({
    SCM_RIGHTS: C.SCM_RIGHTS, SCM_CREDENTIALS: C.SCM_CREDENTIALS, SCM_SECURITY: C.SCM_SECURITY, SCM_PIDFD: C.SCM_PIDFD,
    SO_PRIORITY: C.SO_PRIORITY, SCM_TIMESTAMP: C.SCM_TIMESTAMP, SCM_TIMESTAMPNS: C.SCM_TIMESTAMPNS, SO_MARK: C.SO_MARK,
    SCM_TIMESTAMPING: C.SCM_TIMESTAMPING, SO_RXQ_OVFL: C.SO_RXQ_OVFL, SCM_WIFI_STATUS: C.SCM_WIFI_STATUS,
    SCM_TIMESTAMPING_OPT_STATS: C.SCM_TIMESTAMPING_OPT_STATS, SCM_TIMESTAMPING_PKTINFO: C.SCM_TIMESTAMPING_PKTINFO,
    SCM_TXTIME: C.SCM_TXTIME, SCM_TIMESTAMP_NEW: C.SCM_TIMESTAMP_NEW, SCM_TIMESTAMPNS_NEW: C.SCM_TIMESTAMPNS_NEW,
    SCM_TIMESTAMPING_NEW: C.SCM_TIMESTAMPING_NEW,
  })],
  [C.IPPROTO_IP, byNumber({
    IP_TOS: C.IP_TOS, IP_TTL: C.IP_TTL, IP_OPTIONS: C.IP_OPTIONS, IP_RECVOPTS: C.IP_RECVOPTS, IP_RETOPTS: C.IP_RETOPTS,
    IP_PKTINFO: C.IP_PKTINFO, IP_RECVERR: C.IP_RECVERR, IP_ORIGDSTADDR: C.IP_ORIGDSTADDR, IP_CHECKSUM: C.IP_CHECKSUM,
    IP_RECVFRAGSIZE: C.IP_RECVFRAGSIZE,
  })],
  [C.IPPROTO_IPV6, byNumber({
    IPV6_NEXTHOP: C.IPV6_NEXTHOP, IPV6_FLOWINFO: C.IPV6_FLOWINFO, IPV6_RECVERR: C.IPV6_RECVERR,
    IPV6_PKTINFO: C.IPV6_PKTINFO, IPV6_HOPLIMIT: C.IPV6_HOPLIMIT, IPV6_HOPOPTS: C.IPV6_HOPOPTS,
    IPV6_RTHDRDSTOPTS: C.IPV6_RTHDRDSTOPTS, IPV6_RTHDR: C.IPV6_RTHDR, IPV6_DSTOPTS: C.IPV6_DSTOPTS,
    IPV6_PATHMTU: C.IPV6_PATHMTU, IPV6_TCLASS: C.IPV6_TCLASS, IPV6_ORIGDSTADDR: C.IPV6_ORIGDSTADDR,
    IPV6_RECVFRAGSIZE: C.IPV6_RECVFRAGSIZE,
  })],
  [C.IPPROTO_UDP, byNumber({ UDP_SEGMENT: C.UDP_SEGMENT, UDP_GRO: C.UDP_GRO })],
]);

/**
 * A human name for any cmsg: 'SOL_SOCKET/SCM_TIMESTAMPING', 'IPPROTO_IP/IP_PKTINFO'; numbers where
 * the name is unknown ('SOL_SOCKET/type 99', 'level 6/type 3').
 */
export function describeControl(msg: { level: number; type: number }): string {
  if (msg === null || typeof msg !== 'object' || typeof msg.level !== 'number' || typeof msg.type !== 'number')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'describeControl: expected { level: number, type: number }');
  const level = LEVEL_NAMES.get(msg.level) ?? `level ${msg.level}`;
  const type = TYPE_NAMES.get(msg.level)?.get(msg.type) ?? `type ${msg.type}`;
  return `${level}/${type}`;
}
