// libFuzzer harness for EncodeCaptureEpbs (native/pcapng/epb_encode.h), the byte work behind the
// JS binding encodeCaptureEpbs (excluded from the addon build: binding.gyp skips fuzz/).
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I native \
//     native/pcapng/fuzz/epb_encode_fuzz.cc native/pcapng/epb_encode.cc -o /tmp/epbfuzz
//   /tmp/epbfuzz -max_total_time=60 fuzz/corpus/pcapng
// (or `bash fuzz/run.sh pcapng`). Seeds: fuzz/pcapng-seeds.mjs writes fuzz/corpus/pcapng/.
//
// The input describes one call; read front to back, little-endian, missing bytes read as 0:
//   u8 cap - 1 (cap 1..64) | u16 slot size (% 2049; 0xfffe SIZE_MAX, 0xffff 2^62: the product
//   (i + 1) * slot wraps) | u8 flags: bit 0 the i32 column is u8+1 elements short, bit 1 the i64
//   column u8+1 short, bit 2 the data column u16+1 bytes short (those amounts follow, in that
//   order), bit 3 `out` at an odd address, bit 4 data / prefixes / extras at odd addresses, bit 5
//   one input array shares an allocation with `out`, starting u16 bytes into it (u8 % 10 says
//   which: i32, i64, data, pick, interface ids, prefix ids, prefixes, offsets, extras in, extras
//   out; these two follow the amounts) |
//   stamp read_at | per slot: u16 capLen (≥ 0xfff0 negative, 0xffef INT32_MAX), i16 origLen,
//   i16 ipLength, u8 pktType, stamp software, stamp hardware | u8 prefix count (% 17), each: u8
//   length (0xff: a long one of 65499 + u8 % 5 bytes, at the 0xffff option limit) and its bytes |
//   u8 offsets mode (% 8: 5 no offsets, 6 offset [u8] set to i32, 7 prefixes u8+1 bytes short) |
//   extras in, extras out: u8 mode (% 4: 0 none, 1 u8 % 4 comments of u8 bytes, 2 u8 raw bytes,
//   3 one option with code u16 and u8 bytes) | u8 n, per pick: u8 slot (≥ 0xf0 out of range),
//   u8 interface id (≥ 0xf8 negative), u8 prefix id (≥ 0xf0 out of range or negative) | u8 out_len
//   mode (% 8: 0-3 what JS reserves, 4 that minus u8 % 8 + 1, 5 plus u8, 6 u16, 7 zero).
//   A stamp is u8 mode (% 6): 0 zero, 1 read_at − u32, 2 any i64, 3 read_at + u16, 4 INT64_MIN,
//   5 INT64_MAX; read_at is u8 mode (% 5): 0 1.7e18 + u32, 1 any i64, 2 zero, 3 INT64_MIN,
//   4 INT64_MAX.
//
// Every array is allocated with exactly its stated length (and an empty one has no memory at
// all, as an empty typed array may have none), so ASan sees any access outside it. Invariants
// (abort on violation):
//   * success exactly when an independent check of the job says it is valid (every column long
//     enough, prefix offsets non-decreasing from ≥ 0 and inside the table with each prefix short
//     enough for a comment option, every pick inside the arena with 0 ≤ capLen ≤ slot size and
//     its slot inside the data column, every interface id ≥ 0 and prefix id in the table, extras
//     a list of well-formed options, read_at − software an int64, `out` sharing no byte with any
//     input, and each block's reserve — the size bulk-capture.ts reserves — fitting after the
//     blocks before it);
//   * on success: the return value ≤ out_len and the output is exactly n Enhanced Packet Blocks,
//     one per pick in order: type 6, the same total length at both ends, a multiple of 4, the
//     interface id, the timestamp (hardware, else software, else read_at), captured length ==
//     capLen and the slot's bytes, original length max(origLen, ipLength, capLen), zero padding,
//     then the options: a comment that is the prefix followed, when the software stamp is
//     nonzero, by " read-delay=<read_at − software>ns", the extras of the packet's direction, the
//     direction flag (outbound for pktType 4) and opt_endofopt;
//   * on failure: `why` is set and non-empty.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "packet_socket/packet_layout.h"
#include "pcapng/epb_encode.h"

