#!/usr/bin/env node
// `npm run bench:unix-relay`: frames per second through the dispatcher unix-socket tap, and the
// latency it adds per frame, against a direct connection measured in the same run (issue #17).
//
//   npm run bench:unix-relay                     200 000 frames, 5 000 round trips, 3 repetitions
//   npm run bench:unix-relay -- --quick          50 000 frames, 1 000 round trips, 1 repetition
//   options: --frames N  --pings N  --reps N  --size BYTES (UDP payload in the SCION packet, default 100)
//
// Processes: a stand-in dispatcher (a child: counts bytes, or echoes each frame back) and an
// application (this process) that writes SCION/UDP frames in a burst, or one at a time and waits
// for the echo. Rows:
//   direct      the application connected to the dispatcher's socket
//   library     UnixStreamRelay in a child process, frames decoded, nothing printed
//   cli --json  `disptap relay --unix-listen … --unix-to … --json`, a record per frame to /dev/null
//   cli --write the same with --write to a pcapng file in the temp directory (each packet written synchronously)
// Throughput = frames / wall time from the first write until the dispatcher has every byte.
// Added latency = (round trip through the tap − direct round trip) / 2: a round trip crosses it twice.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const MAIN = path.join(root, 'dist', 'cli', 'main.js');
const COOKIE = Buffer.from('de00ad01be02ef03', 'hex');

