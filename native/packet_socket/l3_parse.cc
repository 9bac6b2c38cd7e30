#include "packet_socket/l3_parse.h"

#include "common/bytes.h"

#include <algorithm>
#include <cstring>

namespace disptap::l3 {
namespace {

constexpr int kProtoUdp = 17;
constexpr int kMaxExtensionHeaders = 8;

using bytes::LoadBe16;
using bytes::LoadBe32;

// Fills the UDP part once l4_offset, protocol and ip_length are known.
void ParseUdp(const uint8_t* p, size_t cap_len, Info* out) {
  if (out->protocol != kProtoUdp) {
    out->status = Status::kNotUdp;
    return;
  }
  const size_t off = static_cast<size_t>(out->l4_offset);
  if (off > cap_len || cap_len - off < 8) {
    out->status = Status::kTruncatedUdp;
    return;
  }
  out->src_port = LoadBe16(p + off);
  out->dst_port = LoadBe16(p + off + 2);
  out->udp_length = LoadBe16(p + off + 4);
  out->udp_checksum = LoadBe16(p + off + 6);
  if (out->udp_length < 8) {
    // IPv6 jumbograms carry 0 here; we do not follow jumbo payload options, so both are malformed to us.
    out->status = Status::kMalformedUdp;
    return;
  }
  // Payload ends at the first of: what was captured, the IP length (link padding follows it), the
  // UDP length. A first fragment stops at the IP length, so its payload is partial.
  size_t end = cap_len;
  if (out->ip_length > 0) end = std::min(end, static_cast<size_t>(out->ip_length));
  end = std::min(end, off + static_cast<size_t>(out->udp_length));
  out->payload_offset = static_cast<int32_t>(off + 8);
  out->payload_len = end > off + 8 ? static_cast<int32_t>(end - off - 8) : 0;
  out->status = Status::kUdp;
}

void ParseV4(const uint8_t* p, size_t cap_len, Info* out) {
  if (cap_len < 20) {
    out->status = Status::kTruncatedIp;
    return;
  }
  const size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
  if (ihl < 20) {
    out->status = Status::kMalformedIp;
    return;
  }
  out->tos = p[1];
  out->ip_length = LoadBe16(p + 2);
  out->ip_id = LoadBe16(p + 4);
  const uint16_t frag = LoadBe16(p + 6);
  out->dont_fragment = (frag & 0x4000) != 0;
  out->more_fragments = (frag & 0x2000) != 0;
  out->frag_offset = (frag & 0x1fff) * 8;
  out->ttl = p[8];
  out->protocol = p[9];
  std::memcpy(out->src, p + 12, 4);
  std::memcpy(out->dst, p + 16, 4);
  out->l4_offset = static_cast<int32_t>(ihl);
  if (ihl > cap_len) {
    out->status = Status::kTruncatedIp;  // options not captured
    return;
  }
  if (out->frag_offset != 0) {
    out->status = Status::kFragment;
    return;
  }
  ParseUdp(p, cap_len, out);
}

void ParseV6(const uint8_t* p, size_t cap_len, Info* out) {
  if (cap_len < 40) {
    out->status = Status::kTruncatedIp;
    return;
  }
  const uint32_t w0 = LoadBe32(p);
  out->tos = static_cast<int32_t>((w0 >> 20) & 0xff);
  out->flow_label = static_cast<int32_t>(w0 & 0xfffff);
  out->ip_length = 40 + LoadBe16(p + 4);
  out->ttl = p[7];
  std::memcpy(out->src, p + 8, 16);
  std::memcpy(out->dst, p + 24, 16);
  int next = p[6];
  size_t off = 40;
  // Hop-by-hop (0), routing (43), fragment (44), destination options (60): walk a bounded chain.
  for (int i = 0;; i++) {
    if (next != 0 && next != 43 && next != 44 && next != 60) break;
    if (i == kMaxExtensionHeaders) {
      out->protocol = next;
      out->l4_offset = static_cast<int32_t>(off);
      out->status = Status::kMalformedIp;
      return;
    }
    if (off > cap_len || cap_len - off < 8) {
      out->protocol = next;
      out->l4_offset = static_cast<int32_t>(off);
      out->status = Status::kTruncatedIp;
      return;
    }
    const uint8_t* h = p + off;
    size_t len;
    if (next == 44) {
      const uint16_t fo = LoadBe16(h + 2);
      out->frag_offset = fo & 0xfff8;
      out->more_fragments = (fo & 1) != 0;
      out->ip_id = static_cast<int32_t>(LoadBe32(h + 4) & 0x7fffffff);
      len = 8;
    } else {
      len = (static_cast<size_t>(h[1]) + 1) * 8;
    }
    next = h[0];
    off += len;
    if (out->frag_offset != 0) break;  // the rest of a non-first fragment is opaque data
  }
  out->protocol = next;
  out->l4_offset = static_cast<int32_t>(off);
  if (out->frag_offset != 0) {
    out->status = Status::kFragment;
    return;
  }
  if (off > cap_len) {
    out->status = Status::kTruncatedIp;
    return;
  }
  ParseUdp(p, cap_len, out);
}

}  // namespace

void Parse(const uint8_t* p, size_t cap_len, uint16_t ethertype, Info* out) {
  *out = Info{};
  if (p == nullptr || cap_len < 1) {
    out->status = cap_len == 0 && (ethertype == kEthPIp || ethertype == kEthPIpv6) ? Status::kTruncatedIp : Status::kNotIp;
    return;
  }
  const int version = p[0] >> 4;
  if (version == 4 && ethertype != kEthPIpv6) {
    out->family = 4;
    ParseV4(p, cap_len, out);
  } else if (version == 6 && ethertype != kEthPIp) {
    out->family = 6;
    ParseV6(p, cap_len, out);
  } else {
    out->status = Status::kNotIp;
  }
}

}  // namespace disptap::l3
