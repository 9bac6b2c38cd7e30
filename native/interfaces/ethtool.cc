// ETHTOOL_GET_TS_INFO through SIOCETHTOOL: which timestamping a device offers, as `ethtool -T`.
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <napi.h>
#include <sys/ioctl.h>

#include <cerrno>

#include "addon/registry.h"
#include "common/js_values.h"
#include "interfaces/if_util.h"

namespace disptap {
namespace {

// tsInfo(name) → [soTimestamping, phcIndex, txTypes, rxFilters] (bitmasks as the kernel gives them)
Napi::Value TsInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ifutil::NameArg(info, 0, &name)) return env.Undefined();
  UniqueFd fd;
  if (int err = ifutil::IoctlSocket(&fd)) {
    ifutil::ThrowIfError(env, err, "socket", name);
    return env.Undefined();
  }
  ethtool_ts_info ts{};
  ts.cmd = ETHTOOL_GET_TS_INFO;
  ifreq ifr = ifutil::MakeIfreq(name);
  ifr.ifr_data = reinterpret_cast<char*>(&ts);
  if (::ioctl(fd.get(), SIOCETHTOOL, &ifr) != 0) {
    const int err = errno;
    ifutil::ThrowIfError(env, err, "ioctl(SIOCETHTOOL ETHTOOL_GET_TS_INFO)", name);
    return env.Undefined();
  }
  return MakeArray(env, {Napi::Number::New(env, ts.so_timestamping), Napi::Number::New(env, ts.phc_index),
                         Napi::Number::New(env, ts.tx_types), Napi::Number::New(env, ts.rx_filters)});
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValue(env, exports, "tsInfo", Napi::Function::New(env, TsInfo, "tsInfo"));
}

}  // namespace
DISPTAP_REGISTER_MODULE(ethtool, Init);
}  // namespace disptap
