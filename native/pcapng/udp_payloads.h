// The byte work of a bound socket's pcapng blocks (src/pcapng/bulk.ts): each datagram's payload
// copied from the receive batch into its block, and its UDP checksum completed. Plain C++ without
// N-API (fuzzed alone). JS writes the headers and comments and knows where each payload goes and
// the checksum's sum over the pseudo-header and UDP header; this adds the payload's words.
#pragma once
#include <cstddef>
#include <cstdint>

namespace disptap::pcapng {

struct UdpPayloadJob {
  const uint8_t* src;  // the batch's payload bytes
  size_t src_len;
  const uint32_t* src_off;  // n: where datagram k's payload starts in src
  const uint32_t* len;      // n: its length
  const uint32_t* dst_off;  // n: where it goes in out; the checksum field is the 2 bytes before it
  const int32_t* partial;   // n: the checksum's sum so far (unfolded, ≥ 0), or -1: no checksum
  size_t n;
};

// Checks every entry, then copies the payloads into out and writes each checksum (big-endian,
// 0 sent as 0xffff). Returns n, or -1 with *why set when an entry is out of range (a payload
// outside src or out, a checksum field before out, a partial sum below -1) or `out` shares memory
// with an input; then nothing is written (unless another thread changes a shared input meanwhile:
// then it stops at that entry). Nothing outside the arrays is read or written either way.
int64_t CopyUdpPayloads(const UdpPayloadJob& job, uint8_t* out, size_t out_len, const char** why);

// The ones'-complement sum of the big-endian 16-bit words of p[0..len) (an odd byte padded with
// zero), unfolded.
uint64_t SumWords(const uint8_t* p, size_t len);

}  // namespace disptap::pcapng
