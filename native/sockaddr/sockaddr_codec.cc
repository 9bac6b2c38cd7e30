#include "sockaddr/sockaddr_codec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace disptap::sockaddr {

size_t StructLength(int family) {
  if (family == 4) return sizeof(sockaddr_in);
  if (family == 6) return sizeof(sockaddr_in6);
  return 0;
}

Result Decode(const uint8_t* buf, size_t len, Parts* out, size_t* needed, int* raw_family) {
  *out = Parts{};
  sa_family_t family;
  if (len < sizeof family) {
    if (needed) *needed = sizeof family;
    return Result::kTooShort;
  }
  std::memcpy(&family, buf, sizeof family);
  if (family == AF_INET) {
    if (len < sizeof(sockaddr_in)) {
      if (needed) *needed = sizeof(sockaddr_in);
      return Result::kTooShort;
    }
    sockaddr_in sin;  // copied out: buf need not be aligned
    std::memcpy(&sin, buf, sizeof sin);
    out->family = 4;
    std::memcpy(out->addr, &sin.sin_addr, 4);
    out->port = ntohs(sin.sin_port);
    return Result::kOk;
  }
  if (family == AF_INET6) {
    if (len < sizeof(sockaddr_in6)) {
      if (needed) *needed = sizeof(sockaddr_in6);
      return Result::kTooShort;
    }
    sockaddr_in6 sin6;
    std::memcpy(&sin6, buf, sizeof sin6);
    out->family = 6;
    std::memcpy(out->addr, &sin6.sin6_addr, 16);
    out->port = ntohs(sin6.sin6_port);
    out->flowinfo = ntohl(sin6.sin6_flowinfo);
    out->scope_id = sin6.sin6_scope_id;
    return Result::kOk;
  }
  if (raw_family) *raw_family = family;
  return Result::kUnknownFamily;
}

size_t Encode(const Parts& in, uint8_t* out, size_t cap) {
  const size_t n = StructLength(in.family);
  if (n == 0 || cap < n) return 0;
  if (in.family == 4) {
    sockaddr_in sin;
    std::memset(&sin, 0, sizeof sin);  // sin_zero and padding must be zero
    sin.sin_family = AF_INET;
    sin.sin_port = htons(in.port);
    std::memcpy(&sin.sin_addr, in.addr, 4);
    std::memcpy(out, &sin, sizeof sin);
  } else {
    sockaddr_in6 sin6;
    std::memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(in.port);
    sin6.sin6_flowinfo = htonl(in.flowinfo);
    std::memcpy(&sin6.sin6_addr, in.addr, 16);
    sin6.sin6_scope_id = in.scope_id;
    std::memcpy(out, &sin6, sizeof sin6);
  }
  return n;
}

uint16_t HostToNet16(uint16_t v) { return htons(v); }
uint16_t NetToHost16(uint16_t v) { return ntohs(v); }
uint32_t HostToNet32(uint32_t v) { return htonl(v); }
uint32_t NetToHost32(uint32_t v) { return ntohl(v); }

}  // namespace disptap::sockaddr
