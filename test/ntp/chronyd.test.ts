// Real chronyd (server `local stratum 1`, client polling every second) in two namespaces joined
// by a veth; tcpdump's nanosecond pcap of the client's veth is the outside judge: every exchange
// `disptap ntp` reports must equal the one an independent reader computes from the same stamps.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, run, type Json } from '../cli/helpers/cli.js';
import { expectValidRecords } from '../cli/helpers/json-schema.js';
import { canRunChrony, sleep, startListening, useChronyLabs, type ChronyLab } from './helpers/chrony.js';
import { readPcapUdp, referenceExchanges } from './helpers/pcap.js';

const skip = canRunChrony();
const newLab = useChronyLabs();

/** Runs server and client for `ms`, capturing the client's veth; returns the pcap path. */
async function exchange(tag: string, xleave: boolean, ms: number): Promise<{ lab: ChronyLab; pcap: string }> {
  const l = newLab(tag);
  const v = l.veth;
  const pcap = path.join(l.dir, 'client.pcap');
  await l.tcpdump(v.nsA, v.ifA, pcap, 'udp port 123');
  l.chronyd(v.nsB, 'server', `local stratum 1\nallow all\nbindaddress ${v.addrB4}`);
  await sleep(300);
  l.chronyd(v.nsA, 'client', `server ${v.addrB4} minpoll 0 maxpoll 0${xleave ? ' xleave' : ''}\nlog measurements`);
  await sleep(ms);
  await l.stop(); // chronyd and tcpdump end; the pcap and the log stay in l.dir
  return { lab: l, pcap };
}

function exchangesOf(records: Json[]): Json[] {
  return records.filter((r) => r.type === 'exchange');
}

describe.skipIf(skip !== null)(`disptap ntp against real chronyd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('live: `disptap ntp --passive` on the client veth reports the exchanges tcpdump sees, to the ns', async () => {
    const l = newLab('nl');
    const v = l.veth;
    const pcap = path.join(l.dir, 'client.pcap');
    await l.tcpdump(v.nsA, v.ifA, pcap, 'udp port 123');
    // Both AF_PACKET sockets get the same stamped clone of each packet.
    // Listening: the Session's first record (the capture is open).
    const { child: live, out, err } = await startListening(l, ['netns', 'exec', v.nsA, process.execPath, MAIN, 'ntp', '--passive', '--iface', v.ifA, '--port', '123', '--json', '-d', '9s']);
    l.chronyd(v.nsB, 'server', `local stratum 1\nallow all\nbindaddress ${v.addrB4}`);
    await sleep(300);
    l.chronyd(v.nsA, 'client', `server ${v.addrB4} minpoll 0 maxpoll 0`);
    const code = await new Promise<number | null>((resolve) => live.once('close', resolve)); // 'close': after its output is read
    expect(code, err()).toBe(0);
    await l.stop();
    const records = out().trim().split('\n').map((x) => JSON.parse(x) as Json);
    expectValidRecords(records);
    const xs = exchangesOf(records);
    expect(xs.length).toBeGreaterThanOrEqual(4);
    for (const x of xs) expect([x.t1Copy, x.t4Copy]).toEqual(['out', 'in']);
    const refs = referenceExchanges(readPcapUdp(pcap));
    const key = (a: unknown[]) => a.join(' ');
    const want = new Set(refs.map((e) => key([e.t1, e.t2, e.t3, e.t4, e.offset, e.delay].map(String))));
    for (const x of xs) expect(want.has(key([x.t1Ns, x.t2Ns, x.t3Ns, x.t4Ns, x.offsetNs, x.delayNs]))).toBe(true);
  }, 40_000);

  for (const xleave of [false, true]) {
    it(`${xleave ? 'interleaved (xleave)' : 'basic'} mode: every exchange equals tcpdump's stamps, chrony's log is matched`, async () => {
      const { lab: l, pcap } = await exchange(xleave ? 'nx' : 'nb', xleave, 7500);
      const refs = referenceExchanges(readPcapUdp(pcap));
      const r = await run(['ntp', pcap, '--json', '--chrony-log', l.measurements]);
      expect(r.code, r.stderr).toBe(0);
      expectValidRecords(r.records); // chrony's numbers beside each exchange, and the summary's comparison
      const xs = exchangesOf(r.records);
      expect(xs.length).toBeGreaterThanOrEqual(4);
      // Same exchanges, same numbers to the ns.
      expect(xs.map((x) => [x.t1Ns, x.t2Ns, x.t3Ns, x.t4Ns, x.offsetNs, x.delayNs, x.mode])).toEqual(
        refs.map((e) => [e.t1, e.t2, e.t3, e.t4, e.offset, e.delay].map(String).concat(e.interleaved ? 'interleaved' : 'basic')),
      );
      for (const x of xs) {
        expect(x.client).toMatch(new RegExp(`^${l.veth.addrA4.replace(/\./g, '\\.')}:\\d+$`));
        expect(x.server).toBe(`${l.veth.addrB4}:123`);
        expect(x.sources).toEqual({ t1: 'kernel', t2: 'packet', t3: 'packet', t4: 'kernel' });
      }
      if (xleave) expect(xs.filter((x) => x.mode === 'interleaved').length).toBeGreaterThanOrEqual(xs.length - 2);
      // chrony's own view: most samples found in its log, with the same kind of response, and its
      // T1 (the driver's SW TX stamp) later than the capture's outgoing copy: its delay is smaller.
      const matched = xs.filter((x) => x.chrony);
      expect(matched.length).toBeGreaterThanOrEqual(xs.length - 3);
      for (const x of matched) {
        const c = x.chrony as Json;
        expect(c.interleaved).toBe(x.mode === 'interleaved');
        expect([c.tx, c.rx]).toEqual(['K', 'K']);
        expect(BigInt(c.delayDiffNs as string)).toBeGreaterThan(0n);
        expect(BigInt(c.delayDiffNs as string)).toBe(BigInt(x.delayNs as string) - BigInt(c.delayNs as string));
      }
      const sum = r.records.at(-1)!;
      expect(sum.type).toBe('summary');
      expect(sum.exchanges).toBe(xs.length);
      expect((sum.chrony as Json).matched).toBe(matched.length);
      expect(fs.existsSync(l.measurements)).toBe(true);
    }, 40_000);
  }
});
