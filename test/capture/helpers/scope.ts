// What the capture tests open, closed after each test: captures, taps and plain sockets.
import dgram from 'node:dgram';
import { afterEach } from 'vitest';
import { openCapture, type Capture, type CaptureRecord } from '../../../src/capture/index.js';
import type { UdpTap } from '../../../src/index.js';
import { closeSocket, udpSender } from '../../helpers/send.js';

export type Closable = Capture | UdpTap | dgram.Socket;

/** Registers the afterEach that closes everything pushed to `open`; call at module level. */
export function captureScope(): {
  open: Closable[];
  cap(opts: Parameters<typeof openCapture>[0]): Promise<Capture>;
  sink(family?: 4 | 6): Promise<dgram.Socket>;
  take(c: Capture, n: number, timeoutMs?: number): Promise<CaptureRecord[]>;
} {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) {
      if (c instanceof dgram.Socket) await closeSocket(c);
      else c.close();
    }
  });
  return {
    open,
    async cap(opts) {
      const c = await openCapture(opts);
      open.push(c);
      return c;
    },
    /** A bound receiver that nobody reads: the capture sees the traffic, the socket absorbs it. */
    async sink(family = 4) {
      const s = await udpSender(family);
      open.push(s);
      return s;
    },
    async take(c, n, timeoutMs = 3000) {
      const out: CaptureRecord[] = [];
      for (let i = 0; i < n; i++) out.push(await c.receive({ timeoutMs }));
      return out;
    },
  };
}
