// C baseline for many sockets: N UDP sockets on consecutive ports, one epoll, recvmmsg x64 on each
// ready socket with the metadata disptap asks for (as udp_recv.c), cmsgs walked. What the kernel
// makes many sockets cost per datagram, without any JS: the anchor for bench/many.mjs.
// usage: udp_recv_many HOST BASEPORT N RCVBUF EXPECT IDLE_MS  → "ready", then one JSON line.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/net_tstamp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 7) return 2;
  const char* host = argv[1];
  int base = atoi(argv[2]), nsock = atoi(argv[3]), rcvbuf = atoi(argv[4]);
  long expect = atol(argv[5]);
  int idle_ms = atoi(argv[6]);
  int ep = epoll_create1(0);
  for (int s = 0; s < nsock; s++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf)) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int on = 1, tsf = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING_NEW, &tsf, sizeof tsf);
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS_NEW, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(base + s) };
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (bind(fd, (struct sockaddr*)&sa, sizeof sa)) { perror("bind"); return 1; }
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  struct rusage ru0; getrusage(RUSAGE_SELF, &ru0);
  printf("ready %d\n", base); fflush(stdout);
  enum { B = 64, SLOT = 2048, CTL = 256 };
  static char data[B][SLOT], ctl[B][CTL];
  struct mmsghdr m[B]; struct iovec iov[B]; struct sockaddr_in names[B];
  struct epoll_event evs[256];
  long got = 0, wakes = 0, calls = 0;
  for (;;) {
    int k = epoll_wait(ep, evs, 256, got ? idle_ms : 60000);
    if (k <= 0) break;
    wakes++;
    for (int e = 0; e < k; e++) {
      int fd = evs[e].data.fd;
      for (int i = 0; i < B; i++) {
        iov[i] = (struct iovec){ data[i], SLOT };
        memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
        m[i].msg_hdr.msg_name = &names[i]; m[i].msg_hdr.msg_namelen = sizeof names[i];
        m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1;
        m[i].msg_hdr.msg_control = ctl[i]; m[i].msg_hdr.msg_controllen = CTL;
      }
      int n = recvmmsg(fd, m, B, MSG_DONTWAIT, NULL);
      calls++;
      if (n <= 0) continue;
      for (int i = 0; i < n; i++)
        for (struct cmsghdr* c = CMSG_FIRSTHDR(&m[i].msg_hdr); c; c = CMSG_NXTHDR(&m[i].msg_hdr, c)) (void)c;
      got += n;
    }
    if (expect > 0 && got >= expect) break;
  }
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  double cpu_us = (ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 + (ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) +
                  (ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 + (ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
  printf("{\"received\":%ld,\"cpuUs\":%.0f,\"wakes\":%ld,\"recvCalls\":%ld}\n", got, cpu_us, wakes, calls);
  return 0;
}
