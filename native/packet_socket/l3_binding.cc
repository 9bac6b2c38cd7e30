// parseL3 for JS: the packet parser on caller-supplied bytes, so tests can feed it crafted and
// truncated packets; and the capture layout constants that src/capture/layout.ts checks.
#include <napi.h>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"
#include "packet_socket/l3_parse.h"
#include "packet_socket/packet_layout.h"

namespace disptap {
namespace {

// parseL3(bytes: Uint8Array, ethertype: number, i32: Int32Array(kI32Fields), addr: Uint8Array(32)):
// writes one slot (capacity 1) of the capture layout; capLen is bytes.length.
Napi::Value ParseL3(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  namespace pl = packet_layout;
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsTypedArray() ||
      !info[3].IsTypedArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "parseL3(bytes, ethertype, i32, addr)");
    return env.Undefined();
  }
  Napi::TypedArray bytes = info[0].As<Napi::TypedArray>();
  Napi::TypedArray i32t = info[2].As<Napi::TypedArray>();
  Napi::TypedArray addrt = info[3].As<Napi::TypedArray>();
  if (bytes.TypedArrayType() != napi_uint8_array || i32t.TypedArrayType() != napi_int32_array ||
      addrt.TypedArrayType() != napi_uint8_array || i32t.ElementLength() < pl::kI32Fields ||
      addrt.ElementLength() < pl::kAddrStride) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "parseL3: Uint8Array, number, Int32Array(fields), Uint8Array(32)");
    return env.Undefined();
  }
  Napi::Uint8Array b = info[0].As<Napi::Uint8Array>();
  l3::Info l;
  l3::Parse(b.ElementLength() ? b.Data() : nullptr, b.ElementLength(),
            static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value()), &l);
  cmsg::RxMeta none;
  int64_t i64[pl::kI64Fields] = {};
  int32_t* i32 = info[2].As<Napi::Int32Array>().Data();
  pl::Write(none, l, i32, i64, info[3].As<Napi::Uint8Array>().Data(), 1, 0);
  i32[pl::kCapLen] = static_cast<int32_t>(b.ElementLength());
  i32[pl::kOrigLen] = static_cast<int32_t>(b.ElementLength());
  return env.Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  namespace pl = packet_layout;
  Napi::Object layout = Napi::Object::New(env);
  Napi::Object fields = Napi::Object::New(env);
  if (!DefineValues(env, fields,
                    {{"i32", NamedNumbers(env, pl::kI32Names)},
                     {"i64", NamedNumbers(env, pl::kI64Names)},
                     {"addr", NamedNumbers(env, pl::kAddrNames)},
                     {"status", NamedNumbers(env, pl::kStatusNames)}}))
    return;
  DefineValues(env, layout,
               {{"i32Fields", Napi::Number::New(env, pl::kI32Fields)},
                {"i64Fields", Napi::Number::New(env, pl::kI64Fields)},
                {"addrStride", Napi::Number::New(env, pl::kAddrStride)},
                {"fields", fields}});
  DefineValues(env, exports, {{"parseL3", Napi::Function::New(env, ParseL3, "parseL3")}, {"packetLayout", layout}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(l3_parse, Init);
}  // namespace disptap
