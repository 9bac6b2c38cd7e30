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
  if (napi_create_object(env, &resource) != napi_ok || napi_create_string_utf8(env, "disptap:poll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_reference(env, resource, 1, &q->resource_) != napi_ok ||
      napi_async_init(env, resource, name, &q->context_) != napi_ok) {
    if (q->resource_) napi_delete_reference(env, q->resource_);
    return nullptr;
  }
  uv_check_init(loop, &q->check_);
  q->check_.data = q.get();
  uv_unref(reinterpret_cast<uv_handle_t*>(&q->check_));  // the sockets' polls keep the loop alive, not this
  napi_add_async_cleanup_hook(env, OnTeardown, q.get(), &q->hook_);
  napi_set_instance_data(env, q.get(), nullptr, nullptr);
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
    uv_check_start(&check_, OnCheck);
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
  napi_set_instance_data(q->env_, nullptr, nullptr, nullptr);
  napi_async_destroy(q->env_, q->context_);
  napi_delete_reference(q->env_, q->resource_);
  uv_close(reinterpret_cast<uv_handle_t*>(&q->check_), [](uv_handle_t* h) {
    auto* q = static_cast<ReadyQueue*>(h->data);
    napi_remove_async_cleanup_hook(q->hook_);
    q->handle_closed_ = true;
    if (q->refs_ == 0) delete q;
  });
}

void ReadyQueue::Release() {
  if (--refs_ == 0 && handle_closed_) delete this;
}

}  // namespace disptap
