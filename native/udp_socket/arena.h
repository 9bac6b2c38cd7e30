// One receive arena: the JS-owned arrays one recvmmsg round writes into, plus the iovec/mmsghdr
// scaffolding that points at them. JS keeps the arrays; we keep references so they outlive us.
#pragma once
#include <napi.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cmsg/cmsg.h"
#include "common/errors.h"
#include "common/js_bytes.h"

namespace disptap {

// Address space for the tails of long datagrams: an anonymous private mapping, never an
// ArrayBuffer. V8 counts an ArrayBuffer's whole length as memory and answers growth with GCs; a
// thousand 64 KiB tails that short datagrams never touch are not memory, so V8 must not see them.
class OverflowMap {
 public:
  OverflowMap() = default;
  ~OverflowMap() { Reset(); }
  OverflowMap(const OverflowMap&) = delete;
  OverflowMap& operator=(const OverflowMap&) = delete;
  // false (errno set) when the mapping failed
  bool Map(size_t len) {
    Reset();
    void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    data_ = static_cast<uint8_t*>(p);
    len_ = len;
    return true;
  }
  uint8_t* data() const { return data_; }
  void Reset() {
    if (data_) ::munmap(data_, len_);
    data_ = nullptr;
    len_ = 0;
  }

 private:
  uint8_t* data_ = nullptr;
  size_t len_ = 0;
};

struct Arena {
  Napi::Reference<Napi::Value> keep[5];
  uint8_t* data = nullptr;
  // Bytes a datagram may have (maxMessageSize). With dense_size < slot_size the data array holds
  // count dense slots of dense_size bytes, and each datagram that goes past its dense slot continues
  // in its tail (slot_size - dense_size bytes) in `overflow`. A round with such long datagrams has
  // all its payloads packed end to end into a fresh ArrayBuffer (`packed`, see PackLongRound):
  // common rounds pay nothing, and V8 counts only memory that holds datagrams.
  size_t slot_size = 0;
  size_t dense_size = 0;
  OverflowMap overflow;
  bool has_long = false;  // the last round had a datagram past its dense slot
  Napi::Reference<Napi::Value> packed;  // the last round's packed payloads, until takePayloads()
  // Where a dense arena's i32 array keeps capLen and payloadOffset (ArenaShape), for the packing.
  int cap_len_field = -1;
  int payload_offset_field = -1;
  uint8_t* control = nullptr;
  size_t control_size = 0;
  int32_t* i32 = nullptr;
  int64_t* i64 = nullptr;  // slots, then one trailing value: readAt
  uint8_t* addr = nullptr;
  unsigned count = 0;
  // Bytes each kept array must still hold. JS can detach an arena's ArrayBuffer (structuredClone or
  // postMessage with a transfer list, e.g. of an RxBatch's buffers); its memory then belongs to
  // another ArrayBuffer and may be freed, so the pointers above are re-read before every round.
  size_t need[5] = {};
  // When all five arrays view one ArrayBuffer (as allocateArena makes them), only that buffer is
  // re-checked before a round: two N-API calls instead of ten.
  Napi::Reference<Napi::Value> shared;
  size_t shared_need = 0;
  size_t offset[5] = {};
  // Headers are built once (and again when the memory moved); after that a round only resets the
  // in/out lengths of the headers the kernel wrote last time.
  const uint8_t* built_data = nullptr;
  const uint8_t* built_control = nullptr;
  unsigned dirty = 0;
  std::vector<mmsghdr> msgs;
  std::vector<iovec> iov;
  std::vector<sockaddr_storage> names;
};

// Field counts of the layout an arena's arrays must hold (per socket kind).
struct ArenaShape {
  size_t i32_fields;
  size_t i64_fields;
  size_t addr_stride;
  // i32 fields a dense arena's packing rewrites; -1 for a socket kind that takes whole slots only
  // (registerArena refuses a denseSize below slotSize there).
  int cap_len_field;
  int payload_offset_field;
};

// registerArena(data, control, i32, i64, addr, slotSize, controlSize, count[, replaceId[, denseSize]]):
// checks types and sizes (throws and returns null on bad input) and keeps references to the arrays.
std::unique_ptr<Arena> ArenaFromArgs(const Napi::CallbackInfo& info, const ArenaShape& shape);
// Re-reads the pointers before a round; false when JS detached (transferred) or shrank an array.
bool RefreshArena(Arena& a);
void ThrowDetachedArena(Napi::Env env);

// The arenas one socket registered, by id. The table is their only owner: an arena is freed when
// it is replaced (registerArena with its id), as soon as its memory is found detached or shrunk
// (at the next registration, or at the round that finds it), and when the socket closes or is
// collected. Ids are never reused except by an explicit replacement, so a stale id names nothing
// rather than someone else's arena.
class ArenaTable {
 public:
  // registerArena(data, control, i32, i64, addr, slotSize, controlSize, count[, replaceId]) → id.
  // Throws (and returns an empty value) on bad input or an id this table never gave out.
  Napi::Value Register(const Napi::CallbackInfo& info, const ArenaShape& shape);
  // recv(arenaId, max?, ...): the arena named by info[0], re-checked and with its headers ready for
  // a round of at most *max slots (info[1], capped at the arena's size). Null with a JS exception
  // pending on an unknown or released id or on detached memory (that arena is released then).
  Arena* BeginRound(const Napi::CallbackInfo& info, unsigned* max);
  // takePayloads(arenaId) → the ArrayBuffer the last round's payloads were packed into, or null when
  // that round had no long datagram (its payloads are in the arena's data array). Taking it clears it.
  Napi::Value TakePayloads(const Napi::CallbackInfo& info);
  void Clear() { live_.clear(); }
  size_t size() const { return live_.size(); }

