#include "cmsg/cmsg.h"

#include "common/bytes.h"

#include <cstring>

namespace disptap::cmsg {
namespace {

using bytes::Load;
int64_t LoadI64(const uint8_t* p) { return Load<int64_t>(p); }
uint32_t LoadU32(const uint8_t* p) { return Load<uint32_t>(p); }
uint16_t LoadU16(const uint8_t* p) { return Load<uint16_t>(p); }

// {i64 sec, i64 nsec-or-usec} → ns; 0 (the kernel's "not available") stays 0.
int64_t TimespecNs(const uint8_t* p, int64_t unit_ns) {
  const int64_t sec = LoadI64(p);
  const int64_t frac = LoadI64(p + 8);
  // Unsigned arithmetic: crafted huge values wrap instead of being undefined behaviour.
  return static_cast<int64_t>(static_cast<uint64_t>(sec) * 1000000000ull +
                              static_cast<uint64_t>(frac) * static_cast<uint64_t>(unit_ns));
}

void DecodeOffender(const uint8_t* p, size_t len, RxMeta* m) {
  if (len < 2) return;
  const uint16_t family = LoadU16(p);
  if (family == 2 /* AF_INET */ && len >= 8) {
    m->offender_family = 4;
    m->offender_port = static_cast<uint16_t>((p[2] << 8) | p[3]);
    std::memcpy(m->offender, p + 4, 4);
    m->present |= kOffender;
  } else if (family == 10 /* AF_INET6 */ && len >= 24) {
    m->offender_family = 6;
    m->offender_port = static_cast<uint16_t>((p[2] << 8) | p[3]);
    std::memcpy(m->offender, p + 8, 16);
    m->present |= kOffender;
  }
}

void DecodeOne(const Entry& e, RxMeta* m) {
  if (e.status != Status::kOk) {
    m->defective++;
    return;
  }
  const Kind* k = FindKind(e.level, e.type);
  if (!k) {
    m->unknown++;
    return;
  }
  // e.data_len >= k->length here (the walker calls shorter ones kShort).
  const uint8_t* d = e.data;
  switch (k->decoder) {
    case Decoder::kTimestamping: {
      const int64_t sw = TimespecNs(d, 1), legacy = TimespecNs(d + 16, 1), hw = TimespecNs(d + 32, 1);
      if (sw) m->software_ns = sw, m->present |= kSoftwareTs;
      if (legacy) m->legacy_ns = legacy, m->present |= kLegacyTs;
      if (hw) m->hardware_ns = hw, m->present |= kHardwareTs;
      return;
    }
    case Decoder::kTimestampNs:
      m->timestampns_ns = TimespecNs(d, 1);
      m->present |= kTimestampNs;
      return;
    case Decoder::kTimestampUs:
      m->timestamp_us_ns = TimespecNs(d, 1000);
      m->present |= kTimestampUs;
      return;
    case Decoder::kDropCounter:
      m->drops = LoadU32(d);
      m->present |= kDrops;
      return;
    case Decoder::kTsPktinfo:
      m->hw_if_index = LoadU32(d);
      m->l2_length = LoadU32(d + 4);
      m->present |= kTsPktinfo;
      return;
    case Decoder::kIpPktinfo:  // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
      m->if_index = static_cast<int32_t>(LoadU32(d));
      std::memcpy(m->spec_dst, d + 4, 4);
      std::memset(m->dst, 0, sizeof m->dst);
      std::memcpy(m->dst, d + 8, 4);
      m->dst_family = 4;
      m->present |= kDst;
      return;
    case Decoder::kIpv6Pktinfo:  // struct in6_pktinfo { in6_addr addr; unsigned ifindex; }
      std::memcpy(m->dst, d, 16);
      m->if_index = static_cast<int32_t>(LoadU32(d + 16));
      m->dst_family = 6;
      m->present |= kDst;
      return;
    case Decoder::kHopLimit:
      m->ttl = static_cast<int32_t>(LoadU32(d));
      m->present |= kTtl;
      return;
    case Decoder::kTosByte:
      m->tos = d[0];
      m->present |= kTos;
      return;
    case Decoder::kTclass:
      m->tos = static_cast<int32_t>(LoadU32(d));
      m->present |= kTos;
      return;
    case Decoder::kExtendedErr:
      // struct sock_extended_err { u32 errno; u8 origin, type, code, pad; u32 info; u32 data; } + offender
      m->ee_errno = LoadU32(d);
      m->ee_origin = d[4];
      m->ee_type = d[5];
      m->ee_code = d[6];
      m->ee_info = LoadU32(d + 8);
      m->ee_data = LoadU32(d + 12);
      m->present |= kExtErr;
      DecodeOffender(d + kSockExtendedErrLen, e.data_len - kSockExtendedErrLen, m);
      return;
  }
  m->unknown++;
}

}  // namespace

uint64_t LoadHeaderLen(const uint8_t* p) { return bytes::Load<size_t>(p); }

int LoadInt(const uint8_t* p) { return bytes::Load<int>(p); }

namespace {
// FindKind runs for every cmsg of every datagram: index the table once, at compile time.
constexpr int kMaxType = 128;
constexpr int LevelSlot(int level) {
  return level == kSolSocket ? 0 : level == kIpprotoIp ? 1 : level == kIpprotoIpv6 ? 2 : -1;
}
struct KindIndex {
  int8_t at[3][kMaxType];
};
constexpr KindIndex BuildIndex() {
  KindIndex x{};
  for (auto& row : x.at)
    for (auto& v : row) v = -1;
  for (size_t i = 0; i < kKindCount; i++) x.at[LevelSlot(kKinds[i].level)][kKinds[i].type] = static_cast<int8_t>(i);
  return x;
}
constexpr KindIndex kIndex = BuildIndex();
static_assert(kKindCount < 128, "kind index is an int8_t");
}  // namespace

const Kind* FindKind(int level, int type) {
  const int slot = LevelSlot(level);
  if (slot < 0 || type < 0 || type >= kMaxType) return nullptr;
  const int i = kIndex.at[slot][type];
  return i < 0 ? nullptr : &kKinds[i];
}

void DecodeFresh(const uint8_t* buf, size_t len, RxMeta* out) {
  Walk(buf, len, [out](const Entry& e) { DecodeOne(e, out); });
}

void Decode(const uint8_t* buf, size_t len, RxMeta* out) {
  *out = RxMeta{};
  DecodeFresh(buf, len, out);
}

}  // namespace disptap::cmsg