namespace {

namespace pl = disptap::packet_layout;
namespace pc = disptap::pcapng;

[[noreturn]] void Fail(const char* what, size_t at) {
  std::fprintf(stderr, "epb_encode_fuzzer: invariant violated: %s (at %zu)\n", what, at);
  std::abort();
}
#define CHECK(cond, at)             \
  do {                              \
    if (!(cond)) Fail(#cond, (at)); \
  } while (0)

// The fuzz input, read front to back; past its end every byte reads as 0.
struct Input {
  const uint8_t* p;
  size_t n;
  size_t at = 0;
  uint8_t U8() { return at < n ? p[at++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() | U8() << 8); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) | static_cast<uint32_t>(U16()) << 16; }
  uint64_t U64() { return static_cast<uint64_t>(U32()) | static_cast<uint64_t>(U32()) << 32; }
};

// Bytes of an array "at an odd address": one byte more, used from the second.
struct ByteArray {
  std::unique_ptr<uint8_t[]> mem;
  uint8_t* p = nullptr;
  size_t n = 0;
  ByteArray(const std::vector<uint8_t>& v, bool odd) : n(v.size()) {
    if (n == 0) return;  // no memory: p stays null, as an empty typed array's may be
    mem.reset(new uint8_t[n + (odd ? 1 : 0)]);
    p = mem.get() + (odd ? 1 : 0);
    std::memcpy(p, v.data(), n);
  }
};

// Null for an empty vector, whatever the library does.
template <typename T>
const T* Ptr(const std::vector<T>& v) {
  return v.empty() ? nullptr : v.data();
}

int64_t Stamp(Input& in, int64_t read_at) {
  switch (in.U8() % 6) {
    case 0:
      return 0;
    case 1:
      return static_cast<int64_t>(static_cast<uint64_t>(read_at) - in.U32());
    case 2:
      return static_cast<int64_t>(in.U64());
    case 3:
      return static_cast<int64_t>(static_cast<uint64_t>(read_at) + in.U16());
    case 4:
      return INT64_MIN;
    default:
      return INT64_MAX;
  }
}

int64_t ReadAt(Input& in) {
  switch (in.U8() % 5) {
    case 0:
      return 1700000000000000000 + static_cast<int64_t>(in.U32());
    case 1:
      return static_cast<int64_t>(in.U64());
    case 2:
      return 0;
    case 3:
      return INT64_MIN;
    default:
      return INT64_MAX;
  }
}

void PutOption(std::vector<uint8_t>* o, uint16_t code, const std::vector<uint8_t>& value) {
  o->push_back(static_cast<uint8_t>(code));
  o->push_back(static_cast<uint8_t>(code >> 8));
  o->push_back(static_cast<uint8_t>(value.size()));
  o->push_back(static_cast<uint8_t>(value.size() >> 8));
  o->insert(o->end(), value.begin(), value.end());
  while (o->size() % 4) o->push_back(0);
}

std::vector<uint8_t> Bytes(Input& in, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = in.U8();
  return v;
}

std::vector<uint8_t> Extras(Input& in) {
  std::vector<uint8_t> o;
  switch (in.U8() % 4) {
    case 0:
      break;
    case 1:
      for (int k = in.U8() % 4; k > 0; k--) PutOption(&o, 1, Bytes(in, in.U8()));
      break;
    case 2:
      o = Bytes(in, in.U8());
      break;
    default: {
      const uint16_t code = in.U16();
      PutOption(&o, code, Bytes(in, in.U8()));
      break;
    }
  }
  return o;
}

// A list of options none of which ends the list: each a code ≠ 0 and a value padded to 4 bytes,
// exactly filling the bytes.
bool WellFormedOptions(const std::vector<uint8_t>& o) {
  size_t k = 0;
  while (k < o.size()) {
    if (o.size() - k < 4) return false;
    const uint16_t code = static_cast<uint16_t>(o[k] | o[k + 1] << 8);
    const size_t len = static_cast<size_t>(o[k + 2] | o[k + 3] << 8);
    if (code == 0 || o.size() - k - 4 < ((len + 3) & ~size_t{3})) return false;
    k += 4 + ((len + 3) & ~size_t{3});
  }
  return true;
}

size_t Pad4(size_t n) { return (n + 3) & ~size_t{3}; }
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

// Decimal text of a value that may be outside int64.
std::string Decimal128(__int128 v) {
  const bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  return neg ? "-" + s : s;
}

constexpr size_t kDelayReserve = 12 + 1 + 19 + 2;  // what bulk-capture.ts reserves for the delay text
constexpr char kReadDelay[] = " read-delay=";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  Input in{input, size};
  const size_t cap = 1 + in.U8() % 64;
  const uint16_t slot_sel = in.U16();
  const size_t slot = slot_sel == 0xffff ? (size_t{1} << 62) : slot_sel == 0xfffe ? SIZE_MAX : slot_sel % 2049;
  const uint8_t flags = in.U8();
  const size_t i32_short = (flags & 1) ? 1 + size_t{in.U8()} : 0;
  const size_t i64_short = (flags & 2) ? 1 + size_t{in.U8()} : 0;
  const size_t data_short = (flags & 4) ? 1 + size_t{in.U16()} : 0;
  const bool out_odd = flags & 8;
  const bool bytes_odd = flags & 16;
  const bool share = flags & 32;
  const size_t share_which = share ? in.U8() % 10 : 0;
  const size_t share_at = share ? in.U16() : 0;
  const int64_t read_at = ReadAt(in);

