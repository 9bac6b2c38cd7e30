#!/usr/bin/env node
// Receive benchmark: C recvmmsg baseline vs disptap (batch and message API) vs Node dgram, measured
// side by side in one run, alternating, several repetitions. Never a unit test (shared, noisy box).
//
//   npm run bench                 full run (≈ several minutes)
//   BENCH_QUICK=1 npm run bench   one repetition, smaller counts
//   BENCH_PHASES=drain BENCH_SIZES=64 BENCH_RECEIVERS='C recvmmsg,disptap batch' npm run bench
//                                 a subset (comma-separated), e.g. while working on one path
//   BENCH_TAP_OPTIONS='{"batchSize":64}'
//                                 openUdp options for the disptap receivers, to try a setting (a
//                                 subset run: the figures that count are with default options)
//   BENCH_OUT=FILE.json           where the results go (default bench/results/latest.json, or
//                                 subset.json for a subset)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, '.build');
const quick = process.env.BENCH_QUICK === '1';
const REPS = Number(process.env.BENCH_REPS ?? (quick ? 1 : 3));
const pick = (env, all) => {
  if (!process.env[env]) return all;
  const got = process.env[env].split(',').map((x) => x.trim());
  const bad = got.filter((x) => !all.includes(x));
  if (bad.length) {
    console.error(`bench: ${env}: unknown ${bad.map((x) => JSON.stringify(x)).join(', ')} (one of ${all.join(', ')})`);
    process.exit(2);
  }
  return got;
};
// Checked before anything runs: a typo must not surface only when the receivers start (or at the end).
const HOST_FOR_CHECK = '127.0.0.1';
if (process.env.BENCH_TAP_OPTIONS) {
  let o;
  try {
    o = JSON.parse(process.env.BENCH_TAP_OPTIONS);
  } catch (e) {
    console.error(`bench: BENCH_TAP_OPTIONS is not JSON: ${e.message}`);
    process.exit(2);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    console.error('bench: BENCH_TAP_OPTIONS must be a JSON object of openUdp options, e.g. {"batchSize":64}');
    process.exit(2);
  }
  // openUdp itself judges the options (an unknown key, a value out of range), as the receivers
  // will pass them: one tap opened and closed now instead of a failure in every receiver later.
  const { openUdp } = await import('../dist/index.js');
  try {
    (await openUdp({ address: HOST_FOR_CHECK, ...o })).close();
  } catch (e) {
    console.error(`bench: BENCH_TAP_OPTIONS: ${e.message}`);
    process.exit(2);
  }
}
const SIZES = pick('BENCH_SIZES', ['64', '1200']).map(Number);
// drain: a burst queued while the receiver is frozen, emptied by a fresh process (JIT compilation
// included); warm: the same after a warm-up burst, the steady state of a tap that has been running;
// blast: live at the sender's full rate; delay: 1 k/s after a warm-up at that rate (read delay and
// CPU per wake-up).
const PHASES = pick('BENCH_PHASES', ['drain', 'warm', 'blast', 'delay']);
const HOST = '127.0.0.1';
const RCVBUF = 1 << 30;
// The receiver on one core, the sender on the other (BENCH_PIN=0 to let the scheduler place them).
const PIN = process.env.BENCH_PIN !== '0' && os.cpus().length >= 2;
const pinned = (cpu, cmd) => (PIN ? ['taskset', '-c', String(cpu), ...cmd] : cmd);

const allReceivers = {
  'C recvmmsg': [path.join(build, 'udp_recv')],
  'disptap batch': [process.execPath, path.join(here, 'receivers/disptap-batch.mjs')],
  'disptap message': [process.execPath, path.join(here, 'receivers/disptap-message.mjs')],
  'node dgram': [process.execPath, path.join(here, 'receivers/dgram.mjs')],
};
// The C baseline always runs: every ratio is to it, measured the same minute.
const wanted = new Set(['C recvmmsg', ...pick('BENCH_RECEIVERS', Object.keys(allReceivers))]);
const receivers = Object.fromEntries(Object.entries(allReceivers).filter(([name]) => wanted.has(name)));

function compile() {
  fs.mkdirSync(build, { recursive: true });
  const cc = process.env.CC ?? 'cc';
  for (const name of ['udp_blast', 'udp_recv']) execFileSync(cc, ['-O2', '-o', path.join(build, name), path.join(here, 'c', `${name}.c`)]);
}

// Machine-wide busy ticks, and the ticks this process and its waited-for children (receiver and
// sender) used: the difference is what other processes took during a run.
function cpuTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  const ours = fields[11] + fields[12] + fields[13] + fields[14]; // utime stime cutime cstime
  return { busy: total - idle, total, ours };
}

