// Coalesces socket readiness per loop turn. uv_poll callbacks only queue their socket here; a check
// handle (which libuv runs right after the poll phase of the same turn) then calls every queued
// socket's JS handler inside ONE callback scope. Promise jobs and nextTicks therefore settle once
// per turn, not once per socket: with many quiet sockets each waking for a datagram or two, that
// per-wake-up cost is what dominated (bench/many.mjs).
#pragma once
#include <node_api.h>
#include <uv.h>

#include <vector>

namespace disptap {

struct ReadyItem {
  // Called inside the shared callback scope (with a handle scope open) with what the poll saw.
  void (*deliver)(ReadyItem* self, int status, int events) = nullptr;
  int status = 0;
  int events = 0;
  bool queued = false;
};

class ReadyQueue {
 public:
  // The env's queue, made on first use; nullptr (JS exception pending) when it cannot be made.
  // It lives in the env's instance-data slot: nothing else in the addon may use that slot.
  static ReadyQueue* For(napi_env env);

  // Queue an item for this turn's delivery; readiness seen twice in one turn is merged.
  void Push(ReadyItem* item, int status, int events);
  // Forget an item (its socket closed or was collected) wherever it is queued.
  void Remove(ReadyItem* item);
  // Sockets hold the queue while their poll handle lives, so env teardown in any order is safe.
  void Retain() { refs_++; }
  void Release();

 private:
  explicit ReadyQueue(napi_env env) : env_(env) {}
  static void OnCheck(uv_check_t* handle);
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* arg);
  void Deliver();
  void StopCheck();
  // Drops the async context and resource, closes the check handle; the queue is deleted in its close
  // callback once no socket holds it.
  void Shutdown();

  napi_env env_;
  uv_check_t check_;
  napi_ref resource_ = nullptr;
  napi_async_context context_ = nullptr;
  napi_async_cleanup_hook_handle hook_ = nullptr;
  std::vector<ReadyItem*> pending_;
  std::vector<ReadyItem*> delivering_;
  size_t refs_ = 0;
  bool started_ = false;
  bool closed_ = false;         // env teardown began: deliver nothing more
  bool handle_closed_ = false;  // the check handle's close callback ran
};

}  // namespace disptap
