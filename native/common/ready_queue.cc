#include "common/ready_queue.h"

#include <algorithm>
#include <memory>

#include "common/errors.h"

namespace disptap {

ReadyQueue* ReadyQueue::For(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) == napi_ok && data) return static_cast<ReadyQueue*>(data);
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) {
    ThrowCodedError(env, "ERR_DISPTAP_NO_LOOP", "no libuv loop for this environment");
    return nullptr;
  }
  std::unique_ptr<ReadyQueue> q(new ReadyQueue(env));
  napi_value resource, name;
  napi_status st;
  if ((st = napi_create_object(env, &resource)) != napi_ok ||
      (st = napi_create_string_utf8(env, "disptap:poll", NAPI_AUTO_LENGTH, &name)) != napi_ok ||
      (st = napi_create_reference(env, resource, 1, &q->resource_)) != napi_ok ||
      (st = napi_async_init(env, resource, name, &q->context_)) != napi_ok) {
    if (q->resource_) napi_delete_reference(env, q->resource_);
    ThrowNapiFailure(env, st, "ReadyQueue: napi_async_init");
    return nullptr;
  }
  const int rc = uv_check_init(loop, &q->check_);
  if (rc != 0) {
    napi_async_destroy(env, q->context_);
    napi_delete_reference(env, q->resource_);
    ThrowErrno(env, -rc, "uv_check_init");
    return nullptr;
  }
  q->check_.data = q.get();
  uv_unref(reinterpret_cast<uv_handle_t*>(&q->check_));  // the sockets' polls keep the loop alive, not this
  // Without the hook, or without the instance-data slot, a terminating worker would leave the
  // check handle behind (or every socket would make its own queue): refuse instead.
  const char* failed = nullptr;
  if ((st = napi_add_async_cleanup_hook(env, OnTeardown, q.get(), &q->hook_)) != napi_ok) {
    q->hook_ = nullptr;
    failed = "napi_add_async_cleanup_hook";
  } else if ((st = napi_set_instance_data(env, q.get(), nullptr, nullptr)) != napi_ok) {
    failed = "napi_set_instance_data";
  }
  if (failed) {
    ThrowNapiFailure(env, st, failed);
    ReadyQueue* raw = q.release();
    raw->closed_ = true;
    raw->Shutdown();  // frees it once the check handle closed (no socket holds it)
    return nullptr;
  }
  return q.release();  // freed once the env tore it down and no socket holds it (Release)
}

void ReadyQueue::Push(ReadyItem* item, int status, int events) {
  if (closed_) return;
  if (item->queued) {
    item->events |= events;
    if (status < 0) item->status = status;
    return;
  }
  item->queued = true;
  item->status = status;
  item->events = events;
  pending_.push_back(item);
  if (!started_) {
    const int rc = uv_check_start(&check_, OnCheck);
    if (rc != 0) {
      // This runs in the poll phase, where nothing can throw. Say so, and deliver right now rather
      // than leave the socket queued with nothing to ever deliver it.
      char name[64];
      EmitWarning(env_, std::string("uv_check_start failed (") + ErrnoName(-rc, name, sizeof name) +
                            "): readiness is delivered from the poll callback, one socket at a time",
                  "ERR_DISPTAP_READY_QUEUE");
      Deliver();
      return;
    }
    started_ = true;
  }
}

void ReadyQueue::Remove(ReadyItem* item) {
  if (!item->queued) return;
  item->queued = false;
  std::replace(pending_.begin(), pending_.end(), item, static_cast<ReadyItem*>(nullptr));
  std::replace(delivering_.begin(), delivering_.end(), item, static_cast<ReadyItem*>(nullptr));
}

void ReadyQueue::OnCheck(uv_check_t* handle) { static_cast<ReadyQueue*>(handle->data)->Deliver(); }

void ReadyQueue::Deliver() {
  delivering_.swap(pending_);
  napi_handle_scope outer;
  if (!closed_ && napi_open_handle_scope(env_, &outer) == napi_ok) {
    napi_value resource;
    napi_callback_scope scope;
    // Closing the callback scope runs nextTicks and the microtask queue, once for all sockets.
    if (napi_get_reference_value(env_, resource_, &resource) == napi_ok &&
        napi_open_callback_scope(env_, resource, context_, &scope) == napi_ok) {
      // Index loop: a handler may close another socket, which nulls its entry here.
      for (size_t i = 0; i < delivering_.size() && !closed_; i++) {
        ReadyItem* item = delivering_[i];
        if (!item) continue;
        delivering_[i] = nullptr;
        item->queued = false;
        napi_handle_scope inner;
        if (napi_open_handle_scope(env_, &inner) != napi_ok) continue;
        item->deliver(item, item->status, item->events);
        napi_close_handle_scope(env_, inner);
      }
      napi_close_callback_scope(env_, scope);
    }
    napi_close_handle_scope(env_, outer);
  }
  // Whatever could not be delivered (env going away) is dropped; level-triggered polls report again.
  for (ReadyItem* item : delivering_)
    if (item) item->queued = false;
  delivering_.clear();
  if (pending_.empty()) StopCheck();
}

void ReadyQueue::StopCheck() {
  if (started_) {
    uv_check_stop(&check_);
    started_ = false;
  }
}

void ReadyQueue::OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  auto* q = static_cast<ReadyQueue*>(arg);
  q->closed_ = true;
  q->StopCheck();
  for (ReadyItem* item : q->pending_)
    if (item) item->queued = false;
  q->pending_.clear();
  // The env is going away: failures here cannot reach JS, only stderr.
  if (napi_set_instance_data(q->env_, nullptr, nullptr, nullptr) != napi_ok)
    ReportUnthrowable("ReadyQueue teardown: napi_set_instance_data failed");
  q->Shutdown();
}

void ReadyQueue::Shutdown() {
  if (context_ && napi_async_destroy(env_, context_) != napi_ok) ReportUnthrowable("ReadyQueue: napi_async_destroy failed");
  context_ = nullptr;
  if (resource_ && napi_delete_reference(env_, resource_) != napi_ok) ReportUnthrowable("ReadyQueue: napi_delete_reference failed");
  resource_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), [](uv_handle_t* h) {
    auto* q = static_cast<ReadyQueue*>(h->data);
    if (q->hook_ && napi_remove_async_cleanup_hook(q->hook_) != napi_ok)
      ReportUnthrowable("ReadyQueue: napi_remove_async_cleanup_hook failed");
    q->hook_ = nullptr;
    q->handle_closed_ = true;
    if (q->refs_ == 0) delete q;
  });
}

void ReadyQueue::Release() {
  if (--refs_ == 0 && handle_closed_) delete this;
}

}  // namespace disptap
