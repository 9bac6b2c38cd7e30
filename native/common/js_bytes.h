// Small helpers the socket classes share: typed-array bytes and the realtime clock.
#pragma once
#include <napi.h>
#include <time.h>

#include <cstdint>

namespace disptap {

// The bytes of a typed array of the given type (offset applied); false for anything else.
inline bool TypedBytes(const Napi::Value& v, napi_typedarray_type type, void** data, size_t* bytes) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != type) return false;
  *data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  *bytes = ta.ByteLength();
  return true;
}

inline int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace disptap
