// Linux socket-level constants (x86-64 / arm64 values). Named so scripts and the cmsg helpers can
// speak the kernel's language without magic numbers.

/** Address family of IPv4 sockets and sockaddr_in. */
export const AF_INET = 2;
/** Address family of IPv6 sockets and sockaddr_in6. */
export const AF_INET6 = 10;

/** Socket-level options and control messages (`cmsg_level` of SCM_*). */
export const SOL_SOCKET = 1;
/** IPv4-level options and control messages (IP_*). */
export const IPPROTO_IP = 0;
/** IPv6-level options and control messages (IPV6_*). */
export const IPPROTO_IPV6 = 41;
/** UDP-level options and control messages (UDP_*). */
export const IPPROTO_UDP = 17;

// SOL_SOCKET options
/** SO_REUSEADDR: bind to an address another socket still holds (the `reuseAddr` option). */
export const SO_REUSEADDR = 2;
/** SO_ERROR: read and clear the pending socket error. */
export const SO_ERROR = 4;
/** SO_RCVBUF: receive buffer size, capped by net.core.rmem_max (the `recvBufferSize` option). */
export const SO_RCVBUF = 8;
/** SO_SNDBUF: send buffer size, capped by net.core.wmem_max. */
export const SO_SNDBUF = 7;
/** SO_REUSEPORT: several sockets share one port, the kernel spreads datagrams (the `reusePort` option). */
export const SO_REUSEPORT = 15;
/** SO_TIMESTAMP with a `struct timeval` (microseconds; y2038-unsafe on 32-bit). */
export const SO_TIMESTAMP_OLD = 29;
/** SO_TIMESTAMPNS with a `struct timespec` (nanoseconds). */
export const SO_TIMESTAMPNS_OLD = 35;
/** SO_TIMESTAMPING: software and hardware RX/TX timestamps, flags SOF_TIMESTAMPING_*. */
export const SO_TIMESTAMPING_OLD = 37;
/** SO_RCVBUFFORCE: receive buffer size beyond rmem_max (needs CAP_NET_ADMIN). */
export const SO_RCVBUFFORCE = 33;
/** SO_SNDBUFFORCE: send buffer size beyond wmem_max (needs CAP_NET_ADMIN). */
export const SO_SNDBUFFORCE = 32;
/** SO_RXQ_OVFL: each datagram carries the socket's cumulative drop count (the `dropCounter` option). */
export const SO_RXQ_OVFL = 40;
/** SO_SELECT_ERR_QUEUE: a readable error queue wakes poll with POLLPRI (TX timestamps). */
export const SO_SELECT_ERR_QUEUE = 45;
/** SO_TIMESTAMP_NEW: SO_TIMESTAMP with 64-bit seconds on every architecture (Linux 5.1+). */
export const SO_TIMESTAMP_NEW = 63;
/** SO_TIMESTAMPNS_NEW: SO_TIMESTAMPNS with 64-bit seconds on every architecture (Linux 5.1+). */
export const SO_TIMESTAMPNS_NEW = 64;
/** SO_TIMESTAMPING_NEW: SO_TIMESTAMPING with 64-bit seconds (Linux 5.1+); `tap.timestampingOption` says which is used. */
export const SO_TIMESTAMPING_NEW = 65;

// SOL_SOCKET control-message types (same numbers as the options that enable them)
/** Control message with a `struct timeval` RX timestamp (SO_TIMESTAMP). */
export const SCM_TIMESTAMP = SO_TIMESTAMP_OLD;
/** Control message with a `struct timespec` RX timestamp (SO_TIMESTAMPNS). */
export const SCM_TIMESTAMPNS = SO_TIMESTAMPNS_OLD;
/** Control message with three `struct timespec`: software, (deprecated), raw hardware (SO_TIMESTAMPING). */
export const SCM_TIMESTAMPING = SO_TIMESTAMPING_OLD;
/** Control message with the hardware-stamping interface index and layer-2 length (SOF_TIMESTAMPING_OPT_PKTINFO). */
export const SCM_TIMESTAMPING_PKTINFO = 58;
/** Control message of SO_TIMESTAMP_NEW (64-bit `struct __kernel_sock_timeval`). */
export const SCM_TIMESTAMP_NEW = SO_TIMESTAMP_NEW;
/** Control message of SO_TIMESTAMPNS_NEW (64-bit `struct __kernel_timespec`). */
export const SCM_TIMESTAMPNS_NEW = SO_TIMESTAMPNS_NEW;
/** Control message of SO_TIMESTAMPING_NEW (three 64-bit `struct __kernel_timespec`). */
export const SCM_TIMESTAMPING_NEW = SO_TIMESTAMPING_NEW;

