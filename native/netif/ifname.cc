// if_indextoname / if_nametoindex: the receive path names the interface a datagram arrived on.
#include <napi.h>
#include <net/if.h>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

// ifIndexToName(index) → name | null (unknown index is not an error here: interfaces come and go).
Napi::Value IfIndexToName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "ifIndexToName(index: number)");
    return env.Undefined();
  }
  char name[IF_NAMESIZE + 1] = {0};
  if (if_indextoname(info[0].As<Napi::Number>().Uint32Value(), name) == nullptr) return env.Null();
  return Napi::String::New(env, name);
}

// ifNameToIndex(name) → index | 0
Napi::Value IfNameToIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "ifNameToIndex(name: string)");
    return env.Undefined();
  }
  return Napi::Number::New(env, if_nametoindex(info[0].As<Napi::String>().Utf8Value().c_str()));
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValues(env, exports,
               {{"ifIndexToName", Napi::Function::New(env, IfIndexToName, "ifIndexToName")},
                {"ifNameToIndex", Napi::Function::New(env, IfNameToIndex, "ifNameToIndex")}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(ifname, Init);
}  // namespace disptap
