// An AF_PACKET SOCK_DGRAM socket for watching traffic of sockets we do not own: a classic BPF
// program (built in TypeScript) filters in the kernel, recvmmsg or a TPACKET_V3 mmap ring
// (setupRing, packet_ring.h) fills JS-owned arenas, and every packet's IP/UDP headers are parsed
// here (l3_parse) so JS reads fields, not bytes. Both ways fill the same arena layout.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "common/polled_socket.h"
#include "packet_socket/packet_ring.h"
#include "udp_socket/arena.h"

namespace disptap {

class PacketSocket : public PolledSocket<PacketSocket> {
 public:
  // Marks instances of this class (see PolledSocket::FdGetter).
  static constexpr napi_type_tag kTypeTag = {0x6469737074617050ull, 0x61636b6574536f6bull};
  static void Init(Napi::Env env, Napi::Object exports);
  explicit PacketSocket(const Napi::CallbackInfo& info);
  // close(): the base's, plus the arenas (and the JS arrays they keep alive) and the ring's mapping.
  Napi::Value CloseSocket(const Napi::CallbackInfo& info);

 private:
  Napi::Value AttachFilter(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value RegisterArena(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value SetupRing(const Napi::CallbackInfo& info);
  Napi::Value RecvRing(const Napi::CallbackInfo& info);

  ArenaTable arenas_;
  // The receive ring, when setupRing made one (then recv walks it instead of calling recvmmsg).
  // Unmapped by close() and by the destructor (GC, env teardown).
  packet_ring::PacketRing ring_;
  bool ring_stamps_ = true;   // write the ring's tp_sec/tp_nsec as the packets' timestamps
  bool bound_ = false;        // bind() succeeded: too late for setupRing
  uint64_t corrupt_reported_ = 0;  // ring blocks found corrupt that stats() already reported
};

}  // namespace disptap
