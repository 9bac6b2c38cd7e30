// Shared by the interface bindings: interface-name arguments, the ioctl socket, and errors that
// name the interface and the likely reason.
#pragma once
#include <napi.h>
#include <net/if.h>

#include <string>

#include "common/unique_fd.h"

namespace disptap::ifutil {

// info[i] as an interface name that fits ifr_name (1..IFNAMSIZ-1 bytes, no NUL); throws otherwise.
bool NameArg(const Napi::CallbackInfo& info, size_t i, std::string* out);
// An ifreq with ifr_name set (name must have passed NameArg).
ifreq MakeIfreq(const std::string& name);
// A datagram socket for interface ioctls; 0 or errno.
int IoctlSocket(UniqueFd* out);
// Node-style system error: code, errno, syscall, interface; the message says what it usually means.
// EOPNOTSUPP is reported under that name (libuv would call the same number ENOTSUP).
void ThrowIfError(Napi::Env env, int err, const char* syscall, const std::string& ifname);

}  // namespace disptap::ifutil
