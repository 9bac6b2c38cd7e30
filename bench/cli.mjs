#!/usr/bin/env node
// `npm run bench:cli`: the disptap command line against tcpdump at line rate (issue #16). A full-speed
// burst of 64 B datagrams over loopback from the C sendmmsg sender (bench/c/udp_blast.c, pinned to
// CPU 0) into each tool (pinned to CPU 1), all rows in one run, alternating order, medians of ≥ 3
// repetitions. Never a unit test of speed: test/bench/cli-bench.test.ts only checks that it works.
//
//   npm run bench:cli                      300 000 datagrams, 3 repetitions
//   npm run bench:cli -- --quick           50 000 datagrams, 1 repetition
//   rows: write, write-q (--write --quiet: no line per datagram, like tcpdump -w), text, json,
//         passive, passive-q (--passive --write --quiet), relay, tcpdump-w, tcpdump-n
//   options: --count N  --reps N  --rows write,text,…  --out FILE.json  --keep (leave the captures)
//            --timer c|gnu (CPU time from bench/c/cpu_time.c in µs, the default, or /usr/bin/time)
//            --no-steady (skip the steady-state runs)
//
// Per row: datagrams kept (packets in the capture file, lines of text / NDJSON packet records, what
// reached the relay's C target), kernel drops the tool reports, and CPU µs per kept datagram: the
// tool's user+sys time less what the same command uses idling for the same wall time (a separate
// run without traffic, so start-up and idle timers cancel out). user+sys is wait4()'s rusage, what
// GNU time prints too, but in µs (bench/c/cpu_time.c): tcpdump -w needs about 0.05 s for 300 000
// datagrams here, and GNU time's 10 ms steps would make that row ±20 % (`--timer gnu` uses
// /usr/bin/time -f '%e %U %S' all the same). Rows that capture a port someone else owns (passive,
// tcpdump) get a plain C receiver bound on it, on the tool's CPU, so the datagrams are consumed as
// in real life.
//
// Steady state (a second column): the same tool gets STEADY_WARM bursts, then one more; the CPU its
// threads used for the last one (/proc/PID/task/*/schedstat, ns), less its idle rate times that
// window, per datagram. The first burst of a fresh process carries one-time costs (Node compiles
// the hot paths while it runs); a tap left running, as on a dispatcher host, pays the last figure.
// Two warm bursts, not one: what runs once per read round (a few thousand times a burst) is often
// still being compiled during the second (seen with --trace-opt).
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const build = path.join(here, '.build');
const MAIN = path.join(root, 'dist', 'cli', 'main.js');
const HOST = '127.0.0.1';
const SIZE = 64;
const RECEIVER_RCVBUF = 1 << 28; // the plain receivers must never be the ones that drop
const QUIET_MS = 1000;
const STEADY_WARM = 2; // bursts before the measured one of a steady run

