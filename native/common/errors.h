// One way to turn a failed syscall or a bad argument into a Node-style JS error.
#pragma once
#include <napi.h>

#include <string>

namespace disptap {

// Error with code ('EADDRINUSE'), errno (negative, as Node's), syscall, and address/port when given.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& address = "",
                       int port = -1);
void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& address = "",
                int port = -1);
// TypeError / RangeError with a Node-style code such as 'ERR_INVALID_ARG_TYPE'.
void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);

}  // namespace disptap