// IPPROTO_IP options / cmsg types
/** IP_TOS: the TOS byte to send with; as a control message, the TOS a datagram arrived with. */
export const IP_TOS = 1;
/** IP_TTL: the TTL to send with; as a control message, the TTL a datagram arrived with. */
export const IP_TTL = 2;
/** IP_PKTINFO: destination address and arrival interface (`struct in_pktinfo`); also picks the source when sending. */
export const IP_PKTINFO = 8;
/** IP_RECVERR: queue ICMP errors and TX timestamps on the error queue with a `sock_extended_err`. */
export const IP_RECVERR = 11;
/** IP_RECVTTL: deliver each datagram's TTL as an IP_TTL control message. */
export const IP_RECVTTL = 12;
/** IP_RECVTOS: deliver each datagram's TOS byte as an IP_TOS control message. */
export const IP_RECVTOS = 13;

// IPPROTO_IPV6 options / cmsg types
/** IPV6_UNICAST_HOPS: the hop limit of unicast datagrams a socket sends. */
export const IPV6_UNICAST_HOPS = 16;
/** IPV6_RECVERR: the IPv6 twin of IP_RECVERR. */
export const IPV6_RECVERR = 25;
/** IPV6_V6ONLY: an IPv6 socket that refuses IPv4-mapped traffic (the `ipv6Only` option). */
export const IPV6_V6ONLY = 26;
/** IPV6_RECVPKTINFO: deliver destination address and interface as IPV6_PKTINFO. */
export const IPV6_RECVPKTINFO = 49;
/** IPV6_PKTINFO: `struct in6_pktinfo` (address and interface), received or sent. */
export const IPV6_PKTINFO = 50;
/** IPV6_RECVHOPLIMIT: deliver each datagram's hop limit as IPV6_HOPLIMIT. */
export const IPV6_RECVHOPLIMIT = 51;
/** IPV6_HOPLIMIT: a datagram's hop limit, received or (per packet) sent. */
export const IPV6_HOPLIMIT = 52;
/** IPV6_RECVTCLASS: deliver each datagram's traffic class as IPV6_TCLASS. */
export const IPV6_RECVTCLASS = 66;
/** IPV6_TCLASS: a datagram's traffic class, received or sent. */
export const IPV6_TCLASS = 67;

// msg_flags
/** msg_flags: control data was cut short, the control buffer was too small. */
export const MSG_CTRUNC = 0x8;
/** msg_flags: the datagram was longer than the buffer and was cut short. */
export const MSG_TRUNC = 0x20;
/** recvmsg flag: read the socket's error queue (ICMP errors, TX timestamps). */
export const MSG_ERRQUEUE = 0x2000;

