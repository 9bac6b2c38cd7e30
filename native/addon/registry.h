// Each native folder registers its exports here at load time, so adding a module never touches addon.cc.
#pragma once
#include <napi.h>

namespace disptap {

using ModuleInit = void (*)(Napi::Env env, Napi::Object exports);

bool RegisterModule(const char* name, ModuleInit init);
void InitModules(Napi::Env env, Napi::Object exports);

}  // namespace disptap

#define DISPTAP_REGISTER_MODULE(name, fn) \
  static const bool disptap_registered_##name = ::disptap::RegisterModule(#name, fn)
