#include "udp_socket/arena.h"

#include <errno.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/errors.h"
#include "common/js_bytes.h"
#include "common/js_values.h"

namespace disptap {
namespace {
constexpr size_t kMaxSlotSize = 1 << 20;  // maxMessageSize's bound (src/tap/options.ts)
constexpr napi_typedarray_type kTypes[5] = {napi_uint8_array, napi_uint8_array, napi_int32_array, napi_bigint64_array,
                                            napi_uint8_array};

// Notes the single ArrayBuffer behind all five arrays, if there is one, and where each array
// starts in it (the fast path of RefreshArena).
void ShareOneBuffer(const Napi::CallbackInfo& info, void* const p[5], Arena& a) {
  napi_env env = info.Env();
  napi_value first = nullptr;
  for (int i = 0; i < 5; i++) {
    napi_value ab;
    napi_typedarray_type t;
    size_t len, off;
    void* data;
    if (napi_get_typedarray_info(env, info[i], &t, &len, &data, &ab, &off) != napi_ok) return;
    bool same = true;
    if (first && (napi_strict_equals(env, first, ab, &same) != napi_ok || !same)) return;
    first = ab;
  }
  void* base = nullptr;
  size_t total = 0;
  if (napi_get_arraybuffer_info(env, first, &base, &total) != napi_ok || !base) return;
  size_t need = 0;
  for (int i = 0; i < 5; i++) {
    a.offset[i] = static_cast<size_t>(static_cast<uint8_t*>(p[i]) - static_cast<uint8_t*>(base));
    need = std::max(need, a.offset[i] + a.need[i]);
  }
  a.shared_need = need;
  a.shared = Napi::Persistent(Napi::Value(env, first));
}

}  // namespace

std::unique_ptr<Arena> ArenaFromArgs(const Napi::CallbackInfo& info, const ArenaShape& shape) {
  Napi::Env env = info.Env();
  auto a = std::make_unique<Arena>();
  void* p[5];
  size_t bytes[5];
  bool ok = info.Length() >= 8 && info[5].IsNumber() && info[6].IsNumber() && info[7].IsNumber();
  for (int i = 0; ok && i < 5; i++) ok = TypedBytes(info[i], kTypes[i], &p[i], &bytes[i]);
  if (!ok) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "registerArena(data, control, i32, i64, addr, slot, ctrl, n)");
    return nullptr;
  }
  a->slot_size = info[5].As<Napi::Number>().Uint32Value();
  a->control_size = info[6].As<Napi::Number>().Uint32Value();
  a->count = info[7].As<Napi::Number>().Uint32Value();
  a->dense_size = a->slot_size;
  if (info.Length() > 9 && !info[9].IsUndefined()) {
    if (!info[9].IsNumber()) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "registerArena: denseSize must be a number");
      return nullptr;
    }
    a->dense_size = std::min<size_t>(info[9].As<Napi::Number>().Uint32Value(), a->slot_size);
  }
  const size_t n = a->count;
  const bool dense = a->dense_size < a->slot_size;
  if (dense && shape.payload_offset_field < 0) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "registerArena: this socket kind takes whole slots (no denseSize below slotSize)");
    return nullptr;
  }
  a->cap_len_field = shape.cap_len_field;
  a->payload_offset_field = shape.payload_offset_field;
  a->need[0] = dense ? n * a->dense_size : n * a->slot_size;
  a->need[1] = n * a->control_size;
  a->need[2] = n * shape.i32_fields * 4;
  a->need[3] = (n * shape.i64_fields + 1) * 8;  // slots, then readAt
  a->need[4] = n * shape.addr_stride;
  // Every later write is bounded by these checks: the arrays must hold n slots.
  // kMaxSlotSize bounds a dense arena's tails (count × slot_size of address space), which no JS
  // array's length does.
  bool fits = n > 0 && n <= 1024 && a->slot_size > 0 && a->slot_size <= kMaxSlotSize && a->dense_size > 0;
  for (int i = 0; fits && i < 5; i++) fits = bytes[i] >= a->need[i];
  if (!fits) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "registerArena: slotSize must be 1..1048576 and the arrays must hold the slot count");
    return nullptr;
  }
  // The tails live outside every ArrayBuffer (see OverflowMap); untouched pages cost nothing.
  if (dense && !a->overflow.Map(n * (a->slot_size - a->dense_size))) {
    ThrowErrno(env, errno, "mmap");
    return nullptr;
  }
  for (int i = 0; i < 5; i++) a->keep[i] = Napi::Persistent(info[i]);
  ShareOneBuffer(info, p, *a);
  a->data = static_cast<uint8_t*>(p[0]);
  a->control = static_cast<uint8_t*>(p[1]);
  a->i32 = static_cast<int32_t*>(p[2]);
  a->i64 = static_cast<int64_t*>(p[3]);
  a->addr = static_cast<uint8_t*>(p[4]);
  a->msgs.resize(n);
  a->iov.resize(dense ? 2 * n : n);
  a->names.resize(n);
  return a;
}

