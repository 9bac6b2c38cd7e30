// A scripted session through a unix-socket tap: eight applications register in every form the
// notes describe, packets go both ways (UDP/SCION, SCMP), some with Scion Time trailers, and one
// application sends garbage and a frame with a bad cookie.
import { buildScionUdp, buildScmpEcho } from '../../../src/decode/index.js';
import { type Collector, connectApp, frame, registration, trailer, type RegistrationSpec, type StandInDispatcher } from './standin.js';

export const REGISTRATIONS: Array<{ spec: RegistrationSpec; expect: Record<string, unknown> }> = [
  { spec: { address: '10.0.0.1' }, expect: { publicAddress: '10.0.0.1', publicPort: 0, scmp: true, ia: '1-ff00:0:110' } },
  { spec: { address: 'fd00::1', port: 31001 }, expect: { publicAddress: 'fd00::1', publicPort: 31001 } },
  { spec: { address: '10.0.0.3', port: 31002, bind: { address: '192.0.2.3', port: 4000 } }, expect: { bind: { address: '192.0.2.3', port: 4000 }, command: 7 } },
  { spec: { address: '10.0.0.4', port: 30252, svc: 0x0002, scmp: false }, expect: { svc: { value: 2, name: 'CS' }, scmp: false, command: 1 } },
  { spec: { address: '10.0.0.5', svc: 0x4242 }, expect: { timestampMode: 'RxKernel', svc: { value: 0x4242, name: 'RxKernel' } } },
  { spec: { address: '10.0.0.6', svc: 0x4243 }, expect: { timestampMode: 'RxKernelHw' } },
  { spec: { address: '10.0.0.7', svc: 0x4244 }, expect: { timestampMode: 'TxKernelRxKernel' } },
  { spec: { address: '10.0.0.8', svc: 0x4245, isd: 2, as: 64512n }, expect: { timestampMode: 'TxKernelHwRxKernelHw', ia: '2-64512' } },
];

export const udp = (i: number) =>
  Buffer.from(buildScionUdp({ srcIA: '1-ff00:0:111', dstIA: '1-ff00:0:110', src: '10.1.0.1', dst: `10.0.0.${i}`, srcPort: 40000, dstPort: 31000 + i, payload: Buffer.from(`hello ${i}`) }));
export const echo = (seq: number) => Buffer.from(buildScmpEcho({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: 'fd00::1', dst: 'fd00::99', identifier: 77, sequence: seq }));

export interface ScenarioResult {
  apps: Collector[];
  /** Every SCION packet sent, as the tests expect it in the capture, in sending order per direction. */
  packets: Array<{ direction: 'app-to-dispatcher' | 'dispatcher-to-app'; app: number; data: Buffer; trailer?: boolean }>;
  /** Kernel timestamps put into the trailers. */
  kernelNs: bigint[];
  garbageBytes: number;
  /** What each application wrote, and what the dispatcher wrote on each connection (index = connection − 1). */
  written: { app: Buffer[]; dispatcher: Buffer[] };
}

/** Runs the script; `nowNs` gives CLOCK_REALTIME so delivery delays come out near 2 ms. */
export async function runScenario(tapPath: string, disp: StandInDispatcher, nowNs: () => bigint): Promise<ScenarioResult> {
  const apps: Collector[] = [];
  const packets: ScenarioResult['packets'] = [];
  const written: ScenarioResult['written'] = { app: [], dispatcher: [] };
  const put = (side: Buffer[], i: number, b: Buffer) => (side[i] = Buffer.concat([side[i] ?? Buffer.alloc(0), b]));
  for (const [i, r] of REGISTRATIONS.entries()) {
    const a = await connectApp(tapPath);
    apps.push(a);
    await disp.waitConnections(i + 1);
    const reg = frame(registration(r.spec));
    put(written.app, i, reg);
    a.socket.write(reg);
    await a.waitBytes(15); // the confirmation came back through the tap
  }
  // The stand-in's confirmation is what the dispatcher wrote first on each connection.
  for (let i = 0; i < REGISTRATIONS.length; i++) put(written.dispatcher, i, Buffer.from(apps[i]!.bytes.subarray(0, 15)));
  const d = (i: number) => ({ write: (b: Buffer) => (put(written.dispatcher, i, b), disp.conns[i]!.socket.write(b)) });
  const app = (i: number) => ({ write: (b: Buffer) => (put(written.app, i, b), apps[i]!.socket.write(b)) });
  // app 1 (IPv4) sends to a border router and gets a packet back from it
  const out1 = udp(1);
  app(0).write(frame(out1, '10.0.0.254', 30042));
  packets.push({ direction: 'app-to-dispatcher', app: 1, data: out1 });
  const in1 = udp(1);
  d(0).write(frame(in1, '10.0.0.254', 30042));
  packets.push({ direction: 'dispatcher-to-app', app: 1, data: in1 });
  // app 2 (IPv6) sends an SCMP echo over an IPv6 underlay
  const e = echo(1);
  app(1).write(frame(e, 'fd00::fe', 30042));
  packets.push({ direction: 'app-to-dispatcher', app: 2, data: e });
  // apps 5 and 8 asked for timestamps: their packets carry the trailer
  const kernelNs: bigint[] = [];
  for (const [idx, hw] of [[4, 0n], [7, 1_234_567_890_123_456_789n]] as const) {
    const k = nowNs() - 2_000_000n;
    kernelNs.push(k);
    const p = udp(idx + 1);
    d(idx).write(frame(Buffer.concat([p, trailer({ kernelNs: k, hardwareNs: hw, interfaceId: hw ? 3 : 0, pktLengthL2: p.length + 42, ifindex: 3, specDst: '10.0.0.5', addr: '10.0.0.5' })]), '10.0.0.254', 30042));
    packets.push({ direction: 'dispatcher-to-app', app: idx + 1, data: p, trailer: true });
  }
  // app 7 asked for TX timestamps too: the dispatcher echoes its packet with the TX stamp (no address)
  const sent7 = udp(7);
  app(6).write(frame(sent7, '10.0.0.254', 30042));
  packets.push({ direction: 'app-to-dispatcher', app: 7, data: sent7 });
  d(6).write(frame(Buffer.concat([sent7, trailer({ kernelNs: nowNs() - 1_000_000n, interfaceId: 0 })])));
  packets.push({ direction: 'dispatcher-to-app', app: 7, data: sent7, trailer: true });
  // app 4 writes garbage, then a frame whose cookie is damaged, then a good frame
  const bad = frame(udp(4), '10.0.0.254', 30042);
  bad[0] = 0xdf;
  const garbage = Buffer.concat([Buffer.from('not a frame at all'), bad]);
  const after = udp(4);
  app(3).write(Buffer.concat([garbage, frame(after, '10.0.0.254', 30042)]));
  packets.push({ direction: 'app-to-dispatcher', app: 4, data: after });
  return { apps, packets, kernelNs, garbageBytes: garbage.length, written };
}