function parseArgs(argv) {
  const o = { quick: false, keep: false, count: undefined, reps: undefined, rows: undefined, out: undefined, timer: 'c', steady: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--count') o.count = Number(val());
    else if (a === '--reps') o.reps = Number(val());
    else if (a === '--rows') o.rows = val().split(',');
    else if (a === '--out') o.out = val();
    else if (a === '--timer') o.timer = val();
    else if (a === '--no-steady') o.steady = false;
    else throw new Error(`unknown option ${a} (--quick, --count N, --reps N, --rows a,b, --out FILE, --keep, --timer gnu|c, --no-steady)`);
  }
  if (o.count !== undefined && !(Number.isInteger(o.count) && o.count > 0)) throw new Error('--count must be a positive integer');
  if (o.reps !== undefined && !(Number.isInteger(o.reps) && o.reps > 0)) throw new Error('--reps must be a positive integer');
  if (o.timer !== 'gnu' && o.timer !== 'c') throw new Error('--timer is c (bench/c/cpu_time.c, µs) or gnu (/usr/bin/time, 10 ms steps)');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const COUNT = opts.count ?? (opts.quick ? 50_000 : 300_000);
const REPS = opts.reps ?? (opts.quick ? 1 : 3);
const PIN = os.cpus().length >= 2;
const pinned = (cpu, cmd) => (PIN ? ['taskset', '-c', String(cpu), ...cmd] : cmd);
const TOOL_CPU = 1;
const SENDER_CPU = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const disptap = (...a) => [process.execPath, MAIN, ...a];

// ---- the rows ------------------------------------------------------------------------------------
// cmd(ctx): the tool's argv; ctx has dir (scratch), port (P: where the burst goes, when the row
// chooses it before the tool starts) and target (the relay's C receiver). out: where stdout goes.
// ready: what on stderr/stdout says the tool listens (returns the port when the tool chose it).
const listenPort = (re) => (s) => {
  const m = re.exec(s);
  return m ? Number(m[1]) : undefined;
};
const ROWS = [
  {
    id: 'write', label: '`disptap watch --write f.pcapng`', out: 'null', anchor: 'tcpdump-w', maxRatio: 3, keepAll: true,
    cmd: (c) => disptap('watch', '--bind', `${HOST}:0`, '--write', path.join(c.dir, 'f.pcapng')),
    ready: (err) => listenPort(/listening on 127\.0\.0\.1:(\d+)/)(err),
    kept: (c) => capCount(path.join(c.dir, 'f.pcapng')),
    drops: (c) => textSummaryDrops(c.stderr),
  },
  {
    // what tcpdump -w does: the capture only, no line per datagram
    id: 'write-q', label: '`disptap watch --write f.pcapng --quiet`', out: 'null', anchor: 'tcpdump-w', maxRatio: 3, keepAll: true,
    cmd: (c) => disptap('watch', '--bind', `${HOST}:0`, '--write', path.join(c.dir, 'f.pcapng'), '--quiet'),
    ready: (err) => listenPort(/listening on 127\.0\.0\.1:(\d+)/)(err),
    kept: (c) => capCount(path.join(c.dir, 'f.pcapng')),
    drops: (c) => textSummaryDrops(c.stderr),
  },
  {
    id: 'text', label: '`disptap watch` (text to a file)', out: 'file', anchor: 'tcpdump-n', maxRatio: 2, keepAll: true,
    cmd: () => disptap('watch', '--bind', `${HOST}:0`),
    ready: (err) => listenPort(/listening on 127\.0\.0\.1:(\d+)/)(err),
    kept: (c) => countLines(c.stdoutPath),
    drops: (c) => textSummaryDrops(c.stderr),
  },
  {
    id: 'json', label: '`disptap watch --json` (to a file)', out: 'file', anchor: 'tcpdump-n', maxRatio: 3, keepAll: true,
    cmd: () => disptap('watch', '--bind', `${HOST}:0`, '--json'),
    ready: (_err, out) => listenPort(/"type":"listening".*?"port":(\d+)/)(out),
    kept: (c) => countMatching(c.stdoutPath, '"type":"packet"'),
    drops: (c) => jsonSummaryDrops(c.stdoutPath),
  },
  {
    id: 'passive', label: '`disptap watch --passive --write f.pcapng`', out: 'null', anchor: 'tcpdump-w', receiver: true, keepsLikeTcpdump: true,
    // --direction in: on lo AF_PACKET sees each datagram leave and arrive; libpcap (tcpdump) keeps one
    cmd: (c) => disptap('watch', '--passive', '--iface', 'lo', '--direction', 'in', '--port', String(c.port), '--write', path.join(c.dir, 'f.pcapng')),
    // the line comes once the capture is bound, filtered and has its ring: a packet socket that
    // merely exists may miss the start of the burst (it did, 4 206 of 300 000 in one run)
    ready: (err) => /disptap watch: capturing/.test(err),
    kept: (c) => capCount(path.join(c.dir, 'f.pcapng')),
    // the capture's own kernel drops (ring or socket full), from the summary's kernel line
    drops: (c) => num(/kernel: \d+ packets passed the capture filter, (\d+) dropped/.exec(c.stderr)?.[1]),
  },
  {
    // what tcpdump -w does, passively: the capture only, no line per datagram
    id: 'passive-q', label: '`disptap watch --passive --write f.pcapng --quiet`', out: 'null', anchor: 'tcpdump-w', maxRatio: 3, receiver: true, keepsLikeTcpdump: true,
    cmd: (c) => disptap('watch', '--passive', '--iface', 'lo', '--direction', 'in', '--port', String(c.port), '--write', path.join(c.dir, 'f.pcapng'), '--quiet'),
    ready: (err) => /disptap watch: capturing/.test(err),
    kept: (c) => capCount(path.join(c.dir, 'f.pcapng')),
    drops: (c) => num(/kernel: \d+ packets passed the capture filter, (\d+) dropped/.exec(c.stderr)?.[1]),
  },
  {
    id: 'relay', label: '`disptap relay` → C receiver (text to a file)', out: 'file', relay: true,
    cmd: (c) => disptap('relay', '--listen', `${HOST}:0`, '--to', `${HOST}:${c.target}`),
    ready: (err) => listenPort(/disptap relay: 127\.0\.0\.1:(\d+) →/)(err),
    kept: (c) => c.targetResult?.received ?? 0,
    drops: (c) => textSummaryDrops(c.stderr),
  },
  {
    id: 'tcpdump-w', label: '`tcpdump -w f.pcap`', out: 'null', receiver: true,
    cmd: (c) => ['tcpdump', '-Z', 'root', '-i', 'lo', '-w', path.join(c.dir, 'f.pcap'), 'udp', 'port', String(c.port)],
    ready: (err) => /listening on/.test(err),
    kept: (c) => capCount(path.join(c.dir, 'f.pcap')),
    drops: (c) => num(/(\d+) packets? dropped by kernel/.exec(c.stderr)?.[1]),
  },
  {
    id: 'tcpdump-n', label: '`tcpdump -n` (text to a file)', out: 'file', receiver: true,
    cmd: (c) => ['tcpdump', '-Z', 'root', '-n', '-i', 'lo', 'udp', 'port', String(c.port)],
    ready: (err) => /listening on/.test(err),
    kept: (c) => countLines(c.stdoutPath),
    drops: (c) => num(/(\d+) packets? dropped by kernel/.exec(c.stderr)?.[1]),
  },
];

// ---- helpers -------------------------------------------------------------------------------------
function num(s) {
  return s === undefined ? null : Number(s);
}

function compile() {
  fs.mkdirSync(build, { recursive: true });
  const cc = process.env.CC ?? 'cc';
  for (const name of ['udp_blast', 'udp_recv', 'cpu_time']) execFileSync(cc, ['-O2', '-o', path.join(build, name), path.join(here, 'c', `${name}.c`)]);
}

/** bench/c/cpu_time.c, or with --timer gnu GNU time (10 ms steps) when it is installed. */
function timer(file) {
  return opts.timer === 'gnu' && fs.existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%e %U %S', '-o', file] : [path.join(build, 'cpu_time'), file];
}

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, HOST, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** The child the timer started (the tool): /proc/PID/task/PID/children, else a scan of ppids. */
function childOf(pid) {
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    if (kids.length) return kids[0];
  } catch { /* older kernels: scan */ }
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(d);
    } catch { /* gone */ }
  }
  return undefined;
}

