#include "interfaces/if_util.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/errors.h"

namespace disptap::ifutil {

bool NameArg(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  if (info.Length() <= i || !info[i].IsString()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "interface name must be a string");
    return false;
  }
  *out = info[i].As<Napi::String>().Utf8Value();
  if (out->empty() || out->size() >= IFNAMSIZ || out->find('\0') != std::string::npos) {
    ThrowRangeError(info.Env(), "ERR_INVALID_ARG_VALUE",
                    "interface name must be 1.." + std::to_string(IFNAMSIZ - 1) + " bytes without NUL");
    return false;
  }
  return true;
}

ifreq MakeIfreq(const std::string& name) {
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, name.data(), name.size() < IFNAMSIZ ? name.size() : IFNAMSIZ - 1);
  return ifr;
}

int IoctlSocket(UniqueFd* out) {
  // Interface ioctls work on any socket; AF_UNIX keeps working where IPv4 is not available.
  int err = EAFNOSUPPORT;
  for (int family : {AF_INET, AF_INET6, AF_UNIX}) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      *out = UniqueFd(fd);
      return 0;
    }
    err = errno;  // right after the call: nothing between may touch errno
  }
  return err;
}

void ThrowIfError(Napi::Env env, int err, const char* syscall, const std::string& ifname) {
  char name_buf[64], text_buf[128];
  const char* code = ErrnoName(err, name_buf, sizeof name_buf);
  const char* reason = ErrnoText(err, text_buf, sizeof text_buf);
  switch (err) {
    case ENODEV:
    case ENXIO:
      reason = "no such interface";
      break;
    case EOPNOTSUPP:  // == ENOTSUP on Linux
      code = "EOPNOTSUPP";
      reason = "the device's driver does not support hardware timestamping";
      break;
    case EPERM:
    case EACCES:
      reason = "the caller lacks CAP_NET_ADMIN";
      break;
    case ERANGE:
      reason = "unknown or unsupported tx type or rx filter";
      break;
  }
  // Built here rather than by ThrowErrno so the stack's first line carries the reason too.
  ThrowInterfaceError(env, std::string(syscall) + " " + ifname + ": " + code + " (" + reason + ")", code, err, syscall,
                      ifname);
}

}  // namespace disptap::ifutil
