#!/usr/bin/env node
// RSS over many datagrams: 10 million (BENCH_RSS_COUNT) through the batch API with all metadata
// on, RSS sampled every million. Prints the samples and exits 1 if RSS keeps growing.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openUdp } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COUNT = Number(process.env.BENCH_RSS_COUNT ?? 10_000_000);
const build = path.join(here, '.build');
fs.mkdirSync(build, { recursive: true });
execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', path.join(build, 'udp_blast'), path.join(here, 'c', 'udp_blast.c')]);

const tap = await openUdp({ address: '127.0.0.1', recvBufferSize: 64 << 20 });
const port = tap.address().port;
// paced below what this machine drains, so the test measures memory, not loss
const sender = spawn(path.join(build, 'udp_blast'), ['127.0.0.1', String(port), String(COUNT), '64', process.env.BENCH_RSS_RATE ?? '300000'], { stdio: ['ignore', 'pipe', 'inherit'] });
let got = 0;
let nextSample = 0;
const samples = [];
const idle = setInterval(() => {
  if (got === lastGot && sender.exitCode !== null) tap.close();
  lastGot = got;
}, 1000);
let lastGot = -1;
for await (const b of tap.batches()) {
  got += b.count;
  if (got >= nextSample) {
    samples.push({ datagrams: got, rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1), heapMiB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1) });
    nextSample += 1_000_000;
  }
  if (got >= COUNT) break;
}
clearInterval(idle);
const drops = tap.closed ? 0 : tap.stats().kernelDrops;
tap.close();
console.log('| datagrams | RSS MiB | heap MiB |\n|---|---|---|');
for (const s of samples) console.log(`| ${s.datagrams} | ${s.rssMiB} | ${s.heapMiB} |`);
// after the first million (warm-up: arenas, JIT), RSS must stay within 16 MiB
const warm = samples.filter((s) => s.datagrams >= 1_000_000);
const growth = warm.length ? Math.max(...warm.map((s) => s.rssMiB)) - warm[0].rssMiB : 0;
console.log(`received ${got} of ${COUNT} (kernel drops ${drops}); RSS growth after warm-up: ${growth.toFixed(1)} MiB`);
process.exit(growth > 16 ? 1 : 0);
