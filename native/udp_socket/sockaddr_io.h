// Conversions between JS arguments (family, address bytes, port, scope) and sockaddr structs.
#pragma once
#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace disptap {

// Reads (addressBytes: Uint8Array(4|16), port, scopeId, flowinfo) at info[first..]. Throws on bad input.
bool SockaddrFromArgs(const Napi::CallbackInfo& info, size_t first, int family, sockaddr_storage* ss,
                      socklen_t* len);
// Encodes (family AF_*, n address bytes, port, scope, flowinfo) with the shared sockaddr codec.
bool FillSockaddr(int family, const uint8_t* bytes, size_t n, uint16_t port, uint32_t scope_id, uint32_t flowinfo,
                  sockaddr_storage* ss, socklen_t* len);
// Writes family (4|6|0), 16 address bytes, port, scope, flowinfo. Returns the family.
int SockaddrToParts(const sockaddr_storage& ss, socklen_t len, uint8_t out16[16], int* port, int* scope,
                    uint32_t* flowinfo);
std::string SockaddrToString(const sockaddr_storage& ss);

}  // namespace disptap
