#include "pcapng/epb_encode.h"

#include <cstring>

#include "common/bytes.h"
#include "packet_socket/packet_layout.h"

namespace disptap::pcapng {
namespace {

constexpr uint32_t kBlockEpb = 6;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kEpbFlags = 2;
constexpr uint32_t kInbound = 1;
constexpr uint32_t kOutbound = 2;
constexpr int32_t kPacketOutgoing = 4;  // sll_pkttype
constexpr char kReadDelay[] = " read-delay=";
constexpr size_t kReadDelayLen = sizeof kReadDelay - 1;
// " read-delay=" + sign + 19 digits + "ns"
constexpr size_t kMaxDelayText = kReadDelayLen + 1 + 19 + 2;

inline size_t Pad4(size_t n) { return (n + 3) & ~size_t{3}; }

// pcapng is written little-endian (our section header says so), whatever the host.
inline void PutU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void PutU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// Decimal text of v at p; returns its length (≤ 20).
size_t Decimal(int64_t v, uint8_t* p) {
  uint8_t tmp[20];
  size_t n = 0;
  // Through uint64: -INT64_MIN does not fit an int64.
  uint64_t u = v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<uint8_t>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  size_t len = 0;
  if (v < 0) p[len++] = '-';
  while (n > 0) p[len++] = tmp[--n];
  return len;
}

// A list of whole options that goes on after ours: each a code other than opt_endofopt and a value
// padded to 4 bytes, exactly filling the bytes (else the block would end or misalign in them).
bool WellFormedOptions(const uint8_t* p, size_t len) {
  size_t k = 0;
  while (k < len) {
    if (len - k < 4) return false;
    const uint16_t code = static_cast<uint16_t>(p[k] | p[k + 1] << 8);
    const size_t value = static_cast<size_t>(p[k + 2] | p[k + 3] << 8);
    if (code == 0 || len - k - 4 < Pad4(value)) return false;
    k += 4 + Pad4(value);
  }
  return true;
}


}  // namespace

size_t EpbSize(size_t cap_len, size_t prefix_len, bool has_read_delay, size_t extra_len) {
  const size_t comment = prefix_len + (has_read_delay ? kMaxDelayText : 0);
  // block type, length, interface, ts high, ts low, captured, original; packet; comment option;
  // extra options; flags option; end of options; trailing length
  return 28 + Pad4(cap_len) + 4 + Pad4(comment) + extra_len + 8 + 4 + 4;
}

int64_t EncodeCaptureEpbs(const CaptureArenaView& a, const EpbJob& job, uint8_t* out, size_t out_len, const char** why) {
  namespace pl = packet_layout;
  const size_t cap = a.cap;
  if (cap == 0 || a.i32_len < pl::kI32Fields * cap || a.i64_len < pl::kI64Fields * cap) {
    *why = "the arena columns are shorter than its capacity";
    return -1;
  }
  // `out` may be no view of an input (JS can make one): the writes would change what was checked
  // (the prefix offsets) and memcpy would copy between overlapping bytes.
  const struct {
    const void* p;
    size_t n;
  } inputs[] = {{a.i32, a.i32_len * sizeof(int32_t)},
                {a.i64, a.i64_len * sizeof(int64_t)},
                {a.data, a.data_len},
                {job.pick, job.n * sizeof(uint32_t)},
                {job.iface_ids, job.n * sizeof(int32_t)},
                {job.prefix_ids, job.n * sizeof(int32_t)},
                {job.prefixes, job.prefixes_len},
                {job.prefix_offsets, job.n_prefix_offsets * sizeof(int32_t)},
                {job.extra_in, job.extra_in_len},
                {job.extra_out, job.extra_out_len}};
  for (const auto& input : inputs) {
    if (bytes::Overlaps(out, out_len, input.p, input.n)) {
      *why = "the output buffer shares memory with an input";
      return -1;
    }
  }
  if (job.n_prefix_offsets == 0 || job.prefix_offsets[0] < 0) {
    *why = "no prefix table";
    return -1;
  }
  const size_t n_prefixes = job.n_prefix_offsets - 1;
  for (size_t k = 0; k < n_prefixes; k++) {
    const int32_t from = job.prefix_offsets[k];
    const int32_t to = job.prefix_offsets[k + 1];
    if (to < from || static_cast<size_t>(to) > job.prefixes_len || static_cast<size_t>(to - from) > 0xffff - kMaxDelayText) {
      *why = "prefix offsets out of range";
      return -1;
    }
  }
  if (!WellFormedOptions(job.extra_in, job.extra_in_len) || !WellFormedOptions(job.extra_out, job.extra_out_len)) {
    *why = "the extra options are not a list of whole options";
    return -1;
  }
  const int32_t* cap_len = a.i32 + pl::kCapLen * cap;
  const int32_t* orig_len = a.i32 + pl::kOrigLen * cap;
  const int32_t* ip_len = a.i32 + pl::kIpLength * cap;
  const int32_t* pkt_type = a.i32 + pl::kPktType * cap;
  const int64_t* sw = a.i64 + pl::kSoftware * cap;
  const int64_t* hw = a.i64 + pl::kHardware * cap;
  size_t off = 0;
  for (size_t j = 0; j < job.n; j++) {
    const uint32_t i = job.pick[j];
    if (i >= cap) {
      *why = "a picked slot is beyond the arena's capacity";
      return -1;
    }
    const int32_t c = cap_len[i];
    if (c < 0 || static_cast<size_t>(c) > a.slot_size || a.slot_size > a.data_len / (i + size_t{1})) {
      *why = "a captured length is out of range";
      return -1;
    }
    const int32_t p = job.prefix_ids[j];
    if (p < 0 || static_cast<size_t>(p) >= n_prefixes || job.iface_ids[j] < 0) {
      *why = "a prefix or interface id is out of range";
      return -1;
    }
    const size_t captured = static_cast<size_t>(c);
    // Checked again as read here, once: a SharedArrayBuffer's may have changed since (another thread).
    const int32_t from = job.prefix_offsets[p], to = job.prefix_offsets[p + 1];
    if (from < 0 || to < from || static_cast<size_t>(to) > job.prefixes_len ||
        static_cast<size_t>(to - from) > 0xffff - kMaxDelayText) {
      *why = "prefix offsets out of range";
      return -1;
    }
    const uint8_t* prefix = job.prefixes + from;
    const size_t prefix_len = static_cast<size_t>(to - from);
    const bool outgoing = pkt_type[i] == kPacketOutgoing;
    const uint8_t* extra = outgoing ? job.extra_out : job.extra_in;
    const size_t extra_len = outgoing ? job.extra_out_len : job.extra_in_len;
    const bool has_sw = sw[i] != 0;
    // The read delay, readAt − software stamp: refused where it is no int64 (stamps of no clock).
    int64_t delay = 0;
    if (has_sw && __builtin_sub_overflow(job.read_at, sw[i], &delay)) {
      *why = "a software stamp is too far from readAt";
      return -1;
    }
    if (off > out_len || out_len - off < EpbSize(captured, prefix_len, has_sw, extra_len)) {
      *why = "the output buffer is too small";
      return -1;
    }
    // The timestamp: hardware, else software, else when user space read the round.
    const int64_t ts = hw[i] != 0 ? hw[i] : has_sw ? sw[i] : job.read_at;
    int64_t wire = orig_len[i];
    if (ip_len[i] > wire) wire = ip_len[i];
    if (c > wire) wire = c;
    uint8_t* b = out + off;
    PutU32(b, kBlockEpb);
    PutU32(b + 8, static_cast<uint32_t>(job.iface_ids[j]));
    PutU32(b + 12, static_cast<uint32_t>(static_cast<uint64_t>(ts) >> 32));
    PutU32(b + 16, static_cast<uint32_t>(static_cast<uint64_t>(ts)));
    PutU32(b + 20, static_cast<uint32_t>(captured));
    PutU32(b + 24, static_cast<uint32_t>(wire));
    // (memcpy's pointers must not be null even for 0 bytes: an empty typed array may have none)
    if (captured) std::memcpy(b + 28, a.data + i * a.slot_size, captured);
    size_t at = 28 + captured;
    while (at < 28 + Pad4(captured)) b[at++] = 0;
    // The metadata comment: the prefix JS made, then the read delay.
    uint8_t* opt = b + at;
    if (prefix_len) std::memcpy(opt + 4, prefix, prefix_len);
    size_t mlen = prefix_len;
    if (has_sw) {
      std::memcpy(opt + 4 + mlen, kReadDelay, kReadDelayLen);
      mlen += kReadDelayLen;
      mlen += Decimal(delay, opt + 4 + mlen);
      opt[4 + mlen++] = 'n';
      opt[4 + mlen++] = 's';
    }
    PutU16(opt, kOptComment);
    PutU16(opt + 2, static_cast<uint16_t>(mlen));
    at += 4 + mlen;
    while (at < static_cast<size_t>(opt - b) + 4 + Pad4(mlen)) b[at++] = 0;
    if (extra_len) std::memcpy(b + at, extra, extra_len);
    at += extra_len;
    PutU16(b + at, kEpbFlags);
    PutU16(b + at + 2, 4);
    PutU32(b + at + 4, outgoing ? kOutbound : kInbound);
    PutU32(b + at + 8, 0);  // opt_endofopt
    at += 12;
    const uint32_t total = static_cast<uint32_t>(at + 4);
    PutU32(b + 4, total);
    PutU32(b + at, total);
    off += total;
  }
  return static_cast<int64_t>(off);
}

}  // namespace disptap::pcapng
