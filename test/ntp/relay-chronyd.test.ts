// A chronyd client → `disptap ntp --listen` → a chronyd server: the client (namespace A) uses the
// relay in the server's namespace B as its server. Every exchange the relay reports live must equal
// tcpdump's stamps of the same packets — the request arriving on B's veth (T1), the response arriving
// from the server over B's lo (T4) — to the ns; the relay's capture must give the same exchanges;
// and chrony's own delay must exceed the relay's on every exchange by the legs outside the relay.
// Both in chrony's basic mode and with `xleave` (interleaved: a response carries the server's kernel
// TX stamp of the previous response as T3 and completes the previous exchange).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, run, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { canRunChrony, sleep, startListening, useChronyLabs } from './helpers/chrony.js';
import { ntpAt, readPcapUdp, referenceExchanges, type UdpPacket } from './helpers/pcap.js';

const skip = canRunChrony();
const newLab = useChronyLabs();

const PORT = 11123;

describe.skipIf(skip !== null)(`disptap ntp --listen between chronyd client and server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const xleave of [false, true]) {
  it(`${xleave ? 'interleaved (xleave)' : 'basic'} mode: reports the relay's view of every exchange, equal to tcpdump's stamps to the ns, with chrony's own basic delay larger by the client's legs`, async () => {
    const l = newLab(xleave ? 'nz' : 'nq');
    const v = l.veth;
    const veth = path.join(l.dir, 'veth.pcap');
    const lo = path.join(l.dir, 'lo.pcap');
    const cap = path.join(l.dir, 'relay.pcapng');
    await l.tcpdump(v.nsB, v.ifB, veth, `udp port ${PORT}`);
    await l.tcpdump(v.nsB, 'lo', lo, 'udp port 123');
    l.chronyd(v.nsB, 'server', `local stratum 1\nallow all\nbindaddress ${v.addrB4}`);
    const { child: relay, out, err } = await startListening(l, ['netns', 'exec', v.nsB, process.execPath, MAIN, 'ntp', '--listen', `${v.addrB4}:${PORT}`, '--to', `${v.addrB4}:123`, '--json', '-w', cap, '-d', '8s']);
    await sleep(300);
    l.chronyd(v.nsA, 'client', `server ${v.addrB4} port ${PORT} minpoll 0 maxpoll 0${xleave ? ' xleave' : ''}\nlog measurements`);
    const code = await new Promise<number | null>((resolve) => relay.once('close', resolve)); // 'close': after its output is read
    expect(code, err()).toBe(0);
    await l.stop();

    const records = out().trim().split('\n').map((x) => JSON.parse(x) as Json);
    expectValidRecords(records);
    const xs = records.filter((r) => r.type === 'exchange');
    expect(xs.length).toBeGreaterThanOrEqual(4);
    const sum = records.at(-1)!;
    expect(sum).toMatchObject({ type: 'summary', command: 'ntp', exchanges: xs.length, relay: { t1: 'listen-rx', t4: 'upstream-rx', refusals: 0 } });

    // The judge. T1: the request arriving on B's veth (seen once there, incoming). T4: the
    // response from the server arriving at the relay's upstream socket over lo, where every packet
    // is seen twice (out, then in): the later copy is the incoming one the socket read. Merged in
    // time order, they are the relay's capture point; referenceExchanges pairs them as basic or
    // interleaved exchanges independently of src/ntp.
    const points: UdpPacket[] = readPcapUdp(veth).filter((k) => ntpAt(k.payload).mode === 3 && k.dport === PORT);
    const responses = new Map<string, UdpPacket>();
    for (const k of readPcapUdp(lo)) {
      const n = ntpAt(k.payload);
      const id = `${n.org} ${n.xmt}`;
      const prev = responses.get(id);
      if (n.mode === 4 && k.sport === 123 && (!prev || k.tsNs > prev.tsNs)) responses.set(id, k);
    }
    points.push(...responses.values());
    points.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
    const want = referenceExchanges(points);
    expect(xs.map((x) => [x.t1Ns, x.t2Ns, x.t3Ns, x.t4Ns, x.offsetNs, x.delayNs, x.mode])).toEqual(
      want.map((e) => [e.t1, e.t2, e.t3, e.t4, e.offset, e.delay].map(String).concat(e.interleaved ? 'interleaved' : 'basic')),
    );
    if (xleave) expect(xs.filter((x) => x.mode === 'interleaved').length).toBeGreaterThanOrEqual(xs.length - 2);
    for (const x of xs) {
      expect(x).toMatchObject({ point: 'relay', server: `${v.addrB4}:123`, sources: { t1: 'kernel', t4: 'kernel' } });
      expect(x.client).toMatch(new RegExp(`^${v.addrA4.replace(/\./g, '\\.')}:\\d+$`));
    }

    // The relay's capture, with chrony's log: the same exchanges, and chrony's δ (the client's
    // view: its legs to and from the relay and the relay's forwarding of the response included)
    // larger than the relay's on every basic one.
    const file = await run(['ntp', cap, '--json', '--chrony-log', l.measurements]);
    expect(file.code, file.stderr).toBe(0);
    expectValidRecords(file.records);
    const fx = file.records.filter((r) => r.type === 'exchange');
    const key = (e: Json) => [e.requestTransmit, e.t1Ns, e.t2Ns, e.t3Ns, e.t4Ns].join(' ');
    expect(fx.map(key).sort()).toEqual(xs.map(key).sort());
    const matched = fx.filter((x) => x.chrony);
    expect(matched.length).toBeGreaterThanOrEqual(fx.length - 3);
    for (const x of matched) {
      expect((x.chrony as Json).interleaved).toBe(x.mode === 'interleaved');
      // chrony's interleaved samples through the relay are not compared: with the relay slowed
      // (ASan) chrony's interleaved delay for an exchange was seen 1.2 ms below the relay's view of
      // it, which the four stamps of one exchange cannot give; what chrony pairs there is open.
      if (x.mode === 'basic') expect(BigInt((x.chrony as Json).delayDiffNs as string)).toBeLessThan(0n);
    }
    expect(matched.filter((x) => x.mode === 'basic').length).toBeGreaterThanOrEqual(1);
  }, 40_000);
  }
});