  // The arena, field-major; the columns the encoder does not read hold a pattern.
  const size_t i32_full = pl::kI32Fields * cap, i64_full = pl::kI64Fields * cap;
  std::vector<int32_t> i32(i32_full, 0x5a5a5a5a);
  std::vector<int64_t> i64(i64_full, 0);
  for (size_t i = 0; i < cap; i++) {
    const uint16_t c = in.U16();
    i32[pl::kCapLen * cap + i] = c == 0xffef ? INT32_MAX : c >= 0xfff0 ? -static_cast<int32_t>(c & 0xf) - 1 : c;
    i32[pl::kOrigLen * cap + i] = static_cast<int16_t>(in.U16());
    i32[pl::kIpLength * cap + i] = static_cast<int16_t>(in.U16());
    i32[pl::kPktType * cap + i] = in.U8();
    i64[pl::kSoftware * cap + i] = Stamp(in, read_at);
    i64[pl::kHardware * cap + i] = Stamp(in, read_at);
  }
  // (copies of what the encoder may read, before a column is cut short)
  const std::vector<int32_t> i32_all = i32;
  const std::vector<int64_t> i64_all = i64;
  i32.resize(i32_full - std::min(i32_short, i32_full));
  i64.resize(i64_full - std::min(i64_short, i64_full));
  // The data column: cap slots (when that is a sane size), the bytes a pattern of slot and offset.
  const size_t data_full = slot <= 2048 ? cap * slot : cap * 2048;
  static const std::vector<uint8_t> pattern = [] {
    std::vector<uint8_t> v(64 * 2048);
    for (size_t k = 0; k < v.size(); k++) v[k] = static_cast<uint8_t>(k * 131 + (k >> 8) * 7 + 1);
    return v;
  }();
  const std::vector<uint8_t> data_v(pattern.begin(), pattern.begin() + (data_full - std::min(data_short, data_full)));

  // The prefix table.
  const size_t np = in.U8() % 17;
  std::vector<uint8_t> prefixes_v;
  std::vector<int32_t> offsets(np + 1, 0);
  for (size_t k = 0; k < np; k++) {
    const uint8_t l = in.U8();
    if (l == 0xff) {
      const size_t len = 0xffff - kDelayReserve - 2 + in.U8() % 5;
      prefixes_v.insert(prefixes_v.end(), pattern.begin(), pattern.begin() + len);
    } else {
      const std::vector<uint8_t> b = Bytes(in, l);
      prefixes_v.insert(prefixes_v.end(), b.begin(), b.end());
    }
    offsets[k + 1] = static_cast<int32_t>(prefixes_v.size());
  }
  switch (in.U8() % 8) {
    case 5:
      offsets.clear();
      break;
    case 6: {
      const size_t k = in.U8() % offsets.size();
      offsets[k] = static_cast<int32_t>(in.U32());
      break;
    }
    case 7:
      prefixes_v.resize(prefixes_v.size() - std::min(prefixes_v.size(), 1 + size_t{in.U8()}));
      break;
    default:
      break;
  }
  const std::vector<uint8_t> extra_in_v = Extras(in);
  const std::vector<uint8_t> extra_out_v = Extras(in);

