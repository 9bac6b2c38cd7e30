// SIOCGHWTSTAMP / SIOCSHWTSTAMP: read and switch a NIC's hardware timestamping (what hwstamp_ctl
// and chrony do). Setting needs CAP_NET_ADMIN; devices without driver support say EOPNOTSUPP.
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <napi.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cmath>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"
#include "interfaces/if_util.h"

namespace disptap {
namespace {

Napi::Value ConfigArray(Napi::Env env, const hwtstamp_config& c) {
  return MakeArray(env, {Napi::Number::New(env, c.flags), Napi::Number::New(env, c.tx_type), Napi::Number::New(env, c.rx_filter)});
}

// One ioctl on name with cfg as ifr_data; the kernel writes back what it applied.
bool Call(Napi::Env env, unsigned long request, const char* label, const std::string& name, hwtstamp_config* cfg) {
  UniqueFd fd;
  if (int err = ifutil::IoctlSocket(&fd)) {
    ifutil::ThrowIfError(env, err, "socket", name);
    return false;
  }
  ifreq ifr = ifutil::MakeIfreq(name);
  ifr.ifr_data = reinterpret_cast<char*>(cfg);
  if (::ioctl(fd.get(), request, &ifr) != 0) {
    const int err = errno;
    ifutil::ThrowIfError(env, err, label, name);
    return false;
  }
  return true;
}

// hwtstampGet(name) → [flags, txType, rxFilter]
Napi::Value Get(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ifutil::NameArg(info, 0, &name)) return env.Undefined();
  hwtstamp_config cfg{};
  if (!Call(env, SIOCGHWTSTAMP, "ioctl(SIOCGHWTSTAMP)", name, &cfg)) return env.Undefined();
  return ConfigArray(env, cfg);
}

// hwtstampSet(name, flags, txType, rxFilter) → [flags, txType, rxFilter] as the driver applied them
Napi::Value Set(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ifutil::NameArg(info, 0, &name)) return env.Undefined();
  int v[3];
  for (size_t i = 0; i < 3; i++) {
    const double d = info.Length() > i + 1 && info[i + 1].IsNumber() ? info[i + 1].As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 2147483647.0) || std::floor(d) != d) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "hwtstampSet(name, flags, txType, rxFilter): non-negative int32 values");
      return env.Undefined();
    }
    v[i] = static_cast<int>(d);
  }
  hwtstamp_config cfg{};
  cfg.flags = v[0];
  cfg.tx_type = v[1];
  cfg.rx_filter = v[2];
  if (!Call(env, SIOCSHWTSTAMP, "ioctl(SIOCSHWTSTAMP)", name, &cfg)) return env.Undefined();
  return ConfigArray(env, cfg);
}

void Init(Napi::Env env, Napi::Object exports) {
  DefineValues(env, exports,
               {{"hwtstampGet", Napi::Function::New(env, Get, "hwtstampGet")}, {"hwtstampSet", Napi::Function::New(env, Set, "hwtstampSet")}});
}

}  // namespace
DISPTAP_REGISTER_MODULE(hwtstamp, Init);
}  // namespace disptap
