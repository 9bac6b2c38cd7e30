// sockaddr_in / sockaddr_in6 bytes ⇄ parts. Plain C++ with no N-API so a fuzz harness can target it.
//
// Contract: Decode never reads outside [buf, buf+len) and reports why it refused; Encode writes the
// platform's own struct (zeroed first), so the bytes equal what the kernel reads and writes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace disptap::sockaddr {

enum class Result : uint8_t {
  kOk = 0,
  kTooShort = 1,       // fewer bytes than the family field, or than the family's struct
  kUnknownFamily = 2,  // neither AF_INET nor AF_INET6
};

struct Parts {
  int family = 0;         // 4 or 6 (not AF_*)
  uint8_t addr[16] = {};  // network order; IPv4 uses the first 4 bytes
  uint16_t port = 0;      // host order
  uint32_t flowinfo = 0;  // host order (sin6_flowinfo is stored in network order)
  uint32_t scope_id = 0;  // interface index, host order
};

// Size of the struct for family 4 / 6; 0 for anything else.
size_t StructLength(int family);

// On kTooShort, *needed (if given) is the length that would have been enough to go on; on
// kUnknownFamily, *raw_family (if given) is the family value found.
Result Decode(const uint8_t* buf, size_t len, Parts* out, size_t* needed = nullptr,
              int* raw_family = nullptr);

// Writes StructLength(in.family) bytes into out; returns that length, or 0 when the family is
// unknown or cap is too small (nothing written then).
size_t Encode(const Parts& in, uint8_t* out, size_t cap);

// The libc byte-order functions, so callers without <arpa/inet.h> get the platform's answer.
uint16_t HostToNet16(uint16_t v);
uint16_t NetToHost16(uint16_t v);
uint32_t HostToNet32(uint32_t v);
uint32_t NetToHost32(uint32_t v);

}  // namespace disptap::sockaddr
