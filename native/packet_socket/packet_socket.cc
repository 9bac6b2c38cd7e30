#include "packet_socket/packet_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

// What a slot says about its packet besides the bytes: the same facts from recvmmsg (msg_len,
// msg_flags, msg_name) and from the ring (tp_len, tp_snaplen, the sockaddr_ll after the header).
struct SlotFacts {
  size_t cap_len;      // bytes in the slot
  uint32_t len;        // packet length as the kernel reports it
  int32_t flags;       // msg_flags (MSG_TRUNC when cut)
  bool have_sll;
  int32_t ifindex;
  int32_t pkttype;
  uint16_t ethertype;  // host order
};

// Slot i of the arena, whose bytes are already in place: l3 parse, then every layout field.
void WritePacketSlot(Arena& a, unsigned i, const SlotFacts& f, const cmsg::RxMeta& meta) {
  namespace pl = packet_layout;
  const size_t cap = a.count;
  auto I = [&](int field) -> int32_t& { return a.i32[field * cap + i]; };
  l3::Info l3info;
  l3::Parse(a.data + i * a.slot_size, f.cap_len, f.ethertype, &l3info);
  pl::Write(meta, l3info, a.i32, a.i64, a.addr, cap, i);
  I(pl::kCapLen) = static_cast<int32_t>(f.cap_len);
  I(pl::kOrigLen) = static_cast<int32_t>(f.len);
  I(pl::kFlags) = f.flags;
  I(pl::kIfIndex) = f.have_sll ? f.ifindex : 0;
  I(pl::kPktType) = f.have_sll ? f.pkttype : -1;
  I(pl::kEtherType) = f.ethertype;
}

bool IsUndefined(const Napi::CallbackInfo& info, size_t i) { return info.Length() <= i || info[i].IsUndefined(); }

size_t PageSize() {
  const long page = ::sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<size_t>(page) : 4096;
}

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
                                        InstanceMethod("setupRing", &PacketSocket::SetupRing),
                                        InstanceMethod("startPoll", &PacketSocket::StartPoll),
                                        InstanceMethod("stopPoll", &PacketSocket::StopPoll),
                                        InstanceMethod("close", &PacketSocket::CloseSocket),
                                        // setupRing's blockSize is a multiple of it
                                        StaticValue("pageSize", Napi::Number::New(env, static_cast<double>(PageSize())),
                                                    napi_enumerable),
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
    return env.Undefined();
  }
  bound_ = true;
  return env.Undefined();
}

// stats() → [packets, drops, ringErrors, ringFreezes] since the previous call (PACKET_STATISTICS
// resets the kernel counters). packets counts what passed the filter, so it also proves what the
// kernel filtered. With a TPACKET_V3 ring the kernel answers with tpacket_stats_v3, whose first two
// fields are these (it copies no more than we ask for, so the struct fits either version; without a
// ring tp_freeze_q_cnt stays 0). ringErrors: ring blocks found corrupt and handed back (always 0
// without a ring). ringFreezes: times the ring was full (the kernel's next block still ours).
Napi::Value PacketSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "getsockopt")) return env.Undefined();
  tpacket_stats_v3 st{};
  socklen_t len = sizeof st;
  if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) {
    const int err = errno;  // before the std::string for the label is built
    ThrowErrno(env, err, "getsockopt", "PACKET_STATISTICS");
    return env.Undefined();
  }
  const uint64_t corrupt = ring_.reader().corrupt_blocks();
  const uint64_t ring_errors = corrupt >= corrupt_reported_ ? corrupt - corrupt_reported_ : corrupt;
  corrupt_reported_ = corrupt;
  return MakeArray(env, {Napi::Number::New(env, static_cast<double>(st.tp_packets)),
                         Napi::Number::New(env, static_cast<double>(st.tp_drops)),
                         Napi::Number::New(env, static_cast<double>(ring_errors)),
                         Napi::Number::New(env, static_cast<double>(st.tp_freeze_q_cnt))});
}

// registerArena(data, control, i32, i64, addr, slotSize, controlSize, count, replaceId?) → arena id
Napi::Value PacketSocket::RegisterArena(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info.Env(), "registerArena")) return info.Env().Undefined();
  return arenas_.Register(info, {packet_layout::kI32Fields, packet_layout::kI64Fields, packet_layout::kAddrStride, -1, -1});
}

// recv(arenaId, max) → packets read into the arena (0 when nothing is queued). With a ring it
// walks the ring (RecvRing); the caller reads again while the result is max either way.
Napi::Value PacketSocket::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "recvmmsg")) return env.Undefined();
  if (ring_.active()) return RecvRing(info);
  // MSG_TRUNC: on a packet socket msg_len is then the packet's full length.
  return ReceiveInto(info, arenas_, fd_.get(), MSG_DONTWAIT | MSG_TRUNC, "recvmmsg", packet_layout::kI64Fields,
                     [](Arena& a, unsigned i, const ReceivedSlot& s) {
                       const auto* sll = reinterpret_cast<const sockaddr_ll*>(&a.names[i]);
                       const bool have_sll = s.h.msg_namelen >= offsetof(sockaddr_ll, sll_addr);
                       WritePacketSlot(a, i,
                                       SlotFacts{s.cap_len, s.len, s.h.msg_flags, have_sll, have_sll ? sll->sll_ifindex : 0,
                                                 have_sll ? sll->sll_pkttype : -1,
                                                 static_cast<uint16_t>(have_sll ? ntohs(sll->sll_protocol) : 0)},
                                       s.meta);
                     });
}

