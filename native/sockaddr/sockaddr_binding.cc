// Thin JS binding of the pure sockaddr codec: the reference the TypeScript twin is tested against.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <string>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"
#include "sockaddr/sockaddr_codec.h"

namespace disptap {
namespace {

// An integer in [0, max] or false (with a RangeError/TypeError thrown).
bool UintArg(const Napi::CallbackInfo& info, size_t i, double max, const char* what, double* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(what) + " must be a number");
    return false;
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= max) || std::floor(v) != v) {
    ThrowRangeError(info.Env(), "ERR_OUT_OF_RANGE", std::string(what) + " must be an integer in 0.." +
                                                         std::to_string(static_cast<uint64_t>(max)));
    return false;
  }
  *out = v;
  return true;
}

// encode(family 4|6, addr Uint8Array(4|16), port, flowinfo, scopeId) → Buffer(16|28)
Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double family, port, flowinfo, scope;
  if (!UintArg(info, 0, 6, "family", &family)) return env.Undefined();
  if (family != 4 && family != 6) {
    ThrowRangeError(env, "ERR_INVALID_ARG_VALUE", "family must be 4 or 6");
    return env.Undefined();
  }
  const size_t addr_len = family == 4 ? 4 : 16;
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[1].As<Napi::Uint8Array>().ByteLength() != addr_len) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "address must be a Uint8Array of " + std::to_string(addr_len) + " bytes");
    return env.Undefined();
  }
  if (!UintArg(info, 2, 65535, "port", &port) || !UintArg(info, 3, 4294967295.0, "flowinfo", &flowinfo) ||
      !UintArg(info, 4, 4294967295.0, "scopeId", &scope))
    return env.Undefined();
  sockaddr::Parts p;
  p.family = static_cast<int>(family);
  std::memcpy(p.addr, info[1].As<Napi::Uint8Array>().Data(), addr_len);
  p.port = static_cast<uint16_t>(port);
  p.flowinfo = static_cast<uint32_t>(flowinfo);
  p.scope_id = static_cast<uint32_t>(scope);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, sockaddr::StructLength(p.family));
  if (out.IsEmpty()) return env.Undefined();  // allocation failed: the env is being torn down
  sockaddr::Encode(p, out.Data(), out.Length());
  return out;
}

// decode(bytes) → [family, addr Buffer(4|16), port, flowinfo, scopeId]; errors as decodeSockaddr's.
Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "sockaddr bytes must be a Uint8Array");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  sockaddr::Parts p;
  size_t needed = 0;
  int raw_family = 0;
  switch (sockaddr::Decode(bytes.Data(), bytes.ByteLength(), &p, &needed, &raw_family)) {
    case sockaddr::Result::kOk:
      break;
    case sockaddr::Result::kTooShort: {
      const char* what = needed == 2 ? "the family field" : needed == 16 ? "sockaddr_in" : "sockaddr_in6";
      ThrowRangeError(env, "ERR_SOCKADDR_TOO_SHORT",
                      "sockaddr too short: " + std::to_string(bytes.ByteLength()) + " bytes, " + what +
                          " needs " + std::to_string(needed));
      return env.Undefined();
    }
    case sockaddr::Result::kUnknownFamily:
      ThrowRangeError(env, "ERR_SOCKADDR_UNKNOWN_FAMILY",
                      "unknown sockaddr family " + std::to_string(raw_family) +
                          ": only AF_INET (2) and AF_INET6 (10) are supported");
      return env.Undefined();
  }
  return MakeArray(env, {Napi::Number::New(env, p.family), Napi::Buffer<uint8_t>::Copy(env, p.addr, p.family == 4 ? 4 : 16),
                         Napi::Number::New(env, p.port), Napi::Number::New(env, p.flowinfo),
                         Napi::Number::New(env, p.scope_id)});
}

template <typename T, T (*Fn)(T)>
Napi::Value ByteOrder(const Napi::CallbackInfo& info) {
  double v;
  if (!UintArg(info, 0, static_cast<double>(static_cast<T>(~T{0})), "value", &v)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), Fn(static_cast<T>(v)));
}

void Init(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  DefineValues(env, o,
               {{"encode", Napi::Function::New(env, Encode, "encode")},
                {"decode", Napi::Function::New(env, Decode, "decode")},
                {"htons", Napi::Function::New(env, ByteOrder<uint16_t, sockaddr::HostToNet16>, "htons")},
                {"ntohs", Napi::Function::New(env, ByteOrder<uint16_t, sockaddr::NetToHost16>, "ntohs")},
                {"htonl", Napi::Function::New(env, ByteOrder<uint32_t, sockaddr::HostToNet32>, "htonl")},
                {"ntohl", Napi::Function::New(env, ByteOrder<uint32_t, sockaddr::NetToHost32>, "ntohl")},
                {"inLength", Napi::Number::New(env, static_cast<double>(sockaddr::StructLength(4)))},
                {"in6Length", Napi::Number::New(env, static_cast<double>(sockaddr::StructLength(6)))}});
  DefineValue(env, exports, "sockaddr", o);
}

}  // namespace
DISPTAP_REGISTER_MODULE(sockaddr, Init);
}  // namespace disptap
