#include "udp_socket/sockaddr_io.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/errors.h"

namespace disptap {

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
  std::memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    if (bytes.TypedArrayType() != napi_uint8_array || bytes.ElementLength() != 4) {
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "IPv4 address must be 4 bytes");
      return false;
    }
    auto* sin = reinterpret_cast<sockaddr_in*>(ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sin->sin_addr, bytes.Data(), 4);
    *len = sizeof(sockaddr_in);
    return true;
  }
  if (bytes.TypedArrayType() != napi_uint8_array || bytes.ElementLength() != 16) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "IPv6 address must be 16 bytes");
    return false;
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(static_cast<uint16_t>(port));
  std::memcpy(&sin6->sin6_addr, bytes.Data(), 16);
  if (info.Length() > first + 2 && info[first + 2].IsNumber())
    sin6->sin6_scope_id = info[first + 2].As<Napi::Number>().Uint32Value();
  if (info.Length() > first + 3 && info[first + 3].IsNumber())
    sin6->sin6_flowinfo = htonl(info[first + 3].As<Napi::Number>().Uint32Value());
  *len = sizeof(sockaddr_in6);
  return true;
}

int SockaddrToParts(const sockaddr_storage& ss, socklen_t len, uint8_t out16[16], int* port, int* scope,
                    uint32_t* flowinfo) {
  std::memset(out16, 0, 16);
  *port = 0;
  *scope = 0;
  *flowinfo = 0;
  if (ss.ss_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    std::memcpy(out16, &sin->sin_addr, 4);
    *port = ntohs(sin->sin_port);
    return 4;
  }
  if (ss.ss_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::memcpy(out16, &sin6->sin6_addr, 16);
    *port = ntohs(sin6->sin6_port);
    *scope = static_cast<int>(sin6->sin6_scope_id);
    *flowinfo = ntohl(sin6->sin6_flowinfo);
    return 6;
  }
  return 0;
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
