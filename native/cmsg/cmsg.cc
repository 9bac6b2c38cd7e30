#include "cmsg/cmsg.h"

#include <cstring>

namespace disptap::cmsg {
namespace {

// Linux values, spelled out so crafted buffers decode the same on any build host.
constexpr int kSolSocket = 1;
constexpr int kIpprotoIp = 0;
constexpr int kIpprotoIpv6 = 41;
constexpr int kScmTimestampOld = 29;
constexpr int kScmTimestampNsOld = 35;
constexpr int kScmTimestampingOld = 37;
constexpr int kSoRxqOvfl = 40;
constexpr int kScmTimestampingPktinfo = 58;
constexpr int kSoTimestampNew = 63;
constexpr int kSoTimestampNsNew = 64;
constexpr int kSoTimestampingNew = 65;
constexpr int kIpTos = 1;
constexpr int kIpTtl = 2;
constexpr int kIpPktinfo = 8;
constexpr int kIpRecverr = 11;
constexpr int kIpv6Recverr = 25;
constexpr int kIpv6Pktinfo = 50;
constexpr int kIpv6Hoplimit = 52;
constexpr int kIpv6Tclass = 67;
constexpr size_t kSockExtendedErrLen = 16;

int64_t LoadI64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

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
  const uint8_t* d = e.data;
  if (e.level == kSolSocket) {
    switch (e.type) {
      case kScmTimestampingOld:
      case kSoTimestampingNew: {
        const int64_t sw = TimespecNs(d, 1), legacy = TimespecNs(d + 16, 1), hw = TimespecNs(d + 32, 1);
        if (sw) m->software_ns = sw, m->present |= kSoftwareTs;
        if (legacy) m->legacy_ns = legacy, m->present |= kLegacyTs;
        if (hw) m->hardware_ns = hw, m->present |= kHardwareTs;
        return;
      }
      case kScmTimestampNsOld:
      case kSoTimestampNsNew:
        m->timestampns_ns = TimespecNs(d, 1);
        m->present |= kTimestampNs;
        return;
      case kScmTimestampOld:
      case kSoTimestampNew:
        m->timestamp_us_ns = TimespecNs(d, 1000);
        m->present |= kTimestampUs;
        return;
      case kSoRxqOvfl:
        m->drops = LoadU32(d);
        m->present |= kDrops;
        return;
      case kScmTimestampingPktinfo:
        m->hw_if_index = LoadU32(d);
        m->l2_length = LoadU32(d + 4);
        m->present |= kTsPktinfo;
        return;
    }
  } else if (e.level == kIpprotoIp) {
    switch (e.type) {
      case kIpPktinfo:  // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
        m->if_index = static_cast<int32_t>(LoadU32(d));
        std::memcpy(m->spec_dst, d + 4, 4);
        std::memset(m->dst, 0, sizeof m->dst);
        std::memcpy(m->dst, d + 8, 4);
        m->dst_family = 4;
        m->present |= kDst;
        return;
      case kIpTtl:
        m->ttl = static_cast<int32_t>(LoadU32(d));
        m->present |= kTtl;
        return;
      case kIpTos:  // one byte on IPv4, unlike IPv6's int
        m->tos = d[0];
        m->present |= kTos;
        return;
      case kIpRecverr:
        break;
      default:
        m->unknown++;
        return;
    }
  } else if (e.level == kIpprotoIpv6) {
    switch (e.type) {
      case kIpv6Pktinfo: {  // struct in6_pktinfo { in6_addr addr; unsigned ifindex; }
        std::memcpy(m->dst, d, 16);
        m->if_index = static_cast<int32_t>(LoadU32(d + 16));
        m->dst_family = 6;
        m->present |= kDst;
        return;
      }
      case kIpv6Hoplimit:
        m->ttl = static_cast<int32_t>(LoadU32(d));
        m->present |= kTtl;
        return;
      case kIpv6Tclass:
        m->tos = static_cast<int32_t>(LoadU32(d));
        m->present |= kTos;
        return;
      case kIpv6Recverr:
        break;
      default:
        m->unknown++;
        return;
    }
  } else {
    m->unknown++;
    return;
  }
  if ((e.level == kIpprotoIp && e.type == kIpRecverr) || (e.level == kIpprotoIpv6 && e.type == kIpv6Recverr)) {
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

uint64_t LoadHeaderLen(const uint8_t* p) {
  size_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

int LoadInt(const uint8_t* p) {
  int v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

size_t RequiredLength(int level, int type) {
  if (level == kSolSocket) {
    switch (type) {
      case kScmTimestampingOld:
      case kSoTimestampingNew:
        return 48;
      case kScmTimestampNsOld:
      case kSoTimestampNsNew:
      case kScmTimestampOld:
      case kSoTimestampNew:
        return 16;
      case kSoRxqOvfl:
        return 4;
      case kScmTimestampingPktinfo:
        return 16;
    }
  } else if (level == kIpprotoIp) {
    switch (type) {
      case kIpPktinfo:
        return 12;
      case kIpTtl:
        return 4;
      case kIpTos:
        return 1;
      case kIpRecverr:
        return kSockExtendedErrLen;
    }
  } else if (level == kIpprotoIpv6) {
    switch (type) {
      case kIpv6Pktinfo:
        return 20;
      case kIpv6Hoplimit:
      case kIpv6Tclass:
        return 4;
      case kIpv6Recverr:
        return kSockExtendedErrLen;
    }
  }
  return 0;
}

void Decode(const uint8_t* buf, size_t len, RxMeta* out) {
  *out = RxMeta{};
  Walk(buf, len, [out](const Entry& e) { DecodeOne(e, out); });
}

}  // namespace disptap::cmsg