// SOF_TIMESTAMPING_* (include/uapi/linux/net_tstamp.h)
/** Generate TX timestamps in the NIC. */
export const SOF_TIMESTAMPING_TX_HARDWARE = 1 << 0;
/** Generate TX timestamps when the packet leaves the kernel for the device. */
export const SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1;
/** Generate RX timestamps in the NIC. */
export const SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2;
/** Generate RX timestamps when the packet enters the kernel. */
export const SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
/** Report software timestamps (ts[0]) in control messages. */
export const SOF_TIMESTAMPING_SOFTWARE = 1 << 4;
/** Deprecated and ignored by the kernel (ts[1]). */
export const SOF_TIMESTAMPING_SYS_HARDWARE = 1 << 5;
/** Report hardware timestamps (ts[2]) in control messages. */
export const SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;
/** Give each sent packet an ID (`ee_data`) that its TX timestamps carry. */
export const SOF_TIMESTAMPING_OPT_ID = 1 << 7;
/** Generate a TX timestamp when the packet enters the qdisc (the `sched` kind). */
export const SOF_TIMESTAMPING_TX_SCHED = 1 << 8;
/** Generate a TX timestamp when all data is acknowledged (TCP only). */
export const SOF_TIMESTAMPING_TX_ACK = 1 << 9;
/** Deliver control messages (such as IP_PKTINFO) with IPv4 TX timestamps too. */
export const SOF_TIMESTAMPING_OPT_CMSG = 1 << 10;
/** TX timestamps come without a copy of the packet. */
export const SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
/** TX timestamps come with SCM_TIMESTAMPING_OPT_STATS (TCP statistics). */
export const SOF_TIMESTAMPING_OPT_STATS = 1 << 12;
/** RX hardware timestamps come with SCM_TIMESTAMPING_PKTINFO. */
export const SOF_TIMESTAMPING_OPT_PKTINFO = 1 << 13;
/** Report software and hardware TX timestamps both, when both are made. */
export const SOF_TIMESTAMPING_OPT_TX_SWHW = 1 << 14;
/** Bind the socket's timestamps to one PHC (vclock) given with the option. */
export const SOF_TIMESTAMPING_BIND_PHC = 1 << 15;
/** TCP only: with OPT_ID, count IDs consistently in payload bytes. */
export const SOF_TIMESTAMPING_OPT_ID_TCP = 1 << 16;
/** Report an RX timestamp only when this socket set its generation flag (RX_SOFTWARE or RX_HARDWARE). */
export const SOF_TIMESTAMPING_OPT_RX_FILTER = 1 << 17;
/** Generate a TX timestamp when the device reports the transmission complete. */
export const SOF_TIMESTAMPING_TX_COMPLETION = 1 << 18;

// sock_extended_err origins and SCM_TSTAMP_* (ee_info of a TX timestamp)
/** `ee_origin` of a locally generated error. */
export const SO_EE_ORIGIN_LOCAL = 1;
/** `ee_origin` of an error from an ICMP message. */
export const SO_EE_ORIGIN_ICMP = 2;
/** `ee_origin` of an error from an ICMPv6 message. */
export const SO_EE_ORIGIN_ICMP6 = 3;
/** `ee_origin` of a TX timestamp on the error queue. */
export const SO_EE_ORIGIN_TIMESTAMPING = 4;
/** `ee_info` of a TX timestamp taken as the packet went to the device (software/hardware). */
export const SCM_TSTAMP_SND = 0;
/** `ee_info` of a TX timestamp taken as the packet entered the qdisc. */
export const SCM_TSTAMP_SCHED = 1;
/** `ee_info` of a TX timestamp taken when the data was acknowledged (TCP). */
export const SCM_TSTAMP_ACK = 2;

// ---- added for the interface, sockaddr and cmsg helpers (values from the Linux uapi headers) ----

/** Alias of IPPROTO_IP as an option level. */
export const SOL_IP = IPPROTO_IP;
/** Alias of IPPROTO_IPV6 as an option level. */
export const SOL_IPV6 = IPPROTO_IPV6;
/** Alias of IPPROTO_UDP as an option level. */
export const SOL_UDP = IPPROTO_UDP;

// More SOL_SOCKET control-message types (sent or received); describeControl names them.
/** Control message passing file descriptors over a unix socket. */
export const SCM_RIGHTS = 1;
/** Control message with the sender's pid, uid and gid (unix sockets). */
export const SCM_CREDENTIALS = 2;
/** Control message with the sender's security context (unix sockets). */
export const SCM_SECURITY = 3;
/** Control message with a pidfd of the sender (unix sockets). */
export const SCM_PIDFD = 4;
/** SO_PRIORITY: the queueing priority of a socket's packets. */
export const SO_PRIORITY = 12;
/** SO_MARK: the fwmark of a socket's packets (needs CAP_NET_ADMIN). */
export const SO_MARK = 36;
/** SO_WIFI_STATUS: report whether a sent frame was acknowledged by the Wi-Fi peer. */
export const SO_WIFI_STATUS = 41;
/** Control message of SO_WIFI_STATUS. */
export const SCM_WIFI_STATUS = SO_WIFI_STATUS;
/** Control message with TCP statistics next to a TX timestamp (SOF_TIMESTAMPING_OPT_STATS). */
export const SCM_TIMESTAMPING_OPT_STATS = 54;
/** SO_TXTIME: send packets at a given time (with the etf qdisc). */
export const SO_TXTIME = 61;
/** Control message with the launch time of one packet (SO_TXTIME). */
export const SCM_TXTIME = SO_TXTIME;

