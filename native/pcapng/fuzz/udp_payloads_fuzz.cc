// libFuzzer harness for CopyUdpPayloads (native/pcapng/udp_payloads.h), the byte work behind the JS
// binding copyUdpPayloads (excluded from the addon build: binding.gyp skips fuzz/).
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I native \
//     native/pcapng/fuzz/udp_payloads_fuzz.cc native/pcapng/udp_payloads.cc -o /tmp/payloadfuzz
// (or `bash fuzz/run.sh payload`).
//
// The input describes one call; read front to back, little-endian, missing bytes read as 0:
//   u8 n (% 17) | u16 src length (% 4097) | u16 out length (% 4097) | u8 flags: bit 0 `out` is a
//   view into the source allocation starting u16 bytes into it (that u16 follows) | per entry: u16
//   source offset, u16 length (0xffff: UINT32_MAX), u16 destination offset (0xffff: UINT32_MAX),
//   u32 partial sum (as int32) | the source bytes (the rest, repeated or cut to its length).
//
// Every array is allocated with exactly its stated length (an empty one has no memory at all), so
// ASan sees any access outside it. Invariants (abort on violation):
//   * success exactly when an independent check says the job is valid (no shared memory between
//     `out` and the source, every payload inside both buffers, every destination ≥ 2, every
//     partial ≥ -1), and then the return value is n;
//   * on success `out` is byte for byte what a plain second implementation makes of the same
//     job on a copy (payloads copied in order, then each checksum folded, complemented, 0 → 0xffff);
//   * on failure `why` is non-empty and `out` is unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "pcapng/udp_payloads.h"

namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  size_t at = 0;
  uint32_t u8() { return at < n ? p[at++] : 0; }
  uint32_t u16() { return u8() | u8() << 8; }
  uint32_t u32() { return u16() | u16() << 16; }
};

// An exactly sized allocation (nullptr when empty).
template <typename T>
std::unique_ptr<T[]> Exact(size_t n) {
  return n ? std::make_unique<T[]>(n) : nullptr;
}

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "udp_payloads invariant: %s\n", what);
  std::abort();
}

void Reference(const uint8_t* src, const uint32_t* so, const uint32_t* len, const uint32_t* dst, const int32_t* partial, size_t n, uint8_t* out) {
  for (size_t k = 0; k < n; k++) {
    for (size_t i = 0; i < len[k]; i++) out[dst[k] + i] = src[so[k] + i];
    if (partial[k] < 0) continue;
    uint64_t sum = static_cast<uint32_t>(partial[k]);
    for (size_t i = 0; i < len[k]; i += 2) sum += (uint32_t{out[dst[k] + i]} << 8) | (i + 1 < len[k] ? out[dst[k] + i + 1] : 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t ck = static_cast<uint16_t>(~sum);
    if (ck == 0) ck = 0xffff;
    out[dst[k] - 2] = static_cast<uint8_t>(ck >> 8);
    out[dst[k] - 1] = static_cast<uint8_t>(ck);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace pc = disptap::pcapng;
  Reader r{data, size};
  const size_t n = r.u8() % 17;
  const size_t src_len = r.u16() % 4097;
  size_t out_len = r.u16() % 4097;
  const uint32_t flags = r.u8();
  const size_t alias_at = (flags & 1) ? r.u16() : 0;
  auto so = Exact<uint32_t>(n);
  auto len = Exact<uint32_t>(n);
  auto dst = Exact<uint32_t>(n);
  auto partial = Exact<int32_t>(n);
  for (size_t k = 0; k < n; k++) {
    so[k] = r.u16();
    const uint32_t l = r.u16();
    len[k] = l == 0xffff ? UINT32_MAX : l;
    const uint32_t d = r.u16();
    dst[k] = d == 0xffff ? UINT32_MAX : d;
    partial[k] = static_cast<int32_t>(r.u32());
  }
  auto src = Exact<uint8_t>(src_len);
  for (size_t i = 0; i < src_len; i++) src[i] = r.n > r.at ? data[r.at + i % (r.n - r.at)] : static_cast<uint8_t>(i);
  // `out`: its own allocation, or a view into the source's (then it must be refused when both
  // are non-empty)
  std::unique_ptr<uint8_t[]> own;
  uint8_t* out = nullptr;
  bool aliased = false;
  if ((flags & 1) && src_len) {
    const size_t at = alias_at % src_len;
    out = src.get() + at;
    out_len = std::min(out_len, src_len - at);
    aliased = out_len != 0;
  } else {
    own = Exact<uint8_t>(out_len);
    for (size_t i = 0; i < out_len; i++) own[i] = static_cast<uint8_t>(0xa5 ^ i);
    out = own.get();
  }

  bool valid = !aliased;
  for (size_t k = 0; k < n && valid; k++) {
    const uint64_t s_end = uint64_t{so[k]} + len[k], d_end = uint64_t{dst[k]} + len[k];
    if (s_end > src_len || dst[k] < 2 || d_end > out_len || partial[k] < -1) valid = false;
  }
  std::vector<uint8_t> before(out, out + out_len);
  std::vector<uint8_t> expect = before;
  if (valid) Reference(src.get(), so.get(), len.get(), dst.get(), partial.get(), n, expect.data());

  pc::UdpPayloadJob job{src.get(), src_len, so.get(), len.get(), dst.get(), partial.get(), n};
  const char* why = "";
  const int64_t got = pc::CopyUdpPayloads(job, out, out_len, &why);
  if (valid) {
    if (got != static_cast<int64_t>(n)) Fail("a valid job was refused or returned another count");
    if (out_len && std::memcmp(out, expect.data(), out_len) != 0) Fail("output differs from the reference");
  } else {
    if (got != -1) Fail("an invalid job succeeded");
    if (!why || !*why) Fail("no reason given");
    if (out_len && std::memcmp(out, before.data(), out_len) != 0) Fail("a refused job wrote");
  }
  return 0;
}
