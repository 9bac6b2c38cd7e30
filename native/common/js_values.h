// Building fresh JS values without running JS. `obj[k] = v` ([[Set]], what napi_set_element and
// Napi::Object::Set do) calls setters found on the prototype chain: Object.prototype[0],
// Array.prototype[3], Error.prototype.code… Such a setter can throw, or detach a buffer the native
// call is still reading. These helpers define own data properties instead (napi_define_properties:
// writable, enumerable, configurable, as an assignment to a fresh object would make them), which
// never consults the prototype chain.
#pragma once
#include <napi.h>

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace disptap {

// A new array holding items in order. Returns an empty value (and defines nothing) when an item is
// empty or an N-API call fails: an exception may then be pending, or the env is going away.
Napi::Value MakeArray(Napi::Env env, const napi_value* items, size_t n);
inline Napi::Value MakeArray(Napi::Env env, std::initializer_list<napi_value> items) {
  return MakeArray(env, items.begin(), items.size());
}
inline Napi::Value MakeArray(Napi::Env env, const std::vector<napi_value>& items) {
  return MakeArray(env, items.data(), items.size());
}

struct NamedValue {
  const char* name;
  napi_value value;
};
// Defines own data properties on obj; false when a value is empty or an N-API call failed.
bool DefineValues(napi_env env, napi_value obj, std::initializer_list<NamedValue> props);
// A new plain object with these own data properties (a named result instead of a positional
// tuple); an empty value when a value is empty or an N-API call failed.
Napi::Value MakeObject(Napi::Env env, std::initializer_list<NamedValue> props);
// One property on the addon's exports (or any object the addon set up).
bool DefineValue(napi_env env, napi_value obj, const char* name, napi_value value);

// { name: value } for a table of { const char* name; int value; } rows (a layout by field name).
template <typename Row, size_t N>
Napi::Value NamedNumbers(Napi::Env env, const Row (&rows)[N]) {
  Napi::Object o = Napi::Object::New(env);
  for (const Row& r : rows)
    if (!DefineValue(env, o, r.name, Napi::Number::New(env, r.value))) return Napi::Value();
  return o;
}

// True when a JS exception is pending (or the query itself fails: treat the env as unusable).
bool ExceptionPending(napi_env env);

}  // namespace disptap
