// One receive arena: the JS-owned arrays one recvmmsg round writes into, plus the iovec/mmsghdr
// scaffolding that points at them. JS keeps the arrays; we keep references so they outlive us.
#pragma once
#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace disptap {

struct Arena {
  Napi::Reference<Napi::Value> keep[5];
  uint8_t* data = nullptr;
  size_t slot_size = 0;
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
};

// registerArena(data, control, i32, i64, addr, slotSize, controlSize, count): checks types and sizes
// (throws and returns null on bad input) and keeps references to the arrays.
std::unique_ptr<Arena> ArenaFromArgs(const Napi::CallbackInfo& info, const ArenaShape& shape);
// Re-reads the pointers before a round; false when JS detached (transferred) or shrank an array.
bool RefreshArena(Arena& a);
void ThrowDetachedArena(Napi::Env env);

using Arenas = std::vector<std::unique_ptr<Arena>>;
// recv(arenaId, max?, ...): the arena named by info[0], re-checked and with its headers ready for a
// round of at most *max slots (info[1], capped at the arena's size). Null with a JS exception pending
// on an unknown id or detached memory.
Arena* BeginRound(const Napi::CallbackInfo& info, Arenas& arenas, unsigned* max);
// recvmmsg into the arena (retrying EINTR); returns its result, *err = its errno when negative.
int RecvRound(int fd, Arena& a, unsigned max, int flags, int* err);

}  // namespace disptap
