// packetLine and packetJson reuse the text of what repeats between consecutive datagrams (route,
// TTL/TOS, endpoints, layer stack, bind label); nsTextToIso cuts the ISO time from the decimal
// text. Random sequences with values that change at random points: every line must describe its
// own datagram, never the previous one's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/cli/pipeline/inspect.js';
import { packetJson } from '../../src/cli/pipeline/packet-json.js';
import { packetLine } from '../../src/cli/pipeline/output.js';
import { colors } from '../../src/cli/pipeline/format.js';
import { timestampOf, type Observation } from '../../src/cli/pipeline/observation.js';
import { nsTextToIso, nsToIso } from '../../src/sys/time.js';

const address = fc.constantFrom('127.0.0.1', '10.0.0.2', '::1', 'fd00::7');
// ports no decoder claims (30041 and friends are SCION's)
const port = fc.constantFrom(40001, 40002, 45000);
const obs = fc.record({
  srcAddress: address,
  srcPort: port,
  dstAddress: address,
  ttl: fc.option(fc.constantFrom(1, 64, 255), { nil: undefined }),
  tos: fc.option(fc.constantFrom(0, 0xb8), { nil: undefined }),
  ifName: fc.option(fc.constantFrom('lo', 'eth0'), { nil: undefined }),
  bind: fc.constantFrom('127.0.0.1:30041', '[::1]:30041'),
  ntp: fc.boolean(),
  out: fc.boolean(),
  sw: fc.bigInt({ min: -3_000_000_000n, max: 1_900_000_000_000_000_000n }),
});

function toValue(v: { srcAddress: string; srcPort: number; dstAddress: string; ttl?: number; tos?: number; ifName?: string; bind: string; ntp: boolean; out: boolean; sw: bigint }): Observation {
  // An NTP client request (mode 3) to port 123 decodes as NTP; anything else stays a raw payload.
  const data = new Uint8Array(48);
  data[0] = v.ntp ? 0x23 : 0xff;
  const o: Observation = {
    bind: v.bind,
    direction: v.out ? 'out' : 'in',
    data,
    length: data.length,
    src: { address: v.srcAddress, port: v.srcPort },
    dst: { address: v.dstAddress, port: v.ntp ? 123 : 40000 },
    local: { address: v.dstAddress, port: v.ntp ? 123 : 40000 },
    truncated: false,
    controlTruncated: false,
    swTsNs: v.sw,
    readAtNs: v.sw + 1000n,
    readDelayNs: 1000n,
  };
  if (v.ifName !== undefined) {
    o.ifName = v.ifName;
    o.ifIndex = v.ifName === 'lo' ? 1 : 2;
  }
  if (v.ttl !== undefined) o.ttl = v.ttl;
  if (v.tos !== undefined) o.tos = v.tos;
  return o;
}

const ep = (address: string, p: number) => (address.includes(':') ? `[${address}]:${p}` : `${address}:${p}`);
const now = () => 0n;

describe('per-datagram text caches', () => {
  it('nsTextToIso(String(ns)) is nsToIso(ns), across seconds, before the epoch and below one second', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -5_000_000_000n, max: 4_000_000_000_000_000_000n }), { minLength: 1, maxLength: 20 }), (xs) => {
        for (const x of xs) {
          // the same second again, the next one, and back: the cached date part must follow
          for (const ns of [x, x + 1n, x + 1_000_000_000n, x]) expect(nsTextToIso(String(ns))).toBe(nsToIso(ns));
        }
      }),
    );
  });

  it('every JSON record and text line describes its own datagram', () => {
    const c = colors(false);
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 12 }), (vs) => {
        vs.forEach((v, i) => {
          const o = toValue(v);
          const insp = inspect(o.src.port, o.dst!.port, o.data);
          const rec = JSON.parse(packetJson(o, insp, 0, undefined, i + 1, now)) as Record<string, unknown>;
          expect(rec.bind).toBe(v.bind);
          expect(rec.direction).toBe(v.out ? 'out' : 'in');
          expect(rec.src).toEqual({ address: v.srcAddress, port: v.srcPort });
          expect(rec.dst).toEqual({ address: v.dstAddress, port: o.dst!.port });
          expect(rec.ifName).toBe(v.ifName);
          expect(rec.ttl).toBe(v.ttl);
          expect(rec.tos).toBe(v.tos);
          expect(rec.layers).toEqual(v.ntp ? ['NTP'] : ['Payload']);
          expect(rec.layer).toBe(v.ntp ? 'NTP' : 'Payload');
          expect(rec.summary).toBe(insp.summary);
          expect(rec.tsNs).toBe(String(v.sw));
          expect(rec.swTsNs).toBe(String(v.sw));
          expect(rec.time).toBe(nsToIso(v.sw));

          const line = packetLine(c, { o, insp, ts: timestampOf(o, now), dropsDelta: 0 });
          expect(line.startsWith(`${nsToIso(v.sw)} +1.00µs ${v.out ? '[out] ' : ''}`)).toBe(true);
          const route = `${ep(v.srcAddress, v.srcPort)} → ${ep(v.dstAddress, o.dst!.port)}${v.ifName ? ` (${v.ifName})` : ''} `;
          expect(line).toContain(` ${route}`);
          const tt = [v.ttl !== undefined ? `ttl ${v.ttl}` : '', v.tos !== undefined ? `tos 0x${v.tos.toString(16).padStart(2, '0')}` : ''].filter(Boolean).join(' ');
          expect(line).toContain(tt ? `${route}${tt} 48 B ` : `${route}48 B `);
          expect(line).toContain(v.ntp ? ' NTP ' : ' Payload ff00');
        });
      }),
    );
  });
});
