// Real interfaces with their own ifindex: a veth pair between two namespaces made by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseNetns, ip, lineReader, makeVethPair, nodeInNs, type VethPair } from './helpers/netns.js';

const skip = canUseNetns();
if (skip) console.warn(`[netns tests skipped] ${skip}`);

const DIST = new URL('../dist/index.js', import.meta.url).href;

describe.skipIf(skip !== null)('arrival on a veth inside a namespace', () => {
  let v: VethPair;
  beforeAll(() => {
    v = makeVethPair('rx');
  });
  afterAll(() => v?.cleanup());

  function receiverScript(bind: string, family: 4 | 6): string {
    return `
      import { openUdp } from ${JSON.stringify(DIST)};
      const t = await openUdp({ address: ${JSON.stringify(bind)}, family: ${family} });
      console.log(JSON.stringify({ port: t.address().port }));
      const m = await t.receive({ timeoutMs: 8000 });
      console.log(JSON.stringify({ data: m.data.toString(), src: m.src, dst: m.dst, ifName: m.ifName, ttl: m.ttl, tos: m.tos,
        sw: m.timestamps.software !== undefined }));
      t.close();`;
  }

  function senderScript(to: string, port: number, family: 4 | 6): string {
    return `
      import dgram from 'node:dgram';
      const s = dgram.createSocket('udp${family}');
      s.bind(0, () => { s.setTTL(5); s.send(Buffer.from('over veth'), ${port}, ${JSON.stringify(to)}, () => { console.log('{}'); s.close(); }); });`;
  }

  for (const family of [4, 6] as const) {
    it(`IPv${family}: ifindex, name and address of the veth`, async () => {
      const link = JSON.parse(ip('-n', v.nsB, '-j', 'link', 'show', 'dev', v.ifB)) as Array<{ ifindex: number; ifname: string }>;
      const rx = nodeInNs(v.nsB, receiverScript(family === 4 ? '0.0.0.0' : '::', family));
      try {
        const out = lineReader(rx);
        const { port } = JSON.parse(await out.next()) as { port: number };
        const dst = family === 4 ? v.addrB4 : v.addrB6;
        const tx = nodeInNs(v.nsA, senderScript(dst, port, family));
        await lineReader(tx).next();
        const got = JSON.parse(await out.next());
        expect(got.data).toBe('over veth');
        expect(got.dst).toEqual({ address: dst, ifIndex: link[0]!.ifindex });
        expect(got.ifName).toBe(v.ifB);
        expect(got.src.address).toBe(family === 4 ? v.addrA4 : v.addrA6);
        expect(got.ttl).toBe(5);
        expect(got.sw).toBe(true);
        // the veth's index differs from lo's, so this is not loopback by accident
        expect(link[0]!.ifindex).not.toBe(1);
      } finally {
        rx.kill();
      }
    });
  }
});
