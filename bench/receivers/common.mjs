// Shared protocol of the benchmark receivers: argv HOST RCVBUF EXPECT IDLE_MS [WARM]; prints "ready
// PORT", then one JSON result line. Counting stops at EXPECT datagrams or after IDLE_MS without any.
// With WARM > 0 the first WARM datagrams are a warm-up, read and counted by the same code as the
// rest; then "warm" is printed and counting, CPU time and read delays start again from there (the
// steady state of a long-running tap, without the one-time JIT compilation a fresh process pays).
export function args() {
  const [host, rcvbuf, expect, idleMs, warm] = process.argv.slice(2);
  return { host, rcvbuf: Number(rcvbuf), expect: Number(expect), idleMs: Number(idleMs), warm: Number(warm ?? 0) };
}

/**
 * Extra openUdp options from BENCH_TAP_OPTIONS (JSON), for trying a setting against the defaults;
 * the bench's figures are always taken with none.
 */
export function tapOptions() {
  return process.env.BENCH_TAP_OPTIONS ? JSON.parse(process.env.BENCH_TAP_OPTIONS) : {};
}

/**
 * The warm-up: the first `count` datagrams go through the receiver's own code; once getCount()
 * reaches `count`, onWarm() restarts the counts and "warm" is printed. Checked from a timer, not
 * in the receive loop: a branch the loop takes for the first time makes V8 throw away the loop's
 * optimized code (and the functions inlined into it), right at the start of the measured part.
 * `left` is how many warm-up datagrams are still to come (0 from then on). It is rewritten on every
 * tick while it changes: a field written only once, at the end, would be a constant to V8, and the
 * one write would throw away every optimized function that read it.
 */
export function warmUp(count, getCount, onWarm) {
  const w = { left: count > 0 ? count : 0 };
  if (w.left === 0) return w;
  const t = setInterval(() => {
    const left = Math.max(0, count - getCount());
    if (left > 0) {
      w.left = left;
      return;
    }
    clearInterval(t);
    onWarm();
    w.left = 0;
    process.stdout.write('warm\n');
  }, 5);
  return w;
}

export function realtimeNs() {
  return process.hrtime.bigint(); // replaced by callers that have a realtime clock
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return -1;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Calls stop() once no datagram arrived for idleMs after the first one. */
export function idleWatch(getCount, idleMs, stop) {
  let last = -1;
  const t = setInterval(() => {
    const c = getCount();
    if (c > 0 && c === last) {
      clearInterval(t);
      stop();
    }
    last = c;
  }, idleMs);
  return t;
}

export function report(r) {
  process.stdout.write(JSON.stringify(r) + '\n');
}
