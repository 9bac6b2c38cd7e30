#include "common/errors.h"

#include <uv.h>

#include <cstring>

namespace disptap {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& address,
                       int port) {
  const char* code = uv_err_name(-err);
  std::string message = std::string(syscall) + " " + code;
  if (!address.empty()) {
    message += " " + address;
    if (port >= 0) message += ":" + std::to_string(port);
  }
  message += std::string(" (") + std::strerror(err) + ")";
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (!address.empty()) e.Set("address", Napi::String::New(env, address));
  if (port >= 0) e.Set("port", Napi::Number::New(env, port));
  return e;
}

void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& address, int port) {
  ErrnoError(env, err, syscall, address, port).ThrowAsJavaScriptException();
}

void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError e = Napi::TypeError::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
}

void ThrowRangeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::RangeError e = Napi::RangeError::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
}

}  // namespace disptap
