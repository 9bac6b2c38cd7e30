// Struct-of-arrays layout of one capture arena, shared with TypeScript (src/capture/layout.ts).
// Field-major like the UDP layout: field f of slot i is at [f * capacity + i]. Addresses are
// slot-major, kAddrStride bytes per slot.
#pragma once
#include <cstdint>
#include <cstring>

#include "cmsg/cmsg.h"
#include "cmsg/meta_layout.h"
#include "packet_socket/l3_parse.h"

namespace disptap::packet_layout {

enum I32Field : int {
  kCapLen = 0,     // bytes of the packet (from the IP header on) copied into the slot
  kOrigLen,        // packet length on the wire (recvmmsg with MSG_TRUNC)
  kFlags,          // msg_flags
  kIfIndex,        // sll_ifindex
  kPktType,        // sll_pkttype: PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4
  kEtherType,      // sll_protocol, host order
  kPresent,        // cmsg::Present bits of the control messages
  kDefective,      // defective control messages (partial cmsgs under MSG_CTRUNC)
  kStatus,         // l3::Status
  kFamily,
  kProtocol,
  kL4Offset,
  kIpLength,
  kTtl,
  kTos,
  kFlowLabel,
  kIpId,
  kFragOffset,
  kFragFlags,      // bit 0 MF, bit 1 DF
  kSrcPort,
  kDstPort,
  kUdpLength,
  kUdpChecksum,
  kPayloadOffset,  // relative to the slot start
  kPayloadLen,
  kI32Fields
};

// kSoftware is resolved here: SCM_TIMESTAMPING ts[0], else SCM_TIMESTAMPNS, else SCM_TIMESTAMP.
enum I64Field : int { kSoftware = 0, kHardware, kI64Fields };

enum AddrField : int { kSrc = 0, kDst = 16, kAddrStride = 32 };

// The layout by name, exported to TypeScript (src/capture/layout.ts checks its tables against it).
inline constexpr layout::Field kI32Names[] = {
    {"capLen", kCapLen}, {"origLen", kOrigLen}, {"flags", kFlags}, {"ifIndex", kIfIndex},
    {"pktType", kPktType}, {"etherType", kEtherType}, {"present", kPresent}, {"defective", kDefective},
    {"status", kStatus}, {"family", kFamily}, {"protocol", kProtocol}, {"l4Offset", kL4Offset},
    {"ipLength", kIpLength}, {"ttl", kTtl}, {"tos", kTos}, {"flowLabel", kFlowLabel},
    {"ipId", kIpId}, {"fragOffset", kFragOffset}, {"fragFlags", kFragFlags}, {"srcPort", kSrcPort},
    {"dstPort", kDstPort}, {"udpLength", kUdpLength}, {"udpChecksum", kUdpChecksum},
    {"payloadOffset", kPayloadOffset}, {"payloadLen", kPayloadLen},
};
static_assert(sizeof kI32Names / sizeof kI32Names[0] == kI32Fields, "every I32Field has a name");
inline constexpr layout::Field kI64Names[] = {{"software", kSoftware}, {"hardware", kHardware}};
static_assert(sizeof kI64Names / sizeof kI64Names[0] == kI64Fields, "every I64Field has a name");
inline constexpr layout::Field kAddrNames[] = {{"src", kSrc}, {"dst", kDst}};
inline constexpr layout::Field kStatusNames[] = {
    {"udp", static_cast<int>(l3::Status::kUdp)},
    {"notIp", static_cast<int>(l3::Status::kNotIp)},
    {"truncatedIp", static_cast<int>(l3::Status::kTruncatedIp)},
    {"malformedIp", static_cast<int>(l3::Status::kMalformedIp)},
    {"notUdp", static_cast<int>(l3::Status::kNotUdp)},
    {"fragment", static_cast<int>(l3::Status::kFragment)},
    {"truncatedUdp", static_cast<int>(l3::Status::kTruncatedUdp)},
    {"malformedUdp", static_cast<int>(l3::Status::kMalformedUdp)},
};

inline void Write(const cmsg::RxMeta& m, const l3::Info& l, int32_t* i32, int64_t* i64, uint8_t* addr, size_t cap,
                  size_t i) {
  auto I = [&](int f) -> int32_t& { return i32[f * cap + i]; };
  auto L = [&](int f) -> int64_t& { return i64[f * cap + i]; };
  I(kPresent) = static_cast<int32_t>(m.present);
  I(kDefective) = m.defective;
  int64_t sw = 0;
  if (m.present & cmsg::kSoftwareTs) sw = m.software_ns;
  else if (m.present & cmsg::kTimestampNs) sw = m.timestampns_ns;
  else if (m.present & cmsg::kTimestampUs) sw = m.timestamp_us_ns;
  L(kSoftware) = sw;
  L(kHardware) = (m.present & cmsg::kHardwareTs) ? m.hardware_ns : 0;
  I(kStatus) = static_cast<int32_t>(l.status);
  I(kFamily) = l.family;
  I(kProtocol) = l.protocol;
  I(kL4Offset) = l.l4_offset;
  I(kIpLength) = l.ip_length;
  I(kTtl) = l.ttl;
  I(kTos) = l.tos;
  I(kFlowLabel) = l.flow_label;
  I(kIpId) = l.ip_id;
  I(kFragOffset) = l.frag_offset;
  I(kFragFlags) = (l.more_fragments ? 1 : 0) | (l.dont_fragment ? 2 : 0);
  I(kSrcPort) = l.src_port;
  I(kDstPort) = l.dst_port;
  I(kUdpLength) = l.udp_length;
  I(kUdpChecksum) = l.udp_checksum;
  I(kPayloadOffset) = l.payload_offset;
  I(kPayloadLen) = l.payload_len;
  uint8_t* a = addr + i * kAddrStride;
  std::memcpy(a + kSrc, l.src, 16);
  std::memcpy(a + kDst, l.dst, 16);
}

}  // namespace disptap::packet_layout
