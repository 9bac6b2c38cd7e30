// Exports the kernel facts the receive path is built on, so TypeScript derives from them instead of
// restating them: the control-message table (level, type, data length, decoder) and the
// struct-of-arrays layout by field name.
#include <napi.h>

#include "addon/registry.h"
#include "cmsg/cmsg.h"
#include "cmsg/meta_layout.h"
#include "common/js_values.h"

namespace disptap {
namespace {

const char* DecoderName(cmsg::Decoder d) {
  switch (d) {
    case cmsg::Decoder::kTimestamping: return "timestamping";
    case cmsg::Decoder::kTimestampNs: return "timestampNs";
    case cmsg::Decoder::kTimestampUs: return "timestampUs";
    case cmsg::Decoder::kDropCounter: return "dropCounter";
    case cmsg::Decoder::kTsPktinfo: return "tsPktinfo";
    case cmsg::Decoder::kIpPktinfo: return "ipPktinfo";
    case cmsg::Decoder::kIpv6Pktinfo: return "ipv6Pktinfo";
    case cmsg::Decoder::kHopLimit: return "hopLimit";
    case cmsg::Decoder::kTosByte: return "tosByte";
    case cmsg::Decoder::kTclass: return "tclass";
    case cmsg::Decoder::kExtendedErr: return "extendedErr";
  }
  return "unknown";
}

// { NAME: { level, type, length, decoder } } — an object keyed by name, so no array index setter
// on Array.prototype can run while it is built (properties are defined, never assigned).
Napi::Value Kinds(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  for (const cmsg::Kind& k : cmsg::kKinds) {
    Napi::Object o = Napi::Object::New(env);
    if (!DefineValues(env, o,
                      {{"level", Napi::Number::New(env, k.level)},
                       {"type", Napi::Number::New(env, k.type)},
                       {"length", Napi::Number::New(env, static_cast<double>(k.length))},
                       {"decoder", Napi::String::New(env, DecoderName(k.decoder))}}) ||
        !DefineValue(env, out, k.name, o))
      return Napi::Value();
  }
  return out;
}

void Init(Napi::Env env, Napi::Object exports) {
  Napi::Object fields = Napi::Object::New(env);
  if (!DefineValues(env, fields,
                    {{"i32", NamedNumbers(env, layout::kI32Names)},
                     {"i64", NamedNumbers(env, layout::kI64Names)},
                     {"addr", NamedNumbers(env, layout::kAddrNames)},
                     {"present", NamedNumbers(env, layout::kPresentNames)}}))
    return;
  DefineValues(env, exports, {{"cmsgKinds", Kinds(env)}, {"layoutFields", fields}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(cmsg_table, Init);
}  // namespace disptap
