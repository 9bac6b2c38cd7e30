// parsePacket: the native header parser on bytes you have (tests, offline files): the same code
// the capture runs on every packet.
import { formatAddress } from '../sys/address.js';
import { captureNative } from './native.js';
import { L3_STATUS_NAMES, P32, P32_FIELDS, PADDR, PADDR_STRIDE, type L3StatusName } from './layout.js';

/** What the native IP/UDP parser read from one packet ({@link parsePacket}); fields past the point where it stopped are 0. */
export interface ParsedPacket {
  status: L3StatusName;
  /** 4 or 6 once the version nibble was read, else 0. */
  family: 0 | 4 | 6;
  /** Transport protocol number (after IPv6 extension headers); -1 when not reached. */
  protocol: number;
  l4Offset: number;
  ipLength: number;
  src?: string;
  dst?: string;
  ttl: number;
  tos: number;
  flowLabel: number;
  ipId: number;
  fragOffset: number;
  moreFragments: boolean;
  dontFragment: boolean;
  srcPort: number;
  dstPort: number;
  udpLength: number;
  udpChecksum: number;
  payloadOffset: number;
  payloadLength: number;
}

/** ethertype 0 trusts the version nibble; 0x0800 / 0x86dd insist on IPv4 / IPv6. */
export function parsePacket(bytes: Uint8Array, ethertype = 0): ParsedPacket {
  const i32 = new Int32Array(P32_FIELDS);
  const addr = new Uint8Array(PADDR_STRIDE);
  captureNative.parseL3(bytes, ethertype, i32, addr);
  const fam = i32[P32.family];
  const family = fam === 4 ? 4 : fam === 6 ? 6 : 0;
  const out: ParsedPacket = {
    status: L3_STATUS_NAMES[i32[P32.status]!] ?? 'notIp',
    family,
    protocol: i32[P32.protocol]!,
    l4Offset: i32[P32.l4Offset]!,
    ipLength: i32[P32.ipLength]!,
    ttl: i32[P32.ttl]!,
    tos: i32[P32.tos]!,
    flowLabel: i32[P32.flowLabel]!,
    ipId: i32[P32.ipId]!,
    fragOffset: i32[P32.fragOffset]!,
    moreFragments: (i32[P32.fragFlags]! & 1) !== 0,
    dontFragment: (i32[P32.fragFlags]! & 2) !== 0,
    srcPort: i32[P32.srcPort]!,
    dstPort: i32[P32.dstPort]!,
    udpLength: i32[P32.udpLength]!,
    udpChecksum: i32[P32.udpChecksum]!,
    payloadOffset: i32[P32.payloadOffset]!,
    payloadLength: i32[P32.payloadLen]!,
  };
  // The parser sets l4Offset exactly when it got past the fixed header, addresses included.
  if (family !== 0 && out.l4Offset > 0) {
    out.src = formatAddress(family, addr, PADDR.src);
    out.dst = formatAddress(family, addr, PADDR.dst);
  }
  return out;
}
