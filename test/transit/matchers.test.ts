// The SCMP reader behind the echo matcher, on built packets and the reference vectors; the
// classifier that splits one capture into in and out.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizePorts } from '../../src/capture/ports.js';
import { classifyTransit } from '../../src/transit/classify.js';
import { scmpEchoMatcher } from '../../src/transit/scmp-matcher.js';
import { scmpInfo } from '../../src/transit/scion-scmp.js';
import { pairTransit } from '../../src/transit/streams.js';
import type { TransitRecord } from '../../src/transit/types.js';
import { scmpPacket, scmpReplyTo } from './helpers/scion.js';

const vector = (name: string) => new Uint8Array(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('scmpInfo', () => {
  it('reads type, identifier, sequence and both addresses, also behind an HBH extension', () => {
    for (const hbh of [false, true]) {
      const info = scmpInfo(scmpPacket({ type: 128, identifier: 0xbeef, sequence: 3, hbh }));
      expect(info).toMatchObject({ type: 128, code: 0, identifier: 0xbeef, sequence: 3 });
      expect(info!.src).toBe('1-ff00:0:111,127.0.0.2');
      expect(info!.dst).toBe('1-ff00:0:110,127.0.0.1');
    }
  });

  it('says null for SCION UDP, SCMP errors, non-SCION and every truncation', () => {
    expect(scmpInfo(vector('scion-udp.bin'))).toBeNull();
    expect(scmpInfo(vector('scion-scmp-dest-unreachable.bin'))).toBeNull();
    expect(scmpInfo(Buffer.from('an NTP packet, say'))).toBeNull();
    const full = scmpPacket({ type: 129, identifier: 1, sequence: 2, hbh: true });
    for (let n = 0; n < full.length; n++) expect(scmpInfo(full.subarray(0, n))).toBeNull();
  });

  it('the echo matcher keys a request and its reply alike, and only requests/replies', () => {
    const m = scmpEchoMatcher();
    const req = { type: 130, identifier: 9, sequence: 1 };
    const r = (d: Uint8Array): TransitRecord => ({ data: d, timestamps: {} });
    expect(m.inKey(r(scmpPacket(req)))).toBe(m.outKey(r(scmpReplyTo(req))));
    expect(m.outKey(r(scmpPacket(req)))).toBeNull();
    expect(m.inKey(r(scmpReplyTo(req)))).toBeNull();
  });
});

describe('classifyTransit', () => {
  const c = { inPorts: normalizePorts([30041]), outPorts: normalizePorts(['31000-32767']) };
  const r = (src: number, dst: number, direction: 'in' | 'out') => ({ src: { port: src }, dst: { port: dst }, direction });

  it('on lo: the delivered copy of an input, the sent copy of an output; the other copies are ignored', () => {
    expect(classifyTransit(r(40000, 30041, 'in'), c)).toBe('in');
    expect(classifyTransit(r(40000, 30041, 'out'), c)).toBeNull();
    expect(classifyTransit(r(30041, 31005, 'out'), c)).toBe('out');
    expect(classifyTransit(r(30041, 31005, 'in'), c)).toBeNull();
    // the dispatcher's own reply (SCMP echo) goes back from 30041 to the sender's port
    expect(classifyTransit(r(30041, 40000, 'out'), c)).toBe('out');
    // an application in the forward range talking to the dispatcher is an input, not an output
    expect(classifyTransit(r(31005, 30041, 'in'), c)).toBe('in');
    expect(classifyTransit(r(31005, 30041, 'out'), c)).toBeNull();
    expect(classifyTransit(r(1, 2, 'in'), c)).toBeNull();
  });

  it('directions can be chosen per side', () => {
    const both = { ...c, inDirection: 'both' as const, outDirection: 'in' as const };
    expect(classifyTransit(r(40000, 30041, 'out'), both)).toBe('in');
    expect(classifyTransit(r(30041, 31005, 'in'), both)).toBe('out');
    expect(classifyTransit(r(30041, 31005, 'out'), both)).toBeNull();
  });
});

describe('pairTransit over two streams', () => {
  it('pairs across independently paced async streams and flushes the rest at the end', async () => {
    const mk = (s: string, t: bigint): TransitRecord => ({ data: Buffer.from(s), timestamps: { software: t } });
    async function* slow<T>(items: T[], ms: number) {
      for (const it of items) {
        await new Promise((r) => setTimeout(r, ms));
        yield it;
      }
    }
    const ins = [mk('a', 10n), mk('b', 20n), mk('c', 30n)];
    const outs = [mk('a', 15n), mk('c', 37n), mk('z', 40n)];
    const events = [];
    for await (const e of pairTransit(slow(ins, 3), slow(outs, 1))) events.push(e);
    const got = events.map((e) => (e.kind === 'pair' ? `pair ${e.in.data} ${e.transitNs}` : `${e.side} ${e.record.data} ${e.reason}`));
    expect(got.filter((g) => g.startsWith('pair')).sort()).toEqual(['pair a 5', 'pair c 7']);
    expect(got.filter((g) => !g.startsWith('pair')).sort()).toEqual(['in b no-output', 'out z no-input']);
  });
});
