// JS bindings of the pure parser: parseControl / decodeControl on caller-supplied bytes, so the
// hardware path can be tested with crafted control buffers.
#include <napi.h>

#include <vector>

#include "addon/registry.h"
#include "cmsg/cmsg.h"
#include "cmsg/meta_layout.h"
#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

bool GetBytes(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  Napi::Uint8Array u8 = v.As<Napi::Uint8Array>();
  *data = u8.Data();
  *len = u8.ByteLength();
  return true;
}

// parseControl(bytes) → one { offset, level, type, dataOffset, dataLength, cmsgLen, status } per
// message; JS slices the data out of its own buffer.
Napi::Value ParseControl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* data;
  size_t len;
  if (info.Length() < 1 || !GetBytes(info[0], &data, &len)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "control buffer must be a Uint8Array");
    return env.Undefined();
  }
  // The whole walk first, into C++ memory; JS values only afterwards. Nothing that could run JS
  // (the inherited index setters an assignment would call, for one) happens while the caller's
  // bytes are being read.
  struct Row {
    double offset, level, type, data_offset, data_len, cmsg_len, status;
  };
  std::vector<Row> rows;
  cmsg::Walk(data, len, [&](const cmsg::Entry& e) {
    rows.push_back({static_cast<double>(e.offset), static_cast<double>(e.level), static_cast<double>(e.type),
                    static_cast<double>(e.data - data), static_cast<double>(e.data_len),
                    static_cast<double>(e.cmsg_len), static_cast<double>(static_cast<int>(e.status))});
  });
  data = nullptr;  // not read again
  std::vector<napi_value> values;
  values.reserve(rows.size());
  for (const Row& r : rows) {
    Napi::Value o = MakeObject(env, {{"offset", Napi::Number::New(env, r.offset)},
                                     {"level", Napi::Number::New(env, r.level)},
                                     {"type", Napi::Number::New(env, r.type)},
                                     {"dataOffset", Napi::Number::New(env, r.data_offset)},
                                     {"dataLength", Napi::Number::New(env, r.data_len)},
                                     {"cmsgLen", Napi::Number::New(env, r.cmsg_len)},
                                     {"status", Napi::Number::New(env, r.status)}});
    if (o.IsEmpty()) return env.Undefined();
    values.push_back(o);
  }
  return MakeArray(env, values);
}

// decodeControl(bytes, i32, i64, addr): fills one slot of the shared layout.
Napi::Value DecodeControl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* data;
  size_t len;
  if (info.Length() < 4 || !GetBytes(info[0], &data, &len) || !info[1].IsTypedArray() ||
      !info[2].IsTypedArray() || !info[3].IsTypedArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "decodeControl(bytes, i32, i64, addr)");
    return env.Undefined();
  }
  Napi::Int32Array i32 = info[1].As<Napi::Int32Array>();
  Napi::BigInt64Array i64 = info[2].As<Napi::BigInt64Array>();
  Napi::Uint8Array addr = info[3].As<Napi::Uint8Array>();
  if (i32.TypedArrayType() != napi_int32_array || i32.ElementLength() < layout::kI32Fields ||
      i64.TypedArrayType() != napi_bigint64_array || i64.ElementLength() < layout::kI64Fields ||
      addr.TypedArrayType() != napi_uint8_array || addr.ElementLength() < layout::kAddrStride) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "decodeControl: layout arrays too small");
    return env.Undefined();
  }
  cmsg::RxMeta meta;
  cmsg::Decode(data, len, &meta);
  layout::WriteMeta(meta, i32.Data(), i64.Data(), addr.Data(), 1, 0);
  return env.Undefined();
}

Napi::Value Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  DefineValues(env, o,
               {{"i32Fields", Napi::Number::New(env, layout::kI32Fields)},
                {"i64Fields", Napi::Number::New(env, layout::kI64Fields)},
                {"addrStride", Napi::Number::New(env, layout::kAddrStride)},
                {"cmsgAlign", Napi::Number::New(env, static_cast<double>(cmsg::kAlign))},
                {"cmsgHeaderLen", Napi::Number::New(env, static_cast<double>(cmsg::kHeaderLen))}});
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValues(env, exports,
               {{"parseControl", Napi::Function::New(env, ParseControl, "parseControl")},
                {"decodeControl", Napi::Function::New(env, DecodeControl, "decodeControl")},
                {"layout", Layout(env)}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(cmsg, Init);
}  // namespace disptap
