#include "packet_socket/packet_ring.h"

#include <errno.h>
#include <linux/net_tstamp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cmath>
#include <cstring>

#include "common/bytes.h"

namespace disptap::packet_ring {
namespace {

// Field offsets of the kernel's structs, read with bytes::Load (no alignment assumed: a corrupt
// offset may point anywhere in the block).
constexpr size_t kBlockStatus = offsetof(tpacket_block_desc, hdr.bh1.block_status);
constexpr size_t kNumPkts = offsetof(tpacket_block_desc, hdr.bh1.num_pkts);
constexpr size_t kFirstPkt = offsetof(tpacket_block_desc, hdr.bh1.offset_to_first_pkt);
static_assert(kBlockStatus % 4 == 0, "block_status is read atomically");

bool IsWhole(double d) { return std::isfinite(d) && std::floor(d) == d; }

}  // namespace

const char* Validate(double block_size, double block_count, double retire_ms, size_t page_size, Config* out) {
  if (!IsWhole(block_size) || block_size < static_cast<double>(page_size) || block_size > static_cast<double>(kMaxBlockSize))
    return "blockSize must be a power of two from the page size to 4 MiB";
  const size_t bs = static_cast<size_t>(block_size);
  if ((bs & (bs - 1)) != 0 || bs % page_size != 0) return "blockSize must be a power of two from the page size to 4 MiB";
  if (!IsWhole(block_count) || block_count < 1 || block_count > static_cast<double>(kMaxBlockCount))
    return "blockCount must be an integer from 1 to 65536";
  const size_t bc = static_cast<size_t>(block_count);
  if (static_cast<uint64_t>(bs) * bc > kMaxRingBytes) return "blockSize × blockCount must be at most 2 GiB";
  if (!IsWhole(retire_ms) || retire_ms < 1 || retire_ms > kMaxRetireMs) return "retireMs must be an integer from 1 to 10000";
  out->block_size = bs;
  out->block_count = bc;
  out->retire_ms = static_cast<uint32_t>(retire_ms);
  return nullptr;
}

RingReader::RingReader(uint8_t* base, size_t block_size, size_t block_count)
    : base_(base), block_size_(block_size), block_count_(block_count) {
  // A block too small for its own descriptor (or a misaligned one) makes an empty ring.
  if (!base_ || block_size_ < kBlockDescLen || block_size_ % 8 != 0) block_count_ = 0;
}

RingReader::Open RingReader::OpenBlock() {
  if (block_count_ == 0) return Open::kNotReady;
  uint8_t* b = BlockBase();
  // Acquire: the kernel's writes to the block happen before it publishes TP_STATUS_USER.
  const uint32_t status = __atomic_load_n(reinterpret_cast<uint32_t*>(b + kBlockStatus), __ATOMIC_ACQUIRE);
  if (!(status & TP_STATUS_USER)) return Open::kNotReady;
  open_ = true;
  num_pkts_ = bytes::Load<uint32_t>(b + kNumPkts);
  index_ = 0;
  const uint32_t first = bytes::Load<uint32_t>(b + kFirstPkt);
  offset_ = first;
  if (num_pkts_ == 0) return Open::kOpen;  // nothing to read: handed back by the first Next()
  // Each packet but the last takes at least a header and its sockaddr_ll.
  if (first < kBlockDescLen || first > block_size_ || num_pkts_ > block_size_ / kMinMacOffset + 1) return Open::kCorrupt;
  return Open::kOpen;
}

RingReader::Step RingReader::Next(Packet* out) {
  if (index_ >= num_pkts_) return Step::kDone;
  const size_t off = offset_;
  if (off > block_size_ || block_size_ - off < kMinMacOffset) return Step::kCorrupt;
  const size_t room = block_size_ - off;  // bytes from this header to the end of the block
  const uint8_t* h = BlockBase() + off;
  const uint32_t next = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_next_offset));
  const uint32_t snaplen = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_snaplen));
  const size_t mac = bytes::Load<uint16_t>(h + offsetof(tpacket3_hdr, tp_mac));
  const size_t net = bytes::Load<uint16_t>(h + offsetof(tpacket3_hdr, tp_net));
  // The data starts after the header and its sockaddr_ll, and [mac, mac + snaplen) is in the block;
  // net lies within that span (equal to mac on SOCK_DGRAM).
  if (mac < kMinMacOffset || mac > room || snaplen > room - mac || net < mac || net - mac > snaplen) return Step::kCorrupt;
  out->data = h + net;
  out->snaplen = static_cast<uint32_t>(snaplen - (net - mac));
  out->len = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_len));
  out->status = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_status));
  out->sec = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_sec));
  out->nsec = bytes::Load<uint32_t>(h + offsetof(tpacket3_hdr, tp_nsec));
  const uint8_t* sll = h + kSllOffset;
  out->ifindex = bytes::Load<int32_t>(sll + offsetof(sockaddr_ll, sll_ifindex));
  out->protocol = bytes::LoadBe16(sll + offsetof(sockaddr_ll, sll_protocol));
  out->pkttype = sll[offsetof(sockaddr_ll, sll_pkttype)];
  index_++;
  // The next header follows this packet's data; an offset that does not is found corrupt when
  // that packet is read (this one is good).
  if (index_ < num_pkts_) offset_ = (next >= mac + snaplen && next <= room) ? off + next : SIZE_MAX;
  return Step::kPacket;
}

