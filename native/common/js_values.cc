#include "common/js_values.h"

#include <algorithm>
#include <cstdio>

namespace disptap {

Napi::Value MakeArray(Napi::Env env, const napi_value* items, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (items[i] == nullptr) return Napi::Value();
  napi_value arr;
  if (napi_create_array_with_length(env, n, &arr) != napi_ok) return Napi::Value();
  // Index keys as strings ("0", "1", …): napi_define_properties takes names, and V8 treats an
  // array-index name as the element it denotes.
  constexpr size_t kChunk = 32;
  napi_property_descriptor d[kChunk];
  char names[kChunk][24];
  for (size_t base = 0; base < n; base += kChunk) {
    const size_t m = std::min(kChunk, n - base);
    for (size_t j = 0; j < m; j++) {
      std::snprintf(names[j], sizeof names[j], "%zu", base + j);
      d[j] = napi_property_descriptor{names[j], nullptr, nullptr, nullptr, nullptr, items[base + j],
                                      napi_default_jsproperty, nullptr};
    }
    if (napi_define_properties(env, arr, m, d) != napi_ok) return Napi::Value();
  }
  return Napi::Value(env, arr);
}

bool DefineValues(napi_env env, napi_value obj, std::initializer_list<NamedValue> props) {
  constexpr size_t kMax = 16;
  napi_property_descriptor d[kMax];
  size_t m = 0;
  for (const NamedValue& p : props) {
    if (p.value == nullptr || m == kMax) return false;
    d[m++] = napi_property_descriptor{p.name, nullptr, nullptr, nullptr, nullptr, p.value, napi_default_jsproperty, nullptr};
  }
  return napi_define_properties(env, obj, m, d) == napi_ok;
}

Napi::Value MakeObject(Napi::Env env, std::initializer_list<NamedValue> props) {
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok || !DefineValues(env, obj, props)) return Napi::Value();
  return Napi::Value(env, obj);
}

bool DefineValue(napi_env env, napi_value obj, const char* name, napi_value value) {
  return DefineValues(env, obj, {{name, value}});
}

bool ExceptionPending(napi_env env) {
  bool pending = false;
  return napi_is_exception_pending(env, &pending) != napi_ok || pending;
}

}  // namespace disptap
