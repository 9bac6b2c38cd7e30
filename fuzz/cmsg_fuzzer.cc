// libFuzzer target for the control-message walker and decoder (native/cmsg), the code that reads
// bytes whose layout a remote sender can influence (the kernel copies packet fields into them) and
// that every received datagram goes through.
//
// ASan/UBSan catch out-of-bounds reads and undefined behaviour; on top of that this harness checks
// the parser's contract (cmsg.h) and aborts on any violation so libFuzzer reports it as a finding:
//   * every Entry's data lies inside [buf, buf+len) and starts right after its header;
//   * offsets start at 0, strictly increase, are CMSG_ALIGN-aligned and step by CMSG_ALIGN(cmsg_len);
//   * truncated / malformed entries only come last; status matches RequiredLength();
//   * Decode counts exactly the defective and unknown entries Walk reports, sets only known presence
//     bits, agrees with an independent re-decode of the last value of each field, and is
//     deterministic; layout::WriteMeta (the receive path's next step) stays inside one slot.
// The input is also re-run from an odd address, so an unaligned load would show up under UBSan.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cmsg/cmsg.h"
#include "cmsg/meta_layout.h"

namespace {

using disptap::cmsg::Entry;
using disptap::cmsg::RxMeta;
using disptap::cmsg::Status;
namespace cm = disptap::cmsg;

[[noreturn]] void Fail(const char* what, size_t off) {
  std::fprintf(stderr, "cmsg_fuzzer: invariant violated: %s (entry offset %zu)\n", what, off);
  std::abort();
}
#define CHECK(cond, off)                 \
  do {                                   \
    if (!(cond)) Fail(#cond, (off));     \
  } while (0)

// Linux values, spelled out independently of cmsg.cc.
constexpr int kSolSocket = 1, kIp = 0, kIpv6 = 41;

uint64_t Ld64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint32_t Ld32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// What Decode must report, recomputed from Walk's entries with the kernel's struct layouts.
struct Expect {
  uint32_t present = 0;
  uint16_t unknown = 0, defective = 0;
  uint32_t drops = 0;
  int32_t ttl = 0, tos = 0, if_index = 0;
  uint8_t dst_family = 0;
  uint32_t ee_errno = 0, ee_info = 0, ee_data = 0;
  uint8_t offender_family = 0;
  int64_t software = 0, hardware = 0;
};

int64_t Ts(const uint8_t* p, uint64_t unit) {
  return static_cast<int64_t>(Ld64(p) * 1000000000ull + Ld64(p + 8) * unit);
}

void Model(const Entry& e, Expect* x) {
  if (e.status != Status::kOk) {
    x->defective++;
    return;
  }
  const uint8_t* d = e.data;
  if (e.level == kSolSocket) {
    switch (e.type) {
      case 37:
      case 65: {
        const int64_t sw = Ts(d, 1), legacy = Ts(d + 16, 1), hw = Ts(d + 32, 1);
        if (sw) x->software = sw, x->present |= cm::kSoftwareTs;
        if (legacy) x->present |= cm::kLegacyTs;
        if (hw) x->hardware = hw, x->present |= cm::kHardwareTs;
        return;
      }
      case 35:
      case 64:
        x->present |= cm::kTimestampNs;
        return;
      case 29:
      case 63:
        x->present |= cm::kTimestampUs;
        return;
      case 40:
        x->drops = Ld32(d);
        x->present |= cm::kDrops;
        return;
      case 58:
        x->present |= cm::kTsPktinfo;
        return;
    }
    x->unknown++;
    return;
  }
  const bool v6 = e.level == kIpv6;
  if (e.level != kIp && !v6) {
    x->unknown++;
    return;
  }
  if ((!v6 && e.type == 8) || (v6 && e.type == 50)) {
    x->if_index = static_cast<int32_t>(Ld32(d + (v6 ? 16 : 0)));
    x->dst_family = v6 ? 6 : 4;
    x->present |= cm::kDst;
  } else if ((!v6 && e.type == 2) || (v6 && e.type == 52)) {
    x->ttl = static_cast<int32_t>(Ld32(d));
    x->present |= cm::kTtl;
  } else if (!v6 && e.type == 1) {
    x->tos = d[0];
    x->present |= cm::kTos;
  } else if (v6 && e.type == 67) {
    x->tos = static_cast<int32_t>(Ld32(d));
    x->present |= cm::kTos;
  } else if ((!v6 && e.type == 11) || (v6 && e.type == 25)) {
    x->ee_errno = Ld32(d);
    x->ee_info = Ld32(d + 8);
    x->ee_data = Ld32(d + 12);
    x->present |= cm::kExtErr;
    const size_t rest = e.data_len - 16;
    if (rest >= 2) {
      uint16_t fam;
      std::memcpy(&fam, d + 16, 2);
      if (fam == 2 && rest >= 8) x->offender_family = 4, x->present |= cm::kOffender;
      if (fam == 10 && rest >= 24) x->offender_family = 6, x->present |= cm::kOffender;
    }
  } else {
    x->unknown++;
  }
}

void CheckMeta(const RxMeta& m, const Expect& x) {
  constexpr uint32_t kKnownBits = (1u << 12) - 1;
  CHECK((m.present & ~kKnownBits) == 0, 0);
  CHECK(m.present == x.present, 0);
  CHECK(m.unknown == x.unknown, 0);
  CHECK(m.defective == x.defective, 0);
  CHECK(m.dst_family == 0 || m.dst_family == 4 || m.dst_family == 6, 0);
  CHECK(m.offender_family == 0 || m.offender_family == 4 || m.offender_family == 6, 0);
  if (x.present & cm::kDrops) CHECK(m.drops == x.drops, 0);
  if (x.present & cm::kTtl) CHECK(m.ttl == x.ttl, 0);
  if (x.present & cm::kTos) CHECK(m.tos == x.tos, 0);
  if (x.present & cm::kDst) CHECK(m.dst_family == x.dst_family && m.if_index == x.if_index, 0);
  if (x.present & cm::kExtErr) CHECK(m.ee_errno == x.ee_errno && m.ee_info == x.ee_info && m.ee_data == x.ee_data, 0);
  if (x.present & cm::kOffender) CHECK(m.offender_family == x.offender_family, 0);
  if (x.present & cm::kSoftwareTs) CHECK(m.software_ns == x.software, 0);
  if (x.present & cm::kHardwareTs) CHECK(m.hardware_ns == x.hardware, 0);
}

bool SameMeta(const RxMeta& a, const RxMeta& b) {
  // Field by field: RxMeta has padding, so memcmp would compare indeterminate bytes.
  return a.present == b.present && a.software_ns == b.software_ns && a.hardware_ns == b.hardware_ns &&
         a.legacy_ns == b.legacy_ns && a.timestampns_ns == b.timestampns_ns && a.timestamp_us_ns == b.timestamp_us_ns &&
         a.dst_family == b.dst_family && std::memcmp(a.dst, b.dst, 16) == 0 && std::memcmp(a.spec_dst, b.spec_dst, 4) == 0 &&
         a.if_index == b.if_index && a.ttl == b.ttl && a.tos == b.tos && a.drops == b.drops &&
         a.hw_if_index == b.hw_if_index && a.l2_length == b.l2_length && a.ee_errno == b.ee_errno &&
         a.ee_origin == b.ee_origin && a.ee_type == b.ee_type && a.ee_code == b.ee_code && a.ee_info == b.ee_info &&
         a.ee_data == b.ee_data && a.offender_family == b.offender_family &&
         std::memcmp(a.offender, b.offender, 16) == 0 && a.offender_port == b.offender_port && a.unknown == b.unknown &&
         a.defective == b.defective;
}

void Run(const uint8_t* buf, size_t len) {
  std::vector<Entry> entries;
  size_t expect_off = 0;
  bool ended = false;  // a truncated/malformed entry must be the last one
  volatile uint8_t sink = 0;
  cm::Walk(buf, len, [&](const Entry& e) {
    CHECK(!ended, e.offset);
    CHECK(e.offset == expect_off, e.offset);
    CHECK(e.offset < len, e.offset);
    CHECK(e.offset % cm::kAlign == 0, e.offset);
    CHECK(e.data >= buf && e.data <= buf + len, e.offset);
    CHECK(e.data_len <= static_cast<size_t>(buf + len - e.data), e.offset);
    // Touch every byte the parser claims is readable: ASan reports it if the claim is false.
    for (size_t i = 0; i < e.data_len; i++) sink = sink ^ e.data[i];
    const size_t avail = len - e.offset;
    switch (e.status) {
      case Status::kMalformed:
        ended = true;
        // Two shapes: a fragment too short for a header (level/type -1, data = the fragment), or
        // a header whose cmsg_len is below the header size. A real header may say level -1 too,
        // so the fragment is told apart by its length, not by its level.
        if (avail < cm::kHeaderLen) {
          CHECK(e.level == -1 && e.type == -1, e.offset);
          CHECK(e.data == buf + e.offset && e.data_len == avail, e.offset);
        } else {
          CHECK(e.cmsg_len < cm::kHeaderLen && e.data_len == 0, e.offset);
        }
        break;
      case Status::kTruncated:
        ended = true;
        CHECK(e.cmsg_len > avail, e.offset);
        CHECK(e.data == buf + e.offset + cm::kHeaderLen && e.data_len == avail - cm::kHeaderLen, e.offset);
        break;
      case Status::kOk:
      case Status::kShort: {
        CHECK(e.cmsg_len >= cm::kHeaderLen && e.cmsg_len <= avail, e.offset);
        CHECK(e.data == buf + e.offset + cm::kHeaderLen && e.data_len == e.cmsg_len - cm::kHeaderLen, e.offset);
        const size_t need = cm::RequiredLength(e.level, e.type);
        CHECK((e.status == Status::kShort) == (need != 0 && e.data_len < need), e.offset);
        CHECK(Ld64(buf + e.offset) == e.cmsg_len, e.offset);
        expect_off = e.offset + cm::Align(e.cmsg_len);
        if (expect_off >= len) ended = true;  // the walk must stop here
        break;
      }
      default:
        Fail("unknown status", e.offset);
    }
    entries.push_back(e);
  });
  (void)sink;
  // Walk visits something for every non-empty buffer, and at most one entry per header-sized step.
  CHECK(len == 0 || !entries.empty(), 0);
  CHECK(entries.size() <= len / cm::kHeaderLen + 1, 0);

  Expect x;
  for (const Entry& e : entries) Model(e, &x);
  RxMeta m1, m2;
  cm::Decode(buf, len, &m1);
  CheckMeta(m1, x);
  cm::Decode(buf, len, &m2);
  CHECK(SameMeta(m1, m2), 0);

  // The receive path writes the decoded meta into slot i of a field-major arena: a 3-slot arena
  // with guard values around it must only change slot 1.
  constexpr size_t cap = 3;
  std::vector<int32_t> i32(disptap::layout::kI32Fields * cap + 2, 0x5a5a5a5a);
  std::vector<int64_t> i64(disptap::layout::kI64Fields * cap + 2, 0x5a5a5a5a5a5a5a5a);
  std::vector<uint8_t> addr(disptap::layout::kAddrStride * cap + 2, 0x5a);
  disptap::layout::WriteMeta(m1, i32.data() + 1, i64.data() + 1, addr.data() + 1, cap, 1);
  for (int f = 0; f < disptap::layout::kI32Fields; f++)
    for (size_t s : {size_t{0}, size_t{2}}) CHECK(i32[1 + f * cap + s] == 0x5a5a5a5a, 0);
  CHECK(i32.front() == 0x5a5a5a5a && i32.back() == 0x5a5a5a5a, 0);
  for (int f = 0; f < disptap::layout::kI64Fields; f++)
    for (size_t s : {size_t{0}, size_t{2}}) CHECK(i64[1 + f * cap + s] == 0x5a5a5a5a5a5a5a5a, 0);
  for (size_t i = 0; i < addr.size(); i++)
    if (i < 1 + disptap::layout::kAddrStride || i >= 1 + 2 * disptap::layout::kAddrStride) CHECK(addr[i] == 0x5a, 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libFuzzer's own copy is exactly `size` bytes on the heap, so ASan sees any read past it.
  Run(data, size);
  // Same bytes at an odd address, again with nothing after them.
  std::unique_ptr<uint8_t[]> odd(new uint8_t[size + 1]);
  std::memcpy(odd.get() + 1, data, size);
  Run(odd.get() + 1, size);
  return 0;
}
