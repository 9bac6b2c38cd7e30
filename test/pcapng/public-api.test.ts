// The pcapng writer and reader as a library user has them (from the package's index): datagrams
// received on real loopback sockets, written with rxMessageToPcapngRecord, judged by tshark and
// read back by readPcapng.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUdp, PcapngWriter, readPcapng, parseMetaComment, rxMessageToPcapngRecord, type RxMessage, type UdpTap } from '../../src/index.js';
import { AGG, CHECKSUM_OPTS, TSHARK, epochToNs, tsharkFields } from './helpers/tshark.js';
import { tempDir } from './helpers/transpile.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('disptap-pcapng-api-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Sent {
  msg: RxMessage;
  payload: Buffer;
  ttl: number;
  tos: number;
  sender: number;
}

/** Sends `sizes` datagrams from a second socket to `tap`, each with its own TTL/TOS, and receives them. */
async function exchange(tap: UdpTap, family: 4 | 6, sizes: readonly number[]): Promise<Sent[]> {
  const tx = await openUdp({ address: family === 4 ? '127.0.0.1' : '::1' });
  try {
    const sent: Sent[] = [];
    for (const [i, size] of sizes.entries()) {
      const payload = Buffer.alloc(size, 0x41 + i);
      const ttl = 5 + i;
      const tos = family === 4 ? 0x10 + 4 * i : 0;
      await tx.send(payload, tap.address(), { ttl, ...(family === 4 ? { tos } : {}) });
      sent.push({ msg: await tap.receive({ timeoutMs: 5000 }), payload, ttl, tos, sender: tx.address().port });
    }
    return sent;
  } finally {
    tx.close();
  }
}

async function writeFile(name: string, tap: UdpTap, sent: readonly Sent[], comments?: readonly string[]): Promise<string> {
  const file = path.join(dir, name);
  const w = await PcapngWriter.open(file, { comment: 'public api test' });
  sent.forEach((s, i) => expect(w.write(rxMessageToPcapngRecord(s.msg, tap.address(), comments))).toBe(i + 1));
  await w.close();
  return file;
}

