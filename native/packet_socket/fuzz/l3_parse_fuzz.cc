// libFuzzer harness for the packet parser (excluded from the addon build: binding.gyp skips fuzz/).
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I native \
//     native/packet_socket/fuzz/l3_parse_fuzz.cc native/packet_socket/l3_parse.cc -o /tmp/l3fuzz
//   /tmp/l3fuzz -max_total_time=60
// The input's first two bytes are the ethertype; the rest is the packet, copied into an exactly
// sized heap buffer so ASan sees any read past its end.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "packet_socket/l3_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t ethertype = static_cast<uint16_t>((data[0] << 8) | data[1]);
  std::vector<uint8_t> pkt(data + 2, data + size);
  disptap::l3::Info info;
  disptap::l3::Parse(pkt.empty() ? nullptr : pkt.data(), pkt.size(), ethertype, &info);
  if (info.payload_offset < 0 || info.payload_len < 0 ||
      static_cast<size_t>(info.payload_offset) + static_cast<size_t>(info.payload_len) > pkt.size() + 0 ||
      (info.status == disptap::l3::Status::kUdp && static_cast<size_t>(info.payload_offset) > pkt.size()))
    abort();
  return 0;
}