void RingReader::ReleaseBlock() {
  // Release: our reads of the block happen before the kernel may write it again.
  __atomic_store_n(reinterpret_cast<uint32_t*>(BlockBase() + kBlockStatus), static_cast<uint32_t>(TP_STATUS_KERNEL),
                   __ATOMIC_RELEASE);
  open_ = false;
  num_pkts_ = 0;
  index_ = 0;
  offset_ = 0;
  block_ = block_ + 1 < block_count_ ? block_ + 1 : 0;
}

int PacketRing::Setup(int fd, const Config& c, const char** call, const char** what) {
  *call = "setsockopt";
  int version = TPACKET_V3;
  if (::setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    *what = "PACKET_VERSION";
    return errno;
  }
  // Undoes what succeeded, so that the socket goes on as a plain recvmmsg socket.
  auto undo = [fd](bool ring, bool stamp) {
    if (ring) {
      tpacket_req3 none{};
      (void)::setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &none, sizeof none);
    }
    if (stamp) {
      int zero = 0;
      (void)::setsockopt(fd, SOL_PACKET, PACKET_TIMESTAMP, &zero, sizeof zero);
    }
    int v1 = TPACKET_V1;
    (void)::setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v1, sizeof v1);
  };
  if (c.hardware) {
    int ts = SOF_TIMESTAMPING_RAW_HARDWARE;
    if (::setsockopt(fd, SOL_PACKET, PACKET_TIMESTAMP, &ts, sizeof ts) != 0) {
      const int err = errno;
      undo(false, false);
      *what = "PACKET_TIMESTAMP";
      return err;
    }
  }
  tpacket_req3 req{};
  req.tp_block_size = static_cast<unsigned>(c.block_size);
  req.tp_block_nr = static_cast<unsigned>(c.block_count);
  req.tp_frame_size = kFrameSize;
  req.tp_frame_nr = static_cast<unsigned>(c.block_size / kFrameSize * c.block_count);
  req.tp_retire_blk_tov = c.retire_ms;
  req.tp_sizeof_priv = 0;
  req.tp_feature_req_word = 0;
  if (::setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    const int err = errno;
    undo(false, c.hardware);
    *what = "PACKET_RX_RING";
    return err;
  }
  const size_t len = c.block_size * c.block_count;
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    undo(true, c.hardware);
    *call = "mmap";
    *what = "PACKET_RX_RING";
    return err;
  }
  map_ = static_cast<uint8_t*>(p);
  len_ = len;
  block_size_ = c.block_size;
  block_count_ = c.block_count;
  reader_ = RingReader(map_, block_size_, block_count_);
  return 0;
}

void PacketRing::Unmap() {
  if (map_) ::munmap(map_, len_);
  map_ = nullptr;
  len_ = 0;
  block_size_ = 0;
  block_count_ = 0;
  reader_ = RingReader();
}

}  // namespace disptap::packet_ring