// More IPPROTO_IP options / cmsg types
/** IP_OPTIONS: IPv4 header options to send, or received with IP_RECVOPTS. */
export const IP_OPTIONS = 4;
/** IP_RECVOPTS: deliver the IPv4 options of each datagram. */
export const IP_RECVOPTS = 6;
/** IP_RETOPTS: like IP_RECVOPTS, with the options raw (timestamp and record-route not filled in). */
export const IP_RETOPTS = 7;
/** IP_ORIGDSTADDR: the original destination (`sockaddr_in`) of a TPROXY-redirected datagram. */
export const IP_ORIGDSTADDR = 20;
/** IP_RECVORIGDSTADDR: deliver IP_ORIGDSTADDR with each datagram. */
export const IP_RECVORIGDSTADDR = IP_ORIGDSTADDR;
/** IP_CHECKSUM: deliver the checksum the kernel computed over each received datagram. */
export const IP_CHECKSUM = 23;
/** IP_RECVFRAGSIZE: deliver the largest fragment size of a reassembled datagram. */
export const IP_RECVFRAGSIZE = 25;

// More IPPROTO_IPV6 options / cmsg types
/** IPV6_NEXTHOP: the next hop to send a datagram to. */
export const IPV6_NEXTHOP = 9;
/** IPV6_FLOWINFO: deliver or send the flow label. */
export const IPV6_FLOWINFO = 11;
/** IPV6_HOPOPTS: hop-by-hop options header, received or sent. */
export const IPV6_HOPOPTS = 54;
/** IPV6_RTHDRDSTOPTS: destination options before a routing header. */
export const IPV6_RTHDRDSTOPTS = 55;
/** IPV6_RTHDR: routing header, received or sent. */
export const IPV6_RTHDR = 57;
/** IPV6_DSTOPTS: destination options header, received or sent. */
export const IPV6_DSTOPTS = 59;
/** IPV6_PATHMTU: the path MTU of a connected socket (`struct ip6_mtuinfo`). */
export const IPV6_PATHMTU = 61;
/** IPV6_ORIGDSTADDR: the original destination of a TPROXY-redirected datagram. */
export const IPV6_ORIGDSTADDR = 74;
/** IPV6_RECVORIGDSTADDR: deliver IPV6_ORIGDSTADDR with each datagram. */
export const IPV6_RECVORIGDSTADDR = IPV6_ORIGDSTADDR;
/** IPV6_RECVFRAGSIZE: deliver the largest fragment size of a reassembled datagram. */
export const IPV6_RECVFRAGSIZE = 77;

// SOL_UDP options / cmsg types
/** UDP_SEGMENT: GSO segment size for sending one buffer as many datagrams. */
export const UDP_SEGMENT = 103;
/** UDP_GRO: receive coalesced datagrams; the control message carries the segment size. */
export const UDP_GRO = 104;

