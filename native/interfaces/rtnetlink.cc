#include "interfaces/rtnetlink.h"

#include "common/bytes.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace disptap::rtnl {
namespace {

constexpr size_t Align4(size_t n) { return (n + 3) & ~size_t{3}; }
constexpr size_t kNlHdr = Align4(sizeof(nlmsghdr));
constexpr int kDumpRetries = 3;  // a dump interrupted by a concurrent change is taken again

using bytes::Load;

// Calls visit(type, data, len) for each attribute in [p, p+len); stops at the first bad length.
template <typename Visit>
void WalkAttrs(const uint8_t* p, size_t len, Visit&& visit) {
  size_t off = 0;
  while (len - off >= sizeof(rtattr)) {
    const rtattr a = Load<rtattr>(p + off);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len - off) return;
    visit(a.rta_type & NLA_TYPE_MASK, p + off + sizeof(rtattr), a.rta_len - sizeof(rtattr));
    const size_t step = Align4(a.rta_len);
    if (step >= len - off) return;
    off += step;
  }
}

// What a reply said besides its RTM_NEW* messages.
enum class Outcome { kMore, kDone };

class Session {
 public:
  int Open() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return errno;
    fd_ = UniqueFd(fd);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return errno;
    // The kernel always answers; a bound on the wait keeps a surprise from hanging the event loop.
    timeval tv{};
    tv.tv_sec = 5;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return errno;
    socklen_t sl = sizeof sa;
    if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &sl) != 0) return errno;
    port_ = sa.nl_pid;
    return 0;
  }

  // Sends one request and hands each RTM_NEW* message of the answer to on_msg(type, payload, len).
  // A dump the kernel flags as interrupted (NLM_F_DUMP_INTR) is reset and taken again, a few times.
  template <typename OnMsg, typename Reset>
  int Transact(uint16_t type, uint16_t flags, const void* body, size_t body_len, OnMsg&& on_msg, Reset&& reset) {
    for (int attempt = 1;; attempt++) {
      int err = SendRequest(type, flags, body, body_len);
      if (err != 0) return err;
      bool interrupted = false;
      err = Receive(on_msg, &interrupted);
      if (err != 0 || !interrupted || attempt >= kDumpRetries) return err;
      reset();
    }
  }

 private:
  int SendRequest(uint16_t type, uint16_t flags, const void* body, size_t body_len) {
    std::vector<uint8_t> req(kNlHdr + Align4(body_len), 0);
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(req.size());
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
    h.nlmsg_seq = ++seq_;
    std::memcpy(req.data(), &h, sizeof h);
    std::memcpy(req.data() + kNlHdr, body, body_len);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t n;
    do n = ::sendto(fd_.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
  }

  template <typename OnMsg>
  int Receive(OnMsg& on_msg, bool* interrupted) {
    std::vector<uint8_t> buf;
    for (;;) {
      // Peek at the datagram's real size first, so no reply is ever cut.
      ssize_t n;
      do n = ::recv(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC);
      while (n < 0 && errno == EINTR);
      if (n < 0) return errno;
      buf.resize(static_cast<size_t>(n) > 0 ? static_cast<size_t>(n) : 1);
      sockaddr_nl from{};
      socklen_t fl = sizeof from;
      do n = ::recvfrom(fd_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
      while (n < 0 && errno == EINTR);
      if (n < 0) return errno;
      if (from.nl_pid != 0) continue;  // only the kernel answers
      int err = 0;
      const Outcome o = Parse(buf.data(), static_cast<size_t>(n), on_msg, interrupted, &err);
      if (err != 0) return err;
      if (o == Outcome::kDone) return 0;
    }
  }

  template <typename OnMsg>
  Outcome Parse(const uint8_t* p, size_t len, OnMsg& on_msg, bool* interrupted, int* err) {
    size_t off = 0;
    while (len - off >= sizeof(nlmsghdr)) {
      const nlmsghdr h = Load<nlmsghdr>(p + off);
      if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - off) {
        *err = EBADMSG;
        return Outcome::kDone;
      }
      const uint8_t* payload = p + off + kNlHdr;
      const size_t plen = h.nlmsg_len >= kNlHdr ? h.nlmsg_len - kNlHdr : 0;
      if (h.nlmsg_seq == seq_ && h.nlmsg_pid == port_) {
        if (h.nlmsg_flags & NLM_F_DUMP_INTR) *interrupted = true;
        if (h.nlmsg_type == NLMSG_DONE) {
          // A dump that failed midway says why in an int after the header.
          if (plen >= sizeof(int) && Load<int>(payload) < 0) *err = -Load<int>(payload);
          return Outcome::kDone;
        }
        if (h.nlmsg_type == NLMSG_ERROR) {
          if (plen < sizeof(int)) *err = EBADMSG;
          else if (Load<int>(payload) < 0) *err = -Load<int>(payload);
          return Outcome::kDone;  // error 0 is an ACK: also the end
        }
        on_msg(h.nlmsg_type, payload, plen);
        if (!(h.nlmsg_flags & NLM_F_MULTI)) return Outcome::kDone;
      }
      const size_t step = Align4(h.nlmsg_len);
      if (step >= len - off) break;
      off += step;
    }
    return Outcome::kMore;
  }

  UniqueFd fd_;
  uint32_t port_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace

bool ParseLink(const uint8_t* payload, size_t len, Link* out) {
  *out = Link{};
  const size_t head = Align4(sizeof(ifinfomsg));
  if (len < head) return false;
  const ifinfomsg ifi = Load<ifinfomsg>(payload);
  out->index = ifi.ifi_index;
  out->flags = ifi.ifi_flags;
  WalkAttrs(payload + head, len - head, [out](unsigned type, const uint8_t* d, size_t n) {
    switch (type) {
      case IFLA_IFNAME:
        out->name.assign(reinterpret_cast<const char*>(d), strnlen(reinterpret_cast<const char*>(d), n));
        break;
      case IFLA_MTU:
        if (n >= sizeof(uint32_t)) out->mtu = Load<uint32_t>(d);
        break;
      case IFLA_ADDRESS:
        out->hwaddr.assign(d, d + n);
        break;
    }
  });
  return true;
}

bool ParseAddr(const uint8_t* payload, size_t len, Addr* out) {
  *out = Addr{};
  const size_t head = Align4(sizeof(ifaddrmsg));
  if (len < head) return false;
  const ifaddrmsg ifa = Load<ifaddrmsg>(payload);
  size_t alen;
  if (ifa.ifa_family == AF_INET) out->family = 4, alen = 4;
  else if (ifa.ifa_family == AF_INET6) out->family = 6, alen = 16;
  else return false;
  out->index = static_cast<int>(ifa.ifa_index);
  out->prefix_len = ifa.ifa_prefixlen;
  bool have_local = false, have_address = false;
  uint8_t address[16] = {};
  WalkAttrs(payload + head, len - head, [&](unsigned type, const uint8_t* d, size_t n) {
    if (n < alen) return;
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
    if (type == IFA_LOCAL) std::memcpy(out->addr, d, alen), have_local = true;
    else if (type == IFA_ADDRESS) std::memcpy(address, d, alen), have_address = true;
  });
  if (!have_local && have_address) std::memcpy(out->addr, address, alen);
  return have_local || have_address;
}

int DumpLinks(std::vector<Link>* out) {
  out->clear();
  Session s;
  if (int err = s.Open()) return err;
  ifinfomsg req{};
  req.ifi_family = AF_UNSPEC;
  return s.Transact(RTM_GETLINK, NLM_F_DUMP, &req, sizeof req, [out](uint16_t type, const uint8_t* p, size_t n) {
    Link l;
    if (type == RTM_NEWLINK && ParseLink(p, n, &l)) out->push_back(std::move(l));
  }, [out] { out->clear(); });
}

int DumpAddrs(std::vector<Addr>* out) {
  out->clear();
  Session s;
  if (int err = s.Open()) return err;
  ifaddrmsg req{};
  req.ifa_family = AF_UNSPEC;
  return s.Transact(RTM_GETADDR, NLM_F_DUMP, &req, sizeof req, [out](uint16_t type, const uint8_t* p, size_t n) {
    Addr a;
    if (type == RTM_NEWADDR && ParseAddr(p, n, &a)) out->push_back(a);
  }, [out] { out->clear(); });
}

int GetLink(int index, const std::string& name, Link* out) {
  *out = Link{};
  if (index <= 0 && (name.empty() || name.size() >= IFNAMSIZ)) return ENODEV;
  Session s;
  if (int err = s.Open()) return err;
  // ifinfomsg, then (by name) an IFLA_IFNAME attribute with its NUL; fits in a fixed buffer.
  uint8_t body[Align4(sizeof(ifinfomsg)) + Align4(sizeof(rtattr) + IFNAMSIZ)] = {};
  size_t body_len = Align4(sizeof(ifinfomsg));
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index > 0 ? index : 0;
  std::memcpy(body, &ifi, sizeof ifi);
  if (index <= 0) {
    rtattr a{};
    a.rta_type = IFLA_IFNAME;
    a.rta_len = static_cast<unsigned short>(sizeof(rtattr) + name.size() + 1);
    std::memcpy(body + body_len, &a, sizeof a);
    std::memcpy(body + body_len + sizeof a, name.data(), name.size());
    body_len += Align4(a.rta_len);
  }
  bool found = false;
  int err = s.Transact(RTM_GETLINK, 0, body, body_len, [&](uint16_t type, const uint8_t* p, size_t n) {
    if (type == RTM_NEWLINK && ParseLink(p, n, out)) found = true;
  }, [&found] { found = false; });
  if (err != 0) return err;
  return found ? 0 : ENODEV;
}

}  // namespace disptap::rtnl
