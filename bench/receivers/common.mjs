// Shared protocol of the benchmark receivers: argv HOST RCVBUF EXPECT IDLE_MS; prints "ready PORT",
// then one JSON result line. Counting stops at EXPECT datagrams or after IDLE_MS without any.
export function args() {
  const [host, rcvbuf, expect, idleMs] = process.argv.slice(2);
  return { host, rcvbuf: Number(rcvbuf), expect: Number(expect), idleMs: Number(idleMs) };
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
