// Node's own dgram: no kernel metadata at all; read time from the JS clock.
import dgram from 'node:dgram';
import { clock } from '../../dist/index.js';
import { args, idleWatch, report, warmUp } from './common.mjs';

const { host, rcvbuf, expect, idleMs, warm } = args();
const s = dgram.createSocket({ type: 'udp4', recvBufferSize: rcvbuf });
await new Promise((r) => s.bind(0, host, r));
try { s.setRecvBufferSize(rcvbuf); } catch { /* capped by rmem_max */ }
let cpu0 = process.cpuUsage();
let got = 0, bytes = 0, first = 0n, last = 0n;
// The warm-up runs the same code as the measured part (so V8 has compiled it); then every count restarts.
const warming = warmUp(warm, () => got, () => {
  cpu0 = process.cpuUsage();
  got = bytes = 0;
});
console.log(`ready ${s.address().port}`);
const done = () => {
  const cpu = process.cpuUsage(cpu0);
  report({ received: got, bytes, firstNs: String(first), lastNs: String(last), cpuUs: cpu.user + cpu.system, delayP50Ns: -1, delayP99Ns: -1 });
  process.exit(0);
};
idleWatch(() => got, idleMs, done);
s.on('message', (msg) => {
  const now = clock.realtimeNs();
  if (got === 0) first = now;
  last = now;
  bytes += msg.length;
  got++;
  // Both parts evaluated every time: a property read or comparison that first runs when the
  // warm-up ends would throw the optimized loop away there (V8 had no type feedback for it).
  const reached = expect > 0 && got >= expect;
  const measuring = warming.left === 0;
  if (reached && measuring) done();
});
