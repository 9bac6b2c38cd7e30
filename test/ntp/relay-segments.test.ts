// Two capture points, one answer: chronyd's client talks to its server through a relay in the
// server's namespace that holds requests 3 ms and responses 1 ms. tcpdump on the veth (the "NIC")
// and on lo (the application side) — and once on `any`, both legs in one file — must put those
// milliseconds on the right segment and direction, equal to an independent reading of the pcaps.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { nodeInNs } from '../helpers/netns.js';
import { canRunChrony, sleep, useChronyLabs } from './helpers/chrony.js';
import { ntpAt, readPcapUdp, type UdpPacket } from './helpers/pcap.js';

const skip = canRunChrony();
const newLab = useChronyLabs();

const REQ_MS = 3;
const RESP_MS = 1;
const MS = 1_000_000n;

/** A UDP relay: one upstream socket per client port, fixed delay per direction. */
const relayScript = (listen: string, port: number, target: string) => `
import dgram from 'node:dgram';
const front = dgram.createSocket('udp4');
// Node timers count from the loop's cached time and can fire early: wait out the full delay.
const later = (ms, fn) => {
  const t0 = process.hrtime.bigint();
  const f = () => (process.hrtime.bigint() - t0 < BigInt(ms) * 1000000n ? setImmediate(f) : fn());
  setTimeout(f, ms);
};
const ups = new Map();
front.on('message', (m, r) => {
  const k = r.address + ':' + r.port;
  let u = ups.get(k);
  if (!u) {
    u = dgram.createSocket('udp4');
    u.on('message', (m2) => later(${RESP_MS}, () => front.send(m2, r.port, r.address)));
    ups.set(k, u);
  }
  later(${REQ_MS}, () => u.send(m, 123, '${target}'));
});
front.bind(${port}, '${listen}', () => console.log('ready'));
`;

function times(pkts: UdpPacket[]): Map<string, bigint> {
  // first sighting of each request (by cookie) and response (by origin+transmit)
  const m = new Map<string, bigint>();
  for (const p of pkts) {
    const n = ntpAt(p.payload);
    const k = n.mode === 3 ? `q${n.xmt}` : `r${n.org}/${n.xmt}`;
    if (!m.has(k)) m.set(k, p.tsNs);
  }
  return m;
}

describe.skipIf(skip !== null)(`disptap ntp: two capture points around a relay${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('puts the injected request and response delays on the relay segment, each way, with the offset bias they imply', async () => {
    const l = newLab('nr');
    const v = l.veth;
    const nic = path.join(l.dir, 'nic.pcap');
    const app = path.join(l.dir, 'app.pcap');
    const any = path.join(l.dir, 'any.pcap');
    await l.tcpdump(v.nsB, v.ifB, nic, 'udp');
    await l.tcpdump(v.nsB, 'lo', app, 'udp');
    await l.tcpdump(v.nsB, 'any', any, 'udp');
    l.chronyd(v.nsB, 'server', 'local stratum 1\nallow all');
    const relay = nodeInNs(v.nsB, relayScript(v.addrB4, 11123, v.addrB4));
    l.children.push(relay);
    await new Promise<void>((resolve, reject) => {
      relay.stdout!.once('data', () => resolve());
      relay.once('exit', () => reject(new Error('relay died')));
    });
    l.chronyd(v.nsA, 'client', `server ${v.addrB4} port 11123 minpoll 0 maxpoll 0 iburst`);
    await sleep(6500);
    await l.stop();

    const r = await run(['ntp', '--point', `nic=${nic}`, '--point', `app=${app}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectValidRecords(r.records); // segment records and the summary's segments
    const segs = r.records.filter((x) => x.type === 'segment');
    expect(segs.length).toBeGreaterThanOrEqual(4);
    const tn = times(readPcapUdp(nic));
    const ta = times(readPcapUdp(app));
    const nicX = r.records.filter((x) => x.type === 'exchange' && x.point === 'nic');
    for (const s of segs) {
      expect([s.upstream, s.downstream]).toEqual(['nic', 'app']);
      const req = BigInt(s.requestNs as string);
      const resp = BigInt(s.responseNs as string);
      expect(req).toBeGreaterThanOrEqual(BigInt(REQ_MS) * MS);
      expect(resp).toBeGreaterThanOrEqual(BigInt(RESP_MS) * MS);
      expect(BigInt(s.biasNs as string)).toBe((req - resp) / 2n - ((req - resp) % 2n < 0n ? 1n : 0n));
      expect(BigInt(s.upstreamDelayNs as string) - BigInt(s.downstreamDelayNs as string)).toBe(req + resp);
    }
    // Exactly what the pcaps say, segment by segment.
    expect(nicX.length).toBeGreaterThanOrEqual(segs.length);
    const ref = [...tn.keys()].filter((k) => k.startsWith('q') && ta.has(k)).map((k) => ta.get(k)! - tn.get(k)!);
    expect(segs.map((s) => BigInt(s.requestNs as string)).sort()).toEqual(ref.filter((x) => segs.some((s) => BigInt(s.requestNs as string) === x)).sort());
    const refResp = [...tn.keys()].filter((k) => k.startsWith('r') && ta.has(k)).map((k) => tn.get(k)! - ta.get(k)!);
    for (const s of segs) expect(refResp).toContain(BigInt(s.responseNs as string));
    const sum = r.records.at(-1) as Json;
    const g = (sum.segments as Json[])[0]!;
    expect(BigInt(g.requestP50Ns as string)).toBeGreaterThan(BigInt(g.responseP50Ns as string));
    expect(BigInt(g.biasP50Ns as string)).toBeGreaterThan(0n);

    // One capture on `any` holds both legs: the same answer between the two address pairs.
    const one = await run(['ntp', any, '--json']);
    expect(one.code, one.stderr).toBe(0);
    const legs = one.records.filter((x) => x.type === 'segment');
    expect(legs.length).toBe(segs.length);
    for (const s of legs) {
      expect(s.upstream).toBe(`${v.addrA4}>${v.addrB4}:11123`);
      expect(s.downstream).toBe(`${v.addrB4}>${v.addrB4}:123`);
      expect(BigInt(s.requestNs as string)).toBeGreaterThanOrEqual(BigInt(REQ_MS) * MS);
      expect(BigInt(s.responseNs as string)).toBeGreaterThanOrEqual(BigInt(RESP_MS) * MS);
    }
  }, 40_000);
});
