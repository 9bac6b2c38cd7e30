// IPv4/IPv6 + UDP header parsing of a packet as an AF_PACKET SOCK_DGRAM socket delivers it (starting
// at the network header). Plain C++ with no N-API so it can be fuzzed alone.
//
// Contract: never reads outside [p, p+cap_len); every offset it reports satisfies
// payload_offset + payload_len <= cap_len; fields it could not reach are left zero and the status
// says how far it got.
#pragma once
#include <cstddef>
#include <cstdint>

namespace disptap::l3 {

enum class Status : int32_t {
  kUdp = 0,               // IPv4/IPv6 + UDP header parsed; payload located
  kNotIp = 1,             // version nibble is neither 4 nor 6 (or does not match the ethertype)
  kTruncatedIp = 2,       // fewer captured bytes than the IP header (or its extension headers) needs
  kMalformedIp = 3,       // IHL < 5, or an IPv6 extension-header chain longer than we follow
  kNotUdp = 4,            // IP, but the transport protocol is not UDP (see protocol)
  kFragment = 5,          // a non-first fragment: no UDP header in it
  kTruncatedUdp = 6,      // the UDP header is not (fully) captured
  kMalformedUdp = 7,      // UDP length field < 8
};

struct Info {
  Status status = Status::kNotIp;
  int32_t family = 0;           // 4 or 6 once the version nibble was read
  int32_t protocol = -1;        // transport protocol number (after IPv6 extension headers), -1 unknown
  int32_t l4_offset = 0;        // where the transport header starts (IPv4 IHL*4, IPv6 40 + extensions)
  int32_t ip_length = 0;        // IPv4 total length / IPv6 40 + payload length, as the header says
  uint8_t src[16] = {};         // IPv4 addresses in the first 4 bytes
  uint8_t dst[16] = {};
  int32_t ttl = 0;              // TTL / hop limit
  int32_t tos = 0;              // TOS / traffic class
  int32_t flow_label = 0;       // IPv6 only
  int32_t ip_id = 0;            // IPv4 identification, or the IPv6 fragment header's (low 31 bits)
  int32_t frag_offset = 0;      // in bytes
  bool more_fragments = false;  // MF: this is the first of several fragments (payload is partial)
  bool dont_fragment = false;   // IPv4 DF
  int32_t src_port = 0;
  int32_t dst_port = 0;
  int32_t udp_length = 0;       // UDP length field (header + payload on the wire)
  int32_t udp_checksum = 0;
  int32_t payload_offset = 0;   // UDP payload start, relative to p
  int32_t payload_len = 0;      // captured payload bytes (clipped to the IP and UDP lengths)
};

constexpr uint16_t kEthPIp = 0x0800;
constexpr uint16_t kEthPIpv6 = 0x86DD;

// ethertype: sll_protocol in host order (0 = unknown: trust the version nibble).
void Parse(const uint8_t* p, size_t cap_len, uint16_t ethertype, Info* out);

}  // namespace disptap::l3