bool RefreshArena(Arena& a) {
  void* p[5];
  if (!a.shared.IsEmpty()) {
    // A detached buffer reports no data and length 0; a non-resizable one never moves or shrinks.
    void* base = nullptr;
    size_t total = 0;
    if (napi_get_arraybuffer_info(a.shared.Env(), a.shared.Value(), &base, &total) != napi_ok || !base ||
        total < a.shared_need)
      return false;
    for (int i = 0; i < 5; i++) p[i] = static_cast<uint8_t*>(base) + a.offset[i];
  } else {
    for (int i = 0; i < 5; i++) {
      size_t bytes = 0;
      if (!TypedBytes(a.keep[i].Value(), kTypes[i], &p[i], &bytes) || bytes < a.need[i] || (a.need[i] && !p[i]))
        return false;
    }
  }
  a.data = static_cast<uint8_t*>(p[0]);
  a.control = static_cast<uint8_t*>(p[1]);
  a.i32 = static_cast<int32_t*>(p[2]);
  a.i64 = static_cast<int64_t*>(p[3]);
  a.addr = static_cast<uint8_t*>(p[4]);
  return true;
}

void ArenaTable::ReleaseDetached() {
  for (auto it = live_.begin(); it != live_.end();) {
    if (RefreshArena(*it->second))
      ++it;
    else
      it = live_.erase(it);  // its memory went away with a transfer: nothing can use it again
  }
}

Napi::Value ArenaTable::Register(const Napi::CallbackInfo& info, const ArenaShape& shape) {
  Napi::Env env = info.Env();
  bool replace = info.Length() > 8 && !info[8].IsUndefined();
  uint32_t id = next_id_;
  if (replace) {
    const double d = info[8].IsNumber() ? info[8].As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d < next_id_) || static_cast<double>(static_cast<uint32_t>(d)) != d) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "registerArena: replaceId must be an arena id this socket gave out");
      return env.Undefined();
    }
    id = static_cast<uint32_t>(d);
  } else if (next_id_ == UINT32_MAX) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "registerArena: arena ids exhausted");
    return env.Undefined();
  }
  auto a = ArenaFromArgs(info, shape);
  if (!a) return env.Undefined();
  // A tap registers a new arena when an old one's buffers were transferred away: free those now.
  ReleaseDetached();
  live_[id] = std::move(a);  // frees the arena it replaces, if any
  if (!replace) next_id_++;
  return Napi::Number::New(env, id);
}

