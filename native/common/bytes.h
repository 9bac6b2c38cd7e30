// Integers out of byte buffers that the kernel or a caller filled: no alignment assumed, no
// undefined behaviour, the caller has checked the length. The one set of byte readers in native/.
#pragma once
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

}  // namespace disptap::bytes
