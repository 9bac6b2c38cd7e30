// A TPACKET_V3 receive ring (PACKET_RX_RING) for an AF_PACKET socket. The kernel copies each packet
// that passed the socket's filter into a block of a ring we mmap'd, in the context that handled the
// packet (the sender's, on lo); the reader only walks memory, block by block, and hands each block
// back when it has taken all its packets. Plain C++ with no N-API so it can be tested and fuzzed
// alone (native/packet_socket/fuzz/packet_ring_fuzz.cc).
//
// Contract of the walker (RingReader): it never reads or writes outside the ring's memory, whatever
// the bytes of a user-owned block say. Every offset in a block (offset_to_first_pkt, tp_next_offset,
// tp_mac, tp_net, tp_snaplen) is checked against the block size before it is used; a block whose
// bytes contradict that is corrupt: it is counted, its remaining packets are skipped and it goes back
// to the kernel. The only write is the block status it hands back (TP_STATUS_KERNEL).
#pragma once
#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>

namespace disptap::packet_ring {

constexpr size_t kMaxBlockSize = size_t{4} << 20;
constexpr size_t kMaxBlockCount = 65536;
constexpr uint64_t kMaxRingBytes = uint64_t{2} << 30;
constexpr uint32_t kMaxRetireMs = 10000;
// tp_frame_size: V3 packs packets of any size into a block and uses frames only to check
// tp_frame_nr, but the kernel still wants a TPACKET_ALIGN'ed size of at least one header that
// divides a page.
constexpr uint32_t kFrameSize = TPACKET_ALIGN(2048);
// A packet's tpacket3_hdr is followed, at TPACKET_ALIGN(sizeof(tpacket3_hdr)), by its sockaddr_ll;
// its data (tp_mac) comes after both.
constexpr size_t kSllOffset = TPACKET_ALIGN(sizeof(tpacket3_hdr));
constexpr size_t kMinMacOffset = kSllOffset + sizeof(sockaddr_ll);  // TPACKET3_HDRLEN
constexpr size_t kBlockDescLen = sizeof(tpacket_block_desc);

struct Config {
  size_t block_size = 0;
  size_t block_count = 0;
  uint32_t retire_ms = 0;
  bool hardware = false;  // PACKET_TIMESTAMP = SOF_TIMESTAMPING_RAW_HARDWARE
};

// Checks setupRing's arguments as JS gave them (doubles, so NaN, fractions, negatives and huge
// values are caught before any conversion): blockSize a power of two, a multiple of page_size, at
// most 4 MiB; blockCount 1..65536; blockSize × blockCount at most 2 GiB; retireMs 1..10000. Returns
// nullptr and fills *out when they make a ring, else the reason.
const char* Validate(double block_size, double block_count, double retire_ms, size_t page_size, Config* out);

// One packet of a user-owned block, checked: [data, data + snaplen) lies inside the block.
struct Packet {
  const uint8_t* data;  // from the network header on (tp_net; tp_mac == tp_net on SOCK_DGRAM)
  uint32_t snaplen;     // bytes at data
  uint32_t len;         // tp_len: the packet's length (from tp_mac) before the filter cut it
  uint32_t status;      // tp_status (TP_STATUS_TS_* say which clock stamped it)
  uint32_t sec;         // tp_sec, tp_nsec
  uint32_t nsec;
  int32_t ifindex;      // the sockaddr_ll after the header: sll_ifindex
  uint16_t protocol;    // sll_protocol, host order
  uint8_t pkttype;      // sll_pkttype
};

// Walks a ring's memory: blocks in ring order, the packets of each in order. Remembers where it
// stopped (block, packet index, offset), so a caller whose buffer filled in the middle of a block
// continues there; hands a block back (block_status = TP_STATUS_KERNEL, release store) only once all
// its packets were taken. Owns nothing: the memory is PacketRing's mapping, or any buffer of
// block_size × block_count bytes in tests and fuzzing (8-byte aligned, block_size a multiple of 8).
class RingReader {
 public:
  RingReader() = default;
  RingReader(uint8_t* base, size_t block_size, size_t block_count);

