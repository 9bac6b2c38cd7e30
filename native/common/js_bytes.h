// Small helpers the socket classes share: typed-array bytes and the realtime clock.
#pragma once
#include <napi.h>
#include <time.h>

#include <cstdint>

namespace disptap {

// Bytes per element; 0 for a kind this addon was not built to know (say a newer Float16Array),
// which TypedBytes refuses. No default: -Wswitch names any napi_typedarray_type left out here.
inline size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      return 8;
  }
  return 0;
}

// The bytes of a typed array of the given type (offset applied); false for anything else. One
// napi_get_typedarray_info call: this runs before every recvmmsg round, so it stays cheap.
inline bool TypedBytes(const Napi::Value& v, napi_typedarray_type type, void** data, size_t* bytes) {
  bool is_ta = false;
  if (napi_is_typedarray(v.Env(), v, &is_ta) != napi_ok || !is_ta) return false;
  napi_typedarray_type t;
  size_t length = 0;
  void* p = nullptr;
  if (napi_get_typedarray_info(v.Env(), v, &t, &length, &p, nullptr, nullptr) != napi_ok || t != type) return false;
  const size_t size = ElementSize(t);
  if (size == 0) return false;
  *data = p;  // already adjusted by the byte offset
  *bytes = length * size;
  return true;
}

inline int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace disptap
