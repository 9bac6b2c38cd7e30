// Control-message (cmsg) walking and decoding. Plain C++ with no N-API so it can be fuzzed alone.
//
// Contract: never reads outside [buf, buf+len); steps by CMSG_ALIGN(cmsg_len); checks each known
// type's data length before reading it; keeps unknown messages raw; reports truncated, short (the
// kernel's partial cmsg under MSG_CTRUNC) and malformed headers instead of misreading them.
#pragma once
#include <cstddef>
#include <cstdint>

namespace disptap::cmsg {

// Same arithmetic as the C macros on Linux (alignment = sizeof(size_t)).
constexpr size_t kAlign = sizeof(size_t);
constexpr size_t Align(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }
constexpr size_t kHeaderLen = Align(sizeof(size_t) + 2 * sizeof(int));
constexpr size_t Len(size_t n) { return kHeaderLen + n; }
constexpr size_t Space(size_t n) { return kHeaderLen + Align(n); }

enum class Status : uint8_t {
  kOk = 0,
  kTruncated = 1,  // cmsg_len runs past the end of the buffer: data is what is there
  kShort = 2,      // known type whose data is shorter than its struct (partial cmsg): not decoded
  kMalformed = 3,  // cmsg_len smaller than a header, or a trailing fragment shorter than a header
};

struct Entry {
  size_t offset;     // of the header within the buffer
  int level;         // -1 when the header itself could not be read
  int type;
  const uint8_t* data;
  size_t data_len;   // bytes available to read (never past the buffer)
  size_t cmsg_len;   // as declared in the header
  Status status;
};

// How a known message's data is decoded into RxMeta.
enum class Decoder : uint8_t {
  kTimestamping,  // struct scm_timestamping{,64}: ts[0] software, ts[1] legacy, ts[2] hardware
  kTimestampNs,   // struct timespec{,64}
  kTimestampUs,   // struct timeval{,64}
  kDropCounter,   // u32 SO_RXQ_OVFL count
  kTsPktinfo,     // struct scm_ts_pktinfo { u32 if_index; u32 pkt_length; u32 reserved[2]; }
  kIpPktinfo,     // struct in_pktinfo
  kIpv6Pktinfo,   // struct in6_pktinfo
  kHopLimit,      // int: IP_TTL, IPV6_HOPLIMIT
  kTosByte,       // u8: IP_TOS (one byte on IPv4)
  kTclass,        // int: IPV6_TCLASS
  kExtendedErr,   // struct sock_extended_err, then the offender's sockaddr
};

// One control message the receive path understands: the kernel fact stated once. Everything else
// (the walker's short check, the decoder, the JS twin and the buffer sizing in TypeScript) reads it.
struct Kind {
  int level;
  int type;
  const char* name;
  size_t length;  // data bytes the struct needs; shorter is 'short' (a partial cmsg), not decoded
  Decoder decoder;
};

// Linux values, spelled out so crafted buffers decode the same on any build host.
constexpr int kSolSocket = 1;
constexpr int kIpprotoIp = 0;
constexpr int kIpprotoIpv6 = 41;
constexpr size_t kSockExtendedErrLen = 16;

inline constexpr Kind kKinds[] = {
    {kSolSocket, 37, "SCM_TIMESTAMPING", 48, Decoder::kTimestamping},
    {kSolSocket, 65, "SCM_TIMESTAMPING_NEW", 48, Decoder::kTimestamping},
    {kSolSocket, 35, "SCM_TIMESTAMPNS", 16, Decoder::kTimestampNs},
    {kSolSocket, 64, "SCM_TIMESTAMPNS_NEW", 16, Decoder::kTimestampNs},
    {kSolSocket, 29, "SCM_TIMESTAMP", 16, Decoder::kTimestampUs},
    {kSolSocket, 63, "SCM_TIMESTAMP_NEW", 16, Decoder::kTimestampUs},
    {kSolSocket, 40, "SO_RXQ_OVFL", 4, Decoder::kDropCounter},
    {kSolSocket, 58, "SCM_TIMESTAMPING_PKTINFO", 16, Decoder::kTsPktinfo},
    {kIpprotoIp, 8, "IP_PKTINFO", 12, Decoder::kIpPktinfo},
    {kIpprotoIp, 2, "IP_TTL", 4, Decoder::kHopLimit},
    {kIpprotoIp, 1, "IP_TOS", 1, Decoder::kTosByte},
    {kIpprotoIp, 11, "IP_RECVERR", kSockExtendedErrLen, Decoder::kExtendedErr},
    {kIpprotoIpv6, 50, "IPV6_PKTINFO", 20, Decoder::kIpv6Pktinfo},
    {kIpprotoIpv6, 52, "IPV6_HOPLIMIT", 4, Decoder::kHopLimit},
    {kIpprotoIpv6, 67, "IPV6_TCLASS", 4, Decoder::kTclass},
    {kIpprotoIpv6, 25, "IPV6_RECVERR", kSockExtendedErrLen, Decoder::kExtendedErr},
};
constexpr size_t kKindCount = sizeof kKinds / sizeof kKinds[0];

// The known message with this (level, type), or nullptr.
const Kind* FindKind(int level, int type);

// Data length a known (level, type) needs, or 0 when the type is unknown.
inline size_t RequiredLength(int level, int type) {
  const Kind* k = FindKind(level, type);
  return k ? k->length : 0;
}

// Calls visit(const Entry&) for each message, in order. Stops after a truncated or malformed one.
template <typename Visit>
void Walk(const uint8_t* buf, size_t len, Visit&& visit);

// Presence bits of RxMeta::present.
enum Present : uint32_t {
  kSoftwareTs = 1u << 0,    // SCM_TIMESTAMPING ts[0]
  kHardwareTs = 1u << 1,    // SCM_TIMESTAMPING ts[2]
  kLegacyTs = 1u << 2,      // SCM_TIMESTAMPING ts[1] (deprecated hw-to-system)
  kTimestampNs = 1u << 3,   // SCM_TIMESTAMPNS / SO_TIMESTAMPNS_NEW
  kTimestampUs = 1u << 4,   // SCM_TIMESTAMP / SO_TIMESTAMP_NEW
  kDst = 1u << 5,           // IP_PKTINFO / IPV6_PKTINFO
  kTtl = 1u << 6,           // IP_TTL / IPV6_HOPLIMIT
  kTos = 1u << 7,           // IP_TOS / IPV6_TCLASS
  kDrops = 1u << 8,         // SO_RXQ_OVFL
  kTsPktinfo = 1u << 9,     // SCM_TIMESTAMPING_PKTINFO
  kExtErr = 1u << 10,       // IP_RECVERR / IPV6_RECVERR (error queue)
  kOffender = 1u << 11,     // sockaddr after sock_extended_err
};

struct RxMeta {
  uint32_t present = 0;
  int64_t software_ns = 0;
  int64_t hardware_ns = 0;
  int64_t legacy_ns = 0;
  int64_t timestampns_ns = 0;
  int64_t timestamp_us_ns = 0;
  uint8_t dst_family = 0;     // 4 or 6
  uint8_t dst[16] = {};       // header destination address (ipi_addr / ipi6_addr)
  uint8_t spec_dst[4] = {};   // IPv4 only: ipi_spec_dst (local address used for replies)
  int32_t if_index = 0;
  int32_t ttl = 0;
  int32_t tos = 0;
  uint32_t drops = 0;
  uint32_t hw_if_index = 0;
  uint32_t l2_length = 0;
  // sock_extended_err (TX timestamps and ICMP errors arrive on the error queue)
  uint32_t ee_errno = 0;
  uint8_t ee_origin = 0;
  uint8_t ee_type = 0;
  uint8_t ee_code = 0;
  uint32_t ee_info = 0;
  uint32_t ee_data = 0;
  uint8_t offender_family = 0;  // 4, 6 or 0
  uint8_t offender[16] = {};
  uint16_t offender_port = 0;
  uint16_t unknown = 0;    // messages of unknown (level, type), kept raw by parseControl
  uint16_t defective = 0;  // truncated, short or malformed messages: reported, never decoded
};

// Decodes every known message into out (which is reset first).
void Decode(const uint8_t* buf, size_t len, RxMeta* out);
// Decode() for an out that is freshly value-initialized (RxMeta{}): the receive loop's slot is,
// and zeroing it twice per datagram was a visible share of the loop.
void DecodeFresh(const uint8_t* buf, size_t len, RxMeta* out);

// ---- implementation of the template ----
uint64_t LoadHeaderLen(const uint8_t* p);
int LoadInt(const uint8_t* p);

template <typename Visit>
void Walk(const uint8_t* buf, size_t len, Visit&& visit) {
  size_t off = 0;
  while (off < len) {
    const size_t avail = len - off;
    if (avail < kHeaderLen) {
      visit(Entry{off, -1, -1, buf + off, avail, 0, Status::kMalformed});
      return;
    }
    const uint64_t declared = LoadHeaderLen(buf + off);
    const int level = LoadInt(buf + off + sizeof(size_t));
    const int type = LoadInt(buf + off + sizeof(size_t) + sizeof(int));
    if (declared < kHeaderLen) {
      visit(Entry{off, level, type, buf + off + kHeaderLen, 0, static_cast<size_t>(declared),
                  Status::kMalformed});
      return;
    }
    if (declared > avail) {
      visit(Entry{off, level, type, buf + off + kHeaderLen, avail - kHeaderLen,
                  static_cast<size_t>(declared), Status::kTruncated});
      return;
    }
    const size_t data_len = static_cast<size_t>(declared) - kHeaderLen;
    const size_t need = RequiredLength(level, type);
    const Status st = (need != 0 && data_len < need) ? Status::kShort : Status::kOk;
    visit(Entry{off, level, type, buf + off + kHeaderLen, data_len, static_cast<size_t>(declared), st});
    const size_t step = Align(static_cast<size_t>(declared));
    if (step >= avail) return;  // the last message may lack its tail padding
    off += step;
  }
}

}  // namespace disptap::cmsg