 private:
  void ReleaseDetached();

  std::unordered_map<uint32_t, std::unique_ptr<Arena>> live_;
  uint32_t next_id_ = 0;
};

// recvmmsg into the arena (retrying EINTR); returns its result, *err = its errno when negative.
int RecvRound(int fd, Arena& a, unsigned max, int flags, int* err);

// Where datagram i of the last round starts in the data array; cap_len is the bytes the slot holds
// (min(msg_len, slot_size)). A long one (past its dense slot) is noted for PackLongRound, which sets
// its final offset.
size_t PlacePayload(Arena& a, unsigned i, size_t cap_len);

// After a round with long datagrams: packs the n payloads end to end into a new ArrayBuffer (kept in
// a.packed) and rewrites their offsets. False with a JS exception pending when it cannot be made.
bool PackLongRound(napi_env env, Arena& a, unsigned n);

// What every socket kind reads from slot i of a round: its header, its control messages decoded,
// and its lengths (msg_len is the length on the wire, cap_len what the slot holds).
struct ReceivedSlot {
  const msghdr& h;
  cmsg::RxMeta meta;
  size_t ctrl_len;
  unsigned len;
  size_t cap_len;
};

// What every round does before it writes its slots, whatever fills them (recvmmsg, or a packet
// socket's mmap ring): readAt into the i64 value after the slots, and no packed payloads yet.
inline void StartRound(Arena& a, size_t i64_fields) {
  a.i64[a.count * i64_fields] = RealtimeNs();
  a.has_long = false;
  a.packed.Reset();
}

// One recv(arenaId, max, …) call of either socket kind: BeginRound, recvmmsg with `flags`, readAt
// into the i64 field after the slots, then decode(arena, i, slot) for each datagram; returns the
// count (0 when nothing is queued) or throws Node-style with `syscall`.
template <typename DecodeSlot>
Napi::Value ReceiveInto(const Napi::CallbackInfo& info, ArenaTable& table, int fd, int flags, const char* syscall,
                        size_t i64_fields, DecodeSlot&& decode) {
  Napi::Env env = info.Env();
  unsigned max = 0;
  Arena* round = table.BeginRound(info, &max);
  if (!round) return env.Undefined();
  if (max == 0) return Napi::Number::New(env, 0);
  Arena& a = *round;
  int err = 0;
  const int n = RecvRound(fd, a, max, flags, &err);
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) return Napi::Number::New(env, 0);
    ThrowErrno(env, err, syscall);
    return env.Undefined();
  }
  StartRound(a, i64_fields);
  for (int i = 0; i < n; i++) {
    const msghdr& h = a.msgs[i].msg_hdr;
    ReceivedSlot slot{h, {}, std::min<size_t>(h.msg_controllen, a.control_size), a.msgs[i].msg_len, 0};
    slot.cap_len = std::min<size_t>(slot.len, a.slot_size);
    // slot.meta was value-initialized just above
    cmsg::DecodeFresh(static_cast<const uint8_t*>(h.msg_control), h.msg_control ? slot.ctrl_len : 0, &slot.meta);
    decode(a, static_cast<unsigned>(i), slot);
  }
  if (a.has_long && !PackLongRound(env, a, static_cast<unsigned>(n))) return env.Undefined();
  return Napi::Number::New(env, n);
}

}  // namespace disptap