Arena* ArenaTable::BeginRound(const Napi::CallbackInfo& info, unsigned* max) {
  Napi::Env env = info.Env();
  const double d = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  const bool issued = d >= 0 && d < next_id_ && static_cast<double>(static_cast<uint32_t>(d)) == d;
  auto it = issued ? live_.find(static_cast<uint32_t>(d)) : live_.end();
  if (it == live_.end()) {
    if (issued)
      ThrowDetachedArena(env);  // released when its memory was found detached
    else
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "recv: unknown arena");
    return nullptr;
  }
  Arena& a = *it->second;
  if (!RefreshArena(a)) {
    live_.erase(it);
    ThrowDetachedArena(env);
    return nullptr;
  }
  *max = a.count;
  if (info.Length() > 1 && info[1].IsNumber()) *max = std::min(*max, info[1].As<Napi::Number>().Uint32Value());
  if (a.built_data != a.data || a.built_control != a.control) {
    const bool dense = a.dense_size < a.slot_size;
    const size_t tail = a.slot_size - a.dense_size;
    for (unsigned i = 0; i < a.count; i++) {
      msghdr& h = a.msgs[i].msg_hdr;
      if (dense) {
        a.iov[2 * i] = {a.data + i * a.dense_size, a.dense_size};
        a.iov[2 * i + 1] = {a.overflow.data() + i * tail, tail};
        h.msg_iov = &a.iov[2 * i];
        h.msg_iovlen = 2;
      } else {
        a.iov[i] = {a.data + i * a.slot_size, a.slot_size};
        h.msg_iov = &a.iov[i];
        h.msg_iovlen = 1;
      }
      h.msg_name = &a.names[i];
      h.msg_control = a.control_size ? a.control + i * a.control_size : nullptr;
    }
    a.built_data = a.data;
    a.built_control = a.control;
    a.dirty = a.count;
  }
  for (unsigned i = 0; i < a.dirty; i++) {
    msghdr& h = a.msgs[i].msg_hdr;
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_controllen = a.control_size;
    h.msg_flags = 0;
    a.msgs[i].msg_len = 0;
  }
  a.dirty = 0;
  return &a;
}

int RecvRound(int fd, Arena& a, unsigned max, int flags, int* err) {
  int n;
  do {
    n = ::recvmmsg(fd, a.msgs.data(), max, flags, nullptr);
    *err = n < 0 ? errno : 0;
  } while (*err == EINTR);
  // The kernel wrote back the headers it filled; be generous by one for the attempt that stopped it.
  a.dirty = std::min(max, static_cast<unsigned>(std::max(n, 0)) + 1);
  return n;
}

size_t PlacePayload(Arena& a, unsigned i, size_t cap_len) {
  if (a.dense_size >= a.slot_size) return i * a.slot_size;
  if (cap_len > a.dense_size) a.has_long = true;  // PackLongRound sets every offset of the round
  return i * a.dense_size;
}

bool PackLongRound(napi_env env, Arena& a, unsigned n) {
  int32_t* cap_len = a.i32 + static_cast<size_t>(a.cap_len_field) * a.count;
  int32_t* offset = a.i32 + static_cast<size_t>(a.payload_offset_field) * a.count;
  size_t total = 0;
  for (unsigned i = 0; i < n; i++) total += static_cast<uint32_t>(cap_len[i]);
  napi_value ab;
  void* out = nullptr;
  const napi_status st = napi_create_arraybuffer(env, total, &out, &ab);
  if (st != napi_ok || (!out && total)) {
    if (!ExceptionPending(env)) ThrowNapiFailure(env, st, "recv: napi_create_arraybuffer for a round with long datagrams");
    return false;
  }
  // Making the buffer ran no JS (at most a GC, which moves no backing store): the arena's pointers
  // are still good.
  uint8_t* p = static_cast<uint8_t*>(out);
  const size_t tail = a.slot_size - a.dense_size;
  size_t at = 0;
  for (unsigned i = 0; i < n; i++) {
    const size_t len = static_cast<uint32_t>(cap_len[i]);
    const size_t head = std::min(len, a.dense_size);
    std::memcpy(p + at, a.data + static_cast<size_t>(i) * a.dense_size, head);
    if (len > head) std::memcpy(p + at + head, a.overflow.data() + static_cast<size_t>(i) * tail, len - head);
    offset[i] = static_cast<int32_t>(at);
    at += len;
  }
  a.packed = Napi::Persistent(Napi::Value(env, ab));
  return true;
}

Napi::Value ArenaTable::TakePayloads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double d = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  const bool issued = d >= 0 && d < next_id_ && static_cast<double>(static_cast<uint32_t>(d)) == d;
  auto it = issued ? live_.find(static_cast<uint32_t>(d)) : live_.end();
  if (it == live_.end()) {
    if (issued) return env.Null();  // released (its memory was transferred away): nothing packed
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "takePayloads: unknown arena");
    return env.Undefined();
  }
  Arena& a = *it->second;
  if (a.packed.IsEmpty()) return env.Null();
  Napi::Value v = a.packed.Value();
  a.packed.Reset();
  return v;
}

void ThrowDetachedArena(Napi::Env env) {
  ThrowCodedError(env, "ERR_INVALID_STATE", "recv: the arena's buffers were detached (transferred) or shrunk");
}

}  // namespace disptap
