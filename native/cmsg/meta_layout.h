// Struct-of-arrays layout shared with TypeScript (src/native-layout.ts): one slot per datagram.
// Keep both files in step; test/layout.test.ts checks the values match.
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
  kI32Stride
};

enum I64Field : int { kSoftware = 0, kHardware, kLegacy, kTimestampNs, kTimestampUs, kI64Stride };

enum AddrField : int { kSrcAddr = 0, kDstAddr = 16, kSpecDst = 32, kOffender = 36, kAddrStride = 64 };

inline void WriteMeta(const cmsg::RxMeta& m, int32_t* i32, int64_t* i64, uint8_t* addr) {
  i32[kPresent] = static_cast<int32_t>(m.present);
  i32[kDstFamily] = m.dst_family;
  i32[kIfIndex] = m.if_index;
  i32[kTtl] = m.ttl;
  i32[kTos] = m.tos;
  i32[kDrops] = static_cast<int32_t>(m.drops);
  i32[kHwIfIndex] = static_cast<int32_t>(m.hw_if_index);
  i32[kL2Len] = static_cast<int32_t>(m.l2_length);
  i32[kUnknown] = m.unknown;
  i32[kDefective] = m.defective;
  i32[kEeErrno] = static_cast<int32_t>(m.ee_errno);
  i32[kEeOriginTypeCode] = m.ee_origin | (m.ee_type << 8) | (m.ee_code << 16);
  i32[kEeInfo] = static_cast<int32_t>(m.ee_info);
  i32[kEeData] = static_cast<int32_t>(m.ee_data);
  i32[kOffenderFamily] = m.offender_family;
  i32[kOffenderPort] = m.offender_port;
  i64[kSoftware] = m.software_ns;
  i64[kHardware] = m.hardware_ns;
  i64[kLegacy] = m.legacy_ns;
  i64[kTimestampNs] = m.timestampns_ns;
  i64[kTimestampUs] = m.timestamp_us_ns;
  std::memcpy(addr + kDstAddr, m.dst, 16);
  std::memcpy(addr + kSpecDst, m.spec_dst, 4);
  std::memcpy(addr + kOffender, m.offender, 16);
}

}  // namespace disptap::layout
