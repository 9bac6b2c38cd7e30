// Links and addresses from rtnetlink (RTM_GETLINK / RTM_GETADDR), as Go's net package reads them.
// Plain C++ with no N-API: the message parsers take raw bytes and can be fuzzed alone.
//
// Contract: the parsers never read outside [buf, buf+len); a malformed attribute ends the walk of
// its message; functions that talk to the kernel return 0 or a positive errno.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace disptap::rtnl {

struct Link {
  int index = 0;
  std::string name;
  uint32_t mtu = 0;
  uint32_t flags = 0;            // ifi_flags: IFF_UP, IFF_RUNNING, …
  std::vector<uint8_t> hwaddr;   // IFLA_ADDRESS as the kernel gives it (empty when absent)
};

struct Addr {
  int index = 0;
  int family = 0;                // 4 or 6
  uint8_t prefix_len = 0;
  uint8_t addr[16] = {};         // IFA_LOCAL when present (point-to-point), else IFA_ADDRESS
};

// Payload (after the nlmsghdr) of one RTM_NEWLINK / RTM_NEWADDR. False when the fixed header
// does not fit, or (addresses) when it is neither IPv4 nor IPv6 or carries no address.
bool ParseLink(const uint8_t* payload, size_t len, Link* out);
bool ParseAddr(const uint8_t* payload, size_t len, Addr* out);

int DumpLinks(std::vector<Link>* out);
int DumpAddrs(std::vector<Addr>* out);
// One link by index (> 0) or, when index is 0, by name. ENODEV when there is none.
int GetLink(int index, const std::string& name, Link* out);

}  // namespace disptap::rtnl
