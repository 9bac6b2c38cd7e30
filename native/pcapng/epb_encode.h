// Enhanced Packet Blocks for a passive capture's read round, straight from the capture arena:
// plain C++ without N-API (fuzzed alone). The JS side (src/pcapng/bulk-capture.ts) decides per
// packet what needs text or a table lookup — the interface block id and the metadata comment up to
// `read-delay=` — and this writes the bytes: block header, the packet as captured, the comment with
// its read delay, the extra comments of the packet's direction, the direction flag.
#pragma once
#include <cstddef>
#include <cstdint>

namespace disptap::pcapng {

// One capture arena (native/packet_socket/packet_layout.h): field f of slot i at [f * cap + i],
// packet i's bytes at data[i * slot_size].
struct CaptureArenaView {
  const int32_t* i32;
  size_t i32_len;  // elements
  const int64_t* i64;
  size_t i64_len;  // elements
  const uint8_t* data;
  size_t data_len;
  size_t cap;
  size_t slot_size;
};

struct EpbJob {
  const uint32_t* pick;  // slots to write, in order
  size_t n;
  const int32_t* iface_ids;   // n: the pcapng interface id of each
  const int32_t* prefix_ids;  // n: which prefix each one's metadata comment starts with
  const uint8_t* prefixes;    // the prefixes end to end
  size_t prefixes_len;
  const int32_t* prefix_offsets;  // prefix k is prefixes[offsets[k] .. offsets[k + 1])
  size_t n_prefix_offsets;
  const uint8_t* extra_in;  // encoded comment options after the metadata comment, by direction
  size_t extra_in_len;
  const uint8_t* extra_out;
  size_t extra_out_len;
  int64_t read_at;  // CLOCK_REALTIME ns of the read: the timestamp of a packet without a stamp
};

// Bytes one packet's block takes (for sizing `out`): prefix_len is its comment prefix's length.
size_t EpbSize(size_t cap_len, size_t prefix_len, bool has_read_delay, size_t extra_len);

// Writes the blocks of job.pick[0..n) into out; returns the bytes written, or -1 with *why set
// when an index, length or id is out of range, `out` is too small or shares memory with an input,
// the extras are not whole options, or a read delay is no int64 (nothing is read or written out of
// bounds either way).
int64_t EncodeCaptureEpbs(const CaptureArenaView& a, const EpbJob& job, uint8_t* out, size_t out_len, const char** why);

}  // namespace disptap::pcapng
