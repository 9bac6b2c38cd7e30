#include "udp_socket/udp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "addon/registry.h"
#include "cmsg/cmsg.h"
#include "cmsg/meta_layout.h"
#include "common/errors.h"
#include "common/js_bytes.h"
#include "common/js_values.h"
#include "udp_socket/sockaddr_io.h"

namespace disptap {

void UdpSocket::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "UdpSocket",
                                    {
                                        InstanceMethod("bind", &UdpSocket::Bind),
                                        InstanceMethod("connect", &UdpSocket::Connect),
                                        InstanceMethod("setIntOption", &UdpSocket::SetIntOption),
                                        InstanceMethod("getIntOption", &UdpSocket::GetIntOption),
                                        InstanceMethod("localAddress", &UdpSocket::LocalAddress),
                                        InstanceMethod("registerArena", &UdpSocket::RegisterArena),
                                        InstanceMethod("recv", &UdpSocket::Recv),
                                        InstanceMethod("takePayloads", &UdpSocket::TakePayloads),
                                        InstanceMethod("readMsg", &UdpSocket::ReadMsg),
                                        InstanceMethod("sendMsg", &UdpSocket::SendMsg),
                                        InstanceMethod("sendMmsg", &UdpSocket::SendMmsg),
                                        InstanceMethod("startPoll", &UdpSocket::StartPoll),
                                        InstanceMethod("stopPoll", &UdpSocket::StopPoll),
                                        InstanceMethod("close", &UdpSocket::CloseSocket),
                                    });
  if (!DefineFd(env, ctor)) return;
  DefineValue(env, exports, "UdpSocket", ctor);
}

// new UdpSocket(family: 4 | 6, onPoll: (status, events) => void)
UdpSocket::UdpSocket(const Napi::CallbackInfo& info) : PolledSocket<UdpSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "new UdpSocket(family, onPoll)");
    return;
  }
  const int fam = info[0].As<Napi::Number>().Int32Value();
  if (fam != 4 && fam != 6) {
    ThrowRangeError(env, "ERR_INVALID_ARG_VALUE", "family must be 4 or 6");
    return;
  }
  family_ = fam == 4 ? AF_INET : AF_INET6;
  UniqueFd fd(::socket(family_, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.valid()) {
    const int err = errno;
    ThrowErrno(env, err, "socket");
    return;
  }
  AttachFd(env, std::move(fd), info[1].As<Napi::Function>());
}

// bind(addressBytes, port, scopeId, displayAddress)
Napi::Value UdpSocket::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "bind")) return env.Undefined();
  sockaddr_storage ss;
  socklen_t len;
  if (!SockaddrFromArgs(info, 0, family_, &ss, &len)) return env.Undefined();
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    const int err = errno;
    std::string shown = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value()
                                                               : SockaddrToString(ss);
    ThrowErrno(env, err, "bind", shown, info[1].As<Napi::Number>().Int32Value());
  }
  return env.Undefined();
}

// connect(addressBytes, port, scopeId, displayAddress)
Napi::Value UdpSocket::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "connect")) return env.Undefined();
  sockaddr_storage ss;
  socklen_t len;
  if (!SockaddrFromArgs(info, 0, family_, &ss, &len)) return env.Undefined();
  if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    const int err = errno;
    ThrowErrno(env, err, "connect", SockaddrToString(ss), info[1].As<Napi::Number>().Int32Value());
  }
  return env.Undefined();
}

// → { family, address: Uint8Array(16), port, scopeId, flowinfo }
Napi::Value UdpSocket::LocalAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "getsockname")) return env.Undefined();
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    const int err = errno;
    ThrowErrno(env, err, "getsockname");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = Napi::Uint8Array::New(env, 16);
  if (bytes.IsEmpty()) return env.Undefined();  // allocation failed: the env is being torn down
  int port, scope;
  uint32_t flow;
  const int fam = SockaddrToParts(ss, len, bytes.Data(), &port, &scope, &flow);
  return MakeObject(env, {{"family", Napi::Number::New(env, fam)},
                          {"address", bytes},
                          {"port", Napi::Number::New(env, port)},
                          {"scopeId", Napi::Number::New(env, scope)},
                          {"flowinfo", Napi::Number::New(env, static_cast<double>(flow))}});
}