  const size_t n = in.U8();
  std::vector<uint32_t> pick(n);
  std::vector<int32_t> iface_ids(n), prefix_ids(n);
  for (size_t j = 0; j < n; j++) {
    const uint8_t s = in.U8();
    pick[j] = s < 0xf0 ? s % cap : s == 0xff ? UINT32_MAX : static_cast<uint32_t>(cap + (s & 0xf));
    const uint8_t f = in.U8();
    iface_ids[j] = f < 0xf8 ? f : f == 0xff ? INT32_MIN : -static_cast<int32_t>(f & 7) - 1;
    const uint8_t p = in.U8();
    prefix_ids[j] = p < 0xf0 ? static_cast<int32_t>(p % (np ? np : 1))
                    : p < 0xf8 ? static_cast<int32_t>(np + (p & 7))
                               : -static_cast<int32_t>(p & 7) - 1;
  }

  // The independent check of the job, and the bytes JS would reserve (valid picks only).
  const size_t n_offsets = offsets.size();
  const size_t n_prefixes = n_offsets ? n_offsets - 1 : 0;
  bool ok = i32.size() >= i32_full && i64.size() >= i64_full && n_offsets >= 1 && offsets[0] >= 0;
  for (size_t k = 0; ok && k < n_prefixes; k++)
    ok = offsets[k + 1] >= offsets[k] && static_cast<size_t>(offsets[k + 1]) <= prefixes_v.size() &&
         static_cast<size_t>(offsets[k + 1] - offsets[k]) + kDelayReserve <= 0xffff;
  ok = ok && WellFormedOptions(extra_in_v) && WellFormedOptions(extra_out_v);
  std::vector<size_t> reserve(n, 0), actual(n, 0);
  std::vector<std::string> delay(n);
  size_t reserved = 0;
  for (size_t j = 0; j < n; j++) {
    const uint32_t i = pick[j];
    if (i >= cap) {
      ok = false;
      continue;
    }
    const int32_t c = i32_all[pl::kCapLen * cap + i];
    const int64_t sw = i64_all[pl::kSoftware * cap + i];
    const bool out_dir = i32_all[pl::kPktType * cap + i] == 4;
    const int32_t p = prefix_ids[j];
    const bool p_ok = n_offsets >= 1 && p >= 0 && static_cast<size_t>(p) < n_prefixes;
    if (c < 0 || static_cast<size_t>(c) > slot ||
        static_cast<unsigned __int128>(i + 1) * slot > static_cast<unsigned __int128>(data_v.size()) || !p_ok ||
        iface_ids[j] < 0)
      ok = false;
    const __int128 d = static_cast<__int128>(read_at) - sw;
    if (sw != 0 && (d > INT64_MAX || d < INT64_MIN)) ok = false;
    if (sw != 0) delay[j] = kReadDelay + Decimal128(d) + "ns";
    // offsets[p] and offsets[p + 1] only mean something for a valid table; bound them anyway
    size_t plen = 0;
    if (p_ok && offsets[p + 1] >= offsets[p]) plen = static_cast<size_t>(offsets[p + 1]) - static_cast<size_t>(offsets[p]);
    const size_t cl = c < 0 ? 0 : static_cast<size_t>(c);
    const size_t extra = out_dir ? extra_out_v.size() : extra_in_v.size();
    reserve[j] = 28 + Pad4(cl) + 4 + Pad4(plen + (sw != 0 ? kDelayReserve : 0)) + extra + 16;
    actual[j] = 28 + Pad4(cl) + 4 + Pad4(plen + delay[j].size()) + extra + 16;
    reserved += reserve[j];
  }
  size_t out_len = 0;
  switch (in.U8() % 8) {
    case 4: {
      const size_t less = 1 + in.U8() % 8;
      out_len = reserved - std::min(reserved, less);
      break;
    }
    case 5:
      out_len = reserved + in.U8();
      break;
    case 6:
      out_len = in.U16();
      break;
    case 7:
      out_len = 0;
      break;
    default:
      out_len = reserved;
      break;
  }
  // (a reserve made from a broken job can be gigabytes, and a small `out` fails it as well; a
  // valid job needs < 18 MiB)
  out_len = std::min(out_len, ok ? size_t{1} << 25 : size_t{1} << 16);
  // Each block's reserve must fit after the blocks written before it.
  size_t before = 0;
  for (size_t j = 0; ok && j < n; j++) {
    if (before > out_len || out_len - before < reserve[j]) ok = false;
    before += actual[j];
  }

