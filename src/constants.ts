// Linux socket-level constants (x86-64 / arm64 values). Named so scripts and the cmsg helpers can
// speak the kernel's language without magic numbers.

export const AF_INET = 2;
export const AF_INET6 = 10;

export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_UDP = 17;

// SOL_SOCKET options
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;
export const SO_SNDBUF = 7;
export const SO_REUSEPORT = 15;
export const SO_TIMESTAMP_OLD = 29;
export const SO_TIMESTAMPNS_OLD = 35;
export const SO_TIMESTAMPING_OLD = 37;
export const SO_RCVBUFFORCE = 33;
export const SO_SNDBUFFORCE = 32;
export const SO_RXQ_OVFL = 40;
export const SO_SELECT_ERR_QUEUE = 45;
export const SO_TIMESTAMP_NEW = 63;
export const SO_TIMESTAMPNS_NEW = 64;
export const SO_TIMESTAMPING_NEW = 65;

// SOL_SOCKET control-message types (same numbers as the options that enable them)
export const SCM_TIMESTAMP = SO_TIMESTAMP_OLD;
export const SCM_TIMESTAMPNS = SO_TIMESTAMPNS_OLD;
export const SCM_TIMESTAMPING = SO_TIMESTAMPING_OLD;
export const SCM_TIMESTAMPING_PKTINFO = 58;
export const SCM_TIMESTAMP_NEW = SO_TIMESTAMP_NEW;
export const SCM_TIMESTAMPNS_NEW = SO_TIMESTAMPNS_NEW;
export const SCM_TIMESTAMPING_NEW = SO_TIMESTAMPING_NEW;

// IPPROTO_IP options / cmsg types
export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_PKTINFO = 8;
export const IP_RECVERR = 11;
export const IP_RECVTTL = 12;
export const IP_RECVTOS = 13;

// IPPROTO_IPV6 options / cmsg types
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_RECVERR = 25;
export const IPV6_V6ONLY = 26;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;
export const IPV6_RECVTCLASS = 66;
export const IPV6_TCLASS = 67;

// msg_flags
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;
export const MSG_ERRQUEUE = 0x2000;

// SOF_TIMESTAMPING_* (include/uapi/linux/net_tstamp.h)
export const SOF_TIMESTAMPING_TX_HARDWARE = 1 << 0;
export const SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1;
export const SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2;
export const SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
export const SOF_TIMESTAMPING_SOFTWARE = 1 << 4;
export const SOF_TIMESTAMPING_SYS_HARDWARE = 1 << 5;
export const SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;
export const SOF_TIMESTAMPING_OPT_ID = 1 << 7;
export const SOF_TIMESTAMPING_TX_SCHED = 1 << 8;
export const SOF_TIMESTAMPING_TX_ACK = 1 << 9;
export const SOF_TIMESTAMPING_OPT_CMSG = 1 << 10;
export const SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
export const SOF_TIMESTAMPING_OPT_STATS = 1 << 12;
export const SOF_TIMESTAMPING_OPT_PKTINFO = 1 << 13;
export const SOF_TIMESTAMPING_OPT_TX_SWHW = 1 << 14;
export const SOF_TIMESTAMPING_BIND_PHC = 1 << 15;
export const SOF_TIMESTAMPING_OPT_ID_TCP = 1 << 16;
export const SOF_TIMESTAMPING_OPT_RX_FILTER = 1 << 17;
export const SOF_TIMESTAMPING_TX_COMPLETION = 1 << 18;

// sock_extended_err origins and SCM_TSTAMP_* (ee_info of a TX timestamp)
export const SO_EE_ORIGIN_LOCAL = 1;
export const SO_EE_ORIGIN_ICMP = 2;
export const SO_EE_ORIGIN_ICMP6 = 3;
export const SO_EE_ORIGIN_TIMESTAMPING = 4;
export const SCM_TSTAMP_SND = 0;
export const SCM_TSTAMP_SCHED = 1;
export const SCM_TSTAMP_ACK = 2;
