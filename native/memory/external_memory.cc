// adjustExternalMemory(delta) → V8's new total: the embedder's way to tell V8 how much memory outside
// its heap its objects hold (napi_adjust_external_memory). Receive arenas use it to say that most of
// their ArrayBuffer is address space only long datagrams ever touch (src/tap/rx/arena-memory.ts):
// V8 otherwise counts every byte as allocated and starts a major GC for each 64 MiB of arenas.
#include <napi.h>

#include <cmath>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

Napi::Value Adjust(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "adjustExternalMemory(delta): delta must be a number");
    return env.Undefined();
  }
  const double delta = info[0].As<Napi::Number>().DoubleValue();
  // Whole bytes within what a double holds exactly (V8 CHECKs far larger values and aborts).
  if (!std::isfinite(delta) || delta != std::trunc(delta) || std::fabs(delta) > 9007199254740991.0) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "adjustExternalMemory(delta): delta must be a safe integer");
    return env.Undefined();
  }
  int64_t total = 0;
  const napi_status st = napi_adjust_external_memory(env, static_cast<int64_t>(delta), &total);
  if (st != napi_ok) {
    ThrowNapiFailure(env, st, "napi_adjust_external_memory");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(total));
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValue(env, exports, "adjustExternalMemory", Napi::Function::New(env, Adjust, "adjustExternalMemory"));
}

}  // namespace
DISPTAP_REGISTER_MODULE(external_memory, Init);
}  // namespace disptap
