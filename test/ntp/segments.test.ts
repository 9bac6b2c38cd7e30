// Two points, one answer: the request and response legs between two capture points and the
// offset bias they imply; and chrony's measurements.log parsed and matched to exchanges.
import { describe, expect, it } from 'vitest';
import { ChronyMatcher, NtpSegmentJoiner, parseChronyMeasurements, type NtpExchange } from '../../src/index.js';

const B = 1_800_000_000_000_000_000n;
function x(point: string, t1: bigint, t4: bigint, over: Partial<NtpExchange> = {}): NtpExchange {
  const t2 = B + 500_000n, t3 = B + 600_000n;
  return {
    type: 'exchange', point, mode: 'basic', client: { address: '10.0.0.1', port: 1 }, server: { address: '10.0.0.2', port: 123 },
    t1Ns: t1, t2Ns: t2, t3Ns: t3, t4Ns: t4, offsetNs: (t2 - t1 + (t3 - t4)) / 2n, delayNs: t4 - t1 - (t3 - t2), sources: { t1: 'kernel', t4: 'kernel' },
    requestTransmitRaw: 7n, responseReceiveRaw: 8n, responseTransmitRaw: 9n, stratum: 1, referenceIdText: 'LOCL', ...over,
  };
}

describe('NtpSegmentJoiner', () => {
  it('attributes the time between two points per direction, whichever point comes first', () => {
    const j = new NtpSegmentJoiner();
    // app side sees the request 3 ms after the NIC and the response 1 ms before it
    expect(j.add(x('app', B + 3_000_000n, B + 9_000_000n))).toBeNull();
    const s = j.add(x('nic', B, B + 10_000_000n))!;
    expect([s.upstream, s.downstream]).toEqual(['nic', 'app']);
    expect([s.requestNs, s.responseNs, s.biasNs]).toEqual([3_000_000n, 1_000_000n, 1_000_000n]);
    // the bias is exactly how much the upstream offset exceeds the downstream one
    expect(s.upstreamExchange.offsetNs - s.downstreamExchange.offsetNs).toBe(s.biasNs);
    expect(j.summary()).toEqual([expect.objectContaining({ upstream: 'nic', downstream: 'app', count: 1, biasP50Ns: 1_000_000n })]);
  });

  it('joins only the same exchange: another cookie or a repeat from the same leg stays alone', () => {
    const j = new NtpSegmentJoiner();
    expect(j.add(x('a', B, B + 10n))).toBeNull();
    expect(j.add(x('b', B, B + 10n, { requestTransmitRaw: 99n }))).toBeNull();
    expect(j.add(x('a', B, B + 10n))).toBeNull();
    expect(j.summary()).toEqual([]);
  });
});

const LOG = `========================================================================================================================================
   Date (UTC) Time     IP Address   L St 123 567 ABCD  LP RP Score    Offset  Peer del. Peer disp.  Root del. Root disp. Refid     MTxRx
========================================================================================================================================
2026-12-06 15:51:43 10.77.0.2       N  1 111 111 1111   0  0 1.00 -4.520e-07  9.168e-06  3.490e-08  0.000e+00  0.000e+00 7F7F0101 4B K K
2026-12-06 15:57:42 10.77.0.2       N  1 111 111 1111   0  0 1.00  9.900e-08  1.926e-06  3.490e-08  0.000e+00  0.000e+00 7F7F0101 4I K D
garbage line
`;

describe("chrony's measurements.log", () => {
  it('parses offset, peer delay, mode and stamp sources, and counts what it skips', () => {
    const { measurements: m, skipped } = parseChronyMeasurements(LOG);
    expect(skipped).toBe(1);
    expect(m).toHaveLength(2);
    expect(m[0]).toMatchObject({ address: '10.77.0.2', offsetNs: -452n, delayNs: 9168n, interleaved: false, txSource: 'K', rxSource: 'K', mode: 4, line: 4 });
    expect(m[1]).toMatchObject({ offsetNs: 99n, delayNs: 1926n, interleaved: true, rxSource: 'D' });
    expect(m[0]!.second).toBe(Date.parse('2026-12-06T15:51:43Z') / 1000);
  });

  it('matches an exchange by server and sample second and gives disptap − chrony', () => {
    const { measurements } = parseChronyMeasurements(LOG);
    const m = new ChronyMatcher(measurements);
    const t = BigInt(Date.parse('2026-12-06T15:51:43Z')) * 1_000_000n + 400_000_000n;
    const e = x('', t, t + 20_000n, { server: { address: '10.77.0.2', port: 123 } });
    const c = m.match(e)!;
    expect(c.chrony.line).toBe(4);
    expect(c.delayDiffNs).toBe(e.delayNs - 9168n);
    expect(m.match(e)).toBeNull(); // each log line once
    expect(new ChronyMatcher(measurements).match({ ...e, server: { address: '10.9.9.9', port: 123 } })).toBeNull();
  });
});
