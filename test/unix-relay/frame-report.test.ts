// reportFrame: decoder events made into reports, with the per-connection registration remembered.
import { describe, expect, it } from 'vitest';
import { DispatcherStreamDecoder, type DispatcherEvent } from '../../src/decode/dispatcher-framing.js';
import { reportFrame, registrationText, type FrameContext, type FrameReport } from '../../src/unix-relay/frame-report.js';
import type { StreamDirection } from '../../src/unix-relay/stream-relay.js';
import { frame, registration, trailer } from './helpers/standin.js';
import { udp } from './helpers/scenario.js';

function reports(direction: StreamDirection, bytes: Buffer, ctx: FrameContext = {}): FrameReport[] {
  const d = new DispatcherStreamDecoder({ direction });
  const events: DispatcherEvent[] = [...d.push(bytes), ...d.end()];
  return events.map((e) => reportFrame(ctx, direction, e));
}

describe('reportFrame', () => {
  it('a registration that does not decode is reported with its fault, and is not remembered', () => {
    const bad = registration({ address: '10.0.0.1' });
    bad[12] = 9; // public address type 9
    const ctx: FrameContext = {};
    const [r] = reports('app-to-dispatcher', frame(bad), ctx);
    expect(r).toMatchObject({ kind: 'registration', error: { code: 'BAD_ADDRESS_TYPE' } });
    expect(ctx.registration).toBeUndefined();
  });

  it('uses the bind address as the host end, and the unspecified address when the hop has the other family', () => {
    const ctx: FrameContext = {};
    const r = reports('app-to-dispatcher', Buffer.concat([
      frame(registration({ address: '10.0.0.1', bind: { address: '192.0.2.7', port: 4000 } })),
      frame(udp(1), '10.0.0.254', 30042),
      frame(udp(1), 'fd00::fe', 30042),
      frame(udp(1)),
    ]), ctx);
    expect(r.map((x) => (x.kind === 'packet' ? [x.src, x.dst, x.hop] : x.kind))).toEqual([
      'registration',
      [{ address: '192.0.2.7', port: 30041 }, { address: '10.0.0.254', port: 30042 }, { address: '10.0.0.254', port: 30042 }],
      [{ address: '::', port: 30041 }, { address: 'fd00::fe', port: 30042 }, { address: 'fd00::fe', port: 30042 }],
      // type NONE (the fork's TX-timestamp echo): only the host end is known
      [{ address: '192.0.2.7', port: 30041 }, { address: '192.0.2.7', port: 30041 }, undefined],
    ]);
  });

  it('cuts the trailer off the packet and keeps its fields; a zero hardware stamp stays out of hardwareNs', () => {
    const p = udp(3);
    const [r] = reports('dispatcher-to-app', frame(Buffer.concat([p, trailer({ kernelNs: 1_700_000_000_000_000_001n, interfaceId: 4, pktLengthL2: 99, ifindex: -1, specDst: '10.1.2.3', addr: '10.4.5.6' })]), '10.0.0.254', 30042));
    expect(r!.kind).toBe('packet');
    if (r!.kind !== 'packet') return;
    expect(Buffer.from(r!.packet).equals(p)).toBe(true);
    expect(r!.scionTime).toEqual({ kernelNs: '1700000000000000001', hardwareNs: '0', interfaceId: 4, pktLengthL2: 99, pktinfo: { ifindex: -1, specDst: '10.1.2.3', addr: '10.4.5.6' } });
    expect(r!.kernelNs).toBe(1_700_000_000_000_000_001n);
    expect(r!.hardwareNs).toBeUndefined();
    expect(r!.txEcho).toBe(false);
    // Without an address it is the fork's echo of a sent packet, its stamps TX stamps.
    const [e] = reports('dispatcher-to-app', frame(Buffer.concat([p, trailer({ kernelNs: 5n })])));
    expect(e).toMatchObject({ kind: 'packet', txEcho: true, scionTime: { kernelNs: '5' } });
    // 51 trailing bytes are no trailer: the packet is reported whole.
    const [q] = reports('dispatcher-to-app', frame(Buffer.concat([p, Buffer.alloc(51)]), '10.0.0.254', 30042));
    expect(q!.kind === 'packet' && q!.packet.length).toBe(p.length + 51);
  });

  it('registration text: every part that is there', () => {
    expect(registrationText({ command: 7, scmp: true, l4Protocol: 17, ia: '1-ff00:0:110', publicAddress: 'fd00::1', publicPort: 0, bind: { address: '10.0.0.2', port: 4000 }, svc: { value: 0x4244, name: 'TxKernelRxKernel' }, timestampMode: 'TxKernelRxKernel' }))
      .toBe('1-ff00:0:110 [fd00::1]:0 bind 10.0.0.2:4000 SCMP timestamps TxKernelRxKernel (svc 0x4244)');
    expect(registrationText({ command: 1, scmp: false, l4Protocol: 6, ia: '1-ff00:0:110', publicAddress: '10.0.0.1', publicPort: 30252, svc: { value: 2, name: 'CS' } }))
      .toBe('1-ff00:0:110 10.0.0.1:30252 l4 6 svc CS (0x0002)');
  });
});