// registerArena(data: Uint8Array, control: Uint8Array, i32: Int32Array, i64: BigInt64Array,
//               addr: Uint8Array, slotSize, controlSize, count, replaceId?) → arena id
Napi::Value UdpSocket::RegisterArena(const Napi::CallbackInfo& info) {
  // A closed socket takes no memory: nothing would ever read into it.
  if (!CheckOpen(info.Env(), "registerArena")) return info.Env().Undefined();
  return arenas_.Register(info, {layout::kI32Fields, layout::kI64Fields, layout::kAddrStride, layout::kCapLen, layout::kPayloadOffset});
}

// takePayloads(arenaId) → ArrayBuffer | null: see ArenaTable::TakePayloads.
Napi::Value UdpSocket::TakePayloads(const Napi::CallbackInfo& info) {
  return arenas_.TakePayloads(info);
}

// recv(arenaId, max, flags) → number of datagrams read into the arena (0 when nothing is queued).
Napi::Value UdpSocket::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "recvmmsg")) return env.Undefined();
  // Only MSG_ERRQUEUE may be added: the error queue carries TX timestamps.
  const int extra = info.Length() > 2 && info[2].IsNumber() ? (info[2].As<Napi::Number>().Int32Value() & MSG_ERRQUEUE) : 0;
  // MSG_TRUNC: msg_len is the datagram's real length even when the slot was too small.
  return ReceiveInto(info, arenas_, fd_.get(), MSG_DONTWAIT | MSG_TRUNC | extra, extra ? "recvmmsg(MSG_ERRQUEUE)" : "recvmmsg",
                     layout::kI64Fields, [](Arena& a, unsigned i, const ReceivedSlot& s) {
                       const size_t cap = a.count;
                       auto I = [&](int f) -> int32_t& { return a.i32[f * cap + i]; };
                       layout::WriteMeta(s.meta, a.i32, a.i64, a.addr, cap, i);
                       I(layout::kOrigLen) = static_cast<int32_t>(s.len);
                       I(layout::kCapLen) = static_cast<int32_t>(s.cap_len);
                       I(layout::kPayloadOffset) = static_cast<int32_t>(PlacePayload(a, i, s.cap_len));
                       I(layout::kFlags) = s.h.msg_flags;
                       I(layout::kCtrlLen) = static_cast<int32_t>(s.ctrl_len);
                       int port, scope;
                       uint32_t flow;
                       I(layout::kSrcFamily) = SockaddrToParts(a.names[i], s.h.msg_namelen,
                                                               a.addr + i * layout::kAddrStride + layout::kSrcAddr, &port, &scope, &flow);
                       I(layout::kSrcPort) = port;
                       I(layout::kSrcScope) = scope;
                       I(layout::kSrcFlowinfo) = static_cast<int32_t>(flow);
                     });
}

