// Deterministic capture records covering both families, several interfaces and odd sizes.
import type { CaptureRecord } from '../../../src/pcapng/index.js';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IFACES = [
  { ifName: 'lo', ifIndex: 1 },
  { ifName: 'eth0', ifIndex: 2 },
  { ifName: 'scion-br0', ifIndex: 17 },
];

const V4 = [
  ['127.0.0.1', '127.0.0.2'],
  ['10.1.2.3', '192.0.2.200'],
  ['::ffff:198.51.100.7', '::ffff:203.0.113.9'], // dual-stack socket view: goes out as IPv4
];
const V6 = [
  ['::1', '::1'],
  ['2001:db8::1', 'fd00:dead:beef::42'],
  ['fe80::1', 'fe80::2'],
];

export function makeRecords(n: number, seed = 1): CaptureRecord[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: CaptureRecord[] = [];
  // every one of the 9 fraction digits varies, so a µs-rounded read-back cannot pass
  let ts = 1_760_000_000_000_000_000n + BigInt(int(1, 999_999_999));
  for (let i = 0; i < n; i++) {
    ts += BigInt(int(1, 2_000_000_000));
    const v6 = rnd() < 0.5;
    const pair = (v6 ? V6 : V4)[int(0, 2)]!;
    const payload = new Uint8Array(int(0, 1400));
    for (let j = 0; j < payload.length; j++) payload[j] = int(0, 255);
    out.push({
      timestampNs: ts,
      timestampSource: rnd() < 0.3 ? 'hardware' : 'software',
      ...IFACES[int(0, IFACES.length - 1)]!,
      src: { address: pair[0]!, port: int(1, 65535) },
      dst: { address: pair[1]!, port: int(1, 65535) },
      ttl: int(1, 255),
      tos: int(0, 255),
      payload,
      direction: rnd() < 0.8 ? 'in' : 'out',
      readDelayNs: BigInt(int(0, 5_000_000)),
      drops: int(0, 3),
      comments: rnd() < 0.3 ? [`note ${i}, with a comma`] : undefined,
    });
  }
  return out;
}
