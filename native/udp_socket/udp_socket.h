// A non-blocking UDP socket watched by a uv_poll handle on the env's own loop. The waist is thin:
// JS decides which options to set and when to read; this class does the syscalls.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "common/unique_fd.h"
#include "udp_socket/arena.h"

namespace disptap {

class UdpSocket;

// The uv handle and the teardown hook live here; freed in the handle's close callback.
struct PollBox {
  uv_poll_t poll;
  napi_async_cleanup_hook_handle hook = nullptr;
  UdpSocket* owner = nullptr;
};

class UdpSocket : public Napi::ObjectWrap<UdpSocket> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit UdpSocket(const Napi::CallbackInfo& info);
  ~UdpSocket() override;

  void OnPoll(int status, int events);
  void CloseHandles();

 private:
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value SetIntOption(const Napi::CallbackInfo& info);
  Napi::Value GetIntOption(const Napi::CallbackInfo& info);
  Napi::Value LocalAddress(const Napi::CallbackInfo& info);
  Napi::Value RegisterArena(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value ReadMsg(const Napi::CallbackInfo& info);
  Napi::Value SendMsg(const Napi::CallbackInfo& info);
  Napi::Value SendMmsg(const Napi::CallbackInfo& info);
  Napi::Value StartPoll(const Napi::CallbackInfo& info);
  Napi::Value StopPoll(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);

  bool CheckOpen(Napi::Env env, const char* syscall);

  UniqueFd fd_;
  int family_ = 0;
  std::unique_ptr<PollBox> box_;
  Napi::FunctionReference on_poll_;
  bool polling_ = false;
  std::vector<std::unique_ptr<Arena>> arenas_;
};

}  // namespace disptap