// readMsg(b, oob) → null when nothing is queued, else [n, oobn, flags, family, addr16, port, scope]:
// Go's ReadMsgUDP: payload copied into b, the raw control bytes into oob, as the kernel gave them.
Napi::Value UdpSocket::ReadMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "recvmsg")) return env.Undefined();
  void *b, *oob;
  size_t b_len, oob_len;
  if (info.Length() < 2 || !TypedBytes(info[0], napi_uint8_array, &b, &b_len) ||
      !TypedBytes(info[1], napi_uint8_array, &oob, &oob_len)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "readMsg(b: Uint8Array, oob: Uint8Array)");
    return env.Undefined();
  }
  sockaddr_storage ss;
  iovec iov{b, b_len};
  msghdr h{};
  h.msg_name = &ss;
  h.msg_namelen = sizeof ss;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = oob_len ? oob : nullptr;
  h.msg_controllen = oob_len;
  ssize_t n;
  int err;
  do {
    n = ::recvmsg(fd_.get(), &h, MSG_DONTWAIT);
    err = n < 0 ? errno : 0;
  } while (err == EINTR);
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) return env.Null();
    ThrowErrno(env, err, "recvmsg");
    return env.Undefined();
  }
  Napi::Uint8Array addr = Napi::Uint8Array::New(env, 16);
  if (addr.IsEmpty()) return env.Undefined();  // allocation failed: the env is being torn down
  int port, scope;
  uint32_t flow;
  const int fam = SockaddrToParts(ss, h.msg_namelen, addr.Data(), &port, &scope, &flow);
  const size_t oobn = oob_len ? std::min<size_t>(h.msg_controllen, oob_len) : 0;
  return MakeObject(env, {{"n", Napi::Number::New(env, static_cast<double>(n))},
                          {"oobn", Napi::Number::New(env, static_cast<double>(oobn))},
                          {"flags", Napi::Number::New(env, h.msg_flags)},
                          {"family", Napi::Number::New(env, fam)},
                          {"address", addr},
                          {"port", Napi::Number::New(env, port)},
                          {"scopeId", Napi::Number::New(env, scope)}});
}

namespace {
bool OptionalBytes(const Napi::Value& v, const uint8_t** data, size_t* len) {
  if (v.IsNull() || v.IsUndefined()) {
    *data = nullptr;
    *len = 0;
    return true;
  }
  void* p;
  if (!TypedBytes(v, napi_uint8_array, &p, len)) return false;
  *data = static_cast<const uint8_t*>(p);
  return true;
}
}  // namespace

