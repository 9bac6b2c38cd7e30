#include <napi.h>

#include "addon/registry.h"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  disptap::InitModules(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(disptap, Init)
