// disptap demo (`npm start`): no SCION deployment needed. A watch on 127.0.0.1 and [::1] (ports
// chosen by the kernel) and, in the same process, a generator that sends real SCION packets to it
// over loopback — SCION/UDP, SCMP echo, BFD over SCION, NTP in SCION — for a few seconds. One
// oversized datagram shows what truncation looks like. Ends with the watch summary.
import { openUdp, clock, type UdpTap } from '../../index.js';
import { formatEndpoint } from '../bind-spec.js';
import type { DemoCli } from '../types.js';
import { attachTaps, openTaps, sessionOptions } from '../sources/watch.js';
import { Session } from '../pipeline/session.js';
import { buildDatagram, type TrafficKind } from './traffic.js';

const KINDS: readonly TrafficKind[] = ['scion-udp', 'scmp-echo', 'bfd', 'ntp-scion'];
/** Receive slot of the demo's watch: the one jumbo datagram of the demo arrives truncated. */
const DEMO_SLOT = 1500;

export async function runDemo(o: DemoCli): Promise<number> {
  const session = new Session(sessionOptions('demo', { json: o.json, color: o.color, duration: o.duration, write: o.write, metrics: o.metrics }));
  const taps = await openTaps(
    [
      { address: '127.0.0.1', port: 0, family: 4 },
      { address: '::1', port: 0, family: 6 },
    ],
    { timestamps: 'software', maxSize: DEMO_SLOT },
  );
  const senders: UdpTap[] = [];
  try {
    senders.push(await openUdp({ address: '127.0.0.1', port: 0, timestamps: 'none' }));
    senders.push(await openUdp({ address: '::1', port: 0, timestamps: 'none' }));
    await session.start();
  } catch (e) {
    for (const t of [...taps.map((t) => t.tap), ...senders]) t.close();
    throw e;
  }
  attachTaps(session, taps);
  session.listening(
    { sockets: taps.map((t) => t.json) },
    `disptap demo: a generator sends SCION/UDP, SCMP echo, BFD and NTP-in-SCION to a watch on ${taps.map((t) => t.label).join(' and ')} for ${(o.duration / 1000).toFixed(1)} s (Ctrl-C ends early)`,
  );

  let seq = 0;
  const tick = () => {
    if (session.isStopping) return;
    seq++;
    const v6 = seq % 2 === 0;
    const rx = taps[v6 ? 1 : 0]!;
    const tx = senders[v6 ? 1 : 0]!;
    const host = v6 ? '::1' : '127.0.0.1';
    const kind = KINDS[(seq - 1) % KINDS.length]!;
    // Packet 7 is larger than the watch's receive slot: it shows up TRUNCATED.
    const size = seq === 7 ? DEMO_SLOT + 500 : undefined;
    const data = buildDatagram(
      { kind: size ? 'scion-udp' : kind, srcIA: '1-ff00:0:110', dstIA: seq % 3 === 0 ? '1-ff00:0:111' : '1-ff00:0:110', srcHost: host, dstHost: host, srcPort: 31000 + (seq % 5), dstPort: kind === 'ntp-scion' ? 123 : 31001, size },
      seq,
      clock.realtimeNs(),
    );
    tx.send(data, { address: host, port: rx.local.port }).catch((e: Error) => session.problem(`generator: ${e.message}`));
  };
  const interval = o.rate > 0 ? 1000 / o.rate : 1000;
  const timer = setInterval(tick, interval);
  setTimeout(tick, 50);
  session.onStop(() => {
    clearInterval(timer);
    for (const t of senders) t.close();
  });
  const code = await session.done;
  if (!session.out.json) session.out.err(`(demo ran against ${taps.map((t) => formatEndpoint(t.local)).join(', ')}; try \`disptap watch --bind 127.0.0.1:30041\` next to a real dispatcher)`);
  return code;
}
