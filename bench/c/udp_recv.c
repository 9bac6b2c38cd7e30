// C baseline receiver: recvmmsg x64 with the same metadata disptap asks for (SO_TIMESTAMPING
// RX_SOFTWARE|SOFTWARE, SO_TIMESTAMPNS, SO_RXQ_OVFL, IP_PKTINFO, IP_RECVTTL, IP_RECVTOS), cmsgs walked.
// usage: udp_recv HOST RCVBUF EXPECT IDLE_MS [WARM] → prints "ready PORT", then one JSON line of results.
// WARM > 0: the first WARM datagrams are a warm-up (read, then "warm" printed; counting starts after).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static long long rt_ns(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static int cmp(const void* a, const void* b) { long long x = *(const long long*)a, y = *(const long long*)b; return x < y ? -1 : x > y; }

int main(int argc, char** argv) {
  if (argc < 5) return 2;
  const char* host = argv[1];
  int rcvbuf = atoi(argv[2]);
  long expect = atol(argv[3]);
  int idle_ms = atoi(argv[4]);
  long warm = argc > 5 ? atol(argv[5]) : 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf)) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  int on = 1, tsf = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING_NEW, &tsf, sizeof tsf);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS_NEW, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
  setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
  struct sockaddr_in sa = { .sin_family = AF_INET };
  inet_pton(AF_INET, host, &sa.sin_addr);
  if (bind(fd, (struct sockaddr*)&sa, sizeof sa)) { perror("bind"); return 1; }
  socklen_t sl = sizeof sa; getsockname(fd, (struct sockaddr*)&sa, &sl);
  struct rusage ru0; getrusage(RUSAGE_SELF, &ru0);
  printf("ready %d\n", ntohs(sa.sin_port)); fflush(stdout);
  enum { B = 64, SLOT = 2048, CTL = 256 };
  static char data[B][SLOT], ctl[B][CTL];
  struct mmsghdr m[B]; struct iovec iov[B]; struct sockaddr_in names[B];
  long long* delays = malloc(sizeof(long long) * (expect > 0 ? expect : 1));
  long got = 0, ndelay = 0, drops = 0, bytes = 0; long long first = 0, last = 0;
  struct pollfd p = { fd, POLLIN, 0 };
  for (;;) {
    int pr = poll(&p, 1, got ? idle_ms : 60000);
    if (pr <= 0) break;
    for (int i = 0; i < B; i++) {
      iov[i] = (struct iovec){ data[i], SLOT };
      memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
      m[i].msg_hdr.msg_name = &names[i]; m[i].msg_hdr.msg_namelen = sizeof names[i];
      m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1;
      m[i].msg_hdr.msg_control = ctl[i]; m[i].msg_hdr.msg_controllen = CTL;
    }
    int n = recvmmsg(fd, m, B, MSG_DONTWAIT, NULL);
    if (n <= 0) continue;
    long long at = rt_ns();
    if (!got) first = at;
    last = at;
    for (int i = 0; i < n; i++) {
      bytes += m[i].msg_len;
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&m[i].msg_hdr); c; c = CMSG_NXTHDR(&m[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING_NEW && c->cmsg_len >= CMSG_LEN(48)) {
          long long ts[2]; memcpy(ts, CMSG_DATA(c), 16);
          if (ndelay < expect) delays[ndelay++] = at - (ts[0] * 1000000000LL + ts[1]);
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          unsigned d; memcpy(&d, CMSG_DATA(c), 4); drops = d;
        }
      }
    }
    got += n;
    // The warm-up runs the same code as the measured part (as the Node receivers do); then every
    // count restarts.
    if (warm > 0) {
      warm -= n;
      if (warm <= 0) { got = bytes = ndelay = 0; getrusage(RUSAGE_SELF, &ru0); printf("warm\n"); fflush(stdout); }
      continue;
    }
    if (expect > 0 && got >= expect) break;
  }
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 + (ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) +
                  (ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 + (ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
  qsort(delays, ndelay, sizeof *delays, cmp);
  long long p50 = ndelay ? delays[ndelay / 2] : -1, p99 = ndelay ? delays[(long)(ndelay * 0.99)] : -1;
  printf("{\"received\":%ld,\"bytes\":%ld,\"firstNs\":%lld,\"lastNs\":%lld,\"cpuUs\":%.0f,\"drops\":%ld,\"delayP50Ns\":%lld,\"delayP99Ns\":%lld}\n",
         got, bytes, first, last, cpu_us, drops, p50, p99);
  return 0;
}
