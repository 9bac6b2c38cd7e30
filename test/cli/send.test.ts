// disptap send as a process: every kind reaches a receiver as the layer it claims to be, TX
// timestamps are ordered with the receiver's RX timestamps, --rate paces, errors are usage errors.
import { describe, expect, it } from 'vitest';
import { openUdp, type RxMessage } from '../../src/index.js';
import { decodePayload } from '../../src/decode/index.js';
import { ofType, run, start, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';

async function receiver(address: string) {
  const tap = await openUdp({ address, port: 0 });
  const got: RxMessage[] = [];
  tap.on('message', (m) => got.push(m));
  // The sender's exit can be seen in the loop turn before its datagrams are: wait for them.
  const wait = async (n: number, ms = 5000): Promise<RxMessage[]> => {
    for (const end = Date.now() + ms; got.length < n && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    return got;
  };
  return { tap, got, wait, port: tap.address().port };
}

describe('send', () => {
  it('--tx-timestamps: each datagram gets sched and software TX stamps, ordered before the receiver’s RX stamp', async () => {
    const rx = await receiver('127.0.0.1');
    try {
      const r = await run(['send', '--to', `127.0.0.1:${rx.port}`, '--kind', 'ntp-scion', '--count', '5', '--rate', '200', '--tx-timestamps', 'sched,software', '--json', '--ttl', '33', '--tos', '0x2e']);
      expect(r.code, r.stderr).toBe(0);
      const sent = ofType(r, 'sent');
      expect(sent.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(await rx.wait(5)).toHaveLength(5);
      sent.forEach((s, i) => {
        const m = rx.got[i]!;
        const sendNs = BigInt(s.sendNs as string);
        const sched = BigInt(s.txSchedNs as string);
        const sw = BigInt(s.txSoftwareNs as string);
        expect(sendNs <= sched && sched <= sw).toBe(true);
        expect(sw <= m.timestamps.software!).toBe(true);
        expect(BigInt(s.txLatencyNs as string)).toBe(sw - sendNs);
        expect(s.bytes).toBe(m.length);
        expect([m.ttl, m.tos]).toEqual([33, 0x2e]);
        const d = decodePayload({ srcPort: m.src.port, dstPort: rx.port, payload: m.data });
        expect(d.layer === 'scion' && d.l4?.type === 'udp' && d.l4.dstPort === 123 && d.l4.application.layer).toBe('NTP');
      });
      const summary = r.records.at(-1)!;
      expect(summary).toMatchObject({ type: 'summary', command: 'send', reason: 'count', send: { sent: 5, errors: 0, txTimestamps: 5, txMissing: 0 } });
      expect(((summary.send as Json).txLatency as Json).count).toBe(5);
      expectValidRecords(r.records);
    } finally {
      rx.tap.close();
    }
  });

  it('text mode prints the TX timestamps of each datagram', async () => {
    const rx = await receiver('::1');
    try {
      const r = await run(['send', '--to', `[::1]:${rx.port}`, '--count', '2', '--tx-timestamps']);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const l of lines) expect(l).toMatch(/^#\d \S+Z \[::\]:\d+ → \[::1\]:\d+ \d+ B SCION\/UDP tx \d{4}-\d\d-\d\dT[\d:.]{18}Z \(\+[\d.]+(ns|µs|ms)\)$/);
      expect(r.stderr).toMatch(/TX timestamp latency/);
    } finally {
      rx.tap.close();
    }
  });

  it('every kind arrives as the layer it names; --rate paces the datagrams', async () => {
    const rx = await receiver('127.0.0.1');
    try {
      const expected: Record<string, string> = { 'scion-udp': 'SCION/UDP', 'scmp-echo': 'SCION/SCMP', 'ntp-scion': 'SCION/UDP/NTP', bfd: 'SCION/BFD', ntp: 'NTP', raw: 'Payload' };
      const w = start(['watch', '--bind', '127.0.0.1:0', '--json']);
      const lst = await w.waitFor((x) => x.type === 'listening');
      const port = ((lst.sockets as Json[])[0] as Json).port as number;
      for (const kind of Object.keys(expected)) {
        // NTP classification is by port: plain NTP goes to a port the watcher has no say over,
        // so it is sent to our own receiver and checked with the decoder instead.
        const dest = kind === 'ntp' ? rx.port : port;
        const r = await run(['send', '--to', `127.0.0.1:${dest}`, '--kind', kind, '--count', '1', '--src-ia', '1-ff00:0:110', '--dst-ia', '2-ff00:0:220', '--payload', 'hi']);
        expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
      }
      await w.waitFor(() => ofType(w, 'packet').length === 5, 10_000, '5 packets');
      w.kill('SIGINT');
      expect(await w.exited()).toBe(0);
      const layers = ofType(w, 'packet').map((p) => p.layer);
      expect(layers).toEqual(['SCION/UDP', 'SCION/SCMP', 'SCION/UDP/NTP', 'SCION/BFD', 'Payload']);
      for (const p of ofType(w, 'packet').slice(0, 4)) expect([p.srcIA, p.dstIA, p.decodeError]).toEqual(['1-ff00:0:110', '2-ff00:0:220', undefined]);
      const ntp = (await rx.wait(1))[0]!;
      expect(decodePayload({ srcPort: 40000, dstPort: 123, payload: ntp.data })).toMatchObject({ layer: 'ntp', ok: true, modeName: 'Client' });

      const t0 = Date.now();
      const paced = await run(['send', '--to', `127.0.0.1:${rx.port}`, '--kind', 'raw', '--count', '6', '--rate', '20', '--json']);
      const took = Date.now() - t0;
      expect(paced.code).toBe(0);
      const times = ofType(paced, 'sent').map((s) => Number(BigInt(s.sendNs as string) / 1_000_000n));
      // 6 datagrams at 20/s: 250 ms from the first to the last, not all at once.
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(240);
      expect(took).toBeGreaterThanOrEqual(240);
    } finally {
      rx.tap.close();
    }
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['send'],
      ['send', '--to', '127.0.0.1:0'],
      ['send', '--to', '127.0.0.1:9', '--kind', 'nope'],
      ['send', '--to', '127.0.0.1:9', '--tx-timestamps', 'later'],
      ['send', '--to', '127.0.0.1:9', '--src-ia', 'not-an-ia'],
      ['send', '--to', '127.0.0.1:9', '--rate', 'fast'],
      ['send', '--to', '127.0.0.1:9', '--payload', 'a', '--payload-hex', '00'],
      ['send', '--to', '127.0.0.1:9', '--bind', '[::1]:0'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    }
  });
});
