// A non-blocking UDP socket watched by a uv_poll handle on the env's own loop. The waist is thin:
// JS decides which options to set and when to read; this class does the syscalls.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "common/polled_socket.h"
#include "udp_socket/arena.h"

namespace disptap {

class UdpSocket : public PolledSocket<UdpSocket> {
 public:
  // Marks instances of this class (see PolledSocket::FdGetter).
  static constexpr napi_type_tag kTypeTag = {0x6469737074617055ull, 0x4450536f636b6574ull};
  static void Init(Napi::Env env, Napi::Object exports);
  explicit UdpSocket(const Napi::CallbackInfo& info);
  // close(): the base's, plus the arenas (and the JS arrays they keep alive).
  Napi::Value CloseSocket(const Napi::CallbackInfo& info);

 private:
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value LocalAddress(const Napi::CallbackInfo& info);
  Napi::Value RegisterArena(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value TakePayloads(const Napi::CallbackInfo& info);
  Napi::Value ReadMsg(const Napi::CallbackInfo& info);
  Napi::Value SendMsg(const Napi::CallbackInfo& info);
  Napi::Value SendMmsg(const Napi::CallbackInfo& info);

  int family_ = 0;
  ArenaTable arenas_;
};

}  // namespace disptap
