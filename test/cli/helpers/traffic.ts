// Datagrams the tests send to the CLI: from a UdpTap so TTL/TOS can be chosen per packet.
import { afterEach } from 'vitest';
import { openUdp, type UdpTap } from '../../../src/index.js';
import { buildScionBfd, buildScionUdp, buildScmpEcho, encodeNtp } from '../../../src/decode/index.js';

const taps: UdpTap[] = [];
afterEach(() => {
  for (const t of taps.splice(0)) t.close();
});

export async function sender(family: 4 | 6): Promise<UdpTap> {
  const t = await openUdp({ address: family === 4 ? '127.0.0.1' : '::1', port: 0, timestamps: 'none' });
  taps.push(t);
  return t;
}

export function host(family: 4 | 6): string {
  return family === 4 ? '127.0.0.1' : '::1';
}

export function scionUdp(payload: Uint8Array | string, opts: { srcIA?: string; dstIA?: string; dstPort?: number } = {}): Uint8Array {
  return buildScionUdp({
    srcIA: opts.srcIA ?? '1-ff00:0:110',
    dstIA: opts.dstIA ?? '1-ff00:0:111',
    src: '10.0.0.1',
    dst: '10.0.0.2',
    srcPort: 31000,
    dstPort: opts.dstPort ?? 31001,
    payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
  });
}

export function scionNtp(): Uint8Array {
  return scionUdp(encodeNtp({ mode: 3, transmitTimestamp: 1_700_000_000_123_456_789n }), { dstPort: 123 });
}

export function scmpEcho(seq: number): Uint8Array {
  return buildScmpEcho({ srcIA: '1-ff00:0:110', dstIA: '2-ff00:0:220', src: '10.0.0.1', dst: 'fd00::2', identifier: 7, sequence: seq });
}

export function scionBfd(): Uint8Array {
  return buildScionBfd({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', state: 3, myDiscriminator: 0x1234 });
}

/** A SCION/UDP packet cut short inside its UDP payload: the decoder stops with TRUNCATED. */
export function brokenScion(): Uint8Array {
  const p = scionUdp('x'.repeat(64));
  return p.subarray(0, p.length - 20);
}