  // Exactly sized arrays; `out` possibly at an odd address.
  const ByteArray data(data_v, bytes_odd), prefixes(prefixes_v, bytes_odd), extra_in(extra_in_v, bytes_odd),
      extra_out(extra_out_v, bytes_odd);
  struct Arr {
    const void* p;
    size_t bytes;
    size_t align;
  } arrs[] = {{Ptr(i32), i32.size() * 4, 4},       {Ptr(i64), i64.size() * 8, 8},
              {data.p, data.n, 1},                 {Ptr(pick), n * 4, 4},
              {Ptr(iface_ids), n * 4, 4},          {Ptr(prefix_ids), n * 4, 4},
              {prefixes.p, prefixes.n, 1},         {Ptr(offsets), n_offsets * 4, 4},
              {extra_in.p, extra_in.n, 1},         {extra_out.p, extra_out.n, 1}};
  std::unique_ptr<uint8_t[]> out_mem;
  std::unique_ptr<uint64_t[]> shared;
  uint8_t* out = nullptr;
  if (share) {
    // One allocation for `out` and a copy of one input that starts share_at bytes into it: the two
    // overlap when that is inside `out`, which the encoder must refuse before writing a byte.
    Arr& x = arrs[share_which];
    const size_t at = share_at & ~(x.align - 1);
    const size_t total = std::max(out_len, at + x.bytes);
    shared.reset(new uint64_t[(total + 7) / 8 + 1]);
    out = reinterpret_cast<uint8_t*>(shared.get());
    std::memset(out, 0xee, total);
    if (x.bytes) {
      std::memcpy(out + at, x.p, x.bytes);
      x.p = out + at;
    }
    if (out_len && x.bytes && at < out_len) ok = false;
  } else if (out_len) {
    out_mem.reset(new uint8_t[out_len + (out_odd ? 1 : 0)]);
    out = out_mem.get() + (out_odd ? 1 : 0);
    std::memset(out, 0xee, out_len);
  }

  const pc::CaptureArenaView a{static_cast<const int32_t*>(arrs[0].p), i32.size(), static_cast<const int64_t*>(arrs[1].p),
                               i64.size(), static_cast<const uint8_t*>(arrs[2].p), data.n, cap, slot};
  const pc::EpbJob job{static_cast<const uint32_t*>(arrs[3].p), n, static_cast<const int32_t*>(arrs[4].p),
                       static_cast<const int32_t*>(arrs[5].p), static_cast<const uint8_t*>(arrs[6].p), prefixes.n,
                       static_cast<const int32_t*>(arrs[7].p), n_offsets, static_cast<const uint8_t*>(arrs[8].p),
                       extra_in.n, static_cast<const uint8_t*>(arrs[9].p), extra_out.n, read_at};
  const char* why = nullptr;
  const int64_t r = pc::EncodeCaptureEpbs(a, job, out, out_len, &why);
  // EPB_FUZZ_VERBOSE=1 ./fuzzer seed…: what each input made of the call (for checking seeds)
  static const bool verbose = std::getenv("EPB_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "cap %zu slot %zu n %zu prefixes %zu extras %zu/%zu out_len %zu reserved %zu: %s %lld %s\n", cap, slot, n,
                 n_prefixes, extra_in_v.size(), extra_out_v.size(), out_len, reserved, ok ? "valid" : "invalid",
                 static_cast<long long>(r), r < 0 && why ? why : "");
  if (r < 0) {
    CHECK(r == -1, 0);
    CHECK(why != nullptr && why[0] != '\0', 0);
    CHECK(!ok, 0);  // refused a valid job
    return 0;
  }
  CHECK(ok, 0);  // accepted an invalid job
  CHECK(static_cast<uint64_t>(r) <= out_len, 0);

