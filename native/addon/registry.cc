#include "addon/registry.h"

#include <vector>

namespace disptap {
namespace {
struct Entry {
  const char* name;
  ModuleInit init;
};
// Function-local static: safe against static-initialisation order across translation units.
std::vector<Entry>& Modules() {
  static std::vector<Entry> modules;
  return modules;
}
}  // namespace

bool RegisterModule(const char* name, ModuleInit init) {
  Modules().push_back({name, init});
  return true;
}

void InitModules(Napi::Env env, Napi::Object exports) {
  for (const Entry& m : Modules()) m.init(env, exports);
}
}  // namespace disptap
