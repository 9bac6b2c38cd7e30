#include "common/errors.h"

#include <uv.h>

#include <cstdio>
#include <cstring>

#include "common/js_values.h"

namespace disptap {
namespace {

enum class Kind { kError, kTypeError, kRangeError };

napi_value String(napi_env env, const std::string& s) {
  napi_value v = nullptr;
  if (napi_create_string_utf8(env, s.data(), s.size(), &v) != napi_ok) return nullptr;
  return v;
}

napi_value Number(napi_env env, double d) {
  napi_value v = nullptr;
  if (napi_create_double(env, d, &v) != napi_ok) return nullptr;
  return v;
}

// A new error of the kind with the message. Its code is not passed to napi_create_error: that
// assigns it with [[Set]] (setters run); the caller defines it with the other properties.
napi_value NewError(napi_env env, Kind kind, const std::string& message) {
  napi_value msg = String(env, message);
  if (!msg) return nullptr;
  napi_value err = nullptr;
  napi_status st;
  switch (kind) {
    case Kind::kTypeError:
      st = napi_create_type_error(env, nullptr, msg, &err);
      break;
    case Kind::kRangeError:
      st = napi_create_range_error(env, nullptr, msg, &err);
      break;
    default:
      st = napi_create_error(env, nullptr, msg, &err);
      break;
  }
  return st == napi_ok ? err : nullptr;
}

// Throws err unless something failed on the way (null) or another exception got there first.
void Throw(napi_env env, napi_value err, bool defined) {
  if (!err || !defined || ExceptionPending(env)) return;
  // Fails only while the env is being torn down (a terminating worker): nothing is left to tell.
  napi_throw(env, err);
}

void ThrowWithCode(napi_env env, Kind kind, const char* code, const std::string& message) {
  if (ExceptionPending(env)) return;
  napi_value err = NewError(env, kind, message);
  Throw(env, err, err && DefineValues(env, err, {{"code", String(env, code)}}));
}

}  // namespace

void ThrowNapiFailure(napi_env env, napi_status status, const char* call) {
  ThrowWithCode(env, Kind::kError, "ERR_DISPTAP_NAPI", std::string(call) + " failed (napi_status " + std::to_string(status) + ")");
}

void ReportUnthrowable(const std::string& message) { std::fprintf(stderr, "disptap: %s\n", message.c_str()); }

void EmitWarning(napi_env env, const std::string& message, const char* code) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    ReportUnthrowable(message);
    return;
  }
  bool warned = false;
  if (!ExceptionPending(env)) {
    napi_value global, process, emit, result;
    napi_valuetype type = napi_undefined;
    napi_value argv[3] = {String(env, message), String(env, "DisptapWarning"), String(env, code)};
    if (argv[0] && argv[1] && argv[2] && napi_get_global(env, &global) == napi_ok &&
        napi_get_named_property(env, global, "process", &process) == napi_ok &&
        napi_typeof(env, process, &type) == napi_ok && type == napi_object &&
        napi_get_named_property(env, process, "emitWarning", &emit) == napi_ok &&
        napi_typeof(env, emit, &type) == napi_ok && type == napi_function) {
      warned = napi_call_function(env, process, emit, 3, argv, &result) == napi_ok;
    }
    if (!warned && ExceptionPending(env)) {
      napi_value ignored;  // a throwing emitWarning must not leave an exception behind
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
  if (!warned) ReportUnthrowable(message);
  napi_close_handle_scope(env, scope);
}

const char* ErrnoName(int err, char* buf, size_t len) {
  uv_err_name_r(-err, buf, len);
  return buf;
}

const char* ErrnoText(int err, char* buf, size_t len) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(err, buf, len);  // GNU: returns a static string or buf
#else
  if (strerror_r(err, buf, len) != 0) std::snprintf(buf, len, "error %d", err);
  return buf;
#endif
}

void ThrowErrno(napi_env env, int err, const char* syscall, const std::string& address, int port) {
  if (ExceptionPending(env)) return;
  char name_buf[64], text_buf[128];
  const char* code = ErrnoName(err, name_buf, sizeof name_buf);
  std::string message = std::string(syscall) + " " + code;
  if (!address.empty()) {
    message += " " + address;
    if (port >= 0) message += ":" + std::to_string(port);
  }
  message += std::string(" (") + ErrnoText(err, text_buf, sizeof text_buf) + ")";
  napi_value e = NewError(env, Kind::kError, message);
  if (!e) return;
  bool ok = DefineValues(env, e, {{"code", String(env, code)}, {"errno", Number(env, -err)}, {"syscall", String(env, syscall)}});
  if (ok && !address.empty()) ok = DefineValues(env, e, {{"address", String(env, address)}});
  if (ok && port >= 0) ok = DefineValues(env, e, {{"port", Number(env, port)}});
  Throw(env, e, ok);
}

void ThrowTypeError(napi_env env, const char* code, const std::string& message) {
  ThrowWithCode(env, Kind::kTypeError, code, message);
}

void ThrowRangeError(napi_env env, const char* code, const std::string& message) {
  ThrowWithCode(env, Kind::kRangeError, code, message);
}

void ThrowCodedError(napi_env env, const char* code, const std::string& message) {
  ThrowWithCode(env, Kind::kError, code, message);
}

void ThrowInterfaceError(napi_env env, const std::string& message, const char* code, int err, const char* syscall,
                         const std::string& ifname) {
  if (ExceptionPending(env)) return;
  napi_value e = NewError(env, Kind::kError, message);
  Throw(env, e,
        e && DefineValues(env, e,
                          {{"code", String(env, code)},
                           {"errno", Number(env, -err)},
                           {"syscall", String(env, syscall)},
                           {"interface", String(env, ifname)}}));
}

}  // namespace disptap
