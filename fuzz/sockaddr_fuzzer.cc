// libFuzzer target for the sockaddr codec (native/sockaddr/sockaddr_codec.h): msg_name bytes and
// offender addresses are kernel output shaped by remote peers, and the JS side decodes crafted bytes.
//
// Checks besides ASan/UBSan (abort on violation, so libFuzzer records a finding):
//   * Decode reads only [buf, buf+len): the input sits at the very end of an exact-size heap block,
//     at an aligned and at an odd address;
//   * kOk ⇔ a known family with at least StructLength bytes; kTooShort reports a `needed` larger
//     than len; kUnknownFamily reports the raw family found; the output is reset on every path;
//   * decoded fields equal an independent read of the Linux struct layout;
//   * Encode(Decode(x)) gives back the same fields, zero padding, exactly StructLength bytes, and
//     never writes past cap (guard bytes around a too-small output buffer stay untouched);
//   * the byte-order helpers round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "sockaddr/sockaddr_codec.h"

namespace {

namespace sa = disptap::sockaddr;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "sockaddr_fuzzer: invariant violated: %s\n", what);
  std::abort();
}
#define CHECK(cond)          \
  do {                       \
    if (!(cond)) Fail(#cond); \
  } while (0)

// Linux x86-64 layouts, independent of the codec: sockaddr_in is 16 bytes {u16 family, be16 port,
// 4 addr, 8 zero}; sockaddr_in6 is 28 bytes {u16 family, be16 port, be32 flowinfo, 16 addr, u32 scope}.
constexpr uint16_t kAfInet = 2, kAfInet6 = 10;
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
uint32_t Le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

void Run(const uint8_t* buf, size_t len) {
  sa::Parts p;
  p.family = 99;  // Decode must reset it
  size_t needed = 0;
  int raw = -1;
  const sa::Result r = sa::Decode(buf, len, &p, &needed, &raw);
  uint16_t fam = 0;
  if (len >= 2) std::memcpy(&fam, buf, 2);
  switch (r) {
    case sa::Result::kOk: {
      CHECK(fam == kAfInet || fam == kAfInet6);
      const int f = fam == kAfInet ? 4 : 6;
      CHECK(p.family == f);
      CHECK(len >= sa::StructLength(f));
      CHECK(p.port == Be16(buf + 2));
      if (f == 4) {
        CHECK(std::memcmp(p.addr, buf + 4, 4) == 0 && AllZero(p.addr + 4, 12));
        CHECK(p.flowinfo == 0 && p.scope_id == 0);
      } else {
        CHECK(p.flowinfo == Be32(buf + 4));
        CHECK(std::memcmp(p.addr, buf + 8, 16) == 0);
        CHECK(p.scope_id == Le32(buf + 24));
      }
      // Round trip: the codec writes the same fields back, with the padding zeroed.
      uint8_t out[64];
      std::memset(out, 0xa5, sizeof out);
      const size_t n = sa::Encode(p, out + 8, 28);
      CHECK(n == sa::StructLength(f));
      for (size_t i = 0; i < 8; i++) CHECK(out[i] == 0xa5);
      for (size_t i = 8 + n; i < sizeof out; i++) CHECK(out[i] == 0xa5);
      sa::Parts back;
      CHECK(sa::Decode(out + 8, n, &back) == sa::Result::kOk);
      CHECK(back.family == p.family && back.port == p.port && back.flowinfo == p.flowinfo &&
            back.scope_id == p.scope_id && std::memcmp(back.addr, p.addr, 16) == 0);
      if (f == 4) CHECK(AllZero(out + 8 + 8, 8));  // sin_zero
      // Too small an output buffer: nothing is written.
      uint8_t small[40];
      std::memset(small, 0x3c, sizeof small);
      CHECK(sa::Encode(p, small + 4, n - 1) == 0);
      for (uint8_t b : small) CHECK(b == 0x3c);
      break;
    }
    case sa::Result::kTooShort:
      CHECK(needed > len);
      CHECK(len < 2 || fam == kAfInet || fam == kAfInet6);
      CHECK(p.family == 0);
      break;
    case sa::Result::kUnknownFamily:
      CHECK(len >= 2 && fam != kAfInet && fam != kAfInet6);
      CHECK(raw == fam);
      CHECK(p.family == 0);
      break;
    default:
      Fail("unknown result");
  }
  // Without the optional out-parameters the answer is the same.
  sa::Parts q;
  CHECK(sa::Decode(buf, len, &q) == r);
  CHECK(q.family == p.family && q.port == p.port);

  // Encode from fuzzer-chosen parts: any family value, any fields.
  if (len >= 30) {
    sa::Parts in;
    int fam_in;
    std::memcpy(&fam_in, buf, sizeof fam_in);
    in.family = fam_in;
    std::memcpy(in.addr, buf + 4, 16);
    in.port = Be16(buf + 20);
    in.flowinfo = Be32(buf + 22);
    in.scope_id = Le32(buf + 26);
    uint8_t out[48];
    std::memset(out, 0x77, sizeof out);
    const size_t cap = buf[len - 1] % 40;
    const size_t n = sa::Encode(in, out + 4, cap);
    CHECK(n == 0 || n == sa::StructLength(in.family));
    CHECK(n <= cap);
    for (size_t i = 0; i < 4; i++) CHECK(out[i] == 0x77);
    for (size_t i = 4 + n; i < sizeof out; i++) CHECK(out[i] == 0x77);
    if (n) {
      sa::Parts back;
      CHECK(sa::Decode(out + 4, n, &back) == sa::Result::kOk);
      CHECK(back.family == in.family && back.port == in.port);
    }
  }
  if (len >= 4) {
    uint32_t v32;
    std::memcpy(&v32, buf, 4);
    const uint16_t v16 = static_cast<uint16_t>(v32);
    CHECK(sa::NetToHost16(sa::HostToNet16(v16)) == v16);
    CHECK(sa::NetToHost32(sa::HostToNet32(v32)) == v32);
    uint8_t be[4];
    const uint32_t n32 = sa::HostToNet32(v32);
    std::memcpy(be, &n32, 4);
    CHECK(Be32(be) == v32);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Run(data, size);
  std::unique_ptr<uint8_t[]> odd(new uint8_t[size + 1]);
  std::memcpy(odd.get() + 1, data, size);
  Run(odd.get() + 1, size);
  return 0;
}
