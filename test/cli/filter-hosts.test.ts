// `-f 'src 10.0.0.0/8'` and friends against the SCION host address as well as the underlay: real
// SCION packets from `disptap send --src-host …` over loopback into `disptap watch -f …`.
import { describe, expect, it } from 'vitest';
import { compileFilters, type FilterSubject } from '../../src/cli/pipeline/filter.js';
import { UsageError } from '../../src/cli/errors.js';
import { listening, ofType, run, sleep, start, type Json } from './helpers/cli.js';

/** What each watch is sent: one datagram of each, in this order (the payload says which). */
const SENDS: ReadonlyArray<{ tag: string; args: string[] }> = [
  { tag: 'scion-10', args: ['--kind', 'scion-udp', '--src-host', '10.0.0.100', '--dst-host', '192.168.7.7'] },
  { tag: 'scion-lo', args: ['--kind', 'scion-udp'] }, // SCION hosts: 127.0.0.1 → 127.0.0.1
  { tag: 'plain', args: ['--kind', 'raw'] },
];

/** Runs one watch per filter, sends SENDS to every watch, and returns the tags each one showed. */
async function shown(filters: readonly string[]): Promise<Map<string, string[]>> {
  // Eleven processes start at once: an ASan build sharing two cores with the rest of the suite took
  // more than 10 s to say it was listening.
  const watches = filters.map((f) => ({ f, p: start(['watch', '--bind', '127.0.0.1:0', '--json', '-f', f]) }));
  const ports = await Promise.all(watches.map(async (w) => (await listening(w.p, 90_000))[0]!.port));
  // One send per watch at a time, all watches at once: each watch gets SENDS in order.
  for (const s of SENDS) {
    await Promise.all(
      ports.map(async (port) => {
        const r = await run(['send', '--to', `127.0.0.1:${port}`, '--payload', s.tag, '--rate', '0', ...s.args], { timeoutMs: 90_000 });
        expect(r.code, r.stderr).toBe(0);
      }),
    );
  }
  await sleep(200); // loopback delivery is done when send exits; let the watches read it
  const out = new Map<string, string[]>();
  for (const w of watches) {
    w.p.kill('SIGINT');
    expect(await w.p.exited(60_000)).toBe(0);
    const summary = ofType(w.p, 'summary')[0]!;
    expect(summary.packets, `${w.f}: every datagram arrived`).toBe(SENDS.length);
    const tags = ofType(w.p, 'packet').map((r) => payloadTag(r));
    expect(summary.matched).toBe(tags.length);
    out.set(w.f, tags);
  }
  return out;
}

/** The payload text: SCION/UDP's inner payload, or the whole datagram for raw. */
function payloadTag(r: Json): string {
  const d = r.decoded as Json;
  const hex = d.layer === 'scion' ? ((d.l4 as Json).payload as string) : (d.data as string);
  return Buffer.from(hex, 'hex').toString();
}

describe('filter address terms see the SCION host address', () => {
  it('src/dst/host match the SCION host or the underlay; underlay … and scion … look at one only', async () => {
    const got = await shown([
      'src 10.0.0.0/8',
      'src 10.0.0.100',
      'dst 192.168.0.0/16',
      'host 192.168.7.7',
      'src 127.0.0.1',
      'underlay src 10.0.0.0/8',
      'scion src 10.0.0.0/8',
      'scion src 127.0.0.1',
      'underlay host 127.0.0.1',
      'scion dst 192.168.7.7 and underlay dst 127.0.0.1',
      'not src 10.0.0.0/8',
    ]);
    expect(Object.fromEntries(got)).toEqual({
      'src 10.0.0.0/8': ['scion-10'],
      'src 10.0.0.100': ['scion-10'],
      'dst 192.168.0.0/16': ['scion-10'],
      'host 192.168.7.7': ['scion-10'],
      // the underlay source of everything here is 127.0.0.1
      'src 127.0.0.1': ['scion-10', 'scion-lo', 'plain'],
      // the underlay of the SCION packet from 10.0.0.100 is loopback
      'underlay src 10.0.0.0/8': [],
      'scion src 10.0.0.0/8': ['scion-10'],
      // a plain datagram has no SCION host: scion terms never match it
      'scion src 127.0.0.1': ['scion-lo'],
      'underlay host 127.0.0.1': ['scion-10', 'scion-lo', 'plain'],
      'scion dst 192.168.7.7 and underlay dst 127.0.0.1': ['scion-10'],
      'not src 10.0.0.0/8': ['scion-lo', 'plain'],
    });
  }, 400_000);

  it('underlay/scion need host, src or dst and an address (usage error, exit 2)', async () => {
    for (const [e, msg] of [
      ['underlay 10.0.0.1', "'underlay' needs host, src or dst"],
      ['scion port 1', "'scion' needs host, src or dst"],
      ['scion src', "'scion src' needs an address or prefix"],
      ['underlay dst 10.0.0.0/33', "'10.0.0.0/33' is not an address or prefix"],
    ] as const) {
      expect(() => compileFilters([e]), e).toThrow(UsageError);
      expect(() => compileFilters([e]), e).toThrow(msg);
    }
    const r = await run(['watch', '--bind', '127.0.0.1:0', '-f', 'underlay 10.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'underlay' needs host, src or dst");
  });

  it('IPv6 SCION hosts and IPv4-mapped underlay addresses', () => {
    const s: FilterSubject = {
      srcPort: 1, dstPort: 2, layers: ['SCION', 'UDP'], srcAddress: '::ffff:127.0.0.1', dstAddress: '::ffff:127.0.0.1',
      srcHost: 'fd00::5', dstHost: '10.1.2.3', truncated: false, dropsDelta: 0,
    };
    const m = (e: string) => compileFilters([e])!(s);
    expect(m('src fd00::/8')).toBe(true);
    expect(m('underlay src fd00::/8')).toBe(false);
    expect(m('src 127.0.0.0/8')).toBe(true);
    expect(m('scion src 127.0.0.0/8')).toBe(false);
    expect(m('dst 10.0.0.0/8')).toBe(true);
    expect(m('src 10.0.0.0/8')).toBe(false);
  });
});
