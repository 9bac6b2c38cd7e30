// encodeCaptureEpbs for JS (src/pcapng/bulk-capture.ts): the byte work of a capture round's
// pcapng blocks, on the capture arena's own arrays; copyUdpPayloads (src/pcapng/bulk.ts): the
// payloads and UDP checksums of a bound socket's blocks. Every input is read and checked before
// any byte is written; epb_encode.cc and udp_payloads.cc bounds-check every index against those
// lengths.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_bytes.h"
#include "common/js_values.h"
#include "pcapng/epb_encode.h"
#include "pcapng/udp_payloads.h"

namespace disptap {
namespace {

struct Bytes {
  void* p = nullptr;
  size_t n = 0;
};

// encodeCaptureEpbs(out, i32, i64, data, cap, slotSize, readAt, pick, n, ifaceIds, prefixIds,
//                   prefixes, prefixOffsets, extraIn, extraOut) → bytes written
Napi::Value EncodeCaptureEpbs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const kUsage =
      "encodeCaptureEpbs(out: Uint8Array, i32: Int32Array, i64: BigInt64Array, data: Uint8Array, cap, slotSize, "
      "readAt: bigint, pick: Uint32Array, n, ifaceIds: Int32Array, prefixIds: Int32Array, prefixes: Uint8Array, "
      "prefixOffsets: Int32Array, extraIn: Uint8Array, extraOut: Uint8Array)";
  if (info.Length() < 15) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", kUsage);
    return env.Undefined();
  }
  Bytes out, i32, i64, data, pick, ifaces, prefix_ids, prefixes, offsets, extra_in, extra_out;
  const bool typed = TypedBytes(info[0], napi_uint8_array, &out.p, &out.n) && TypedBytes(info[1], napi_int32_array, &i32.p, &i32.n) &&
                     TypedBytes(info[2], napi_bigint64_array, &i64.p, &i64.n) && TypedBytes(info[3], napi_uint8_array, &data.p, &data.n) &&
                     TypedBytes(info[7], napi_uint32_array, &pick.p, &pick.n) && TypedBytes(info[9], napi_int32_array, &ifaces.p, &ifaces.n) &&
                     TypedBytes(info[10], napi_int32_array, &prefix_ids.p, &prefix_ids.n) &&
                     TypedBytes(info[11], napi_uint8_array, &prefixes.p, &prefixes.n) &&
                     TypedBytes(info[12], napi_int32_array, &offsets.p, &offsets.n) &&
                     TypedBytes(info[13], napi_uint8_array, &extra_in.p, &extra_in.n) &&
                     TypedBytes(info[14], napi_uint8_array, &extra_out.p, &extra_out.n);
  if (!typed || !info[4].IsNumber() || !info[5].IsNumber() || !info[6].IsBigInt() || !info[8].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", kUsage);
    return env.Undefined();
  }
  const double cap = info[4].As<Napi::Number>().DoubleValue();
  const double slot = info[5].As<Napi::Number>().DoubleValue();
  const double count = info[8].As<Napi::Number>().DoubleValue();
  bool lossless = false;
  const int64_t read_at = info[6].As<Napi::BigInt>().Int64Value(&lossless);
  // !(x >= 0) also refuses NaN
  if (!(cap >= 1 && cap <= (1 << 20)) || !(slot >= 1 && slot <= (1 << 20)) || !(count >= 0) || !lossless) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "encodeCaptureEpbs: cap and slotSize 1..2^20, n ≥ 0, readAt an int64");
    return env.Undefined();
  }
  // Compared as a double: a count past size_t (1e300, Infinity) must not be converted.
  if (count > static_cast<double>(pick.n / 4) || count > static_cast<double>(ifaces.n / 4) ||
      count > static_cast<double>(prefix_ids.n / 4)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "encodeCaptureEpbs: n is larger than pick, ifaceIds or prefixIds");
    return env.Undefined();
  }
  const size_t n = static_cast<size_t>(count);
  // Every JS value is read: from here on only memory.
  pcapng::CaptureArenaView a{static_cast<const int32_t*>(i32.p), i32.n / 4, static_cast<const int64_t*>(i64.p), i64.n / 8,
                             static_cast<const uint8_t*>(data.p), data.n, static_cast<size_t>(cap), static_cast<size_t>(slot)};
  pcapng::EpbJob job{static_cast<const uint32_t*>(pick.p), n,
                     static_cast<const int32_t*>(ifaces.p), static_cast<const int32_t*>(prefix_ids.p),
                     static_cast<const uint8_t*>(prefixes.p), prefixes.n,
                     static_cast<const int32_t*>(offsets.p), offsets.n / 4,
                     static_cast<const uint8_t*>(extra_in.p), extra_in.n,
                     static_cast<const uint8_t*>(extra_out.p), extra_out.n, read_at};
  const char* why = "";
  const int64_t written = pcapng::EncodeCaptureEpbs(a, job, static_cast<uint8_t*>(out.p), out.n, &why);
  if (written < 0) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", std::string("encodeCaptureEpbs: ") + why);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(written));
}

// copyUdpPayloads(out, src, srcOff, len, dstOff, partial, n) → n
Napi::Value CopyUdpPayloads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const kUsage =
      "copyUdpPayloads(out: Uint8Array, src: Uint8Array, srcOff: Uint32Array, len: Uint32Array, dstOff: Uint32Array, "
      "partial: Int32Array, n)";
  if (info.Length() < 7) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", kUsage);
    return env.Undefined();
  }
  Bytes out, src, src_off, len, dst_off, partial;
  const bool typed = TypedBytes(info[0], napi_uint8_array, &out.p, &out.n) && TypedBytes(info[1], napi_uint8_array, &src.p, &src.n) &&
                     TypedBytes(info[2], napi_uint32_array, &src_off.p, &src_off.n) &&
                     TypedBytes(info[3], napi_uint32_array, &len.p, &len.n) &&
                     TypedBytes(info[4], napi_uint32_array, &dst_off.p, &dst_off.n) &&
                     TypedBytes(info[5], napi_int32_array, &partial.p, &partial.n);
  if (!typed || !info[6].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", kUsage);
    return env.Undefined();
  }
  const double count = info[6].As<Napi::Number>().DoubleValue();
  // !(x >= 0) also refuses NaN; compared as a double, so a count past size_t is never converted
  if (!(count >= 0) || count != std::floor(count) || count > static_cast<double>(src_off.n / 4) || count > static_cast<double>(len.n / 4) ||
      count > static_cast<double>(dst_off.n / 4) || count > static_cast<double>(partial.n / 4)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "copyUdpPayloads: n must be a whole number no larger than srcOff, len, dstOff and partial");
    return env.Undefined();
  }
  // Every JS value is read: from here on only memory.
  pcapng::UdpPayloadJob job{static_cast<const uint8_t*>(src.p), src.n,
                            static_cast<const uint32_t*>(src_off.p), static_cast<const uint32_t*>(len.p),
                            static_cast<const uint32_t*>(dst_off.p), static_cast<const int32_t*>(partial.p),
                            static_cast<size_t>(count)};
  const char* why = "";
  const int64_t copied = pcapng::CopyUdpPayloads(job, static_cast<uint8_t*>(out.p), out.n, &why);
  if (copied < 0) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", std::string("copyUdpPayloads: ") + why);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(copied));
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValues(env, exports, {{"encodeCaptureEpbs", Napi::Function::New(env, EncodeCaptureEpbs, "encodeCaptureEpbs")},
                              {"copyUdpPayloads", Napi::Function::New(env, CopyUdpPayloads, "copyUdpPayloads")}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(pcapng, Init);
}  // namespace disptap
