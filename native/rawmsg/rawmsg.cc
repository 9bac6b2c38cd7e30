// Raw getsockname / recvmsg / sendmsg on a caller's fd, handing the kernel's sockaddr and control
// bytes over untouched: the outside judge for the sockaddr and cmsg codecs (tests and diagnostics).
#include <napi.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "addon/registry.h"
#include "common/errors.h"
#include "common/js_values.h"

namespace disptap {
namespace {

constexpr double kMaxCap = 1 << 20;

bool IntArg(const Napi::CallbackInfo& info, size_t i, double min, double max, const char* what, double* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(what) + " must be a number");
    return false;
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= min && v <= max) || std::floor(v) != v) {
    ThrowRangeError(info.Env(), "ERR_OUT_OF_RANGE", std::string(what) + " is out of range");
    return false;
  }
  *out = v;
  return true;
}

bool FdArg(const Napi::CallbackInfo& info, int* fd) {
  double v;
  if (!IntArg(info, 0, 0, 2147483647.0, "fd", &v)) return false;
  *fd = static_cast<int>(v);
  return true;
}

// Uint8Array (possibly empty) or null/undefined → (pointer, length).
bool BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what, const uint8_t** p, size_t* n) {
  *p = nullptr;
  *n = 0;
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return true;
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(what) + " must be a Uint8Array or null");
    return false;
  }
  Napi::Uint8Array a = info[i].As<Napi::Uint8Array>();
  *p = a.Data();
  *n = a.ByteLength();
  return true;
}

// getsockname(fd) → Buffer with exactly the bytes the kernel wrote.
Napi::Value GetSockName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!FdArg(info, &fd)) return env.Undefined();
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof ss);
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    const int err = errno;
    ThrowErrno(env, err, "getsockname");
    return env.Undefined();
  }
  if (len > sizeof ss) len = sizeof ss;  // the kernel reports the full length even when it cut
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&ss), len);
}

// recvmsg(fd, dataCap, controlCap, flags) → null when nothing is queued, else
// [n, msgFlags, data, name, control] (MSG_DONTWAIT is always added).
Napi::Value RecvMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!FdArg(info, &fd)) return env.Undefined();
  double caps[3];
  if (!IntArg(info, 1, 0, kMaxCap, "dataCap", &caps[0]) || !IntArg(info, 2, 0, kMaxCap, "controlCap", &caps[1]) ||
      !IntArg(info, 3, 0, 2147483647.0, "flags", &caps[2]))
    return env.Undefined();
  std::vector<uint8_t> data(static_cast<size_t>(caps[0]) + 1), control(static_cast<size_t>(caps[1]) + 1, 0);
  sockaddr_storage name;
  std::memset(&name, 0, sizeof name);
  iovec iov{data.data(), static_cast<size_t>(caps[0])};
  msghdr msg{};
  msg.msg_name = &name;
  msg.msg_namelen = sizeof name;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = caps[1] > 0 ? control.data() : nullptr;
  msg.msg_controllen = static_cast<size_t>(caps[1]);
  ssize_t n;
  int err;
  do {
    n = ::recvmsg(fd, &msg, static_cast<int>(caps[2]) | MSG_DONTWAIT);
    err = n < 0 ? errno : 0;
  } while (err == EINTR);
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) return env.Null();
    ThrowErrno(env, err, "recvmsg");
    return env.Undefined();
  }
  const size_t got = static_cast<size_t>(n) < iov.iov_len ? static_cast<size_t>(n) : iov.iov_len;
  const size_t namelen = msg.msg_namelen < sizeof name ? msg.msg_namelen : sizeof name;
  const size_t ctrllen = msg.msg_controllen < static_cast<size_t>(caps[1]) ? msg.msg_controllen : static_cast<size_t>(caps[1]);
  return MakeArray(env, {Napi::Number::New(env, static_cast<double>(n)), Napi::Number::New(env, msg.msg_flags),
                         Napi::Buffer<uint8_t>::Copy(env, data.data(), got),
                         Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&name), namelen),
                         Napi::Buffer<uint8_t>::Copy(env, control.data(), ctrllen)});
}

// sendmsg(fd, data, name | null, control | null) → bytes sent. The bytes go to the kernel as given.
Napi::Value SendMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  const uint8_t *data, *name, *control;
  size_t data_len, name_len, control_len;
  if (!FdArg(info, &fd) || !BytesArg(info, 1, "data", &data, &data_len) ||
      !BytesArg(info, 2, "name", &name, &name_len) || !BytesArg(info, 3, "control", &control, &control_len))
    return env.Undefined();
  if (name_len > sizeof(sockaddr_storage)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "name must be at most sizeof(sockaddr_storage) bytes");
    return env.Undefined();
  }
  iovec iov{const_cast<uint8_t*>(data), data_len};
  msghdr msg{};
  msg.msg_name = const_cast<uint8_t*>(name);
  msg.msg_namelen = static_cast<socklen_t>(name_len);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = const_cast<uint8_t*>(control);
  msg.msg_controllen = control_len;
  ssize_t n;
  int err;
  do {
    n = ::sendmsg(fd, &msg, MSG_DONTWAIT);
    err = n < 0 ? errno : 0;
  } while (err == EINTR);
  if (n < 0) {
    ThrowErrno(env, err, "sendmsg");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

void Init(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  DefineValues(env, o,
               {{"getsockname", Napi::Function::New(env, GetSockName, "getsockname")},
                {"recvmsg", Napi::Function::New(env, RecvMsg, "recvmsg")},
                {"sendmsg", Napi::Function::New(env, SendMsg, "sendmsg")}});
  DefineValue(env, exports, "rawmsg", o);
}

}  // namespace
DISPTAP_REGISTER_MODULE(rawmsg, Init);
}  // namespace disptap
