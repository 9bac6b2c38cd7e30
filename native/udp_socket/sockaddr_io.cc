#include "udp_socket/sockaddr_io.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/errors.h"
#include "sockaddr/sockaddr_codec.h"

namespace disptap {

bool FillSockaddr(int family, const uint8_t* bytes, size_t n, uint16_t port, uint32_t scope_id, uint32_t flowinfo,
                  sockaddr_storage* ss, socklen_t* len) {
  sockaddr::Parts p;
  p.family = family == AF_INET ? 4 : 6;
  if (n != (p.family == 4 ? 4u : 16u)) return false;
  std::memcpy(p.addr, bytes, n);
  p.port = port;
  p.scope_id = p.family == 6 ? scope_id : 0;
  p.flowinfo = p.family == 6 ? flowinfo : 0;
  const size_t written = sockaddr::Encode(p, reinterpret_cast<uint8_t*>(ss), sizeof *ss);
  *len = static_cast<socklen_t>(written);
  return written != 0;
}

bool SockaddrFromArgs(const Napi::CallbackInfo& info, size_t first, int family, sockaddr_storage* ss,
                      socklen_t* len) {
  Napi::Env env = info.Env();
  if (info.Length() < first + 2 || !info[first].IsTypedArray() || !info[first + 1].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "expected (addressBytes, port)");
    return false;
  }
  Napi::Uint8Array bytes = info[first].As<Napi::Uint8Array>();
  const int64_t port = info[first + 1].As<Napi::Number>().Int64Value();
  if (port < 0 || port > 65535) {
    ThrowRangeError(env, "ERR_SOCKET_BAD_PORT", "port must be 0..65535");
    return false;
  }
  const uint32_t scope = info.Length() > first + 2 && info[first + 2].IsNumber() ? info[first + 2].As<Napi::Number>().Uint32Value() : 0;
  const uint32_t flow = info.Length() > first + 3 && info[first + 3].IsNumber() ? info[first + 3].As<Napi::Number>().Uint32Value() : 0;
  if (bytes.TypedArrayType() != napi_uint8_array ||
      !FillSockaddr(family, bytes.Data(), bytes.ElementLength(), static_cast<uint16_t>(port), scope, flow, ss, len)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", family == AF_INET ? "IPv4 address must be 4 bytes" : "IPv6 address must be 16 bytes");
    return false;
  }
  return true;
}

int SockaddrToParts(const sockaddr_storage& ss, socklen_t len, uint8_t out16[16], int* port, int* scope,
                    uint32_t* flowinfo) {
  // The common case on the receive path, without the general codec's copies.
  if (ss.ss_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto& sin = reinterpret_cast<const sockaddr_in&>(ss);
    std::memcpy(out16, &sin.sin_addr, 4);
    std::memset(out16 + 4, 0, 12);
    *port = ntohs(sin.sin_port);
    *scope = 0;
    *flowinfo = 0;
    return 4;
  }
  sockaddr::Parts p;
  if (sockaddr::Decode(reinterpret_cast<const uint8_t*>(&ss), len, &p) != sockaddr::Result::kOk) {
    std::memset(out16, 0, 16);
    *port = 0;
    *scope = 0;
    *flowinfo = 0;
    return 0;
  }
  std::memcpy(out16, p.addr, 16);
  *port = p.port;
  *scope = static_cast<int>(p.scope_id);
  *flowinfo = p.flowinfo;
  return p.family;
}

std::string SockaddrToString(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  return buf;
}

}  // namespace disptap
