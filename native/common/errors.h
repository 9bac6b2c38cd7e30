// One way to turn a failed syscall or a bad argument into a Node-style JS error.
//
// Every helper here creates a fresh error object, DEFINES its properties (no setter on
// Error.prototype or Object.prototype runs; see common/js_values.h) and throws it with the raw
// napi_throw. None of them throws while a JS exception is already pending: that exception is the
// one JS sees (node-addon-api's ThrowAsJavaScriptException would end the process instead).
#pragma once
#include <napi.h>

#include <string>

namespace disptap {

// Error with code ('EADDRINUSE'), errno (negative, as Node's), syscall, and address/port when given.
void ThrowErrno(napi_env env, int err, const char* syscall, const std::string& address = "", int port = -1);
// TypeError / RangeError / Error with a Node-style code such as 'ERR_INVALID_ARG_TYPE'.
void ThrowTypeError(napi_env env, const char* code, const std::string& message);
void ThrowRangeError(napi_env env, const char* code, const std::string& message);
void ThrowCodedError(napi_env env, const char* code, const std::string& message);
// The error interface helpers report: message as given, then code, errno, syscall and interface.
void ThrowInterfaceError(napi_env env, const std::string& message, const char* code, int err, const char* syscall,
                         const std::string& ifname);

// A failed N-API call in a place that can throw: Error with code ERR_DISPTAP_NAPI naming the call.
void ThrowNapiFailure(napi_env env, napi_status status, const char* call);

// Where nothing can throw (a libuv callback, a finaliser): process.emitWarning(message) with type
// 'DisptapWarning' and the code, or, when no JS can run (the env is being torn down), a line on stderr.
void EmitWarning(napi_env env, const std::string& message, const char* code);
// Only stderr: for callbacks that may run after the env is gone.
void ReportUnthrowable(const std::string& message);

// libuv's name of an errno ("EADDRINUSE"; "Unknown system error N" for one it does not know), into
// buf. uv_err_name() would allocate (and leak) the unknown-error string.
const char* ErrnoName(int err, char* buf, size_t len);
// strerror without the shared static buffer (worker threads call this too).
const char* ErrnoText(int err, char* buf, size_t len);

}  // namespace disptap
