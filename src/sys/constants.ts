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
export const SO_ERROR = 4;
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

// ---- added for the interface, sockaddr and cmsg helpers (values from the Linux uapi headers) ----

export const SOL_IP = IPPROTO_IP;
export const SOL_IPV6 = IPPROTO_IPV6;
export const SOL_UDP = IPPROTO_UDP;

// More SOL_SOCKET control-message types (sent or received); describeControl names them.
export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
export const SCM_SECURITY = 3;
export const SCM_PIDFD = 4;
export const SO_PRIORITY = 12;
export const SO_MARK = 36;
export const SO_WIFI_STATUS = 41;
export const SCM_WIFI_STATUS = SO_WIFI_STATUS;
export const SCM_TIMESTAMPING_OPT_STATS = 54;
export const SO_TXTIME = 61;
export const SCM_TXTIME = SO_TXTIME;

// More IPPROTO_IP options / cmsg types
export const IP_OPTIONS = 4;
export const IP_RECVOPTS = 6;
export const IP_RETOPTS = 7;
export const IP_ORIGDSTADDR = 20;
export const IP_RECVORIGDSTADDR = IP_ORIGDSTADDR;
export const IP_CHECKSUM = 23;
export const IP_RECVFRAGSIZE = 25;

// More IPPROTO_IPV6 options / cmsg types
export const IPV6_NEXTHOP = 9;
export const IPV6_FLOWINFO = 11;
export const IPV6_HOPOPTS = 54;
export const IPV6_RTHDRDSTOPTS = 55;
export const IPV6_RTHDR = 57;
export const IPV6_DSTOPTS = 59;
export const IPV6_PATHMTU = 61;
export const IPV6_ORIGDSTADDR = 74;
export const IPV6_RECVORIGDSTADDR = IPV6_ORIGDSTADDR;
export const IPV6_RECVFRAGSIZE = 77;

// SOL_UDP options / cmsg types
export const UDP_SEGMENT = 103;
export const UDP_GRO = 104;

// Interface flags (ifi_flags / SIOCGIFFLAGS)
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MASTER = 0x400;
export const IFF_SLAVE = 0x800;
export const IFF_MULTICAST = 0x1000;
export const IFF_PORTSEL = 0x2000;
export const IFF_AUTOMEDIA = 0x4000;
export const IFF_DYNAMIC = 0x8000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;
export const IFF_ECHO = 0x40000;

// struct hwtstamp_config (SIOCGHWTSTAMP / SIOCSHWTSTAMP): flags, tx_type, rx_filter
export const HWTSTAMP_FLAG_BONDED_PHC_INDEX = 1 << 0;
export const HWTSTAMP_TX_OFF = 0;
export const HWTSTAMP_TX_ON = 1;
export const HWTSTAMP_TX_ONESTEP_SYNC = 2;
export const HWTSTAMP_TX_ONESTEP_P2P = 3;
export const HWTSTAMP_FILTER_NONE = 0;
export const HWTSTAMP_FILTER_ALL = 1;
export const HWTSTAMP_FILTER_SOME = 2;
export const HWTSTAMP_FILTER_PTP_V1_L4_EVENT = 3;
export const HWTSTAMP_FILTER_PTP_V1_L4_SYNC = 4;
export const HWTSTAMP_FILTER_PTP_V1_L4_DELAY_REQ = 5;
export const HWTSTAMP_FILTER_PTP_V2_L4_EVENT = 6;
export const HWTSTAMP_FILTER_PTP_V2_L4_SYNC = 7;
export const HWTSTAMP_FILTER_PTP_V2_L4_DELAY_REQ = 8;
export const HWTSTAMP_FILTER_PTP_V2_L2_EVENT = 9;
export const HWTSTAMP_FILTER_PTP_V2_L2_SYNC = 10;
export const HWTSTAMP_FILTER_PTP_V2_L2_DELAY_REQ = 11;
export const HWTSTAMP_FILTER_PTP_V2_EVENT = 12;
export const HWTSTAMP_FILTER_PTP_V2_SYNC = 13;
export const HWTSTAMP_FILTER_PTP_V2_DELAY_REQ = 14;
export const HWTSTAMP_FILTER_NTP_ALL = 15;
