// An AF_PACKET SOCK_DGRAM socket for watching traffic of sockets we do not own: a classic BPF
// program (built in TypeScript) filters in the kernel, recvmmsg fills JS-owned arenas, and every
// packet's IP/UDP headers are parsed here (l3_parse) so JS reads fields, not bytes.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "common/unique_fd.h"
#include "udp_socket/arena.h"

namespace disptap {

class PacketSocket;

// The uv handle and the teardown hook; freed in the handle's close callback (as for UdpSocket).
struct PacketPollBox {
  uv_poll_t poll;
  napi_async_cleanup_hook_handle hook = nullptr;
  PacketSocket* owner = nullptr;
};

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit PacketSocket(const Napi::CallbackInfo& info);
  ~PacketSocket() override;

  void OnPoll(int status, int events);
  void CloseHandles();

 private:
  Napi::Value AttachFilter(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value SetIntOption(const Napi::CallbackInfo& info);
  Napi::Value GetIntOption(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value RegisterArena(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value StartPoll(const Napi::CallbackInfo& info);
  Napi::Value StopPoll(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);

  bool CheckOpen(Napi::Env env, const char* syscall);

  UniqueFd fd_;
  std::unique_ptr<PacketPollBox> box_;
  Napi::FunctionReference on_poll_;
  bool polling_ = false;
  std::vector<std::unique_ptr<Arena>> arenas_;
};

}  // namespace disptap
