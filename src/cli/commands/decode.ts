// disptap decode FILE: offline decoding of a pcapng/pcap capture (ours or tcpdump's), a raw
// datagram file (e.g. the SCION packet a test dumped), or the same as hex text.
import fs from 'node:fs';
import { dissectUdp, parseMetaComment, readPcapng, META_PREFIX, type PcapngFile, type PcapngPacket } from '../../pcapng/index.js';
import { toJson } from '../../decode/index.js';
import { CliError, oneLine } from '../errors.js';
import type { DecodeCli } from '../types.js';
import type { Observation } from '../pipeline/observation.js';
import { Session } from '../pipeline/session.js';
import { classifyDecodeInput } from '../sources/decode-input.js';
import { decodeStream, parseStreamDirection } from '../sources/decode-stream.js';

// Link types whose packets we can take apart down to UDP.
const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** The IP packet inside a link-layer frame, or null for non-IP frames and unknown link types. */
export function ipPayload(linkType: number, data: Uint8Array): Uint8Array | null {
  const u16 = (o: number) => (data[o]! << 8) | data[o + 1]!;
  const isIp = (ethertype: number) => ethertype === 0x0800 || ethertype === 0x86dd;
  switch (linkType) {
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return data;
    case LINKTYPE_ETHERNET: {
      let off = 12;
      if (data.length < 14) return null;
      // 802.1Q / 802.1ad tags
      while ((u16(off) === 0x8100 || u16(off) === 0x88a8) && data.length >= off + 6) off += 4;
      return isIp(u16(off)) ? data.subarray(off + 2) : null;
    }
    case LINKTYPE_LINUX_SLL:
      return data.length >= 16 && isIp(u16(14)) ? data.subarray(16) : null;
    case LINKTYPE_LINUX_SLL2:
      return data.length >= 20 && isIp(u16(0)) ? data.subarray(20) : null;
    case LINKTYPE_NULL:
      // Host-endian address family: AF_INET 2, AF_INET6 10/24/28/30 depending on the OS.
      return data.length >= 4 ? data.subarray(4) : null;
    default:
      return null;
  }
}

function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(file === '-' ? fs.readFileSync(0) : fs.readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${oneLine(e)}`);
  }
}

/** Hex text (whitespace and colons ignored) → bytes; null when the file is not hex text. */
export function fromHexText(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length === 0 || bytes.length > 1 << 22) return null;
  const text = Buffer.from(bytes).toString('latin1');
  if (!/^[\s0-9a-fA-F:]+$/.test(text)) return null;
  const hex = text.replace(/[\s:]/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0) return null;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function progress(enabled: boolean): (done: number, total: number) => void {
  if (!enabled) return () => {};
  let last = Date.now();
  let shown = false;
  return (done, total) => {
    const now = Date.now();
    if (done === total) {
      if (shown) process.stderr.write('\r\u001b[K');
      return;
    }
    if (now - last < 500) return;
    last = now;
    shown = true;
    process.stderr.write(`\rdecoding ${done}/${total} packets…`);
  };
}

export async function runDecode(file: string, o: DecodeCli): Promise<number> {
  const bytes = readInput(file);
  const session = new Session({
    command: 'decode',
    json: o.json ?? false,
    color: o.color,
    filter: o.filter ?? [],
    // Packets from a capture carry their own time. A raw datagram has none: its record gets the
    // time of decoding, marked tsSource "user". The native clock is not needed (or loaded) here.
    now: () => BigInt(Date.now()) * 1_000_000n,
    // A file has nothing to drain: each packet is shown at once (the verbose JSON follows it).
    direct: true,
  });
  const show = (obs: Observation) => {
    const insp = session.observe(obs);
    if (insp && insp !== true && o.verbose && !o.json) session.out.out(toJson(insp.decoded, 2));
  };
  const cap = readPcapng(bytes);
  let failed = false;
  if (cap.format === 'unknown') {
    const input = classifyDecodeInput(file, bytes, fromHexText(bytes), o.srcPort !== 0 || o.dstPort !== 0);
    if (input.kind === 'stream') decodeStream(session, file, input.bytes, parseStreamDirection(o.direction));
    else {
      const raw = input.bytes;
      show({
        bind: file,
        fromFile: true,
        raw: true,
        frame: 1,
        direction: 'in',
        data: raw,
        length: raw.length,
        src: { address: '0.0.0.0', port: o.srcPort },
        local: { address: '0.0.0.0', port: o.dstPort },
        truncated: false,
        controlTruncated: false,
      });
    }
  } else {
    failed = decodeCapture(cap, session, show);
  }
  await session.stop('end');
  const code = await session.done;
  return failed ? 1 : code;
}

/** Returns true when the capture was damaged (what could be read was still shown). */
function decodeCapture(cap: PcapngFile, session: Session, show: (o: Observation) => void): boolean {
  const tick = progress(!session.out.json && process.stderr.isTTY === true && cap.packets.length > 5000);
  let notUdp = 0;
  cap.packets.forEach((p, i) => {
    tick(i, cap.packets.length);
    const obs = observationOf(cap, p, i + 1);
    if (obs) show(obs);
    else notUdp++;
  });
  tick(cap.packets.length, cap.packets.length);
  if (notUdp > 0) session.out.notice(`${session.out.prefix}: skipped ${notUdp} packets that are not UDP over IP`);
  for (const e of cap.errors) session.problem(`capture damaged at byte ${e.offset}: ${e.code} ${e.message}`, e.code);
  return cap.errors.length > 0;
}

function observationOf(cap: PcapngFile, p: PcapngPacket, frame: number): Observation | null {
  const iface = cap.interfaces[p.interfaceId];
  const ip = ipPayload(iface?.linkType ?? LINKTYPE_RAW, p.data);
  const udp = ip ? dissectUdp(ip) : null;
  if (!udp) return null;
  const meta = parseMetaComment(p.comments) ?? {};
  const ifName = iface?.name;
  const o: Observation = {
    bind: ifName ?? `interface ${p.interfaceId}`,
    fromFile: true,
    frame,
    direction: 'in',
    data: udp.payload,
    length: udp.udpPayloadLength,
    src: udp.src,
    dst: udp.dst,
    local: udp.dst,
    ttl: udp.ttl,
    tos: udp.tos,
    truncated: udp.payload.length < udp.udpPayloadLength,
    controlTruncated: false,
  };
  if (ifName) o.ifName = ifName;
  if (meta.ifindex !== undefined && /^[1-9]\d*$/.test(meta.ifindex)) o.ifIndex = Number(meta.ifindex);
  // Our own captures say which clock stamped the packet; others' are kernel (software) stamps.
  if (p.timestampNs !== null) {
    if (meta.ts === 'hardware') o.hwTsNs = p.timestampNs;
    else if (meta.ts === 'user') o.readAtNs = p.timestampNs;
    else o.swTsNs = p.timestampNs;
  }
  const delay = /^(\d+)ns$/.exec(meta['read-delay'] ?? '');
  if (delay) o.readDelayNs = BigInt(delay[1]!);
  if (meta.drops !== undefined && /^\d+$/.test(meta.drops)) o.drops = Number(meta.drops);
  const others = p.comments.filter((c) => !c.startsWith(META_PREFIX));
  if (others.length) o.comments = others;
  return o;
}
