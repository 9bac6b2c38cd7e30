#include "udp_socket/arena.h"

#include "common/errors.h"
#include "common/js_bytes.h"

namespace disptap {
namespace {
constexpr napi_typedarray_type kTypes[5] = {napi_uint8_array, napi_uint8_array, napi_int32_array, napi_bigint64_array,
                                            napi_uint8_array};
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
  const size_t n = a->count;
  a->need[0] = n * a->slot_size;
  a->need[1] = n * a->control_size;
  a->need[2] = n * shape.i32_fields * 4;
  a->need[3] = (n * shape.i64_fields + 1) * 8;  // slots, then readAt
  a->need[4] = n * shape.addr_stride;
  // Every later write is bounded by these checks: the arrays must hold n slots.
  bool fits = n > 0 && n <= 1024 && a->slot_size > 0;
  for (int i = 0; fits && i < 5; i++) fits = bytes[i] >= a->need[i];
  if (!fits) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "registerArena: arrays too small for the slot count");
    return nullptr;
  }
  for (int i = 0; i < 5; i++) a->keep[i] = Napi::Persistent(info[i]);
  a->data = static_cast<uint8_t*>(p[0]);
  a->control = static_cast<uint8_t*>(p[1]);
  a->i32 = static_cast<int32_t*>(p[2]);
  a->i64 = static_cast<int64_t*>(p[3]);
  a->addr = static_cast<uint8_t*>(p[4]);
  a->msgs.resize(n);
  a->iov.resize(n);
  a->names.resize(n);
  return a;
}

bool RefreshArena(Arena& a) {
  void* p[5];
  for (int i = 0; i < 5; i++) {
    size_t bytes = 0;
    if (!TypedBytes(a.keep[i].Value(), kTypes[i], &p[i], &bytes) || bytes < a.need[i] || (a.need[i] && !p[i]))
      return false;
  }
  a.data = static_cast<uint8_t*>(p[0]);
  a.control = static_cast<uint8_t*>(p[1]);
  a.i32 = static_cast<int32_t*>(p[2]);
  a.i64 = static_cast<int64_t*>(p[3]);
  a.addr = static_cast<uint8_t*>(p[4]);
  return true;
}

void ThrowDetachedArena(Napi::Env env) {
  Napi::Error e = Napi::Error::New(env, "recv: the arena's buffers were detached (transferred) or shrunk");
  e.Set("code", Napi::String::New(env, "ERR_INVALID_STATE"));
  e.ThrowAsJavaScriptException();
}

}  // namespace disptap
