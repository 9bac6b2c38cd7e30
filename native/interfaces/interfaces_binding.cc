// JS binding of the rtnetlink reader: links and addresses as plain arrays; src/netif/interfaces.ts shapes them.
#include <napi.h>

#include <cerrno>
#include <cmath>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"
#include "interfaces/if_util.h"
#include "interfaces/rtnetlink.h"

namespace disptap {
namespace {

// [index, name, mtu, flags, hwaddr]
Napi::Value LinkArray(Napi::Env env, const rtnl::Link& l) {
  return MakeArray(env, {Napi::Number::New(env, l.index), Napi::String::New(env, l.name), Napi::Number::New(env, l.mtu),
                         Napi::Number::New(env, l.flags), Napi::Buffer<uint8_t>::Copy(env, l.hwaddr.data(), l.hwaddr.size())});
}

// [[index, family, prefixLen, addr], …] of the addresses on index (all when index is 0)
Napi::Value AddrArray(Napi::Env env, const std::vector<rtnl::Addr>& addrs, int index) {
  std::vector<napi_value> rows;
  for (const rtnl::Addr& a : addrs) {
    if (index != 0 && a.index != index) continue;
    Napi::Value row = MakeArray(env, {Napi::Number::New(env, a.index), Napi::Number::New(env, a.family),
                                      Napi::Number::New(env, a.prefix_len),
                                      Napi::Buffer<uint8_t>::Copy(env, a.addr, a.family == 4 ? 4 : 16)});
    if (row.IsEmpty()) return row;
    rows.push_back(row);
  }
  return MakeArray(env, rows);
}

// interfacesList() → [links[], addrs[]]
Napi::Value List(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<rtnl::Link> links;
  std::vector<rtnl::Addr> addrs;
  if (int err = rtnl::DumpLinks(&links)) {
    ThrowErrno(env, err, "RTM_GETLINK");
    return env.Undefined();
  }
  if (int err = rtnl::DumpAddrs(&addrs)) {
    ThrowErrno(env, err, "RTM_GETADDR");
    return env.Undefined();
  }
  std::vector<napi_value> rows;
  for (const rtnl::Link& link : links) {
    Napi::Value row = LinkArray(env, link);
    if (row.IsEmpty()) return row;
    rows.push_back(row);
  }
  return MakeArray(env, {MakeArray(env, rows), AddrArray(env, addrs, 0)});
}

// One link and its addresses; ENODEV (with the interface named) when it does not exist.
Napi::Value One(Napi::Env env, int index, const std::string& name) {
  rtnl::Link link;
  const std::string label = index > 0 ? "#" + std::to_string(index) : name;
  if (int err = rtnl::GetLink(index, name, &link)) {
    ifutil::ThrowIfError(env, err, "RTM_GETLINK", label);
    return env.Undefined();
  }
  std::vector<rtnl::Addr> addrs;
  if (int err = rtnl::DumpAddrs(&addrs)) {
    ifutil::ThrowIfError(env, err, "RTM_GETADDR", label);
    return env.Undefined();
  }
  return MakeArray(env, {LinkArray(env, link), AddrArray(env, addrs, link.index)});
}

// interfaceByIndex(index) → [link, addrs]
Napi::Value ByIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double d = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  if (!(d >= 1 && d <= 2147483647.0) || std::floor(d) != d) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "interface index must be an integer in 1..2147483647");
    return env.Undefined();
  }
  return One(env, static_cast<int>(d), "");
}

// interfaceByName(name) → [link, addrs]
Napi::Value ByName(const Napi::CallbackInfo& info) {
  std::string name;
  if (!ifutil::NameArg(info, 0, &name)) return info.Env().Undefined();
  return One(info.Env(), 0, name);
}

void Init(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  DefineValues(env, o,
               {{"list", Napi::Function::New(env, List, "list")},
                {"byIndex", Napi::Function::New(env, ByIndex, "byIndex")},
                {"byName", Napi::Function::New(env, ByName, "byName")}});
  DefineValue(env, exports, "interfaces", o);
}

}  // namespace
DISPTAP_REGISTER_MODULE(interfaces, Init);
}  // namespace disptap
