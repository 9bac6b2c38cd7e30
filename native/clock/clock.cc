// clock_gettime for JS: test scripts compare kernel timestamps against the same clocks.
#include <napi.h>
#include <time.h>

#include "addon/registry.h"
#include <cerrno>

#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

Napi::Value Read(const Napi::CallbackInfo& info, clockid_t id) {
  timespec ts;
  if (clock_gettime(id, &ts) != 0) {
    const int err = errno;
    ThrowErrno(info.Env(), err, "clock_gettime");
    return info.Env().Undefined();
  }
  return Napi::BigInt::New(info.Env(), static_cast<int64_t>(static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
}

Napi::Value Realtime(const Napi::CallbackInfo& info) { return Read(info, CLOCK_REALTIME); }
Napi::Value Monotonic(const Napi::CallbackInfo& info) { return Read(info, CLOCK_MONOTONIC); }
Napi::Value MonotonicRaw(const Napi::CallbackInfo& info) { return Read(info, CLOCK_MONOTONIC_RAW); }
Napi::Value Tai(const Napi::CallbackInfo& info) { return Read(info, CLOCK_TAI); }

void Init(Napi::Env env, Napi::Object exports) {
  Napi::Object clock = Napi::Object::New(env);
  DefineValues(env, clock,
               {{"realtimeNs", Napi::Function::New(env, Realtime, "realtimeNs")},
                {"monotonicNs", Napi::Function::New(env, Monotonic, "monotonicNs")},
                {"monotonicRawNs", Napi::Function::New(env, MonotonicRaw, "monotonicRawNs")},
                {"taiNs", Napi::Function::New(env, Tai, "taiNs")}});
  DefineValue(env, exports, "clock", clock);
}

}  // namespace
DISPTAP_REGISTER_MODULE(clock, Init);
}  // namespace disptap