// Interface flags (ifi_flags / SIOCGIFFLAGS)
/** Interface flag: administratively up. */
export const IFF_UP = 0x1;
/** Interface flag: has a valid broadcast address. */
export const IFF_BROADCAST = 0x2;
/** Interface flag: driver debugging on. */
export const IFF_DEBUG = 0x4;
/** Interface flag: a loopback interface. */
export const IFF_LOOPBACK = 0x8;
/** Interface flag: a point-to-point link. */
export const IFF_POINTOPOINT = 0x10;
/** Interface flag: avoid trailers (unused by Linux). */
export const IFF_NOTRAILERS = 0x20;
/** Interface flag: operationally up (RFC 2863 OPER_UP). */
export const IFF_RUNNING = 0x40;
/** Interface flag: no ARP. */
export const IFF_NOARP = 0x80;
/** Interface flag: receives all packets (promiscuous). */
export const IFF_PROMISC = 0x100;
/** Interface flag: receives all multicast packets. */
export const IFF_ALLMULTI = 0x200;
/** Interface flag: master of a load-balancing bundle. */
export const IFF_MASTER = 0x400;
/** Interface flag: member of a load-balancing bundle. */
export const IFF_SLAVE = 0x800;
/** Interface flag: supports multicast. */
export const IFF_MULTICAST = 0x1000;
/** Interface flag: can select its media type. */
export const IFF_PORTSEL = 0x2000;
/** Interface flag: selects its media automatically. */
export const IFF_AUTOMEDIA = 0x4000;
/** Interface flag: addresses are lost when it goes down. */
export const IFF_DYNAMIC = 0x8000;
/** Interface flag: the carrier (layer 1) is up. */
export const IFF_LOWER_UP = 0x10000;
/** Interface flag: dormant, waiting for an external event. */
export const IFF_DORMANT = 0x20000;
/** Interface flag: echoes sent packets. */
export const IFF_ECHO = 0x40000;

// struct hwtstamp_config (SIOCGHWTSTAMP / SIOCSHWTSTAMP): flags, tx_type, rx_filter
/** `hwtstamp_config.flags`: the PHC index of a bond member is given. */
export const HWTSTAMP_FLAG_BONDED_PHC_INDEX = 1 << 0;
/** TX type: no hardware TX timestamps. */
export const HWTSTAMP_TX_OFF = 0;
/** TX type: hardware TX timestamps for packets that ask for them. */
export const HWTSTAMP_TX_ON = 1;
/** TX type: the NIC writes the time into PTP Sync messages (one-step). */
export const HWTSTAMP_TX_ONESTEP_SYNC = 2;
/** TX type: one-step Sync plus peer-delay responses. */
export const HWTSTAMP_TX_ONESTEP_P2P = 3;
/** RX filter: no hardware RX timestamps. */
export const HWTSTAMP_FILTER_NONE = 0;
/** RX filter: stamp every received packet. */
export const HWTSTAMP_FILTER_ALL = 1;
/** RX filter: stamp some packets, at least those asked for. */
export const HWTSTAMP_FILTER_SOME = 2;
/** RX filter: PTPv1 over UDP, any event packet. */
export const HWTSTAMP_FILTER_PTP_V1_L4_EVENT = 3;
/** RX filter: PTPv1 over UDP, Sync packets. */
export const HWTSTAMP_FILTER_PTP_V1_L4_SYNC = 4;
/** RX filter: PTPv1 over UDP, Delay_Req packets. */
export const HWTSTAMP_FILTER_PTP_V1_L4_DELAY_REQ = 5;
/** RX filter: PTPv2 over UDP, any event packet. */
export const HWTSTAMP_FILTER_PTP_V2_L4_EVENT = 6;
/** RX filter: PTPv2 over UDP, Sync packets. */
export const HWTSTAMP_FILTER_PTP_V2_L4_SYNC = 7;
/** RX filter: PTPv2 over UDP, Delay_Req packets. */
export const HWTSTAMP_FILTER_PTP_V2_L4_DELAY_REQ = 8;
/** RX filter: PTPv2 over Ethernet, any event packet. */
export const HWTSTAMP_FILTER_PTP_V2_L2_EVENT = 9;
/** RX filter: PTPv2 over Ethernet, Sync packets. */
export const HWTSTAMP_FILTER_PTP_V2_L2_SYNC = 10;
/** RX filter: PTPv2 over Ethernet, Delay_Req packets. */
export const HWTSTAMP_FILTER_PTP_V2_L2_DELAY_REQ = 11;
/** RX filter: PTPv2 over UDP or Ethernet, any event packet. */
export const HWTSTAMP_FILTER_PTP_V2_EVENT = 12;
/** RX filter: PTPv2 over UDP or Ethernet, Sync packets. */
export const HWTSTAMP_FILTER_PTP_V2_SYNC = 13;
/** RX filter: PTPv2 over UDP or Ethernet, Delay_Req packets. */
export const HWTSTAMP_FILTER_PTP_V2_DELAY_REQ = 14;
/** RX filter: NTP packets (UDP port 123). */
export const HWTSTAMP_FILTER_NTP_ALL = 15;