function startReceiver(cmd, expect, idleMs, warm) {
  const full = pinned(1, [...cmd, HOST, String(RCVBUF), String(expect), String(idleMs), String(warm)]);
  const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  const lines = [];
  let wake = null;
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    wake?.();
  });
  const next = (ms = 120_000, what = 'its result') => new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${cmd.at(-1)}: no ${what} within ${ms / 1000} s (exit code ${child.exitCode}, signal ${child.signalCode})`)), ms);
    const check = () => { if (lines.length) { clearTimeout(t); wake = null; res(lines.shift()); } else wake = check; };
    check();
  });
  // 'exit' may have fired already: exitCode, or signalCode when a signal ended it
  const exited = () => new Promise((res, rej) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    const t = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${cmd.at(-1)}: did not exit within 30 s of its result`)); }, 30_000);
    child.on('exit', () => { clearTimeout(t); res(); });
  });
  return { child, next, exited };
}

function blast(port, count, size, rate) {
  const cmd = pinned(0, [path.join(build, 'udp_blast'), HOST, String(port), String(count), String(size), String(rate)]);
  const out = execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  return JSON.parse(out);
}

async function runOne(name, phase, size) {
  const cmd = receivers[name];
  const drain = quick ? 100_000 : size > 1000 ? 200_000 : 500_000;
  const counts = { drain, warm: drain, blast: quick ? 100_000 : 300_000, delay: quick ? 1000 : 3000 };
  // The warm-up fits in the receiver's 1 GiB queue, so none of it is lost and all of it is read.
  const warmUps = { warm: quick ? 50_000 : 200_000, delay: quick ? 300 : 1000 };
  const count = counts[phase];
  const warm = warmUps[phase] ?? 0;
  const idleMs = phase === 'delay' ? 1500 : 500;
  const r = startReceiver(cmd, count, idleMs, warm);
  const port = Number((await r.next(30_000, '"ready" line')).split(' ')[1]);
  if (warm > 0) {
    blast(port, warm, size, phase === 'delay' ? 1000 : 0);
    const line = await r.next(30_000, '"warm" line');
    if (line !== 'warm') throw new Error(`${name}: expected "warm" after the warm-up, got ${JSON.stringify(line)}`);
  }
  const t0 = cpuTicks();
  let sent;
  if (phase === 'drain' || phase === 'warm') {
    // Freeze the receiver, queue a burst in its (large) buffer, then time how fast it empties it.
    r.child.kill('SIGSTOP');
    sent = blast(port, count, size, 0).sent;
    r.child.kill('SIGCONT');
  } else if (phase === 'blast') {
    sent = blast(port, count, size, 0).sent;
  } else {
    sent = blast(port, count, size, 1000).sent;
  }
  const res = JSON.parse(await r.next());
  await r.exited();
  const t1 = cpuTicks();
  const spanS = (Number(BigInt(res.lastNs) - BigInt(res.firstNs)) / 1e9) || 1e-9;
  return {
    receiver: name, phase, size, sent, received: res.received,
    loss: 1 - res.received / sent,
    rate: res.received / spanS,
    cpuUsPerDatagram: res.cpuUs / Math.max(1, res.received),
    delayP50Us: res.delayP50Ns >= 0 ? res.delayP50Ns / 1000 : null,
    delayP99Us: res.delayP99Ns >= 0 ? res.delayP99Ns / 1000 : null,
    machineBusy: (t1.busy - t0.busy) / Math.max(1, t1.total - t0.total),
    otherBusy: Math.max(0, t1.busy - t0.busy - (t1.ours - t0.ours)) / Math.max(1, t1.total - t0.total),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

function setRmemMax(v) {
  try {
    const old = fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim();
    fs.writeFileSync('/proc/sys/net/core/rmem_max', String(v));
    return old;
  } catch {
    return null;
  }
}

async function main() {
  compile();
  if (!fs.existsSync(path.join(here, '..', 'dist', 'index.js'))) throw new Error('run `npm run build:ts` first');
  // dgram can only ask for SO_RCVBUF (capped by rmem_max); raise the cap for the run when root so
  // every receiver gets the same queue, and put it back afterwards. The others use SO_RCVBUFFORCE:
  // without dgram the machine-wide setting is left alone (tests may be reading it meanwhile).
  const oldRmem = receivers['node dgram'] ? setRmemMax(RCVBUF) : null;
  const rows = [];
  try {
    for (const phase of PHASES) {
      for (const size of SIZES) {
        for (let rep = 0; rep < REPS; rep++) {
          const names = Object.keys(receivers);
          // alternate the order per repetition so drift and warm-up do not favour one receiver
          const order = rep % 2 ? [...names].reverse() : names;
          for (const name of order) {
            const row = await runOne(name, phase, size);
            row.rep = rep;
            rows.push(row);
            process.stderr.write(`${phase} ${size}B rep${rep} ${name}: ${Math.round(row.rate)}/s recv ${row.received}/${row.sent}` +
              `${row.delayP50Us !== null ? ` delay p50 ${row.delayP50Us.toFixed(1)}µs` : ''}\n`);
          }
        }
      }
    }
  } finally {
    if (oldRmem !== null) setRmemMax(oldRmem);
  }
  const base = 'C recvmmsg';
  const summary = [];
  for (const phase of PHASES) {
    for (const size of SIZES) {
      const baseRows = rows.filter((r) => r.phase === phase && r.size === size && r.receiver === base);
      const baseRate = median(baseRows.map((r) => r.rate));
      const baseP50 = median(baseRows.map((r) => r.delayP50Us ?? NaN));
      for (const name of Object.keys(receivers)) {
        const rs = rows.filter((r) => r.phase === phase && r.size === size && r.receiver === name);
        const ratios = rs.map((r, i) => r.rate / (baseRows[i]?.rate ?? baseRate));
        summary.push({
          phase, size, receiver: name,
          rateMedian: Math.round(median(rs.map((r) => r.rate))),
          ratioToC: +median(ratios).toFixed(2),
          ratioSpread: [+Math.min(...ratios).toFixed(2), +Math.max(...ratios).toFixed(2)],
          lossMax: +Math.max(...rs.map((r) => r.loss)).toFixed(4),
          lossMin: +Math.min(...rs.map((r) => r.loss)).toFixed(4),
          cpuUsPerDatagram: +median(rs.map((r) => r.cpuUsPerDatagram)).toFixed(2),
          delayP50Us: rs[0].delayP50Us === null ? null : +median(rs.map((r) => r.delayP50Us)).toFixed(1),
          delayP99Us: rs[0].delayP99Us === null ? null : +median(rs.map((r) => r.delayP99Us)).toFixed(1),
          delayP50OverCUs: rs[0].delayP50Us === null ? null : +(median(rs.map((r) => r.delayP50Us)) - baseP50).toFixed(1),
          maxMachineBusy: +Math.max(...rs.map((r) => r.machineBusy)).toFixed(2),
        });
      }
    }
  }
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release(), node: process.version, date: new Date().toISOString() };
  if (process.env.BENCH_TAP_OPTIONS) machine.tapOptions = JSON.parse(process.env.BENCH_TAP_OPTIONS);
  const warnings = [];
  // CPU used by anything but this benchmark's own receiver and sender during a run
  for (const r of rows) if (r.otherBusy > 0.1) warnings.push(`${r.phase} ${r.size}B rep${r.rep} ${r.receiver}: other processes used ${Math.round(r.otherBusy * 100)}% of the machine during the run`);
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  // a subset run does not overwrite the full run the README quotes
  const subset = ['BENCH_PHASES', 'BENCH_SIZES', 'BENCH_RECEIVERS', 'BENCH_TAP_OPTIONS'].some((e) => process.env[e]);
  const out = process.env.BENCH_OUT ?? path.join(here, 'results', subset ? 'subset.json' : 'latest.json');
  fs.writeFileSync(out, JSON.stringify({ machine, reps: REPS, summary, rows, warnings }, null, 2) + '\n');
  console.log(`machine: ${machine.cpus} × ${machine.model}, Linux ${machine.kernel}, Node ${machine.node}; ${REPS} repetition(s)${machine.tapOptions ? `; disptap options ${process.env.BENCH_TAP_OPTIONS} (not the defaults)` : ''}\n`);
  console.log('| phase | size | receiver | rate/s (median) | × C (min–max) | loss (min–max) | CPU µs/dgram | read delay p50 / p99 µs |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const s of summary) {
    // read delay is only meaningful at a steady rate (drain freezes the receiver on purpose)
    const delay = s.phase !== 'delay' ? '' : s.delayP50Us === null ? 'n/a (no kernel ts)' : `${s.delayP50Us} / ${s.delayP99Us}${s.receiver === base ? '' : ` (${s.delayP50OverCUs < 0 ? '' : '+'}${s.delayP50OverCUs})`}`;
    console.log(`| ${s.phase === 'warm' ? 'drain, warm' : s.phase} | ${s.size} B | ${s.receiver} | ${s.rateMedian} | ${s.ratioToC} (${s.ratioSpread.join('–')}) | ${(s.lossMin * 100).toFixed(1)}–${(s.lossMax * 100).toFixed(1)} % | ${s.cpuUsPerDatagram} | ${delay} |`);
  }
  for (const w of warnings) console.log(`warning: ${w}`);
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