describe('rxMessageToPcapngRecord + PcapngWriter + readPcapng', () => {
  it('refuses a missing or wrong local address and a non-message with coded TypeErrors', async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    try {
      const [{ msg }] = await exchange(tap, 4, [8]);
      const bad = (f: () => unknown, what: RegExp) => expect(f).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(what) }));
      for (const local of [undefined, null, {}, { address: '127.0.0.1' }, { address: '127.0.0.1', port: 70000 }, { address: 1, port: 1 }])
        bad(() => rxMessageToPcapngRecord(msg, local as never), /local must be the tap's address/);
      for (const m of [undefined, {}, { timestamps: {}, data: 'x' }]) bad(() => rxMessageToPcapngRecord(m as never, tap.address()), /msg must be an RxMessage/);
      expect(rxMessageToPcapngRecord(msg, tap.address()).dst.port).toBe(tap.address().port);
    } finally {
      tap.close();
    }
  });

  it('IPv4: every datagram with its kernel timestamp, addresses, ports, TTL/TOS and comments, read back', async () => {
    const tap = await openUdp({ address: '127.0.0.1' });
    try {
      const sent = await exchange(tap, 4, [1, 100, 1200]);
      const file = await writeFile('v4.pcapng', tap, sent, ['case: v4']);

      const back = readPcapng(fs.readFileSync(file));
      expect(back.errors).toEqual([]);
      expect(back.format).toBe('pcapng');
      expect(back.sections[0]!.comments).toEqual(['public api test']);
      expect(back.packets).toHaveLength(sent.length);
      back.packets.forEach((p, i) => {
        const { msg, payload, ttl, tos, sender } = sent[i]!;
        expect(msg.timestamps.software).toBeTypeOf('bigint');
        expect(p.timestampNs).toBe(msg.timestamps.software);
        expect(p.origLength).toBe(20 + 8 + payload.length);
        expect(Buffer.from(p.data.subarray(28)).equals(payload)).toBe(true);
        expect(p.flags! & 3).toBe(1); // inbound
        const meta = parseMetaComment(p.comments);
        expect(meta).toMatchObject({ ts: 'software', ttl: String(ttl), tos: `0x${tos.toString(16)}`, dst: `127.0.0.1:${tap.address().port}` });
        expect(meta!['read-delay']).toBe(`${msg.readDelayNs}ns`);
        expect(p.comments.slice(1)).toEqual(['case: v4']);
        expect(back.interfaces[p.interfaceId]!.name).toBe('lo');
        expect(sender).toBe(msg.src.port);
      });

      if (!TSHARK) return; // tshark.test.ts fails the CI run when tshark is missing there
      const fields = ['frame.time_epoch', 'frame.interface_name', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'udp.length', 'ip.ttl', 'ip.dsfield', 'ip.checksum.status', 'udp.checksum.status', 'frame.comment', '_ws.malformed'];
      const rows = tsharkFields(file, fields, [...CHECKSUM_OPTS, '-d', 'udp.port==1-65535,data']);
      expect(rows).toHaveLength(sent.length);
      rows.forEach((r, i) => {
        const { msg, payload, ttl, tos, sender } = sent[i]!;
        const row = Object.fromEntries(fields.map((f, k) => [f, r[k] ?? '']));
        expect(epochToNs(row['frame.time_epoch']!)).toBe(msg.timestamps.software);
        expect(row).toMatchObject({
          'frame.interface_name': 'lo',
          'ip.src': '127.0.0.1',
          'ip.dst': '127.0.0.1',
          'udp.srcport': String(sender),
          'udp.dstport': String(tap.address().port),
          'udp.length': String(8 + payload.length),
          'ip.ttl': String(ttl),
          'ip.dsfield': `0x${tos.toString(16).padStart(2, '0')}`,
          'ip.checksum.status': '1',
          'udp.checksum.status': '1',
          '_ws.malformed': '',
        });
        expect(row['frame.comment']!.split(AGG)[1]).toBe('case: v4');
      });
    } finally {
      tap.close();
    }
  });

  it('IPv6 on ::1, and a tap without timestamps or pktinfo: stamped with the read time, its own address as the destination', async () => {
    const tap6 = await openUdp({ address: '::1' });
    const bare = await openUdp({ address: '127.0.0.1', timestamps: 'none', pktinfo: false });
    try {
      const six = await exchange(tap6, 6, [64]);
      const plain = await exchange(bare, 4, [32]);
      expect(plain[0]!.msg.timestamps.software).toBeUndefined();
      expect(plain[0]!.msg.dst).toBeUndefined();

      const rec6 = rxMessageToPcapngRecord(six[0]!.msg, tap6.address());
      expect(rec6).toMatchObject({ timestampSource: 'software', ifName: 'lo', dst: { address: '::1', port: tap6.address().port } });
      const recBare = rxMessageToPcapngRecord(plain[0]!.msg, bare.address());
      expect(recBare).toMatchObject({ timestampSource: 'user', timestampNs: plain[0]!.msg.readAt, ifName: 'unknown' });
      expect(recBare.dst).toEqual({ address: '127.0.0.1', port: bare.address().port });

      const file = path.join(dir, 'mixed.pcapng');
      const w = await PcapngWriter.open(file);
      w.write(rec6);
      w.write(recBare);
      await w.close();
      const back = readPcapng(fs.readFileSync(file));
      expect(back.errors).toEqual([]);
      expect(back.packets.map((p) => p.timestampNs)).toEqual([six[0]!.msg.timestamps.software, plain[0]!.msg.readAt]);
      expect(back.packets.map((p) => back.interfaces[p.interfaceId]!.name)).toEqual(['lo', 'unknown']);
      expect(parseMetaComment(back.packets[1]!.comments)).toMatchObject({ ts: 'user', dst: `127.0.0.1:${bare.address().port}` });

      if (!TSHARK) return;
      const rows = tsharkFields(file, ['ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ip.src', 'udp.dstport', 'udp.checksum.status'], [...CHECKSUM_OPTS, '-d', 'udp.port==1-65535,data']);
      expect(rows[0]).toEqual(['::1', '::1', String(six[0]!.ttl), '', String(tap6.address().port), '1']);
      expect(rows[1]!.slice(3)).toEqual(['127.0.0.1', String(bare.address().port), '1']);
    } finally {
      tap6.close();
      bare.close();
    }
  });
});
