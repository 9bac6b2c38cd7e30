// /usr/bin/time -f '%e %U %S' -o FILE with µs instead of 10 ms steps (bench/cli.mjs; no GNU time
// needed): runs CMD, ignores SIGINT/SIGTERM while it waits (signal the child, as with GNU time),
// then writes "elapsed user system" in seconds to FILE and exits with CMD's status.
// usage: cpu_time FILE CMD [ARGS...]
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s FILE CMD [ARGS...]\n", argv[0]); return 2; }
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("execvp");
    _exit(127);
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) { perror("wait4"); return 1; }
  FILE* f = fopen(argv[1], "w");
  if (!f) { perror(argv[1]); return 1; }
  fprintf(f, "%.3f %.6f %.6f\n", now() - t0, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  fclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
