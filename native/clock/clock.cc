// clock_gettime for JS: test scripts compare kernel timestamps against the same clocks.
#include <napi.h>
#include <time.h>

#include "addon/registry.h"
#include "common/errors.h"

namespace disptap {
namespace {

Napi::Value Read(const Napi::CallbackInfo& info, clockid_t id) {
  timespec ts;
  if (clock_gettime(id, &ts) != 0) {
    ThrowErrno(info.Env(), errno, "clock_gettime");
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
  clock.Set("realtimeNs", Napi::Function::New(env, Realtime, "realtimeNs"));
  clock.Set("monotonicNs", Napi::Function::New(env, Monotonic, "monotonicNs"));
  clock.Set("monotonicRawNs", Napi::Function::New(env, MonotonicRaw, "monotonicRawNs"));
  clock.Set("taiNs", Napi::Function::New(env, Tai, "taiNs"));
  exports.Set("clock", clock);
}

}  // namespace
DISPTAP_REGISTER_MODULE(clock, Init);
}  // namespace disptap
