// The kernel turns RX timestamping on lazily: when the first timestamping socket of the host opens,
// a work item flips a static key, and packets that arrive before it ran carry no skb timestamp. A
// socket with SO_TIMESTAMPNS then gets a stand-in stamp taken at recvmsg time, which is later than
// the real arrival: a packet capture opened in that window can show an 'in' copy stamped after the
// 'out' copy of the same datagram (seen once in a few full-suite runs while other test files opened
// and closed their timestamping sockets). Tests that compare timestamps across packets hold one
// timestamping socket open and wait until the kernel really stamps (SCM_TIMESTAMPING, which has no
// stand-in, is present) before they start.
import { constants as C, openUdp, parseControl, type UdpTap } from '../../src/index.js';

export async function holdTimestampingOn(timeoutMs = 2000): Promise<UdpTap> {
  const t = await openUdp({ address: '127.0.0.1', timestamps: 'software' });
  const b = Buffer.alloc(64);
  const oob = Buffer.alloc(512);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await t.send('probe', t.address());
    await new Promise((r) => setTimeout(r, 5));
    for (let r = t.readMsg(b, oob); r; r = t.readMsg(b, oob)) {
      const types = parseControl(oob.subarray(0, r.oobn)).map((c) => c.type);
      if (types.includes(C.SCM_TIMESTAMPING_NEW) || types.includes(C.SCM_TIMESTAMPING)) return t;
    }
  }
  t.close();
  throw new Error(`the kernel did not start RX timestamping within ${timeoutMs} ms`);
}
