// Integers out of byte buffers that the kernel or a caller filled: no alignment assumed, no
// undefined behaviour, the caller has checked the length. The one set of byte readers in native/.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace disptap::bytes {

// A value in host byte order (kernel structs, cmsg data, netlink attributes).
template <typename T>
inline T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Network byte order (IP and UDP headers).
inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t LoadBe32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

// Whether [p, p + n) and [q, q + m) share a byte, compared as addresses (the arrays are unrelated
// objects): an output that is a view of an input (JS can make one) is refused by the encoders.
inline bool Overlaps(const void* p, size_t n, const void* q, size_t m) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(q);
  return n != 0 && m != 0 && a < b + m && b < a + n;
}

}  // namespace disptap::bytes
