// Struct-of-arrays layout shared with TypeScript (src/tap/rx/layout.ts). Field-major: field f of slot i is
// at [f * capacity + i], so JS can view one field of a whole batch as a typed array without copying.
// Addresses are slot-major (kAddrStride bytes per slot).
#pragma once
#include <cstdint>
#include <cstring>

#include "cmsg/cmsg.h"

namespace disptap::layout {

enum I32Field : int {
  kCapLen = 0,     // bytes copied into the slot
  kOrigLen,        // datagram length on the wire (MSG_TRUNC semantics)
  kFlags,          // msg_flags
  kCtrlLen,        // msg_controllen after the call
  kSrcFamily,      // 4, 6 or 0
  kSrcPort,
  kSrcScope,
  kPresent,        // cmsg::Present bits
  kDstFamily,
  kIfIndex,
  kTtl,
  kTos,
  kDrops,
  kHwIfIndex,
  kL2Len,
  kUnknown,
  kDefective,
  kEeErrno,
  kEeOriginTypeCode,  // origin | type << 8 | code << 16
  kEeInfo,
  kEeData,
  kOffenderFamily,
  kOffenderPort,
  kSrcFlowinfo,
  kPayloadOffset,  // where the datagram starts in the data array (dense slot or overflow slot)
  kI32Fields
};

enum I64Field : int { kSoftware = 0, kHardware, kLegacy, kTimestampNs, kTimestampUs, kI64Fields };

enum AddrField : int { kSrcAddr = 0, kDstAddr = 16, kSpecDst = 32, kOffender = 36, kAddrStride = 64 };

// The layout by name, exported to TypeScript, which checks its own table against it name by name.
struct Field {
  const char* name;
  int value;
};
inline constexpr Field kI32Names[] = {
    {"capLen", kCapLen},
    {"origLen", kOrigLen},
    {"flags", kFlags},
    {"ctrlLen", kCtrlLen},
    {"srcFamily", kSrcFamily},
    {"srcPort", kSrcPort},
    {"srcScope", kSrcScope},
    {"present", kPresent},
    {"dstFamily", kDstFamily},
    {"ifIndex", kIfIndex},
    {"ttl", kTtl},
    {"tos", kTos},
    {"drops", kDrops},
    {"hwIfIndex", kHwIfIndex},
    {"l2Len", kL2Len},
    {"unknown", kUnknown},
    {"defective", kDefective},
    {"eeErrno", kEeErrno},
    {"eeOriginTypeCode", kEeOriginTypeCode},
    {"eeInfo", kEeInfo},
    {"eeData", kEeData},
    {"offenderFamily", kOffenderFamily},
    {"offenderPort", kOffenderPort},
    {"srcFlowinfo", kSrcFlowinfo},
    {"payloadOffset", kPayloadOffset},
};
static_assert(sizeof kI32Names / sizeof kI32Names[0] == kI32Fields, "every I32Field has a name");
inline constexpr Field kI64Names[] = {
    {"software", kSoftware}, {"hardware", kHardware}, {"legacy", kLegacy},
    {"timestampNs", kTimestampNs}, {"timestampUs", kTimestampUs},
};
static_assert(sizeof kI64Names / sizeof kI64Names[0] == kI64Fields, "every I64Field has a name");
inline constexpr Field kAddrNames[] = {
    {"src", kSrcAddr}, {"dst", kDstAddr}, {"specDst", kSpecDst}, {"offender", kOffender},
};
inline constexpr Field kPresentNames[] = {
    {"softwareTs", cmsg::kSoftwareTs}, {"hardwareTs", cmsg::kHardwareTs}, {"legacyTs", cmsg::kLegacyTs},
    {"timestampNs", cmsg::kTimestampNs}, {"timestampUs", cmsg::kTimestampUs}, {"dst", cmsg::kDst},
    {"ttl", cmsg::kTtl}, {"tos", cmsg::kTos}, {"drops", cmsg::kDrops},
    {"tsPktinfo", cmsg::kTsPktinfo}, {"extErr", cmsg::kExtErr}, {"offender", cmsg::kOffender},
};

// Writes slot i of an arena with `cap` slots.
inline void WriteMeta(const cmsg::RxMeta& m, int32_t* i32, int64_t* i64, uint8_t* addr, size_t cap, size_t i) {
  auto I = [&](int f) -> int32_t& { return i32[f * cap + i]; };
  auto L = [&](int f) -> int64_t& { return i64[f * cap + i]; };
  I(kPresent) = static_cast<int32_t>(m.present);
  I(kDstFamily) = m.dst_family;
  I(kIfIndex) = m.if_index;
  I(kTtl) = m.ttl;
  I(kTos) = m.tos;
  I(kDrops) = static_cast<int32_t>(m.drops);
  I(kHwIfIndex) = static_cast<int32_t>(m.hw_if_index);
  I(kL2Len) = static_cast<int32_t>(m.l2_length);
  I(kUnknown) = m.unknown;
  I(kDefective) = m.defective;
  I(kEeErrno) = static_cast<int32_t>(m.ee_errno);
  I(kEeOriginTypeCode) = m.ee_origin | (m.ee_type << 8) | (m.ee_code << 16);
  I(kEeInfo) = static_cast<int32_t>(m.ee_info);
  I(kEeData) = static_cast<int32_t>(m.ee_data);
  I(kOffenderFamily) = m.offender_family;
  I(kOffenderPort) = m.offender_port;
  // Absent timestamps are 0 so a batch's timestamp arrays read "0 = absent" directly.
  L(kSoftware) = (m.present & cmsg::kSoftwareTs) ? m.software_ns : 0;
  L(kHardware) = (m.present & cmsg::kHardwareTs) ? m.hardware_ns : 0;
  L(kLegacy) = m.legacy_ns;
  L(kTimestampNs) = m.timestampns_ns;
  L(kTimestampUs) = m.timestamp_us_ns;
  uint8_t* a = addr + i * kAddrStride;
  std::memcpy(a + kDstAddr, m.dst, 16);
  std::memcpy(a + kSpecDst, m.spec_dst, 4);
  std::memcpy(a + kOffender, m.offender, 16);
}

}  // namespace disptap::layout
