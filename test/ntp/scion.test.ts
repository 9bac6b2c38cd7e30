// NTP in SCION: the demo/send generator's SCION/UDP/NTP requests to a SCION NTP responder here,
// captured passively on lo by `disptap ntp` and by tcpdump. Exchanges are paired inside SCION
// (SCION hosts and inner ports, ISD-ASes) and equal tcpdump's stamps and the packets' fields.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildScionUdp, decodeScion, encodeNtp } from '../../src/decode/index.js';
import { run, start, type Json } from '../cli/helpers/cli.js';
import { ntpAt, ntpNs, readPcapUdp } from './helpers/pcap.js';

const skip = process.getuid?.() !== 0 ? 'passive capture and tcpdump need root' : spawnable('tcpdump');
function spawnable(cmd: string): string | null {
  try {
    fs.accessSync(`/usr/bin/${cmd}`, fs.constants.X_OK);
    return null;
  } catch {
    return `${cmd} is not installed`;
  }
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** Answers SCION/UDP/NTP requests: mode 4, origin = the request's transmit, receive/transmit = now. */
async function responder(): Promise<number> {
  const s = dgram.createSocket('udp4');
  cleanup.push(() => s.close());
  s.on('message', (m, r) => {
    const d = decodeScion(m);
    if (!d.ok || d.l4.type !== 'udp') return;
    const q = d.l4.payload;
    const rx = BigInt(Date.now()) * 1_000_000n;
    const xmt = { raw: Buffer.from(q).readBigUInt64BE(40) };
    const ntp = encodeNtp({ mode: 4, stratum: 1, referenceId: 'SCIO', originTimestamp: xmt, receiveTimestamp: rx, transmitTimestamp: rx + 25_000n });
    const a = d.address;
    s.send(buildScionUdp({ srcIA: a.dstIA.text, dstIA: a.srcIA.text, src: a.dst.type === 'ipv4' ? a.dst.ip : '127.0.0.1', dst: a.src.type === 'ipv4' ? a.src.ip : '127.0.0.1', srcPort: d.l4.dstPort, dstPort: d.l4.srcPort, payload: ntp }), r.port, r.address);
  });
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  return s.address().port;
}

describe.skipIf(skip !== null)(`disptap ntp: NTP in SCION${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('pairs SCION/UDP/NTP exchanges from a passive capture, equal to tcpdump and the packet fields', async () => {
    const port = await responder();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-ntp-scion-'));
    const pcap = path.join(dir, 'lo.pcap');
    const td: ChildProcess = spawn('tcpdump', ['-U', '--immediate-mode', '-n', '-i', 'lo', '-j', 'adapter_unsynced', '--time-stamp-precision=nano', '-w', pcap, 'udp', 'port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanup.push(() => td.kill('SIGKILL'));
    await new Promise<void>((res, rej) => {
      let e = '';
      td.stderr!.on('data', (d: Buffer) => ((e += d), e.includes('listening on') && res()));
      td.once('exit', () => rej(new Error(e)));
    });
    // Only incoming copies, like tcpdump on lo: the same skb stamps, to the ns.
    const ntp = start(['ntp', '--passive', '--iface', 'lo', '--port', String(port), '--direction', 'in', '--json', '-c', '5', '-d', '15s']);
    await ntp.waitFor((x) => x.type === 'listening', 10_000, 'listening'); // the Session's first record: the capture is open
    const sent = await run(['send', '--kind', 'ntp-scion', '--to', `127.0.0.1:${port}`, '-c', '6', '-r', '20', '--src-ia', '1-ff00:0:110', '--dst-ia', '1-ff00:0:111']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(await ntp.exited(15_000)).toBe(0);
    // tcpdump writes what its ring holds: wait until all 12 packets are in the file.
    for (let i = 0; i < 50 && (!fs.existsSync(pcap) || readPcapUdp(pcap).length < 12); i++) await new Promise((r) => setTimeout(r, 100));
    td.kill('SIGINT');
    await new Promise((r) => td.once('exit', r));

    const xs = ntp.records.filter((r) => r.type === 'exchange') as Json[];
    expect(xs).toHaveLength(5);
    // Independent: the NTP header is the last 48 bytes of the SCION payload.
    const pk = readPcapUdp(pcap);
    const byCookie = new Map<bigint, bigint>();
    const byOrigin = new Map<bigint, { t: bigint; rec: bigint; xmt: bigint }>();
    for (const p of pk) {
      const n = ntpAt(p.payload);
      if (n.mode === 3) byCookie.set(n.xmt, p.tsNs);
      else if (n.mode === 4) byOrigin.set(n.org, { t: p.tsNs, rec: n.rec, xmt: n.xmt });
    }
    for (const x of xs) {
      expect(x).toMatchObject({ client: '127.0.0.1:31000', server: '127.0.0.1:123', clientIA: '1-ff00:0:110', serverIA: '1-ff00:0:111', mode: 'basic' });
      const cookie = BigInt(`0x${x.requestTransmit as string}`);
      expect(byCookie.has(cookie)).toBe(true);
      const r = byOrigin.get(cookie)!;
      const want = [byCookie.get(cookie)!, ntpNs(r.rec), ntpNs(r.xmt), r.t];
      expect([x.t1Ns, x.t2Ns, x.t3Ns, x.t4Ns]).toEqual(want.map(String));
      expect(x.delayNs).toBe(String(want[3]! - want[0]! - (want[2]! - want[1]!)));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
