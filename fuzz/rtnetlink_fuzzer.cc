// libFuzzer target for the rtnetlink message parsers (native/interfaces/rtnetlink.h): ParseLink and
// ParseAddr take the payload of one RTM_NEWLINK / RTM_NEWADDR as the kernel sent it. The first input
// byte picks the parser, the rest is the payload.
//
// Checks besides ASan/UBSan: the payload sits at the end of an exact-size heap block (aligned and
// odd address); a payload shorter than the fixed header is refused; what comes out is bounded by
// what went in (name and hardware address no longer than the payload, an interface name never
// contains a NUL); an address result has family 4 or 6 and its bytes beyond the family's length are
// zero; the parsers are deterministic.
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "interfaces/rtnetlink.h"

namespace {

namespace rtnl = disptap::rtnl;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "rtnetlink_fuzzer: invariant violated: %s\n", what);
  std::abort();
}
#define CHECK(cond)          \
  do {                       \
    if (!(cond)) Fail(#cond); \
  } while (0)

constexpr size_t Align4(size_t n) { return (n + 3) & ~size_t{3}; }

void Run(bool link, const uint8_t* p, size_t len) {
  if (link) {
    rtnl::Link a, b;
    const bool ok = rtnl::ParseLink(p, len, &a);
    CHECK(ok == (len >= Align4(sizeof(ifinfomsg))));
    CHECK(a.name.size() <= len && a.hwaddr.size() <= len);
    CHECK(a.name.find('\0') == std::string::npos);
    CHECK(rtnl::ParseLink(p, len, &b) == ok);
    CHECK(a.index == b.index && a.name == b.name && a.mtu == b.mtu && a.flags == b.flags && a.hwaddr == b.hwaddr);
  } else {
    rtnl::Addr a, b;
    const bool ok = rtnl::ParseAddr(p, len, &a);
    if (len < Align4(sizeof(ifaddrmsg))) CHECK(!ok);
    if (ok) {
      CHECK(a.family == 4 || a.family == 6);
      if (a.family == 4)
        for (int i = 4; i < 16; i++) CHECK(a.addr[i] == 0);
      CHECK(a.prefix_len == p[1]);  // ifaddrmsg { u8 family, u8 prefixlen, … }
    }
    CHECK(rtnl::ParseAddr(p, len, &b) == ok);
    CHECK(a.family == b.family && a.index == b.index && a.prefix_len == b.prefix_len &&
          std::memcmp(a.addr, b.addr, 16) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool link = data[0] & 1;
  const size_t len = size - 1;
  std::unique_ptr<uint8_t[]> exact(new uint8_t[len]);
  std::memcpy(exact.get(), data + 1, len);
  Run(link, exact.get(), len);
  std::unique_ptr<uint8_t[]> odd(new uint8_t[len + 1]);
  std::memcpy(odd.get() + 1, data + 1, len);
  Run(link, odd.get() + 1, len);
  return 0;
}