  // The output: n blocks, nothing else.
  size_t off = 0;
  for (size_t j = 0; j < n; j++) {
    const uint32_t i = pick[j];
    const size_t c = static_cast<size_t>(i32_all[pl::kCapLen * cap + i]);
    const int64_t sw = i64_all[pl::kSoftware * cap + i];
    const int64_t hw = i64_all[pl::kHardware * cap + i];
    const bool outgoing = i32_all[pl::kPktType * cap + i] == 4;
    const std::vector<uint8_t>& extra = outgoing ? extra_out_v : extra_in_v;
    CHECK(static_cast<size_t>(r) - off >= 32, off);
    const uint8_t* b = out + off;
    const uint32_t total = Le32(b + 4);
    CHECK(Le32(b) == 6, off);
    CHECK(total % 4 == 0 && total >= 32 && total <= static_cast<size_t>(r) - off, off);
    CHECK(Le32(b + total - 4) == total, off);
    CHECK(total == actual[j], off);
    CHECK(Le32(b + 8) == static_cast<uint32_t>(iface_ids[j]), off);
    const uint64_t ts = static_cast<uint64_t>(hw != 0 ? hw : sw != 0 ? sw : read_at);
    CHECK(Le32(b + 12) == static_cast<uint32_t>(ts >> 32) && Le32(b + 16) == static_cast<uint32_t>(ts), off);
    CHECK(Le32(b + 20) == c, off);
    int64_t wire = i32_all[pl::kOrigLen * cap + i];
    if (i32_all[pl::kIpLength * cap + i] > wire) wire = i32_all[pl::kIpLength * cap + i];
    if (static_cast<int64_t>(c) > wire) wire = static_cast<int64_t>(c);
    CHECK(Le32(b + 24) == static_cast<uint32_t>(wire), off);
    CHECK(c == 0 || std::memcmp(b + 28, data_v.data() + i * slot, c) == 0, off);
    size_t at = 28 + c;
    for (; at < 28 + Pad4(c); at++) CHECK(b[at] == 0, off + at);
    // the metadata comment
    const size_t plen = static_cast<size_t>(offsets[prefix_ids[j] + 1] - offsets[prefix_ids[j]]);
    const uint8_t* prefix = prefixes_v.data() + offsets[prefix_ids[j]];
    CHECK(total - at >= 4, off + at);
    CHECK(Le16(b + at) == 1, off + at);
    const size_t mlen = Le16(b + at + 2);
    CHECK(mlen == plen + delay[j].size(), off + at);
    CHECK(total - at - 4 >= Pad4(mlen), off + at);
    CHECK(plen == 0 || std::memcmp(b + at + 4, prefix, plen) == 0, off + at);
    CHECK(delay[j].empty() || std::memcmp(b + at + 4 + plen, delay[j].data(), delay[j].size()) == 0, off + at);
    at += 4 + mlen;
    for (; at % 4; at++) CHECK(b[at] == 0, off + at);
    // the extras, as given
    CHECK(total - at >= extra.size() + 16, off + at);
    CHECK(extra.empty() || std::memcmp(b + at, extra.data(), extra.size()) == 0, off + at);
    at += extra.size();
    // the direction flag, opt_endofopt, the trailing length
    CHECK(Le16(b + at) == 2 && Le16(b + at + 2) == 4 && Le32(b + at + 4) == (outgoing ? 2u : 1u), off + at);
    CHECK(Le32(b + at + 8) == 0, off + at);
    CHECK(at + 16 == total, off + at);
    // and the options read as a list that ends with opt_endofopt right before the trailer
    size_t k = 28 + Pad4(c);
    for (;;) {
      CHECK(total - 4 - k >= 4, off + k);
      const uint16_t code = Le16(b + k);
      const size_t len = Le16(b + k + 2);
      if (code == 0) {
        CHECK(len == 0 && k + 4 == total - 4, off + k);
        break;
      }
      CHECK(total - 4 - k - 4 >= Pad4(len), off + k);
      k += 4 + Pad4(len);
    }
    off += total;
  }
  CHECK(off == static_cast<size_t>(r), off);
  return 0;
}
