// A passive capture's rounds written in bulk (encodeCaptureBatch via the CLI's writeCaptureBatch)
// must hold what the per-record path wrote for the same packets, block for block: the IP packets
// as captured, the metadata comment, the socket comment, the direction flag, the interface blocks.
// (Only where an interface block sits differs: a batch writes its new ones before its packets.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { openCapture, type Capture, type CaptureRecord } from '../../src/capture/index.js';
import type { CaptureBatchView } from '../../src/capture/batch.js';
import { L3_STATUS } from '../../src/capture/layout.js';
import { Capture as PcapngSink } from '../../src/cli/pipeline/capture.js';
import { fromCaptureRecord } from '../../src/cli/sources/passive-watch.js';
import { timestampOf } from '../../src/cli/pipeline/observation.js';
import { HOST } from '../../src/cli/pipeline/record.js';
import { clock } from '../../src/sys/clock.js';
import { openUdp } from '../../src/index.js';
import { readPcapng } from '../../src/pcapng/index.js';
import { udpSender } from '../helpers/send.js';
import { captureSkipReason } from '../capture/helpers/privileges.js';
import { captureScope } from '../capture/helpers/scope.js';

const skip = await captureSkipReason();
const { open } = captureScope();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-bulkcap-'));

/** The file as read back, without the byte offsets of its blocks. */
function content(bytes: Buffer): unknown {
  const f = readPcapng(bytes);
  expect(f.errors).toEqual([]);
  return { interfaces: f.interfaces, sections: f.sections, packets: f.packets.map((p) => ({ ...p, offset: 0, data: Buffer.from(p.data).toString('hex') })) };
}

/** Writes every round twice: in bulk from the batch, and record by record as `watch` used to. */
async function both(c: Capture, expected: number, label: string): Promise<{ bulk: Buffer; single: Buffer; frames: number[] }> {
  const a = await PcapngSink.open(path.join(dir, `${label}-bulk.pcapng`), 'same section');
  const b = await PcapngSink.open(path.join(dir, `${label}-single.pcapng`), 'same section');
  const frames: number[] = [];
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${expected} records`)), 5000);
    c.on('batch', (batch: CaptureBatchView) => {
      const pick = new Uint32Array(batch.count);
      let n = 0;
      for (let i = 0; i < batch.count; i++) if (batch.status[i] === L3_STATUS.udp) pick[n++] = i;
      if (n > 0) frames.push(a.writeCaptureBatch(batch, pick, n, label));
    });
    c.on('record', (r: CaptureRecord) => {
      const o = fromCaptureRecord(r, label);
      b.write(o, timestampOf(o, () => clock.realtimeNs()), [`host ${HOST}, socket ${label}, direction ${o.direction}`]);
      if (++seen === expected) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  a.close();
  b.close();
  return { bulk: fs.readFileSync(a.path), single: fs.readFileSync(b.path), frames };
}

describe.skipIf(skip !== null)('capture rounds in bulk', () => {
  it('IPv4 and IPv6, both directions, every TOS and TTL, a PPP-looking packet: the same blocks as record by record', async () => {
    const rx4 = await udpSender(4);
    const rx6 = await udpSender(6);
    open.push(rx4, rx6);
    const p4 = rx4.address().port;
    const p6 = rx6.address().port;
    const c = await openCapture({ interface: 'lo', ports: [p4, p6], rawPacket: true });
    open.push(c);
    const tx4 = await openUdp({ address: '127.0.0.1' });
    const tx6 = await openUdp({ address: '::1' });
    open.push(tx4, tx6);
    const sends: Array<Promise<unknown>> = [];
    let count = 0;
    for (let k = 0; k < 40; k++) {
      // TOS 0xff and a total length of 768..1023: Wireshark would read PPP under LINKTYPE_RAW
      const size = k === 7 ? 800 : 1 + ((k * 37) % 300);
      sends.push(tx4.send(Buffer.alloc(size, k), { address: '127.0.0.1', port: p4 }, { ttl: 1 + k, tos: k === 7 ? 0xff : (k * 4) & 0xff }));
      sends.push(tx6.send(Buffer.alloc(size, 255 - k), { address: '::1', port: p6 }, { ttl: 200 + (k % 50), tos: (k * 8) & 0xff }));
      count += 4; // each is seen leaving and arriving on lo
    }
    await Promise.all(sends);
    const { bulk, single, frames } = await both(c, count, 'lo');
    expect(bulk.length).toBeGreaterThan(count * 60);
    expect(frames[0]).toBe(1);
    expect(content(bulk)).toEqual(content(single));
    // and the file reads back: every packet, both link types, both directions
    const file = readPcapng(bulk);
    expect(file.errors).toEqual([]);
    expect(file.packets.length).toBe(count);
    expect(new Set(file.interfaces.map((i) => i.linkType))).toEqual(new Set([101, 228]));
    expect(file.packets.filter((p) => ((p.flags ?? 0) & 3) === 2).length).toBe(count / 2);
  });

  it('a snap length cuts the packets: captured vs original lengths as record by record', async () => {
    const rx = await udpSender(4);
    open.push(rx);
    const port = rx.address().port;
    const c = await openCapture({ interface: 'lo', ports: [port], rawPacket: true, snapLength: 60 });
    open.push(c);
    const tx = await openUdp({ address: '127.0.0.1' });
    open.push(tx);
    for (const size of [1, 31, 32, 33, 500, 1400]) await tx.send(Buffer.alloc(size, size & 0xff), { address: '127.0.0.1', port });
    const { bulk, single } = await both(c, 12, 'trunc');
    // one interface: here the bytes are the same too
    expect(Buffer.compare(bulk, single)).toBe(0);
    const f = readPcapng(bulk);
    expect(f.packets.map((p) => [p.data.length, p.origLength])).toEqual(
      [1, 31, 32, 33, 500, 1400].flatMap((n) => [[Math.min(60, 28 + n), 28 + n], [Math.min(60, 28 + n), 28 + n]]),
    );
  });
});
