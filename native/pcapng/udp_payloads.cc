#include "pcapng/udp_payloads.h"

#include <cstring>

#include "common/bytes.h"

namespace disptap::pcapng {
namespace {

uint16_t Fold(uint64_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

uint64_t SumWords(const uint8_t* p, size_t len) {
  uint64_t sum = 0;
  size_t i = 0;
  // Byte pairs as big-endian words: the compiler vectorises this loop.
  for (; i + 1 < len; i += 2) sum += static_cast<uint32_t>(p[i]) << 8 | p[i + 1];
  if (i < len) sum += static_cast<uint32_t>(p[i]) << 8;
  return sum;
}

int64_t CopyUdpPayloads(const UdpPayloadJob& job, uint8_t* out, size_t out_len, const char** why) {
  const struct {
    const void* p;
    size_t n;
  } inputs[] = {{job.src, job.src_len},
                {job.src_off, job.n * sizeof(uint32_t)},
                {job.len, job.n * sizeof(uint32_t)},
                {job.dst_off, job.n * sizeof(uint32_t)},
                {job.partial, job.n * sizeof(int32_t)}};
  for (const auto& input : inputs) {
    if (bytes::Overlaps(out, out_len, input.p, input.n)) {
      *why = "the output buffer shares memory with an input";
      return -1;
    }
  }
  // Every entry first: a job that fails writes nothing. (The arrays are read again below: a
  // SharedArrayBuffer may change meanwhile, so each entry is checked again as it is used.)
  for (size_t k = 0; k < job.n; k++) {
    const size_t from = job.src_off[k], len = job.len[k], to = job.dst_off[k];
    if (from > job.src_len || len > job.src_len - from) {
      *why = "a payload is outside the source bytes";
      return -1;
    }
    if (to < 2 || to > out_len || len > out_len - to) {
      *why = "a payload or its checksum field is outside the output buffer";
      return -1;
    }
    if (job.partial[k] < -1) {
      *why = "a partial checksum is below -1";
      return -1;
    }
  }
  for (size_t k = 0; k < job.n; k++) {
    const size_t from = job.src_off[k], len = job.len[k], to = job.dst_off[k];
    const int32_t partial = job.partial[k];
    if (from > job.src_len || len > job.src_len - from || to < 2 || to > out_len || len > out_len - to || partial < -1) {
      *why = "an entry changed while it was being copied";
      return -1;
    }
    // (memcpy's pointers must not be null even for 0 bytes: an empty typed array may have none)
    if (len) std::memcpy(out + to, job.src + from, len);
    if (partial < 0) continue;
    uint16_t ck = static_cast<uint16_t>(~Fold(static_cast<uint64_t>(partial) + SumWords(out + to, len)));
    if (ck == 0) ck = 0xffff;  // RFC 768: a computed 0 is sent as all ones
    out[to - 2] = static_cast<uint8_t>(ck >> 8);
    out[to - 1] = static_cast<uint8_t>(ck);
  }
  return static_cast<int64_t>(job.n);
}

}  // namespace disptap::pcapng
