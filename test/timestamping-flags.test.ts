// Which SO_TIMESTAMPING reporting bits a tap sets, and when: RAW_HARDWARE makes the kernel read each
// received packet's shared info (a cache miss per datagram), so only hardware mode sets it at open;
// a tap in another mode adds it before the first send that asks for a hardware TX stamp.
import { describe, expect, it } from 'vitest';
import { constants as C, openUdp } from '../src/index.js';

describe('SO_TIMESTAMPING flags', () => {
  it('software and none taps do not report raw hardware stamps until a send asks for one', async () => {
    for (const timestamps of ['software', 'none'] as const) {
      const tap = await openUdp({ address: '127.0.0.1', timestamps, txTimeoutMs: 50 });
      expect(tap.timestampingFlags & C.SOF_TIMESTAMPING_RAW_HARDWARE).toBe(0);
      expect(tap.timestampingFlags & C.SOF_TIMESTAMPING_OPT_ID).not.toBe(0);
      const r = await tap.send('x', { address: '127.0.0.1', port: tap.address().port }, { txTimestamps: ['software', 'hardware'] });
      expect(tap.timestampingFlags & C.SOF_TIMESTAMPING_RAW_HARDWARE).not.toBe(0);
      // loopback has no hardware clock: the software stamp comes, the hardware one is reported missing
      const tx = await r.tx!.catch((e: { missing?: string[] }) => e);
      expect(tx).toMatchObject({ missing: ['hardware'] });
      tap.close();
    }
  });

  it('hardware mode reports raw hardware stamps from the start', async () => {
    const tap = await openUdp({ address: '127.0.0.1', timestamps: 'hardware' });
    expect(tap.timestampingFlags & C.SOF_TIMESTAMPING_RAW_HARDWARE).not.toBe(0);
    tap.close();
  });
});
