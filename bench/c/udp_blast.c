// Bounded UDP sender for the benchmark: sendmmsg in batches of 64, optionally paced.
// usage: udp_blast HOST PORT[-LASTPORT] COUNT SIZE RATE_PER_SEC(0 = as fast as possible) [BURST]
// BURST: datagrams per sendmmsg (1..64); default 1 below 20 k/s, else 64.
// A port range spreads the datagrams round-robin over the ports (many-socket benchmark).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <errno.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 6) { fprintf(stderr, "usage: %s HOST PORT COUNT SIZE RATE\n", argv[0]); return 2; }
  const char* host = argv[1];
  int port = atoi(argv[2]);
  const char* dash = strchr(argv[2], '-');
  int last_port = dash ? atoi(dash + 1) : port;
  int nports = last_port - port + 1;
  long count = atol(argv[3]);
  int size = atoi(argv[4]);
  double rate = atof(argv[5]);
  static struct sockaddr_storage dests[1024]; socklen_t sl;
  if (nports < 1 || nports > 1024) { fprintf(stderr, "bad port range\n"); return 2; }
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  int fam = strchr(host, ':') ? AF_INET6 : AF_INET;
  if (fam == AF_INET) {
    struct sockaddr_in* s = (struct sockaddr_in*)&ss; s->sin_family = AF_INET; s->sin_port = htons(port);
    inet_pton(AF_INET, host, &s->sin_addr); sl = sizeof *s;
  } else {
    struct sockaddr_in6* s = (struct sockaddr_in6*)&ss; s->sin6_family = AF_INET6; s->sin6_port = htons(port);
    inet_pton(AF_INET6, host, &s->sin6_addr); sl = sizeof *s;
  }
  for (int i = 0; i < nports; i++) {
    dests[i] = ss;
    if (fam == AF_INET) ((struct sockaddr_in*)&dests[i])->sin_port = htons(port + i);
    else ((struct sockaddr_in6*)&dests[i])->sin6_port = htons(port + i);
  }
  int fd = socket(fam, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20; setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  enum { B = 64 };
  static char buf[B][65536];
  struct mmsghdr msgs[B]; struct iovec iov[B];
  for (int i = 0; i < B; i++) {
    memset(buf[i], 'x', size);
    iov[i].iov_base = buf[i]; iov[i].iov_len = size;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_name = &ss; msgs[i].msg_hdr.msg_namelen = sl;
    msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long sent = 0; double t0 = now();
  int batch = rate > 0 && rate < 20000 ? 1 : B;
  if (argc > 6) batch = atoi(argv[6]);
  if (batch < 1 || batch > B) { fprintf(stderr, "bad burst\n"); return 2; }
  while (sent < count) {
    int n = count - sent < batch ? (int)(count - sent) : batch;
    for (int i = 0; i < n; i++) {
      long seq = sent + i;
      memcpy(buf[i], &seq, sizeof seq);
      msgs[i].msg_hdr.msg_name = &dests[seq % nports];
    }
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) { if (errno == ENOBUFS || errno == EAGAIN) continue; perror("sendmmsg"); return 1; }
    sent += r;
    if (rate > 0) {
      double due = t0 + sent / rate, wait = due - now();
      if (wait > 0) { struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) }; nanosleep(&ts, NULL); }
    }
  }
  printf("{\"sent\":%ld,\"seconds\":%.6f}\n", sent, now() - t0);
  return 0;
}
