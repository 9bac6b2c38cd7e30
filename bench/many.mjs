#!/usr/bin/env node
// One process, one event loop, many sockets: CPU per datagram with 1 tap vs 64 taps (IPv4 and IPv6
// mixed), the same total traffic, measured side by side in one run. No thread per socket.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeBatches, openUdp } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, '.build');
fs.mkdirSync(build, { recursive: true });
for (const name of ['udp_blast', 'udp_recv_many'])
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', path.join(build, name), path.join(here, 'c', `${name}.c`)]);
// Receiver on CPU 0, senders on CPU 1: on a 2-core machine the scheduler otherwise sometimes runs
// them on one core (the receiver then only runs while the sender sleeps, reading bigger batches) and
// sometimes on two, and the many-socket numbers swing with it. Remote senders behave like two cores.
const pin = (() => {
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const COUNT = Number(process.env.BENCH_MANY_COUNT ?? 640_000);
const RATE = process.env.BENCH_MANY_RATE ?? '150000';
const REPS = Number(process.env.BENCH_REPS ?? 3);

async function consecutivePorts(n, family) {
  // find n consecutive free ports by trying a random base
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const taps = [];
    try {
      for (let i = 0; i < n; i++) taps.push(await openUdp({ address: family === 4 ? '127.0.0.1' : '::1', port: base + i, recvBufferSize: 8 << 20 }));
      return { base, taps };
    } catch {
      for (const t of taps) t.close();
    }
  }
  throw new Error('no free port range');
}

// The anchor: a C epoll + recvmmsg×64 receiver with the same metadata on, 1 or n IPv4 sockets, the
// same sender pattern. What the kernel alone makes many sockets cost.
async function runC(nSockets, burst) {
  const { base, taps } = await consecutivePorts(nSockets, 4); // find free ports, then hand them over
  for (const t of taps) t.close();
  const rx = spawn(path.join(build, 'udp_recv_many'), ['127.0.0.1', String(base), String(nSockets), String(8 << 20), String(COUNT), '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  rx.stdout.on('data', (d) => (out += d));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  await new Promise((res) => {
    const p = spawn(pin ? 'taskset' : path.join(build, 'udp_blast'), [...(pin ? ['-c', '1', path.join(build, 'udp_blast')] : []), '127.0.0.1', `${base}-${base + nSockets - 1}`, String(COUNT), '64', RATE, String(burst)], { stdio: 'ignore' });
    p.on('exit', res);
  });
  await new Promise((res) => (rx.exitCode !== null ? res() : rx.on('exit', res)));
  const r = JSON.parse(out.trim().split('\n').pop());
  return { api: 'C', burst, config: `${nSockets} (IPv4)`, sockets: nSockets, sent: COUNT, received: r.received, cpuUsPerDatagram: r.cpuUs / Math.max(1, r.received) };
}

async function run(nSockets, family, api, burst) {
  // n sockets of one family, or (family 0) half IPv4, half IPv6
  const groups = family ? [[nSockets, family]] : [[nSockets / 2, 4], [nSockets / 2, 6]];
  const opened = [];
  for (const [n, fam] of groups) opened.push({ fam, ...(await consecutivePorts(n, fam)) });
  let got = 0;
  // batch: a batches() loop per tap; merged: one mergeBatches() loop over all taps (one promise per
  // loop turn); message: a 'message' listener per tap (one RxMessage object per datagram)
  const all = opened.flatMap((g) => g.taps);
  const loops =
    api === 'batch'
      ? all.map(async (t) => { for await (const b of t.batches()) got += b.count; })
      : api === 'merged'
        ? [(async () => { for await (const bs of mergeBatches(all)) for (const b of bs) got += b.count; })()]
        : all.map((t) => (t.on('message', () => got++), Promise.resolve()));
  const cpu0 = process.cpuUsage();
  const senders = opened.map((g) => new Promise((res) => {
    const per = Math.round(COUNT / opened.length);
    const p = spawn(pin ? 'taskset' : path.join(build, 'udp_blast'), [...(pin ? ['-c', '1', path.join(build, 'udp_blast')] : []), g.fam === 4 ? '127.0.0.1' : '::1', `${g.base}-${g.base + g.taps.length - 1}`, String(per), '64', String(Number(RATE) / opened.length), String(burst)], { stdio: 'ignore' });
    p.on('exit', () => res(per));
  }));
  const sent = (await Promise.all(senders)).reduce((a, b) => a + b, 0);
  const t0 = Date.now();
  while (got < sent && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpu0);
  for (const g of opened) for (const t of g.taps) t.close();
  await Promise.all(loops);
  return { api, burst, config: family ? `${nSockets} (IPv${family})` : `${nSockets} (½ v4, ½ v6)`, sockets: nSockets, sent, received: got, cpuUsPerDatagram: (cpu.user + cpu.system) / got };
}

// The IPv6 receive path costs more per datagram than IPv4, so the one-socket baseline for the mixed
// 64-socket run is the mean of one IPv4 and one IPv6 socket: the same traffic mix.
const MANY = Number(process.env.BENCH_MANY_SOCKETS ?? 64);
// The mixed run is the headline; MANY IPv4 sockets vs one IPv4 socket isolates the family effect.
const configs = [[1, 4], [1, 6], [MANY, 0], [MANY, 4]];
const apis = (process.env.BENCH_MANY_API ?? 'batch,merged,message').split(',');
// Sender bursts (datagrams per sendmmsg): 64 lands a whole burst in one socket when there is one,
// but spreads it one or two per socket over many — the worst case for many sockets; 4 is closer to
// independent senders.
const bursts = (process.env.BENCH_MANY_BURST ?? '64,4').split(',').map(Number);
const rows = [];
for (let rep = 0; rep < REPS; rep++)
  for (const burst of bursts)
    for (const api of ['C', ...apis])
      for (const [n, fam] of rep % 2 ? [...configs].reverse() : configs) {
        if (api === 'C') {
          if (fam === 4) rows.push({ rep, ...(await runC(n, burst)) });
        } else rows.push({ rep, ...(await run(n, fam, api, burst)) });
      }
console.log('| rep | sender burst | API | sockets | received / sent | CPU µs per datagram |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.rep} | ${r.burst} | ${r.api} | ${r.config} | ${r.received} / ${r.sent} | ${r.cpuUsPerDatagram.toFixed(2)} |`);
const med = (burst, api, config) => {
  const v = rows.filter((r) => r.burst === burst && r.api === api && r.config === config).map((r) => r.cpuUsPerDatagram).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
const mixed = `${MANY} (½ v4, ½ v6)`;
const summary = [];
console.log('\n| sender burst | API | CPU µs/dgram: 1 IPv4 | 1 IPv6 | ' + `${MANY} mixed | ${MANY} IPv4 | mixed / mean(1 v4, 1 v6) | ${MANY} IPv4 / 1 IPv4 |\n|---|---|---|---|---|---|---|---|`);
for (const burst of bursts) {
  const c1 = med(burst, 'C', '1 (IPv4)');
  const cn = med(burst, 'C', `${MANY} (IPv4)`);
  summary.push({ burst, api: 'C', one4: c1, many4: cn, ipv4Ratio: cn / c1 });
  console.log(`| ${burst} | C recvmmsg (anchor) | ${c1.toFixed(2)} | – | – | ${cn.toFixed(2)} | – | ${(cn / c1).toFixed(2)}× |`);
  for (const api of apis) {
    const one4 = med(burst, api, '1 (IPv4)');
    const one6 = med(burst, api, '1 (IPv6)');
    const many = med(burst, api, mixed);
    const many4 = med(burst, api, `${MANY} (IPv4)`);
    const s = { burst, api, one4, one6, many, many4, mixedRatio: many / ((one4 + one6) / 2), ipv4Ratio: many4 / one4 };
    summary.push(s);
    console.log(`| ${burst} | ${api} | ${one4.toFixed(2)} | ${one6.toFixed(2)} | ${many.toFixed(2)} | ${many4.toFixed(2)} | ${s.mixedRatio.toFixed(2)}× | ${s.ipv4Ratio.toFixed(2)}× |`);
  }
}
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'many.json'), JSON.stringify({ rows, summary }, null, 2) + '\n');
