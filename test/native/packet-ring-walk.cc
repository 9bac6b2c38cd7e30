// Replays ring images (fuzz/corpus/ring/*.bin, the fuzz target's input format) through the ring
// walker (native/packet_socket/packet_ring.h) and prints what it did as one JSON line per file, for
// test/native/packet-ring-walk.test.ts: the packets each Read took, the corrupt blocks, and the
// block statuses afterwards.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "packet_socket/packet_ring.h"

namespace ring = disptap::packet_ring;

int main(int argc, char** argv) {
  for (int a = 1; a < argc; a++) {
    std::ifstream f(argv[a], std::ios::binary);
    std::vector<uint8_t> d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (d.size() < 3) return 2;
    const size_t bs = size_t{64} << (d[0] % 6), bc = 1 + d[1] % 4;
    const unsigned max = 1 + d[2] % 16;
    std::vector<uint64_t> storage(bs * bc / 8, 0);
    uint8_t* mem = reinterpret_cast<uint8_t*>(storage.data());
    std::memcpy(mem, d.data() + 3, std::min(d.size() - 3, bs * bc));
    ring::RingReader r(mem, bs, bc);
    auto statuses = [&] {
      std::printf("[");
      for (size_t b = 0; b < bc; b++) {
        uint32_t st;
        std::memcpy(&st, mem + b * bs + offsetof(tpacket_block_desc, hdr.bh1.block_status), 4);
        std::printf("%s%u", b ? "," : "", st);
      }
      std::printf("]");
    };
    const char* name = std::strrchr(argv[a], '/');
    std::printf("{\"file\":\"%s\",\"reads\":[", name ? name + 1 : argv[a]);
    for (int round = 0;; round++) {
      std::printf("%s{\"packets\":[", round ? "," : "");
      bool first = true;
      const unsigned n = r.Read(max, [&](const ring::Packet& p) {
        std::printf("%s{\"block\":%zu,\"offset\":%zu,\"snaplen\":%u,\"len\":%u,\"proto\":%u,\"pkttype\":%u,\"ifindex\":%d,\"sec\":%u,\"nsec\":%u}",
                    first ? "" : ",", r.block(), static_cast<size_t>(p.data - mem) % bs, p.snaplen, p.len, p.protocol,
                    p.pkttype, p.ifindex, p.sec, p.nsec);
        first = false;
      });
      std::printf("],\"status\":");
      statuses();
      std::printf("}");
      if (n == 0 || round > 1000) break;
    }
    std::printf("],\"corrupt\":%llu}\n", static_cast<unsigned long long>(r.corrupt_blocks()));
  }
  return 0;
}
