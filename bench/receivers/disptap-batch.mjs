// disptap batch API: one recvmmsg round per iteration as struct-of-arrays, all metadata on.
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
let scratch = new Float64Array(1024);
idleWatch(() => got, idleMs, () => tap.close());
// The work per batch is a function of its own, called per batch: V8 optimises it during the
// warm-up. (A loop body in the module's own code is optimised only by on-stack replacement, which
// a receiver reading 1200 B datagrams live did not trigger: its first drain paid ~25 ms to compile it.)
function take(b) {
  if (got === 0) first = b.readAt;
  last = b.readAt;
  const n = b.count, len = b.origLengths;
  // read delays as numbers, as the C receiver computes them (no BigInt per datagram)
  if (scratch.length < n) scratch = new Float64Array(n);
  const rd = b.readDelays(scratch);
  for (let i = 0; i < n; i++) {
    bytes += len[i];
    if (nd < delays.length && !Number.isNaN(rd[i])) delays[nd++] = rd[i];
  }
  got += n;
  // Both parts evaluated every time: a property read or comparison that first runs when the
  // warm-up ends would throw the optimized code away there (V8 had no type feedback for it).
  const reached = expect > 0 && got >= expect;
  const measuring = warming.left === 0;
  return reached && measuring;
}
for await (const b of tap.batches()) if (take(b)) break;
const cpu = process.cpuUsage(cpu0);
const d = delays.subarray(0, nd).sort();
report({ received: got, bytes, firstNs: String(first), lastNs: String(last), cpuUs: cpu.user + cpu.system,
  drops: tap.closed ? -1 : tap.stats().kernelDrops, delayP50Ns: percentile(d, 0.5), delayP99Ns: percentile(d, 0.99) });
process.exit(0);