// recv through the ring: up to max packets of the user-owned blocks, each copied into its slot
// (capped at the slot size) and written as recvmmsg's would be. The reader remembers where the
// arena filled up; a block goes back to the kernel once all its packets were copied.
Napi::Value PacketSocket::RecvRing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned max = 0;
  Arena* round = arenas_.BeginRound(info, &max);  // reads every JS input; nothing runs JS after it
  if (!round) return env.Undefined();
  if (max == 0) return Napi::Number::New(env, 0);
  Arena& a = *round;
  // Packet arenas are whole slots: registerArena refuses a denseSize for this socket kind, so the
  // data array holds count × slot_size bytes (checked again here, as every copy below relies on it).
  if (a.dense_size < a.slot_size) {
    ThrowCodedError(env, "ERR_INVALID_STATE", "recv: a packet socket's arena must have whole slots");
    return env.Undefined();
  }
  StartRound(a, packet_layout::kI64Fields);
  const bool stamps = ring_stamps_;
  unsigned i = 0;
  const unsigned n = ring_.reader().Read(max, [&](const packet_ring::Packet& p) {
    const size_t cap_len = std::min<size_t>(p.snaplen, a.slot_size);
    std::memcpy(a.data + static_cast<size_t>(i) * a.slot_size, p.data, cap_len);
    cmsg::RxMeta meta;
    if (stamps) {
      const int64_t ns = static_cast<int64_t>(p.sec) * 1000000000LL + p.nsec;
      if (p.status & TP_STATUS_TS_RAW_HARDWARE) {
        meta.present = cmsg::kHardwareTs;
        meta.hardware_ns = ns;
      } else {
        meta.present = cmsg::kSoftwareTs;
        meta.software_ns = ns;
      }
    }
    const bool cut = p.snaplen < p.len || cap_len < p.snaplen;
    WritePacketSlot(a, i, SlotFacts{cap_len, p.len, cut ? MSG_TRUNC : 0, true, p.ifindex, p.pkttype, p.protocol}, meta);
    i++;
  });
  return Napi::Number::New(env, n);
}

// setupRing(blockSize, blockCount, retireMs, hardware = false, timestamps = true) → { blockSize,
// blockCount, frameSize, bytes }: a TPACKET_V3 receive ring, before bind(), at most once. hardware
// asks for the NIC's stamp in the ring (PACKET_TIMESTAMP = SOF_TIMESTAMPING_RAW_HARDWARE) where it
// has one; timestamps = false leaves the packets' timestamps 0 (a capture with timestamps 'none').
// Arguments are checked before any syscall; a failed syscall throws Node-style (ENOMEM, EINVAL…)
// and leaves the socket a working recvmmsg socket.
Napi::Value PacketSocket::SetupRing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "setsockopt")) return env.Undefined();
  const bool types_ok = info.Length() >= 3 && info[0].IsNumber() && info[1].IsNumber() && info[2].IsNumber() &&
                        (IsUndefined(info, 3) || info[3].IsBoolean()) && (IsUndefined(info, 4) || info[4].IsBoolean());
  if (!types_ok) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "setupRing(blockSize: number, blockCount: number, retireMs: number, hardware?: boolean, timestamps?: boolean)");
    return env.Undefined();
  }
  packet_ring::Config c;
  const char* bad = packet_ring::Validate(info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().DoubleValue(),
                                          info[2].As<Napi::Number>().DoubleValue(), PageSize(), &c);
  if (bad) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", std::string("setupRing: ") + bad);
    return env.Undefined();
  }
  c.hardware = !IsUndefined(info, 3) && info[3].As<Napi::Boolean>().Value();
  const bool stamps = IsUndefined(info, 4) || info[4].As<Napi::Boolean>().Value();
  if (ring_.active() || bound_) {
    ThrowCodedError(env, "ERR_INVALID_STATE", ring_.active() ? "setupRing: the socket already has a ring" : "setupRing: must come before bind()");
    return env.Undefined();
  }
  const char* call = "setsockopt";
  const char* what = "";
  const int err = ring_.Setup(fd_.get(), c, &call, &what);
  if (err != 0) {
    ThrowErrno(env, err, call, what);
    return env.Undefined();
  }
  ring_stamps_ = stamps;
  corrupt_reported_ = 0;
  return MakeObject(env, {{"blockSize", Napi::Number::New(env, static_cast<double>(ring_.block_size()))},
                          {"blockCount", Napi::Number::New(env, static_cast<double>(ring_.block_count()))},
                          {"frameSize", Napi::Number::New(env, packet_ring::kFrameSize)},
                          {"bytes", Napi::Number::New(env, static_cast<double>(ring_.bytes()))}});
}

Napi::Value PacketSocket::CloseSocket(const Napi::CallbackInfo& info) {
  Napi::Value r = Close(info);
  arenas_.Clear();
  ring_.Unmap();
  return r;
}

namespace {
void InitPacketSocket(Napi::Env env, Napi::Object exports) { PacketSocket::Init(env, exports); }
}  // namespace
DISPTAP_REGISTER_MODULE(packet_socket, InitPacketSocket);

}  // namespace disptap
