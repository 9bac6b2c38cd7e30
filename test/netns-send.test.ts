// Send side over a real veth between two namespaces made by the test: per-packet source address
// selection with two addresses on one interface, TX timestamps before the peer's RX timestamp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseNetns, ip, lineReader, makeVethPair, nodeInNs, type VethPair } from './helpers/netns.js';

const skip = canUseNetns();
if (skip) console.warn(`[netns send tests skipped] ${skip}`);
const DIST = new URL('../dist/index.js', import.meta.url).href;

describe.skipIf(skip !== null)('send over a veth', () => {
  let v: VethPair;
  let second: string;
  beforeAll(() => {
    v = makeVethPair('tx');
    second = v.addrA4.replace(/\.1$/, '.3');
    ip('-n', v.nsA, 'addr', 'add', `${second}/24`, 'dev', v.ifA);
  });
  afterAll(() => v?.cleanup());

  it('picks the requested source of two, and TX sched ≤ TX software ≤ peer RX ≤ peer readAt', async () => {
    const rx = nodeInNs(v.nsB, `
      import { openUdp } from ${JSON.stringify(DIST)};
      const t = await openUdp({ address: '0.0.0.0' });
      console.log(JSON.stringify({ port: t.address().port }));
      for (let i = 0; i < 2; i++) {
        const m = await t.receive({ timeoutMs: 8000 });
        console.log(JSON.stringify({ data: m.data.toString(), src: m.src.address, ifName: m.ifName,
          sw: String(m.timestamps.software), readAt: String(m.readAt) }));
      }
      t.close();`);
    try {
      const rxOut = lineReader(rx);
      const { port } = JSON.parse(await rxOut.next()) as { port: number };
      const tx = nodeInNs(v.nsA, `
        import { openUdp } from ${JSON.stringify(DIST)};
        const t = await openUdp({ address: '0.0.0.0' });
        const to = { address: ${JSON.stringify(v.addrB4)}, port: ${port} };
        const a = await t.send('a', to, { sourceAddress: ${JSON.stringify(v.addrA4)}, txTimestamps: ['sched', 'software'] });
        const b = await t.send('b', to, { sourceAddress: ${JSON.stringify(second)} });
        const hw = await t.send('c', to, { txTimestamps: 'hardware', txTimeoutMs: 300 });
        const ta = await a.tx;
        const hwErr = await hw.tx.then(() => 'resolved', (e) => e.code);
        console.log(JSON.stringify({ sched: String(ta.sched), software: String(ta.software), hwErr }));
        t.close();`);
      const txRes = JSON.parse(await lineReader(tx).next()) as { sched: string; software: string; hwErr: string };
      const a = JSON.parse(await rxOut.next()) as { data: string; src: string; ifName: string; sw: string; readAt: string };
      const b = JSON.parse(await rxOut.next()) as { data: string; src: string };
      expect([a.data, a.src, a.ifName]).toEqual(['a', v.addrA4, v.ifB]);
      expect([b.data, b.src]).toEqual(['b', second]);
      // namespaces share CLOCK_REALTIME, so the stamps of both sides compare directly
      expect(BigInt(txRes.sched)).toBeLessThanOrEqual(BigInt(txRes.software));
      expect(BigInt(txRes.software)).toBeLessThanOrEqual(BigInt(a.sw));
      expect(BigInt(a.sw)).toBeLessThanOrEqual(BigInt(a.readAt));
      // a veth has no hardware timestamping: a clear timeout, not a hang
      expect(txRes.hwErr).toBe('ETIMEDOUT');
    } finally {
      rx.kill();
    }
  });
});
