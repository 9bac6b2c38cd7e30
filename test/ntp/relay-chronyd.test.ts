// A chronyd client → `disptap ntp --listen` → a chronyd server: the client (namespace A) uses the
// relay in the server's namespace B as its server. Every exchange the relay reports live must equal
// tcpdump's stamps of the same packets — the request arriving on B's veth (T1), the response arriving
// from the server over B's lo (T4) — to the ns; the relay's capture must give the same exchanges;
// and chrony's own delay must exceed the relay's on every exchange by the legs outside the relay.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, run, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { canRunChrony, sleep, startListening, useChronyLabs } from './helpers/chrony.js';
import { ntpAt, ntpNs, readPcapUdp, ref } from './helpers/pcap.js';

const skip = canRunChrony();
const newLab = useChronyLabs();

const PORT = 11123;

describe.skipIf(skip !== null)(`disptap ntp --listen between chronyd client and server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("reports the relay's view of every exchange, equal to tcpdump's stamps to the ns, with chrony's own delay larger by the client's legs", async () => {
    const l = newLab('nq');
    const v = l.veth;
    const veth = path.join(l.dir, 'veth.pcap');
    const lo = path.join(l.dir, 'lo.pcap');
    const cap = path.join(l.dir, 'relay.pcapng');
    await l.tcpdump(v.nsB, v.ifB, veth, `udp port ${PORT}`);
    await l.tcpdump(v.nsB, 'lo', lo, 'udp port 123');
    l.chronyd(v.nsB, 'server', `local stratum 1\nallow all\nbindaddress ${v.addrB4}`);
    const { child: relay, out, err } = await startListening(l, ['netns', 'exec', v.nsB, process.execPath, MAIN, 'ntp', '--listen', `${v.addrB4}:${PORT}`, '--to', `${v.addrB4}:123`, '--json', '-w', cap, '-d', '8s']);
    await sleep(300);
    l.chronyd(v.nsA, 'client', `server ${v.addrB4} port ${PORT} minpoll 0 maxpoll 0\nlog measurements`);
    const code = await new Promise<number | null>((resolve) => relay.once('exit', resolve));
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
    // is seen twice (out, then in): the later copy is the incoming one the socket read.
    const t1 = new Map<bigint, bigint>();
    for (const k of readPcapUdp(veth)) {
      const n = ntpAt(k.payload);
      if (n.mode === 3 && k.dport === PORT) t1.set(n.xmt, k.tsNs);
    }
    const t4 = new Map<bigint, { ts: bigint; rec: bigint; xmt: bigint }>();
    for (const k of readPcapUdp(lo)) {
      const n = ntpAt(k.payload);
      const prev = t4.get(n.org);
      if (n.mode === 4 && k.sport === 123 && (!prev || k.tsNs > prev.ts)) t4.set(n.org, { ts: k.tsNs, rec: n.rec, xmt: n.xmt });
    }
    for (const x of xs) {
      const cookie = BigInt(`0x${x.requestTransmit as string}`);
      const r = t4.get(cookie)!;
      expect(r, `response to ${x.requestTransmit as string}`).toBeDefined();
      const want = ref(t1.get(cookie)!, ntpNs(r.rec), ntpNs(r.xmt), r.ts, false);
      expect([x.t1Ns, x.t2Ns, x.t3Ns, x.t4Ns, x.offsetNs, x.delayNs]).toEqual([want.t1, want.t2, want.t3, want.t4, want.offset, want.delay].map(String));
      expect(x).toMatchObject({ point: 'relay', mode: 'basic', server: `${v.addrB4}:123`, sources: { t1: 'kernel', t4: 'kernel' } });
      expect(x.client).toMatch(new RegExp(`^${v.addrA4.replace(/\./g, '\\.')}:\\d+$`));
    }

    // The relay's capture, with chrony's log: the same exchanges, and chrony's δ (the client's
    // view: its legs to and from the relay and the relay's forwarding of the response included)
    // larger than the relay's on every one.
    const file = await run(['ntp', cap, '--json', '--chrony-log', l.measurements]);
    expect(file.code, file.stderr).toBe(0);
    expectValidRecords(file.records);
    const fx = file.records.filter((r) => r.type === 'exchange');
    const key = (e: Json) => [e.requestTransmit, e.t1Ns, e.t2Ns, e.t3Ns, e.t4Ns].join(' ');
    expect(fx.map(key).sort()).toEqual(xs.map(key).sort());
    const matched = fx.filter((x) => x.chrony);
    expect(matched.length).toBeGreaterThanOrEqual(fx.length - 3);
    for (const x of matched) expect(BigInt((x.chrony as Json).delayDiffNs as string)).toBeLessThan(0n);
  }, 40_000);
});
