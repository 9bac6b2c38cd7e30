// Base of the native socket classes: owns the fd and the uv_poll handle that watches it on the
// env's own loop (napi_get_uv_event_loop, so workers work), forwards readiness to a JS callback
// through the env's ReadyQueue (one callback scope per loop turn for all sockets), and releases
// both on close(), on GC (finaliser) and on env teardown (async cleanup hook).
#pragma once
#include <errno.h>
#include <napi.h>
#include <sys/socket.h>
#include <uv.h>

#include <memory>
#include <string>

#include "common/errors.h"
#include "common/js_values.h"
#include "common/ready_queue.h"
#include "common/unique_fd.h"

namespace disptap {

template <typename T>
class PolledSocket : public Napi::ObjectWrap<T> {
 public:
  explicit PolledSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
  ~PolledSocket() override { CloseHandles(); }

  // startPoll(events = UV_READABLE): UV_READABLE 1 | UV_WRITABLE 2 | UV_PRIORITIZED 8. Keeps the JS
  // object alive while watching; calling it again changes the events. Events that mask to 0 watch
  // nothing: that is stopPoll (no reference is kept for a poll that cannot fire).
  Napi::Value StartPoll(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env, "uv_poll_start") || !box_) return env.Undefined();
    const int requested = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : UV_READABLE;
    const int events = requested & (UV_READABLE | UV_WRITABLE | UV_PRIORITIZED);
    if (events == 0) {
      StopPolling();
      return env.Undefined();
    }
    const int rc = uv_poll_start(&box_->poll, events, OnPollEvent);
    if (rc != 0) {
      StopPolling();  // libuv stopped the handle before it failed: mirror that
      ThrowErrno(env, -rc, "uv_poll_start");
      return env.Undefined();
    }
    if (!polling_) this->Ref();
    polling_ = true;
    return env.Undefined();
  }

  Napi::Value StopPoll(const Napi::CallbackInfo& info) {
    StopPolling();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    const bool was_polling = polling_;
    CloseHandles();
    if (was_polling) this->Unref();
    on_poll_.Reset();
    return info.Env().Undefined();
  }

  // The `fd` getter, defined on the prototype by DefineFd. node-addon-api's InstanceAccessor unwraps
  // `this` without the receiver check its methods get: on a foreign object it threw a code-less
  // Error, and on a socket of the other class it read that object as this one (type confusion).
  // Each instance carries its class's type tag (T::kTypeTag), checked before the unwrap.
  static Napi::Value FdGetter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bool ours = false;
    napi_value self = info.This();
    if (napi_check_object_type_tag(env, self, &T::kTypeTag, &ours) != napi_ok || !ours) {
      if (!ExceptionPending(env)) ThrowTypeError(env, "ERR_INVALID_THIS", "Illegal invocation: fd of a non-socket");
      return env.Undefined();
    }
    T* t = Napi::ObjectWrap<T>::Unwrap(info.This().As<Napi::Object>());
    return Napi::Number::New(env, t ? t->fd_.get() : -1);
  }

  static napi_value FdGetterCallback(napi_env env, napi_callback_info cbinfo) {
    Napi::CallbackInfo info(env, cbinfo);
    return FdGetter(info);
  }

  // Adds the checked `fd` getter to the class's prototype.
  static bool DefineFd(Napi::Env env, Napi::Function ctor) {
    napi_value proto;
    if (napi_get_named_property(env, ctor, "prototype", &proto) != napi_ok) return false;
    napi_property_descriptor d{"fd", nullptr, nullptr, FdGetterCallback, nullptr, nullptr, napi_configurable, nullptr};
    return napi_define_properties(env, proto, 1, &d) == napi_ok;
  }

  // setIntOption(level, name, value, label): label names the option in the error message.
  Napi::Value SetIntOption(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env, "setsockopt")) return env.Undefined();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "setIntOption(level, name, value)");
      return env.Undefined();
    }
    const int value = static_cast<int>(info[2].As<Napi::Number>().Int64Value());
    if (::setsockopt(fd_.get(), info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), &value,
                     sizeof value) != 0) {
      const int err = errno;
      const std::string label = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
      ThrowErrno(env, err, "setsockopt", label);
    }
    return env.Undefined();
  }

  // getIntOption(level, name) → int
  Napi::Value GetIntOption(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env, "getsockopt")) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "getIntOption(level, name)");
      return env.Undefined();
    }
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd_.get(), info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), &value,
                     &len) != 0) {
      const int err = errno;
      ThrowErrno(env, err, "getsockopt");
      return env.Undefined();
    }
    return Napi::Number::New(env, value);
  }

 protected:
  // Takes the fd and sets up the poll handle; false (with a JS exception pending) on failure.
  bool AttachFd(Napi::Env env, UniqueFd fd, const Napi::Function& on_poll) {
    if (napi_type_tag_object(env, this->Value(), &T::kTypeTag) != napi_ok) {
      if (!ExceptionPending(env)) ThrowTypeError(env, "ERR_DISPTAP_NAPI", "napi_type_tag_object failed");
      return false;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ThrowTypeError(env, "ERR_DISPTAP_NO_LOOP", "no libuv loop for this environment");
      return false;
    }
    ReadyQueue* queue = ReadyQueue::For(env);
    if (!queue) return false;
    auto box = std::make_unique<Box>();
    const int rc = uv_poll_init(loop, &box->poll, fd.get());
    if (rc != 0) {
      ThrowErrno(env, -rc, "uv_poll_init");
      return false;
    }
    box->poll.data = box.get();
    box->owner = this;
    box->deliver = OnReady;
    box->queue = queue;
    queue->Retain();
    // Without the hook a terminating worker would free the env under a live poll handle.
    const napi_status st = napi_add_async_cleanup_hook(env, OnTeardown, box.get(), &box->hook);
    if (st != napi_ok) {
      box->hook = nullptr;
      box->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&box.release()->poll), OnBoxClosed);
      ThrowNapiFailure(env, st, "napi_add_async_cleanup_hook");
      return false;  // fd closes here, after uv_close stopped watching it
    }
    box_ = std::move(box);
    fd_ = std::move(fd);
    on_poll_ = Napi::Persistent(on_poll);
    return true;
  }

  // Stops watching, drops the reference StartPoll took, and forgets readiness already queued for
  // this turn: a socket stopped by another socket's handler gets no callback after the stop.
  void StopPolling() {
    if (!box_) return;
    box_->queue->Remove(box_.get());
    if (polling_) {
      uv_poll_stop(&box_->poll);
      polling_ = false;
      this->Unref();
    }
  }

  bool CheckOpen(Napi::Env env, const char* syscall) {
    if (fd_.valid()) return true;
    ThrowCodedError(env, "ERR_SOCKET_CLOSED", std::string(syscall) + ": socket is closed");
    return false;
  }

  UniqueFd fd_;

 private:
  // The uv handle must outlive the object when it is closed from a finaliser: it is freed in its
  // close callback, which also removes the teardown hook.
  struct Box : ReadyItem {
    uv_poll_t poll;
    napi_async_cleanup_hook_handle hook = nullptr;
    PolledSocket* owner = nullptr;
    ReadyQueue* queue = nullptr;
  };

  static void OnBoxClosed(uv_handle_t* h) {
    std::unique_ptr<Box> owned(static_cast<Box*>(h->data));
    // Fails only for a handle that was already removed: there is no JS left to tell (this runs
    // from the loop, possibly during env teardown).
    if (owned->hook && napi_remove_async_cleanup_hook(owned->hook) != napi_ok)
      ReportUnthrowable("napi_remove_async_cleanup_hook failed for a socket's poll handle");
    owned->queue->Release();
  }

  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    auto* box = static_cast<Box*>(arg);
    if (box->owner) box->owner->CloseHandles();
  }

  // Poll phase: only note the readiness; the queue delivers it after the poll phase.
  static void OnPollEvent(uv_poll_t* handle, int status, int events) {
    auto* box = static_cast<Box*>(handle->data);
    if (box && box->owner) box->queue->Push(box, status, events);
  }

  static void OnReady(ReadyItem* item, int status, int events) {
    auto* box = static_cast<Box*>(item);
    if (box->owner) box->owner->OnPoll(status, events);
  }

  void CloseHandles() {
    if (box_) {
      if (polling_) {
        uv_poll_stop(&box_->poll);
        polling_ = false;
        // The strong reference taken by StartPoll is dropped by Close(); from a finaliser or
        // teardown there is none left to drop.
      }
      box_->owner = nullptr;
      box_->queue->Remove(box_.get());
      Box* raw = box_.release();  // libuv owns it until the close callback
      uv_close(reinterpret_cast<uv_handle_t*>(&raw->poll), OnBoxClosed);
    }
    fd_.Reset();  // after the poll stopped watching it
  }

  // Runs inside the queue's callback scope (handle scope open): a plain call, no microtask drain.
  void OnPoll(int status, int events) {
    napi_env env = this->Env();
    if (status < 0 && polling_) {
      // libuv stopped the handle itself (e.g. POLLERR without POLLPRI): mirror that state.
      polling_ = false;
      this->Unref();
    }
    // The raw C API on purpose: while a worker is being terminated the call fails, and the C++
    // wrapper would turn that failure into a fatal error instead of letting teardown proceed.
    napi_value argv[2];
    napi_value recv = this->Value();
    if (napi_create_int32(env, status, &argv[0]) != napi_ok || napi_create_int32(env, events, &argv[1]) != napi_ok) return;
    napi_value result;
    const napi_status st = napi_call_function(env, recv, on_poll_.Value(), 2, argv, &result);
    if (st == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }

  std::unique_ptr<Box> box_;
  Napi::FunctionReference on_poll_;
  bool polling_ = false;
};

}  // namespace disptap