// sendMsg(data, addrBytes|null, port, scopeId, control|null, display) → bytes sent, or -errno for
// EAGAIN/ENOBUFS (the caller waits for writability); other failures throw Node-style errors.
Napi::Value UdpSocket::SendMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "sendmsg")) return env.Undefined();
  const uint8_t *data, *control;
  size_t data_len, control_len;
  if (info.Length() < 5 || !OptionalBytes(info[0], &data, &data_len) || !OptionalBytes(info[4], &control, &control_len)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "sendMsg(data, addr, port, scope, control)");
    return env.Undefined();
  }
  sockaddr_storage ss;
  socklen_t ss_len = 0;
  if (!info[1].IsNull() && !SockaddrFromArgs(info, 1, family_, &ss, &ss_len)) return env.Undefined();
  iovec iov{const_cast<uint8_t*>(data), data_len};
  msghdr h{};
  h.msg_name = ss_len ? &ss : nullptr;
  h.msg_namelen = ss_len;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = control_len ? const_cast<uint8_t*>(control) : nullptr;
  h.msg_controllen = control_len;
  ssize_t n;
  int err;
  do {
    n = ::sendmsg(fd_.get(), &h, MSG_DONTWAIT | MSG_NOSIGNAL);
    err = n < 0 ? errno : 0;
  } while (err == EINTR);
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) return Napi::Number::New(env, -err);
    const std::string shown = info.Length() > 5 && info[5].IsString() ? info[5].As<Napi::String>().Utf8Value()
                                                                      : (ss_len ? SockaddrToString(ss) : "");
    ThrowErrno(env, err, "sendmsg", shown, ss_len && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// sendMmsg(datas[], addrs[], ports[], scopes[], controls[]) → number of datagrams the kernel took
// (0 < n ≤ count), or -errno for EAGAIN/ENOBUFS before the first one. Arrays must be the same length.
Napi::Value UdpSocket::SendMmsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "sendmmsg")) return env.Undefined();
  if (info.Length() < 5 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsArray() ||
      !info[4].IsArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "sendMmsg(datas, addrs, ports, scopes, controls)");
    return env.Undefined();
  }
  // 1. Every JS input first. Reading an element may run JS (an accessor on the array, or inherited
  //    through a hole), and that JS may detach (transfer) a buffer read before it; so no pointer is
  //    taken until all elements are in hand.
  enum { kDatas, kAddrs, kPorts, kScopes, kControls, kArrays };
  uint32_t n = 0;
  if (napi_get_array_length(env, info[0], &n) != napi_ok) return env.Undefined();
  bool same_length = n > 0 && n <= 1024;
  for (int k = 1; same_length && k < kArrays; k++) {
    uint32_t len = 0;
    same_length = napi_get_array_length(env, info[k], &len) == napi_ok && len == n;
  }
  if (!same_length) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "sendMmsg: 1..1024 datagrams, all arrays the same length");
    return env.Undefined();
  }
  std::vector<napi_value> items(static_cast<size_t>(kArrays) * n);
  for (int k = 0; k < kArrays; k++)
    for (uint32_t i = 0; i < n; i++)
      if (napi_get_element(env, info[k], i, &items[k * n + i]) != napi_ok) return env.Undefined();  // it threw
  auto item = [&](int k, uint32_t i) { return Napi::Value(env, items[k * n + i]); };

  // 2. Then the memory, with no JS in between: validate, take pointers, copy the addresses, send.
  //    A buffer detached in step 1 reads as empty here, as it does in JS.
  std::vector<mmsghdr> msgs(n);
  std::vector<iovec> iov(n);
  std::vector<sockaddr_storage> names(n);
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *data, *control;
    size_t data_len, control_len;
    if (!OptionalBytes(item(kDatas, i), &data, &data_len) || !OptionalBytes(item(kControls, i), &control, &control_len)) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "sendMmsg: data and control must be Uint8Array");
      return env.Undefined();
    }
    socklen_t len = 0;
    Napi::Value a = item(kAddrs, i);
    if (!a.IsNull()) {
      Napi::Value pv = item(kPorts, i), sv = item(kScopes, i);
      if (!a.IsTypedArray() || !pv.IsNumber()) {
        ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "sendMmsg: bad address");
        return env.Undefined();
      }
      void* addr_bytes = nullptr;
      size_t addr_len = 0;
      const int64_t port = pv.As<Napi::Number>().Int64Value();
      const uint32_t scope = sv.IsNumber() ? sv.As<Napi::Number>().Uint32Value() : 0;
      if (!TypedBytes(a, napi_uint8_array, &addr_bytes, &addr_len) || port < 0 || port > 65535 ||
          !FillSockaddr(family_, static_cast<const uint8_t*>(addr_bytes), addr_len, static_cast<uint16_t>(port), scope, 0,
                        &names[i], &len)) {
        ThrowRangeError(env, "ERR_INVALID_ARG_VALUE", "sendMmsg: bad address or port");
        return env.Undefined();
      }
    }
    iov[i] = {const_cast<uint8_t*>(data), data_len};
    msghdr& h = msgs[i].msg_hdr;
    h = msghdr{};
    h.msg_name = len ? &names[i] : nullptr;
    h.msg_namelen = len;
    h.msg_iov = &iov[i];
    h.msg_iovlen = 1;
    h.msg_control = control_len ? const_cast<uint8_t*>(control) : nullptr;
    h.msg_controllen = control_len;
  }
  int r;
  int err;
  do {
    r = ::sendmmsg(fd_.get(), msgs.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL);
    err = r < 0 ? errno : 0;
  } while (err == EINTR);
  if (r < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) return Napi::Number::New(env, -err);
    ThrowErrno(env, err, "sendmmsg", names[0].ss_family ? SockaddrToString(names[0]) : "");
    return env.Undefined();
  }
  return Napi::Number::New(env, r);
}

Napi::Value UdpSocket::CloseSocket(const Napi::CallbackInfo& info) {
  Napi::Value r = Close(info);
  arenas_.Clear();
  return r;
}

namespace {
void InitUdpSocket(Napi::Env env, Napi::Object exports) { UdpSocket::Init(env, exports); }
}  // namespace
DISPTAP_REGISTER_MODULE(udp_socket, InitUdpSocket);

}  // namespace disptap
