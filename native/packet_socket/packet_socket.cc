#include "packet_socket/packet_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "addon/registry.h"
#include "cmsg/cmsg.h"
#include "common/errors.h"
#include "common/js_bytes.h"
#include "common/js_values.h"
#include "packet_socket/l3_parse.h"
#include "packet_socket/packet_layout.h"

namespace disptap {
namespace {

constexpr size_t kMaxFilterInsns = 4096;  // BPF_MAXINSNS

}  // namespace

void PacketSocket::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "PacketSocket",
                                    {
                                        InstanceMethod("attachFilter", &PacketSocket::AttachFilter),
                                        InstanceMethod("bind", &PacketSocket::Bind),
                                        InstanceMethod("setIntOption", &PacketSocket::SetIntOption),
                                        InstanceMethod("getIntOption", &PacketSocket::GetIntOption),
                                        InstanceMethod("stats", &PacketSocket::Stats),
                                        InstanceMethod("registerArena", &PacketSocket::RegisterArena),
                                        InstanceMethod("recv", &PacketSocket::Recv),
                                        InstanceMethod("startPoll", &PacketSocket::StartPoll),
                                        InstanceMethod("stopPoll", &PacketSocket::StopPoll),
                                        InstanceMethod("close", &PacketSocket::CloseSocket),
                                    });
  if (!DefineFd(env, ctor)) return;
  DefineValue(env, exports, "PacketSocket", ctor);
}

// new PacketSocket(onPoll). Protocol 0: the socket receives nothing until bind() names one, so the
// filter is in place before the first packet can be queued.
PacketSocket::PacketSocket(const Napi::CallbackInfo& info) : PolledSocket<PacketSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "new PacketSocket(onPoll)");
    return;
  }
  UniqueFd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    const int err = errno;
    ThrowErrno(env, err, "socket");
    return;
  }
  AttachFd(env, std::move(fd), info[0].As<Napi::Function>());
}

// attachFilter(insns: Uint32Array of [code, jt, jf, k] per instruction) → SO_ATTACH_FILTER.
// The kernel's checker validates the program itself (EINVAL for a bad one).
Napi::Value PacketSocket::AttachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "setsockopt")) return env.Undefined();
  void* data;
  size_t bytes;
  if (info.Length() < 1 || !TypedBytes(info[0], napi_uint32_array, &data, &bytes)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "attachFilter(insns: Uint32Array)");
    return env.Undefined();
  }
  const size_t n = bytes / 16;
  if (bytes % 16 != 0 || n == 0 || n > kMaxFilterInsns) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "attachFilter: 1..4096 instructions of 4 words each");
    return env.Undefined();
  }
  const uint32_t* w = static_cast<const uint32_t*>(data);
  std::vector<sock_filter> prog(n);
  for (size_t i = 0; i < n; i++) {
    if (w[4 * i] > 0xffff || w[4 * i + 1] > 0xff || w[4 * i + 2] > 0xff) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "attachFilter: instruction " + std::to_string(i) + " out of range");
      return env.Undefined();
    }
    prog[i].code = static_cast<uint16_t>(w[4 * i]);
    prog[i].jt = static_cast<uint8_t>(w[4 * i + 1]);
    prog[i].jf = static_cast<uint8_t>(w[4 * i + 2]);
    prog[i].k = w[4 * i + 3];
  }
  sock_fprog fprog{static_cast<unsigned short>(n), prog.data()};
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    const int err = errno;  // before the std::string for the label is built
    ThrowErrno(env, err, "setsockopt", "SO_ATTACH_FILTER");
  }
  return env.Undefined();
}

// bind(ifindex, protocol): ifindex 0 = every interface; protocol in host order (ETH_P_ALL = 3).
Napi::Value PacketSocket::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "bind")) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "bind(ifindex, protocol)");
    return env.Undefined();
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value()));
  sll.sll_ifindex = info[0].As<Napi::Number>().Int32Value();
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    const int err = errno;
    char name[IF_NAMESIZE + 1] = {0};
    std::string shown = sll.sll_ifindex == 0 ? "any" : (if_indextoname(sll.sll_ifindex, name) ? name : "ifindex " + std::to_string(sll.sll_ifindex));
    ThrowErrno(env, err, "bind", shown);
  }
  return env.Undefined();
}

// stats() → [packets, drops] since the previous call (PACKET_STATISTICS resets the kernel counters).
// packets counts what passed the filter, so it also proves what the kernel filtered.
Napi::Value PacketSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "getsockopt")) return env.Undefined();
  tpacket_stats st{};
  socklen_t len = sizeof st;
  if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) {
    const int err = errno;  // before the std::string for the label is built
    ThrowErrno(env, err, "getsockopt", "PACKET_STATISTICS");
    return env.Undefined();
  }
  return MakeArray(env, {Napi::Number::New(env, static_cast<double>(st.tp_packets)),
                         Napi::Number::New(env, static_cast<double>(st.tp_drops))});
}

// registerArena(data, control, i32, i64, addr, slotSize, controlSize, count, replaceId?) → arena id
Napi::Value PacketSocket::RegisterArena(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info.Env(), "registerArena")) return info.Env().Undefined();
  return arenas_.Register(info, {packet_layout::kI32Fields, packet_layout::kI64Fields, packet_layout::kAddrStride, -1, -1});
}

// recv(arenaId, max) → packets read into the arena (0 when nothing is queued).
Napi::Value PacketSocket::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "recvmmsg")) return env.Undefined();
  namespace pl = packet_layout;
  // MSG_TRUNC: on a packet socket msg_len is then the packet's full length.
  return ReceiveInto(info, arenas_, fd_.get(), MSG_DONTWAIT | MSG_TRUNC, "recvmmsg", pl::kI64Fields, [](Arena& a, unsigned i, const ReceivedSlot& s) {
    const size_t cap = a.count;
    auto I = [&](int f) -> int32_t& { return a.i32[f * cap + i]; };
    const auto* sll = reinterpret_cast<const sockaddr_ll*>(&a.names[i]);
    const bool have_sll = s.h.msg_namelen >= offsetof(sockaddr_ll, sll_addr);
    const uint16_t ethertype = have_sll ? ntohs(sll->sll_protocol) : 0;
    l3::Info l3info;
    l3::Parse(a.data + i * a.slot_size, s.cap_len, ethertype, &l3info);
    pl::Write(s.meta, l3info, a.i32, a.i64, a.addr, cap, i);
    I(pl::kCapLen) = static_cast<int32_t>(s.cap_len);
    I(pl::kOrigLen) = static_cast<int32_t>(s.len);
    I(pl::kFlags) = s.h.msg_flags;
    I(pl::kIfIndex) = have_sll ? sll->sll_ifindex : 0;
    I(pl::kPktType) = have_sll ? sll->sll_pkttype : -1;
    I(pl::kEtherType) = ethertype;
  });
}

Napi::Value PacketSocket::CloseSocket(const Napi::CallbackInfo& info) {
  Napi::Value r = Close(info);
  arenas_.Clear();
  return r;
}

namespace {
void InitPacketSocket(Napi::Env env, Napi::Object exports) { PacketSocket::Init(env, exports); }
}  // namespace
DISPTAP_REGISTER_MODULE(packet_socket, InitPacketSocket);

}  // namespace disptap
