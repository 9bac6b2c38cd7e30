#!/usr/bin/env node
// One process, one event loop, many sockets: CPU per datagram with 1 tap vs 64 taps (IPv4 and IPv6
// mixed), the same total traffic, measured side by side in one run. No thread per socket.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openUdp } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, '.build');
fs.mkdirSync(build, { recursive: true });
execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', path.join(build, 'udp_blast'), path.join(here, 'c', 'udp_blast.c')]);
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

async function run(nSockets, family, api) {
  // one socket of the given family, or many sockets: half IPv4, half IPv6
  const groups = nSockets === 1 ? [[1, family]] : [[nSockets / 2, 4], [nSockets / 2, 6]];
  const opened = [];
  for (const [n, fam] of groups) opened.push({ fam, ...(await consecutivePorts(n, fam)) });
  let got = 0;
  // batch API: one RxBatch per recvmmsg round; message API: one RxMessage object per datagram
  const loops =
    api === 'batch'
      ? opened.flatMap((g) => g.taps.map(async (t) => { for await (const b of t.batches()) got += b.count; }))
      : opened.flatMap((g) => g.taps.map((t) => (t.on('message', () => got++), Promise.resolve())));
  const cpu0 = process.cpuUsage();
  const senders = opened.map((g) => new Promise((res) => {
    const per = Math.round(COUNT / opened.length);
    const p = spawn(path.join(build, 'udp_blast'), [g.fam === 4 ? '127.0.0.1' : '::1', `${g.base}-${g.base + g.taps.length - 1}`, String(per), '64', String(Number(RATE) / opened.length)], { stdio: 'ignore' });
    p.on('exit', () => res(per));
  }));
  const sent = (await Promise.all(senders)).reduce((a, b) => a + b, 0);
  const t0 = Date.now();
  while (got < sent && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpu0);
  for (const g of opened) for (const t of g.taps) t.close();
  await Promise.all(loops);
  return { api, config: nSockets === 1 ? `1 (IPv${family})` : `${nSockets} (½ v4, ½ v6)`, sockets: nSockets, sent, received: got, cpuUsPerDatagram: (cpu.user + cpu.system) / got };
}

// The IPv6 receive path costs more per datagram than IPv4, so the one-socket baseline for the mixed
// 64-socket run is the mean of one IPv4 and one IPv6 socket: the same traffic mix.
const configs = [[1, 4], [1, 6], [Number(process.env.BENCH_MANY_SOCKETS ?? 64), 0]];
const apis = (process.env.BENCH_MANY_API ?? 'batch,message').split(',');
const rows = [];
for (let rep = 0; rep < REPS; rep++)
  for (const api of apis) for (const [n, fam] of rep % 2 ? [...configs].reverse() : configs) rows.push({ rep, ...(await run(n, fam, api)) });
console.log('| rep | API | sockets | received / sent | CPU µs per datagram |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.rep} | ${r.api} | ${r.config} | ${r.received} / ${r.sent} | ${r.cpuUsPerDatagram.toFixed(2)} |`);
const med = (api, config) => { const v = rows.filter((r) => r.api === api && r.config === config).map((r) => r.cpuUsPerDatagram).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
const many = rows.find((r) => r.sockets > 1).config;
const summary = {};
for (const api of apis) {
  const baseline = (med(api, '1 (IPv4)') + med(api, '1 (IPv6)')) / 2;
  const ratio = med(api, many) / baseline;
  summary[api] = { baseline, many: med(api, many), ratio, vsIPv4: med(api, many) / med(api, '1 (IPv4)'), vsIPv6: med(api, many) / med(api, '1 (IPv6)') };
  console.log(`${api} API: ${many} / one socket (mean of IPv4 and IPv6), CPU per datagram (medians): ${ratio.toFixed(2)}× (${summary[api].many.toFixed(2)} vs ${baseline.toFixed(2)} µs)`);
  console.log(`  vs one IPv4 socket: ${summary[api].vsIPv4.toFixed(2)}×, vs one IPv6 socket: ${summary[api].vsIPv6.toFixed(2)}×`);
}
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'many.json'), JSON.stringify({ rows, summary }, null, 2) + '\n');