function parseArgs(argv) {
  const o = { frames: 200_000, pings: 5000, reps: 3, size: 100 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') Object.assign(o, { frames: 50_000, pings: 1000, reps: 1 });
    else if (['--frames', '--pings', '--reps', '--size'].includes(a)) o[a.slice(2)] = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---- child roles -------------------------------------------------------------------------------
// node bench/unix-relay.mjs --role dispatcher PATH MODE(count|echo) TOTAL
// node bench/unix-relay.mjs --role library LISTEN TARGET
if (process.argv[2] === '--role') {
  const [, , , role, a, b, c] = process.argv;
  if (role === 'dispatcher') {
    const server = net.createServer((s) => {
      if (b === 'count') {
        let got = 0;
        const total = Number(c);
        s.on('data', (d) => {
          got += d.length;
          if (got >= total) s.write(Buffer.from([1]));
        });
      } else {
        // echo each whole frame back (the header tells its length)
        let buf = Buffer.alloc(0);
        s.on('data', (d) => {
          buf = buf.length ? Buffer.concat([buf, d]) : d;
          for (;;) {
            if (buf.length < 13) break;
            const t = buf[8];
            const len = 13 + (t === 1 ? 6 : t === 2 ? 18 : 0) + buf.readUInt32BE(9);
            if (buf.length < len) break;
            s.write(buf.subarray(0, len));
            buf = buf.subarray(len);
          }
        });
      }
      s.on('error', () => {});
    });
    server.listen(a, () => process.stdout.write('ready\n'));
  } else if (role === 'library') {
    const { UnixStreamRelay } = await import(path.join(root, 'dist/unix-relay/stream-relay.js'));
    const relay = new UnixStreamRelay({ targetPath: b, now: () => process.hrtime.bigint() });
    let frames = 0;
    relay.on('frame', () => frames++);
    await relay.listen(a);
    process.stdout.write('ready\n');
    process.on('SIGTERM', () => process.exit(0));
  }
} else {
  await main(parseArgs(process.argv.slice(2)));
}

function frameOf(payload) {
  const h = Buffer.alloc(13 + 6);
  COOKIE.copy(h);
  h[8] = 1;
  h.writeUInt32BE(payload.length, 9);
  Buffer.from([10, 0, 0, 254]).copy(h, 13);
  h.writeUInt16BE(30042, 17);
  return Buffer.concat([h, payload]);
}

async function scionPacket(size) {
  const { buildScionUdp } = await import(path.join(root, 'dist/decode/index.js'));
  return Buffer.from(buildScionUdp({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 31000, dstPort: 31001, payload: Buffer.alloc(size, 0x61) }));
}

function child(args, opts = {}) {
  const p = spawn(process.execPath, args, { stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
  return p;
}

function waitReady(p, re = /ready/) {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (d) => {
      text += d.toString();
      if (re.test(text)) resolve();
    };
    p.stdout?.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

async function startTap(kind, listen, target, tmp) {
  if (kind === 'direct') return { path: target, stop: async () => {} };
  let p;
  if (kind === 'library') {
    p = child([fileURLToPath(import.meta.url), '--role', 'library', listen, target]);
    await waitReady(p);
  } else {
    const args = [MAIN, 'relay', '--unix-listen', listen, '--unix-to', target, '--json'];
    if (kind === 'cli --write') args.push('--write', path.join(tmp, 'bench.pcapng'));
    const out = fs.openSync('/dev/null', 'w');
    p = child(args, { stdout: out });
    // the listening record goes to /dev/null: wait for the socket instead
    for (let i = 0; i < 400 && !fs.existsSync(listen); i++) await new Promise((r) => setTimeout(r, 25));
    if (!fs.existsSync(listen)) throw new Error(`disptap relay did not listen on ${listen}`);
  }
  return {
    path: listen,
    stop: () =>
      new Promise((r) => {
        p.on('exit', r);
        p.kill('SIGTERM');
      }),
  };
}

// The socket file appears at bind(), a moment before listen(): a connect in between is refused
// (seen under ASan, where that moment is longer). A refused connect never reached accept(), so
// trying again opens no extra session.
async function connect(p) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise((resolve, reject) => {
        const s = net.createConnection(p);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (e.code !== 'ECONNREFUSED' || attempt >= 200) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function throughput(tapPath, frame, frames) {
  const s = await connect(tapPath);
  const batch = 64;
  const chunk = Buffer.concat(Array(batch).fill(frame));
  const done = new Promise((r) => s.once('data', r));
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < frames; sent += batch) {
    const n = Math.min(batch, frames - sent);
    const ok = s.write(n === batch ? chunk : chunk.subarray(0, n * frame.length));
    if (!ok) await new Promise((r) => s.once('drain', r));
  }
  await done;
  const ns = Number(process.hrtime.bigint() - t0);
  s.destroy();
  return frames / (ns / 1e9);
}

async function roundTrips(tapPath, frame, pings) {
  const s = await connect(tapPath);
  const rtts = [];
  let got = 0;
  let wake = () => {};
  s.on('data', (d) => {
    got += d.length;
    if (got >= frame.length) wake();
  });
  for (let i = 0; i < pings + 100; i++) {
    got = 0;
    const t0 = process.hrtime.bigint();
    await new Promise((r) => {
      wake = r;
      s.write(frame);
    });
    if (i >= 100) rtts.push(Number(process.hrtime.bigint() - t0)); // the first 100 warm up
  }
  s.destroy();
  rtts.sort((a, b) => a - b);
  return { p50: rtts[Math.floor(rtts.length / 2)], p99: rtts[Math.floor(rtts.length * 0.99)] };
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function main(o) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm run build:ts`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-bench-unix-'));
  const pkt = await scionPacket(o.size);
  const frame = frameOf(pkt);
  const rows = ['direct', 'library', 'cli --json', 'cli --write'];
  const res = Object.fromEntries(rows.map((r) => [r, { fps: [], p50: [], p99: [] }]));
  let id = 0;
  try {
    for (let rep = 0; rep < o.reps; rep++) {
      // alternate the order so a warming machine favours no row
      for (const row of rep % 2 ? [...rows].reverse() : rows) {
        for (const mode of ['count', 'echo']) {
          const target = path.join(tmp, `d${++id}.sock`);
          const listen = path.join(tmp, `t${id}.sock`);
          const total = o.frames * frame.length;
          const d = child([fileURLToPath(import.meta.url), '--role', 'dispatcher', target, mode, String(total)]);
          await waitReady(d);
          const tap = await startTap(row, listen, target, tmp);
          try {
            if (mode === 'count') res[row].fps.push(await throughput(tap.path, frame, o.frames));
            else {
              const r = await roundTrips(tap.path, frame, o.pings);
              res[row].p50.push(r.p50);
              res[row].p99.push(r.p99);
            }
          } finally {
            await tap.stop();
            d.kill('SIGKILL');
          }
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const base = { fps: median(res.direct.fps), p50: median(res.direct.p50), p99: median(res.direct.p99) };
  console.log(`unix-socket relay, ${o.frames} frames of ${frame.length} B (SCION/UDP, ${o.size} B payload), ${o.pings} round trips, median of ${o.reps}; ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log('| path | frames/s | × direct | round trip p50 | added per frame p50 | round trip p99 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const fps = median(res[r].fps);
    const p50 = median(res[r].p50);
    const p99 = median(res[r].p99);
    const added = r === 'direct' ? '—' : `${((p50 - base.p50) / 2 / 1000).toFixed(1)} µs`;
    console.log(`| ${r} | ${Math.round(fps).toLocaleString('en')} | ${(fps / base.fps).toFixed(2)} | ${(p50 / 1000).toFixed(1)} µs | ${added} | ${(p99 / 1000).toFixed(1)} µs |`);
  }
}
