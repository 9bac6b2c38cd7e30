// The libc CMSG_ALIGN / CMSG_LEN / CMSG_SPACE macros themselves, so the TypeScript arithmetic in
// src/cmsg/cmsg.ts can be checked against this platform rather than against a copy of it.
#include <napi.h>
#include <sys/socket.h>

#include <cmath>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

// cmsgMacros(n) → [CMSG_ALIGN(n), CMSG_LEN(n), CMSG_SPACE(n)] for 0 <= n <= 2^32.
Napi::Value CmsgMacros(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "cmsgMacros(n: number)");
    return env.Undefined();
  }
  const double v = info[0].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 4294967296.0) || std::floor(v) != v) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "cmsgMacros: n must be an integer in 0..2^32");
    return env.Undefined();
  }
  const size_t n = static_cast<size_t>(v);
  return MakeArray(env, {Napi::Number::New(env, static_cast<double>(CMSG_ALIGN(n))),
                         Napi::Number::New(env, static_cast<double>(CMSG_LEN(n))),
                         Napi::Number::New(env, static_cast<double>(CMSG_SPACE(n)))});
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValue(env, exports, "cmsgMacros", Napi::Function::New(env, CmsgMacros, "cmsgMacros"));
}

}  // namespace
DISPTAP_REGISTER_MODULE(cmsg_macros, Init);
}  // namespace disptap
