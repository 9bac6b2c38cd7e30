// libFuzzer harness for the TPACKET_V3 ring walker (excluded from the addon build: binding.gyp skips fuzz/).
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I native \
//     native/packet_socket/fuzz/packet_ring_fuzz.cc native/packet_socket/packet_ring.cc -o /tmp/ringfuzz
//   /tmp/ringfuzz -max_total_time=60 fuzz/corpus/ring
// (or `bash fuzz/run.sh ring`). Seeds: fuzz/ring-seeds.mjs writes fuzz/corpus/ring/.
// Input: byte 0 picks the block size (64 << (b % 6): 64..2048 bytes, smaller than the kernel's
// page-sized blocks so the fuzzer controls whole rings), byte 1 the block count (1..4), byte 2 the
// packets per Read (1..16); the rest is the ring's memory (block descriptors, tpacket3_hdr +
// sockaddr_ll + data), copied into an exactly sized heap buffer, zero-filled past the input, so
// ASan sees any access outside the ring.
//
// Invariants (abort on violation): every packet handed out lies inside the block being read, and
// inside the ring; a Read returns at most max; the walk ends (each block is handed back once, and a
// handed-back block is not read again); what was handed back says TP_STATUS_KERNEL.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "packet_socket/packet_ring.h"

namespace ring = disptap::packet_ring;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const size_t block_size = size_t{64} << (data[0] % 6);
  const size_t block_count = 1 + data[1] % 4;
  const unsigned max = 1 + data[2] % 16;
  const size_t len = block_size * block_count;
  // uint64_t storage: 8-byte aligned, as a mapping is page aligned
  std::vector<uint64_t> storage(len / 8, 0);
  uint8_t* mem = reinterpret_cast<uint8_t*>(storage.data());
  std::memcpy(mem, data + 3, std::min(size - 3, len));

  ring::RingReader reader(mem, block_size, block_count);
  volatile uint8_t sink = 0;
  // A block holds at most one packet per header-and-sockaddr_ll after its descriptor, and each is
  // read once: more packets, or more rounds, than that is a loop.
  const size_t most = block_count * (block_size / ring::kMinMacOffset + 1);
  size_t total = 0;
  for (size_t rounds = 0;; rounds++) {
    if (rounds > most + 1) abort();
    const unsigned n = reader.Read(max, [&](const ring::Packet& p) {
      // the block being read: the reader moves on only after the take
      const uint8_t* b = mem + reader.block() * block_size;
      if (p.data < b + ring::kBlockDescLen + ring::kMinMacOffset || p.data > b + block_size ||
          p.snaplen > static_cast<size_t>(b + block_size - p.data))
        abort();
      for (uint32_t i = 0; i < p.snaplen; i++) sink = sink + p.data[i];
      total++;
    });
    if (n > max || total > most) abort();
    if (n == 0) break;
  }
  // Every block the walker passed is the kernel's again: reading again finds nothing.
  if (reader.Read(max, [](const ring::Packet&) { abort(); }) != 0) abort();
  (void)sink;
  return 0;
}