function cpuTicksOf(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
    return f[11] + f[12];
  } catch {
    return undefined;
  }
}

/** CPU time of all the process's threads in ns (schedstat: what the scheduler ran them for). */
function cpuNsOf(pid) {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return ns;
}

// Machine-wide ticks and the ticks of this process's waited-for children (as bench/run.mjs), but
// only process time counts as "others": with IRQ time accounting the loopback receive path
// (softirq, in the sender's context) is in no process's rusage, and a VM may lose time to steal.
function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const s = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  return { proc: f[0] + f[1] + f[2], softirq: f[5] + f[6], steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0), ours: s[11] + s[12] + s[13] + s[14] };
}

function fileSize(p) {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

function capCount(file) {
  if (!fs.existsSync(file)) return 0;
  try {
    const out = execFileSync('capinfos', ['-c', '-M', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /Number of packets:\s+(\d+)/.exec(out);
    if (m) return Number(m[1]);
  } catch (e) {
    // a capture cut short still has its packets: capinfos says how many before complaining
    const m = /Number of packets:\s+(\d+)/.exec(String(e.stdout ?? ''));
    if (m) return Number(m[1]);
  }
  const t = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  return t.split('\n').filter(Boolean).length;
}

/**
 * Packet lines: not empty (tcpdump ends with one when interrupted) and, for disptap, not its
 * "--- N packets not shown" notice (the display skips lines it cannot write in time).
 */
function countLines(file) {
  if (!fs.existsSync(file)) return 0;
  try {
    return Number(execFileSync('grep', ['-c', '-v', '-E', '^(--- |$)', file], { encoding: 'utf8' }).trim());
  } catch (e) {
    if (e.status === 1) return 0; // no line selected
    throw e;
  }
}

function countMatching(file, text) {
  if (!fs.existsSync(file)) return 0;
  try {
    return Number(execFileSync('grep', ['-c', '-F', text, file], { encoding: 'utf8' }).trim());
  } catch (e) {
    if (e.status === 1) return 0; // no line matched
    throw e;
  }
}

/** Text-mode summary on stderr: "N packets, …, M dropped by the kernel" / "…, 0 dropped, …". */
function textSummaryDrops(stderr) {
  const line = stderr.split('\n').find((l) => /^\d+ packets/.test(l));
  return num(line && /, (\d+) dropped/.exec(line)?.[1]);
}

/** --json: the summary is the last record on stdout. */
function jsonSummaryDrops(file) {
  if (!fs.existsSync(file)) return null;
  const size = fileSize(file);
  const fd = fs.openSync(file, 'r');
  const len = Math.min(size, 1 << 16);
  const buf = Buffer.alloc(len);
  fs.readSync(fd, buf, 0, len, size - len);
  fs.closeSync(fd);
  const last = buf.toString('utf8').trim().split('\n').at(-1);
  try {
    const r = JSON.parse(last);
    return r.type === 'summary' && typeof r.drops === 'number' ? r.drops : null;
  } catch {
    return null;
  }
}

/** A C receiver (bench/c/udp_recv.c) on a kernel-chosen port: resolves to { port, result }. */
async function cReceiver(cpu, expect, idleMs = QUIET_MS) {
  const cmd = pinned(cpu, [path.join(build, 'udp_recv'), HOST, String(RECEIVER_RCVBUF), String(expect), String(idleMs)]);
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  const lines = [];
  const waiters = [];
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) lines.push(buf.slice(0, i));
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise((r) => child.on('exit', r));
  const line = async (ms) => {
    const end = Date.now() + ms;
    while (!lines.length) {
      if (Date.now() > end || child.exitCode !== null) return undefined;
      await Promise.race([new Promise((r) => waiters.push(r)), sleep(100)]);
    }
    return lines.shift();
  };
  const ready = await line(10_000);
  if (!ready?.startsWith('ready ')) throw new Error(`C receiver did not start (${ready})`);
  return {
    port: Number(ready.split(' ')[1]),
    // its own idle timeout ends it once the traffic stopped; a stuck one is killed
    async result() {
      const l = await line(QUIET_MS + 10_000);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      return l ? JSON.parse(l) : { received: 0 };
    },
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

function blast(port, count) {
  const cmd = pinned(SENDER_CPU, [path.join(build, 'udp_blast'), HOST, String(port), String(count), String(SIZE), '0']);
  return JSON.parse(execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8' }));
}

/**
 * One run of one row. With `stopAtMs` it is the idle twin: no traffic, stopped that long after it
 * was started. With `steady`, STEADY_WARM bursts, then the measured one (steadyCpuS, see the header).
 * Returns the timer's wall/user/sys, when it was stopped, and (loaded) what it kept.
 */
async function runRow(row, { stopAtMs, steady = false } = {}) {
  const idle = stopAtMs !== undefined;
  const bursts = steady ? STEADY_WARM + 1 : 1;
  // between two bursts the tool goes quiet for a while: the plain receivers must not end then
  const receiverIdleMs = steady ? 60_000 : QUIET_MS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `disptap-bench-cli-${row.id}-`));
  const ctx = { dir, stdoutPath: path.join(dir, 'stdout'), stderr: '' };
  let receiver;
  let target;
  try {
    if (row.receiver) {
      if (idle) ctx.port = await freeUdpPort();
      else {
        receiver = await cReceiver(TOOL_CPU, bursts * COUNT, receiverIdleMs);
        ctx.port = receiver.port;
      }
    }
    if (row.relay) {
      if (idle) ctx.target = await freeUdpPort();
      else {
        // the relay's target with the sender: the relay gets its CPU to itself, and the receiver's
        // large buffer means whatever is missing was lost by the relay
        target = await cReceiver(SENDER_CPU, bursts * COUNT, receiverIdleMs);
        ctx.target = target.port;
      }
    }
    const timeFile = path.join(dir, 'time');
    const cmd = pinned(TOOL_CPU, [...timer(timeFile), ...row.cmd(ctx)]);
    const out = row.out === 'file' ? fs.openSync(ctx.stdoutPath, 'w') : 'ignore';
    const startedAt = Date.now();
    const t0 = machineTicks();
    const proc = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', out, 'pipe'], cwd: root });
    if (typeof out === 'number') fs.closeSync(out);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => (ctx.stderr += d));
    const exited = new Promise((r) => proc.on('exit', r));
    // ready: the tool says so (or, passive, has its packet socket)
    let tool;
    let port;
    for (const end = Date.now() + 30_000; ; await sleep(50)) {
      if (proc.exitCode !== null) throw new Error(`${row.id}: exited before it was ready: ${ctx.stderr.trim().slice(-500)}`);
      if (Date.now() > end) throw new Error(`${row.id}: not ready after 30 s: ${ctx.stderr.trim().slice(-500)}`);
      tool ??= childOf(proc.pid);
      const head = row.out === 'file' ? readHead(ctx.stdoutPath) : '';
      const r = row.ready(ctx.stderr, head, tool);
      if (r) {
        port = typeof r === 'number' ? r : ctx.port;
        break;
      }
    }
    let sent = 0;
    let steadyCpuS;
    const files = () => [ctx.stdoutPath, ...fs.readdirSync(dir).map((f) => path.join(dir, f))];
    if (steady) {
      for (let k = 0; k < STEADY_WARM; k++) {
        sent += blast(port, COUNT).sent;
        await quiet(tool, files());
      }
      // its idle rate (timers, the periodic rate line), then the measured burst
      const i0 = { ns: cpuNsOf(tool), at: process.hrtime.bigint() };
      await sleep(QUIET_MS);
      const s1 = { ns: cpuNsOf(tool), at: process.hrtime.bigint() };
      const idleRate = (s1.ns - i0.ns) / Number(s1.at - i0.at);
      sent += blast(port, COUNT).sent;
      await quiet(tool, files());
      const s2 = { ns: cpuNsOf(tool), at: process.hrtime.bigint() };
      steadyCpuS = (s2.ns - s1.ns - idleRate * Number(s2.at - s1.at)) / 1e9;
    } else if (!idle) {
      sent = blast(port, COUNT).sent;
      await quiet(tool, files());
    } else {
      await sleep(Math.max(0, startedAt + stopAtMs - Date.now()));
    }
    const stoppedAtMs = Date.now() - startedAt;
    // the timer (GNU time, cpu_time) ignores SIGINT while it waits: the tool itself is stopped
    if (tool !== undefined) {
      try {
        process.kill(tool, 'SIGINT');
      } catch { /* it ended on its own: the timer has its numbers anyway */ }
    }
    const killer = setTimeout(() => {
      if (tool !== undefined) try { process.kill(tool, 'SIGKILL'); } catch { /* gone */ }
    }, 60_000);
    await exited;
    clearTimeout(killer);
    const [wall, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(/\s+/).map(Number);
    if (receiver) ctx.receiverResult = await receiver.result();
    if (target) ctx.targetResult = await target.result();
    const t1 = machineTicks();
    const res = { row: row.id, idle, steady, wall, cpuS: user + sys, stoppedAtMs, sent };
    if (steady) res.steadyCpuS = steadyCpuS;
    const span = Math.max(1, t1.total - t0.total);
    res.otherBusy = Math.max(0, t1.proc - t0.proc - (t1.ours - t0.ours)) / span;
    res.irqShare = (t1.softirq - t0.softirq) / span;
    res.stealShare = (t1.steal - t0.steal) / span;
    if (!idle) {
      res.kept = row.kept(ctx);
      res.drops = row.drops(ctx);
      if (ctx.receiverResult) res.receiverKept = ctx.receiverResult.received;
      // nothing kept is usually the tool failing, not being slow: show what it said
      if (res.kept === 0) res.note = ctx.stderr.trim().split('\n').slice(-3).join(' | ');
    }
    return res;
  } finally {
    receiver?.kill();
    target?.kill();
    if (opts.keep && !idle) {
      fs.writeFileSync(path.join(dir, 'stderr'), ctx.stderr);
      process.stderr.write(`  kept ${dir}\n`);
    }
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readHead(file) {
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  }
}

/** Drained: for QUIET_MS the tool used (almost) no CPU and none of its files grew. */
async function quiet(pid, files) {
  const sample = () => ({ cpu: cpuTicksOf(pid) ?? 0, size: files.reduce((a, f) => a + fileSize(f), 0), at: Date.now() });
  let since = sample();
  for (const end = Date.now() + 300_000; Date.now() < end; ) {
    await sleep(100);
    const s = sample();
    if (s.size !== since.size || s.cpu - since.cpu > 2) since = s;
    else if (s.at - since.at >= QUIET_MS) return;
  }
  throw new Error('the tool never went quiet');
}

function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
}

const fmt = (x, d = 2) => (x === null || x === undefined ? '?' : x.toFixed(d));

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error('run `npm run build:ts` first (dist/cli/main.js is missing)');
  for (const tool of ['tcpdump', 'capinfos']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed`);
    }
  }
  compile();
  const rows = opts.rows ? ROWS.filter((r) => opts.rows.includes(r.id)) : ROWS;
  if (!rows.length) throw new Error(`--rows: none of ${ROWS.map((r) => r.id).join(', ')}`);
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) {
    // alternate the order so warm-up and drift do not favour one row
    for (const row of rep % 2 ? [...rows].reverse() : rows) {
      const loaded = await runRow(row);
      const idle = await runRow(row, { stopAtMs: loaded.stoppedAtMs });
      const cpuUs = loaded.kept > 0 ? ((loaded.cpuS - idle.cpuS) * 1e6) / loaded.kept : null;
      const run = { rep, ...loaded, idleCpuS: idle.cpuS, idleWall: idle.wall, cpuUsPerDatagram: cpuUs };
      if (opts.steady) {
        // per datagram of the measured burst, counting what the tool kept of it
        const st = await runRow(row, { steady: true });
        const second = st.kept - STEADY_WARM * COUNT;
        run.steady = { kept: st.kept, sent: st.sent, cpuS: st.steadyCpuS };
        run.steadyUsPerDatagram = second > 0 ? (st.steadyCpuS * 1e6) / second : null;
      }
      runs.push(run);
      const steadyText = opts.steady ? `; steady: kept ${run.steady.kept}/${run.steady.sent}, ${fmt(run.steadyUsPerDatagram)} µs/datagram` : '';
      process.stderr.write(`rep ${rep} ${row.id}: kept ${loaded.kept}/${loaded.sent}, drops ${loaded.drops ?? '?'}, cpu ${fmt(loaded.cpuS)} s − idle ${fmt(idle.cpuS)} s = ${fmt(cpuUs)} µs/datagram${steadyText}${loaded.note ? ` — stderr: ${loaded.note}` : ''}\n`);
    }
  }
  const byRow = (id) => runs.filter((r) => r.row === id);
  const summary = rows.map((row) => {
    const rs = byRow(row.id);
    const s = {
      row: row.id,
      label: row.label,
      sent: median(rs.map((r) => r.sent)),
      kept: median(rs.map((r) => r.kept)),
      keptMin: Math.min(...rs.map((r) => r.kept)),
      drops: median(rs.map((r) => r.drops)),
      cpuUsPerDatagram: median(rs.map((r) => r.cpuUsPerDatagram)),
      ratio: null,
      steadyUsPerDatagram: opts.steady ? median(rs.map((r) => r.steadyUsPerDatagram)) : null,
      steadyRatio: null,
      anchor: row.anchor ?? null,
    };
    // ratios per repetition (the anchor ran the same minute), then their median
    const ratioTo = (key) => median(rs.map((r) => {
      const a = byRow(row.anchor).find((x) => x.rep === r.rep);
      return r[key] !== null && r[key] !== undefined && a && a[key] > 0 ? r[key] / a[key] : null;
    }));
    if (row.anchor && byRow(row.anchor).length) {
      s.ratio = ratioTo('cpuUsPerDatagram');
      if (opts.steady) s.steadyRatio = ratioTo('steadyUsPerDatagram');
    }
    return s;
  });
  const get = (id) => summary.find((s) => s.row === id);
  for (const [i, s] of summary.entries()) {
    const row = rows[i];
    const t = [];
    let met = true;
    if (row.keepAll) {
      t.push(`all ${COUNT} kept`);
      met &&= s.keptMin === COUNT;
    }
    if (row.maxRatio) {
      t.push(`≤ ${row.maxRatio}× ${row.anchor === 'tcpdump-w' ? 'tcpdump -w' : 'tcpdump -n'}`);
      met &&= s.ratio !== null && s.ratio <= row.maxRatio;
    }
    if (row.keepsLikeTcpdump) {
      t.push('keeps what tcpdump -w keeps');
      const tw = get('tcpdump-w');
      met &&= tw !== undefined && s.kept >= tw.kept;
    }
    if (row.relay) {
      t.push('0 loss');
      met &&= s.keptMin === COUNT;
    }
    s.target = t.join(', ');
    s.met = t.length ? met : null;
  }
  const cpu = os.cpus();
  const machine = { cpus: cpu.length, model: cpu[0]?.model, kernel: os.release(), node: process.version, date: new Date().toISOString(), loadavg: os.loadavg() };
  const warnings = runs.filter((r) => r.otherBusy > 0.1).map((r) => `rep ${r.rep} ${r.row}: other processes used ${Math.round(r.otherBusy * 100)}% of the machine during the run`);
  const result = { machine, count: COUNT, size: SIZE, reps: REPS, pinned: PIN, timer: timer('')[0], summary, runs, warnings };
  const outFile = opts.out ?? (opts.quick || opts.count || opts.rows ? undefined : path.join(here, 'results', 'cli.json'));
  if (outFile) {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  }
  console.log(`host: ${machine.cpus} × ${machine.model}, Linux ${machine.kernel}, Node ${machine.node}`);
  console.log(`${COUNT} × ${SIZE} B datagrams per row, ${REPS} repetition(s), medians; tool on CPU ${TOOL_CPU}, sender on CPU ${SENDER_CPU}${PIN ? '' : ' (not pinned: one CPU)'}; CPU = user+sys less idle (${path.basename(result.timer)})\n`);
  console.log('| row | kept / sent | kernel drops | CPU µs/datagram | × tcpdump | steady µs/datagram (× tcpdump) | target | met |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const s of summary) {
    const ratio = s.ratio === null ? '' : `${fmt(s.ratio)} (vs ${s.anchor === 'tcpdump-w' ? '-w' : '-n'})`;
    const steady = !opts.steady ? '' : `${fmt(s.steadyUsPerDatagram)}${s.steadyRatio === null ? '' : ` (${fmt(s.steadyRatio)})`}`;
    const met = s.met === null ? '' : s.met ? 'yes' : 'no';
    console.log(`| ${s.label} | ${s.kept} / ${s.sent}${s.keptMin !== s.kept ? ` (min ${s.keptMin})` : ''} | ${s.drops ?? '?'} | ${fmt(s.cpuUsPerDatagram)} | ${ratio} | ${steady} | ${s.target} | ${met} |`);
  }
  for (const w of warnings) console.log(`warning: ${w}`);
  for (const r of runs) if (r.note) console.log(`note: rep ${r.rep} ${r.row} kept nothing; its stderr ended with: ${r.note}`);
}

main().catch((e) => {
  console.error(`bench:cli: ${e.message}`);
  process.exit(1);
});