  // Calls take(const Packet&) for at most max packets of the user-owned blocks; returns how many.
  // 0 when no block is ready. The packet's bytes are valid only during the call.
  template <typename Take>
  unsigned Read(unsigned max, Take&& take);

  // Blocks found corrupt (and handed back) since the reader was made.
  uint64_t corrupt_blocks() const { return corrupt_; }
  // Where the reader is (for tests): the block it reads or waits for, and the next packet's index.
  size_t block() const { return block_; }
  uint32_t packet_index() const { return index_; }
  bool in_block() const { return open_; }

 private:
  enum class Open { kNotReady, kOpen, kCorrupt };
  enum class Step { kPacket, kDone, kCorrupt };
  Open OpenBlock();
  Step Next(Packet* out);
  void ReleaseBlock();
  uint8_t* BlockBase() const { return base_ + block_ * block_size_; }

  uint8_t* base_ = nullptr;
  size_t block_size_ = 0;
  size_t block_count_ = 0;
  size_t block_ = 0;      // the block being read, or the next one to wait for
  bool open_ = false;     // block_ is user-owned and its descriptor was read
  uint32_t num_pkts_ = 0;
  uint32_t index_ = 0;    // next packet of block_
  size_t offset_ = 0;     // where that packet's header starts in block_ (SIZE_MAX: past a bad tp_next_offset)
  uint64_t corrupt_ = 0;
};

// The ring of one socket: set up once, mapped until Unmap() or destruction (RAII; the mapping also
// holds a reference to the socket, so the socket is only gone once both the fd and this are).
class PacketRing {
 public:
  PacketRing() = default;
  ~PacketRing() { Unmap(); }
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  // PACKET_VERSION = TPACKET_V3, PACKET_TIMESTAMP (when c.hardware), PACKET_RX_RING, mmap. 0 on
  // success; else the errno, with *call ("setsockopt", "mmap") and *what (the option) naming the
  // step that failed, and nothing left set up (the ring freed, the version back to TPACKET_V1) so
  // the socket still works with recvmmsg. Call on an unmapped ring only.
  int Setup(int fd, const Config& c, const char** call, const char** what);
  void Unmap();
  bool active() const { return map_ != nullptr; }
  size_t bytes() const { return len_; }
  size_t block_size() const { return block_size_; }
  size_t block_count() const { return block_count_; }
  RingReader& reader() { return reader_; }
  const RingReader& reader() const { return reader_; }

 private:
  uint8_t* map_ = nullptr;
  size_t len_ = 0;
  size_t block_size_ = 0;
  size_t block_count_ = 0;
  RingReader reader_;
};

// ---- implementation of the template ----

template <typename Take>
unsigned RingReader::Read(unsigned max, Take&& take) {
  unsigned n = 0;
  // Blocks handed back without a packet taken (empty or corrupt ones): at most one lap of the ring
  // per call, so a ring that keeps producing such blocks cannot keep the caller here.
  size_t empty_laps = 0;
  Packet p;
  while (n < max) {
    if (!open_) {
      const Open o = OpenBlock();
      if (o == Open::kNotReady) break;
      if (o == Open::kCorrupt) {
        corrupt_++;
        ReleaseBlock();
        if (++empty_laps > block_count_) break;
        continue;
      }
    }
    const Step s = Next(&p);
    if (s == Step::kPacket) {
      take(static_cast<const Packet&>(p));
      n++;
      empty_laps = 0;
      if (index_ >= num_pkts_) ReleaseBlock();  // all taken: the kernel may fill it again
      continue;
    }
    if (s == Step::kCorrupt) corrupt_++;
    ReleaseBlock();
    if (++empty_laps > block_count_) break;
  }
  return n;
}

}  // namespace disptap::packet_ring
