// disptap message API: one RxMessage object per datagram, all metadata on.
import { openUdp } from '../../dist/index.js';
import { args, tapOptions, idleWatch, percentile, report, warmUp } from './common.mjs';

const { host, rcvbuf, expect, idleMs, warm } = args();
// Default options but the queue size every receiver here gets: the target is speed as users run it.
const tap = await openUdp({ address: host, recvBufferSize: rcvbuf, ...tapOptions() });
let cpu0 = process.cpuUsage();
let got = 0, bytes = 0, first = 0n, last = 0n;
const delays = new Float64Array(Math.max(1, expect));
let nd = 0;
// The warm-up runs the same code as the measured part (so V8 has compiled it); then every count restarts.
const warming = warmUp(warm, () => got, () => {
  cpu0 = process.cpuUsage();
  got = bytes = nd = 0;
});
console.log(`ready ${tap.address().port}`);
idleWatch(() => got, idleMs, () => tap.close());
// The work per message is a function of its own, as in disptap-batch.mjs.
function take(m) {
  if (got === 0) first = m.readAt;
  last = m.readAt;
  bytes += m.length;
  if (m.readDelayNs !== undefined && nd < delays.length) delays[nd++] = Number(m.readDelayNs);
  got++;
  // Both parts evaluated every time: a property read or comparison that first runs when the
  // warm-up ends would throw the optimized code away there (V8 had no type feedback for it).
  const reached = expect > 0 && got >= expect;
  const measuring = warming.left === 0;
  return reached && measuring;
}
for await (const m of tap) if (take(m)) break;
const cpu = process.cpuUsage(cpu0);
const d = delays.subarray(0, nd).sort();
report({ received: got, bytes, firstNs: String(first), lastNs: String(last), cpuUs: cpu.user + cpu.system,
  delayP50Ns: percentile(d, 0.5), delayP99Ns: percentile(d, 0.99) });
process.exit(0);
