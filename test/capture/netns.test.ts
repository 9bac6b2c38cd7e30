// A real interface: capture on one end of a veth pair inside a namespace. Unlike lo, each datagram
// is seen once: 'in' (host) when it arrives, 'out' (outgoing) when this host sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseNetns, ip, lineReader, makeVethPair, nodeInNs, type VethPair } from '../helpers/netns.js';

const skip = canUseNetns();
if (skip) console.warn(`[capture netns tests skipped] ${skip}`);
const DIST = new URL('../../dist/index.js', import.meta.url).href;

describe.skipIf(skip !== null)('passive capture on a veth in a namespace', () => {
  let v: VethPair;
  beforeAll(() => {
    v = makeVethPair('cap');
  });
  afterAll(() => v?.cleanup());

  for (const family of [4, 6] as const) {
    it(`IPv${family}: arrival 'in' and reply 'out', each once, with the veth's ifindex and name`, async () => {
      const link = JSON.parse(ip('-n', v.nsB, '-j', 'link', 'show', 'dev', v.ifB)) as Array<{ ifindex: number }>;
      const [addrA, addrB] = family === 4 ? [v.addrA4, v.addrB4] : [v.addrA6, v.addrB6];
      // B: an echo socket and a capture of its port on the veth
      const b = nodeInNs(
        v.nsB,
        `
        import dgram from 'node:dgram';
        import { openCapture } from ${JSON.stringify(DIST)};
        const s = dgram.createSocket('udp${family}');
        await new Promise((r) => s.bind(0, ${JSON.stringify(addrB)}, r));
        s.on('message', (m, ri) => s.send(Buffer.concat([Buffer.from('re:'), m]), ri.port, ri.address));
        const c = await openCapture({ interface: ${JSON.stringify(v.ifB)}, ports: [s.address().port] });
        console.log(JSON.stringify({ port: s.address().port }));
        for (let i = 0; i < 2; i++) {
          const r = await c.receive({ timeoutMs: 8000 });
          console.log(JSON.stringify({ data: r.data.toString(), direction: r.direction, packetType: r.packetType, ifIndex: r.ifIndex,
            ifName: r.ifName, src: r.src, dst: r.dst, ttl: r.ttl, sw: r.timestamps.software !== undefined }));
        }
        await new Promise((r) => setTimeout(r, 200));
        const more = await c.receive({ timeoutMs: 100 }).then(() => true, () => false);
        console.log(JSON.stringify({ more, stats: c.stats() }));
        c.close(); s.close();`,
      );
      try {
        const out = lineReader(b);
        const { port } = JSON.parse(await out.next()) as { port: number };
        const a = nodeInNs(
          v.nsA,
          `
          import dgram from 'node:dgram';
          const s = dgram.createSocket('udp${family}');
          s.bind(0, ${JSON.stringify(addrA)}, () => s.send('hi from A', ${port}, ${JSON.stringify(addrB)}));
          s.on('message', () => { console.log('{}'); s.close(); });`,
        );
        const aOut = lineReader(a);
        const rx = JSON.parse(await out.next());
        const tx = JSON.parse(await out.next());
        expect(rx).toMatchObject({ data: 'hi from A', direction: 'in', packetType: 'host', ifIndex: link[0]!.ifindex, ifName: v.ifB, ttl: 64, sw: true });
        expect(rx.src.address).toBe(addrA);
        expect(rx.dst).toMatchObject({ address: addrB, port });
        expect(tx).toMatchObject({ data: 're:hi from A', direction: 'out', packetType: 'outgoing', ifIndex: link[0]!.ifindex, sw: true });
        expect(tx.src).toMatchObject({ address: addrB, port });
        expect(link[0]!.ifindex).not.toBe(1);
        const tail = JSON.parse(await out.next());
        expect(tail.more).toBe(false); // no second copy as on lo
        expect(tail.stats.packets).toBe(2);
        await aOut.next(); // A got the reply
      } finally {
        b.kill();
      }
    });
  }
});
