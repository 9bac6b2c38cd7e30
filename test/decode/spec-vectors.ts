/**
 * SCION, BFD and NTP packets written byte by byte from the specifications, like the examples in an
 * RFC: every field is a hex literal with a comment naming it. Nothing here comes from the project's
 * encoder. Sources, read for the layouts (no bytes copied):
 *
 * - SCION header, paths (SCION, OneHop, EPIC-HP), pseudo header: scionproto doc/protocols/scion-header.rst
 * - Hop-by-Hop / End-to-End options, Pad1, PadN: doc/protocols/extension-header.rst
 * - SPAO: doc/protocols/authenticator-option.rst (SPI: `0 | R R R T D | Protocol Identifier`, i.e.
 *   T = bit 17, D = bit 16; Algorithm u8, RSV u8, Timestamp/Sequence Number u48), pkg/slayers/pkt_auth.go
 * - SCMP: doc/protocols/scmp.rst; BFD/SCION NextHdr 203: doc/protocols/assigned-protocol-numbers.rst
 * - BFD control packet and authentication sections: RFC 5880 §4.1-§4.4
 * - NTP mode 6 control messages: RFC 9327 §2 (RFC 1305 appendix B); mode 7: ntpd's ntp_request.h
 *
 * UDP and SCMP checksums in these bytes were computed with test/fixtures/spec/scion_checksum.py, an
 * implementation of the pseudo header + RFC 1071 sum written separately from the decoder; the test
 * checksum-independent.test.ts re-runs it on every vector.
 */

/** Hex text with `//` comments to bytes; whitespace and `|` are separators. Throws on anything else. */
export function wire(text: string): Uint8Array {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('')
    .replace(/[\s|]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not hex bytes: ${digits}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toHexString(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/** UDP/SCION over a SCION path (type 1) with three segments of 2, 1 and 3 hops; IPv4 dst, IPv6 src. */
export const SCION_PATH_3_SEGMENTS = wire(`
  // Common header
  05 c1 e2 f3   // Version 0 | TrafficClass 0x5c | FlowID 0x1e2f3
  11            // NextHdr 17 (UDP)
  25            // HdrLen 37 (x 4 = 148 bytes)
  00 0d         // PayloadLen 13
  01            // PathType 1 (SCION)
  03            // DT 0 DL 0 (IPv4) | ST 0 SL 3 (IPv6)
  00 00         // RSV
  // Address header
  00 01 ff 00 00 00 01 10                          // DstISD 1 | DstAS ff00:0:110
  00 02 ff 00 00 00 02 20                          // SrcISD 2 | SrcAS ff00:0:220
  c0 00 02 01                                      // DstHostAddr 192.0.2.1
  20 01 0d b8 00 00 00 00 00 00 00 00 00 01 00 02  // SrcHostAddr 2001:db8::1:2
  // Path: PathMeta
  42 00 20 43   // CurrINF 1 | CurrHF 2 | RSV 0 | Seg0Len 2 | Seg1Len 1 | Seg2Len 3
  // InfoFields
  00 | 00 | 1a 2b | 65 00 00 00   // INF0: flags - - | RSV | SegID 0x1a2b | Timestamp 0x65000000 (2023-09-12T06:06:56Z)
  03 | 00 | 3c 4d | 65 00 01 00   // INF1: flags P C | RSV | SegID 0x3c4d | Timestamp 0x65000100
  01 | 00 | 5e 6f | 65 00 02 00   // INF2: flags C   | RSV | SegID 0x5e6f | Timestamp 0x65000200
  // HopFields: flags | ExpTime | ConsIngress | ConsEgress | MAC
  00 | 3f | 00 00 | 00 0b | 11 12 13 14 15 16   // HF0 (seg 0): -  | 63  | 0     | 11
  02 | ff | 00 0c | 00 00 | 21 22 23 24 25 26   // HF1 (seg 0): I  | 255 | 12    | 0
  01 | 01 | 01 01 | 02 02 | 31 32 33 34 35 36   // HF2 (seg 1): E  | 1   | 257   | 514
  03 | 80 | 00 03 | 00 04 | 41 42 43 44 45 46   // HF3 (seg 2): IE | 128 | 3     | 4
  00 | 10 | ff ff | 00 05 | 51 52 53 54 55 56   // HF4 (seg 2): -  | 16  | 65535 | 5
  00 | 3f | 00 06 | 00 00 | 61 62 63 64 65 66   // HF5 (seg 2): -  | 63  | 6     | 0
  // UDP
  c3 50 | 79 18   // SrcPort 50000 | DstPort 31000
  00 0d | 8e a6   // Length 13 | Checksum 0x8ea6
  68 65 6c 6c 6f  // "hello" (odd length: the checksum pads a zero byte)
`);

/** UDP/SCION over a OneHop path (type 2); SVC CS destination, IPv4 source. */
export const ONEHOP_PATH = wire(`
  00 00 00 01   // Version 0 | TrafficClass 0 | FlowID 1
  11 | 11 | 00 0c   // NextHdr 17 | HdrLen 17 (68 bytes) | PayloadLen 12
  02 | 40 | 00 00   // PathType 2 (OneHop) | DT 1 DL 0 (SVC) ST 0 SL 0 (IPv4) | RSV
  00 01 ff 00 00 00 01 10   // Dst 1-ff00:0:110
  00 01 ff 00 00 00 01 11   // Src 1-ff00:0:111
  00 02 | 00 00             // DstHostAddr: SVC 0x0002 (CS) | 2 zero bytes
  0a 00 00 01               // SrcHostAddr 10.0.0.1
  // InfoField (no PathMeta in a OneHop path)
  01 | 00 | be ef | 5f 5e 10 00   // flags C | RSV | SegID 0xbeef | Timestamp 1600000000 (2020-09-13T12:26:40Z)
  // First HopField, set by the sender
  00 | 3f | 00 00 | 00 29 | a1 a2 a3 a4 a5 a6   // flags - | ExpTime 63 | ConsIngress 0 | ConsEgress 41 | MAC
  // Second HopField: zero, filled in by the receiving border router
  00 | 00 | 00 00 | 00 00 | 00 00 00 00 00 00
  // UDP
  75 59 | 76 2c   // SrcPort 30041 | DstPort 30252
  00 0c | 6c 8b   // Length 12 | Checksum 0x6c8b
  de ad be ef
`);

/** UDP/SCION over an EPIC-HP path (type 3); IPv6 dst in a BGP-style AS, IPv4 src. */
export const EPIC_PATH = wire(`
  0b 8f ff ff   // Version 0 | TrafficClass 0xb8 | FlowID 0xfffff
  11 | 19 | 00 10   // NextHdr 17 | HdrLen 25 (100 bytes) | PayloadLen 16
  03 | 30 | 00 00   // PathType 3 (EPIC) | DT 0 DL 3 (IPv6) ST 0 SL 0 (IPv4) | RSV
  00 40 00 00 00 00 fc 00   // DstISD 64 | DstAS 64512 (BGP range, printed decimal)
  00 01 ff 00 00 00 01 10   // Src 1-ff00:0:110
  20 01 0d b8 00 0a 00 00 00 00 00 00 00 00 00 0b   // DstHostAddr 2001:db8:a::b
  c6 33 64 07                                      // SrcHostAddr 198.51.100.7
  // EPIC-HP metadata
  00 11 22 33   // PktID: EpicTS 0x00112233
  44 55 66 77   // PktID: Counter 0x44556677
  88 99 aa bb   // PHVF
  cc dd ee ff   // LHVF
  // The full SCION path
  01 00 20 00   // PathMeta: CurrINF 0 | CurrHF 1 | RSV 0 | Seg0Len 2 | Seg1Len 0 | Seg2Len 0
  00 | 00 | 01 02 | 65 43 21 00   // INF0: flags - | RSV | SegID 0x0102 | Timestamp 0x65432100 (2023-11-02T04:09:36Z)
  01 | 3f | 00 00 | 00 05 | b1 b2 b3 b4 b5 b6   // HF0: E | 63 | 0 | 5
  02 | 3f | 00 06 | 00 00 | c1 c2 c3 c4 c5 c6   // HF1: I | 63 | 6 | 0
  // UDP
  9c 40 | 79 18   // SrcPort 40000 | DstPort 31000
  00 10 | 8a 09   // Length 16 | Checksum 0x8a09
  00 01 02 03 04 05 06 07
`);

// ---------------------------------------------------------------------------------------------
// Address type combinations: empty path, UDP 0x1234 -> 0x5678 with one payload byte
// ---------------------------------------------------------------------------------------------

export type HostKind = 'ipv4' | 'ipv6' | 'svc';

/** Host addresses of the combination vectors, with what they must decode to. */
export const DST_HOSTS: Record<HostKind, { hex: string; decoded: Record<string, unknown> }> = {
  ipv4: { hex: '0a 01 02 03', decoded: { type: 'ipv4', ip: '10.1.2.3' } },
  ipv6: { hex: 'fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01', decoded: { type: 'ipv6', ip: 'fd00::1' } },
  svc: { hex: '00 01 00 00', decoded: { type: 'svc', svc: 0x0001, name: 'DS', multicast: false, pad: 0 } },
};
export const SRC_HOSTS: Record<HostKind, { hex: string; decoded: Record<string, unknown> }> = {
  ipv4: { hex: '0a 04 05 06', decoded: { type: 'ipv4', ip: '10.4.5.6' } },
  // RFC 5952 §4 example: zeros compressed, ff00 kept
  ipv6: { hex: '20 01 0d b8 00 00 00 00 00 00 ff 00 00 42 83 29', decoded: { type: 'ipv6', ip: '2001:db8::ff00:42:8329' } },
  // Wildcard with the multicast flag (0x8000 | 0x0010)
  svc: { hex: '80 10 00 00', decoded: { type: 'svc', svc: 0x8010, name: 'Wildcard_M', multicast: true, pad: 0 } },
};

/**
 * [dst, src, byte 9 (DT DL ST SL), HdrLen, UDP checksum]: the type/length nibble is 0x0 for IPv4,
 * 0x3 for IPv6 (type 0, length 3 = 16 bytes) and 0x4 for SVC (type 1, length 0 = 4 bytes); HdrLen
 * = (12 + 16 + dst + src) / 4.
 */
export const ADDRESS_COMBOS: ReadonlyArray<readonly [HostKind, HostKind, string, string, string]> = [
  ['ipv4', 'ipv4', '00', '09', '51 fd'],
  ['ipv4', 'ipv6', '03', '0c', 'b0 e1'],
  ['ipv4', 'svc', '04', '09', 'e0 f6'],
  ['ipv6', 'ipv4', '30', '0c', '60 ff'],
  ['ipv6', 'ipv6', '33', '0f', 'bf e3'],
  ['ipv6', 'svc', '34', '0c', 'ef f8'],
  ['svc', 'ipv4', '40', '09', '5e 00'],
  ['svc', 'ipv6', '43', '0c', 'bc e4'],
  ['svc', 'svc', '44', '09', 'ec f9'],
];

export function addressComboPacket(dst: HostKind, src: HostKind, byte9: string, hdrLen: string, checksum: string): Uint8Array {
  return wire(`
    00 00 00 07      // Version 0 | TrafficClass 0 | FlowID 7
    11 | ${hdrLen} | 00 09   // NextHdr 17 | HdrLen | PayloadLen 9
    00 | ${byte9} | 00 00    // PathType 0 (Empty) | DT DL ST SL | RSV
    00 01 ff 00 00 00 01 10  // Dst 1-ff00:0:110
    00 01 ff 00 00 00 01 11  // Src 1-ff00:0:111
    ${DST_HOSTS[dst].hex}    // DstHostAddr
    ${SRC_HOSTS[src].hex}    // SrcHostAddr
    12 34 | 56 78            // UDP SrcPort 0x1234 | DstPort 0x5678
    00 09 | ${checksum}      // Length 9 | Checksum
    2a                       // one payload byte
  `);
}

/** The IPv4/IPv4 combination: 45 bytes, also the offending packet the SCMP errors quote. */
export const QUOTED_PACKET = addressComboPacket(...ADDRESS_COMBOS[0]!);

// ---------------------------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------------------------

/** Fields of a 28-byte SPAO OptData (SPI, Algorithm, RSV, 48-bit Timestamp/SeqNo, 16-byte MAC). */
export interface SpaoCase {
  name: string;
  hex: string;
  spi: number;
  drkey?: { keyType: 'AS-host' | 'host-host'; direction: 'sender-side' | 'receiver-side'; reserved: number; protocolId: number };
  algorithm: number;
  algorithmName: string;
  reserved: number;
  timestampSeq: bigint;
}

const MAC16 = '80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f';

export const SPAO_CASES: readonly SpaoCase[] = [
  {
    name: 'DRKey AS-host, sender-side, AES-CMAC, timestamp 0',
    hex: `00 00 00 01 | 00 | 00 | 00 00 00 00 00 00 | ${MAC16}`, // SPI: T 0 D 0, protocol 1 | Alg 0 | RSV | Ts
    spi: 1,
    drkey: { keyType: 'AS-host', direction: 'sender-side', reserved: 0, protocolId: 1 },
    algorithm: 0,
    algorithmName: 'AES-CMAC',
    reserved: 0,
    timestampSeq: 0n,
  },
  {
    name: 'DRKey AS-host, receiver-side, timestamp 0x010203040506',
    hex: `00 01 12 34 | 00 | 00 | 01 02 03 04 05 06 | ${MAC16}`, // SPI: T 0 D 1, protocol 0x1234
    spi: 0x00011234,
    drkey: { keyType: 'AS-host', direction: 'receiver-side', reserved: 0, protocolId: 0x1234 },
    algorithm: 0,
    algorithmName: 'AES-CMAC',
    reserved: 0,
    timestampSeq: 0x010203040506n,
  },
  {
    name: 'DRKey host-host, sender-side, experimental algorithm 253, RSV set',
    hex: `00 02 00 02 | fd | 5a | 00 00 00 00 00 01 | ${MAC16}`, // SPI: T 1 D 0, protocol 2 | Alg 253 | RSV 0x5a | Ts 1
    spi: 0x00020002,
    drkey: { keyType: 'host-host', direction: 'sender-side', reserved: 0, protocolId: 2 },
    algorithm: 253,
    algorithmName: 'Experimental253',
    reserved: 0x5a,
    timestampSeq: 1n,
  },
  {
    name: 'DRKey host-host, receiver-side, algorithm 254, largest timestamp',
    hex: `00 03 ff ff | fe | 00 | ff ff ff ff ff ff | ${MAC16}`, // SPI: T 1 D 1, protocol 0xffff | Alg 254 | Ts 2^48-1
    spi: 0x0003ffff,
    drkey: { keyType: 'host-host', direction: 'receiver-side', reserved: 0, protocolId: 0xffff },
    algorithm: 254,
    algorithmName: 'Experimental254',
    reserved: 0,
    timestampSeq: 0xffffffffffffn,
  },
  {
    name: 'largest DRKey SPI 2^21-1 (R bits set), reserved algorithm 255',
    hex: `00 1f ff ff | ff | 00 | 80 00 00 00 00 00 | ${MAC16}`, // SPI: R 7 T 1 D 1, protocol 0xffff | Alg 255 | Ts 2^47
    spi: 0x001fffff,
    drkey: { keyType: 'host-host', direction: 'receiver-side', reserved: 7, protocolId: 0xffff },
    algorithm: 255,
    algorithmName: 'Reserved',
    reserved: 0,
    timestampSeq: 0x800000000000n,
  },
  {
    name: 'SPI 2^21: a security association, not DRKey; unassigned algorithm 7',
    hex: `00 20 00 00 | 07 | 00 | 00 00 00 01 00 00 | ${MAC16}`, // SPI 0x00200000 | Alg 7 | Ts 0x10000
    spi: 0x00200000,
    algorithm: 7,
    algorithmName: 'Unknown(7)',
    reserved: 0,
    timestampSeq: 0x10000n,
  },
  {
    name: 'SPI 0xffffffff, not DRKey',
    hex: `ff ff ff ff | 00 | 00 | 00 00 ff ff ff ff | ${MAC16}`, // SPI 0xffffffff | Alg 0 | Ts 0xffffffff
    spi: 0xffffffff,
    algorithm: 0,
    algorithmName: 'AES-CMAC',
    reserved: 0,
    timestampSeq: 0xffffffffn,
  },
  {
    name: 'SPI 0 (reserved for local use), not DRKey',
    hex: `00 00 00 00 | 01 | 00 | 00 00 00 00 00 02 | ${MAC16}`, // SPI 0 | Alg 1 | Ts 2
    spi: 0,
    algorithm: 1,
    algorithmName: 'SHA1-AES-CBC',
    reserved: 0,
    timestampSeq: 2n,
  },
];

export const SPAO_MAC16 = wire(MAC16);

/** NextHdr 200: Hop-by-Hop (Pad1, PadN, option 253) then End-to-End (one SPAO) then UDP. */
export function hbhE2eSpaoPacket(spaoHex: string): Uint8Array {
  return wire(`
    00 00 00 09      // Version 0 | TrafficClass 0 | FlowID 9
    c8 | 09 | 00 36  // NextHdr 200 (HBH) | HdrLen 9 | PayloadLen 54 = 12 + 32 + 10
    00 | 00 | 00 00  // PathType 0 | IPv4 / IPv4 | RSV
    00 01 ff 00 00 00 01 10 | 00 01 ff 00 00 00 01 11   // Dst 1-ff00:0:110 | Src 1-ff00:0:111
    0a 00 00 02 | 0a 00 00 01                           // 10.0.0.2 | 10.0.0.1
    // Hop-by-Hop options header, 12 bytes
    c9 | 02          // NextHdr 201 (E2E) | ExtLen 2: (2 + 1) x 4 = 12 bytes
    00               // Pad1
    01 03 00 00 00   // PadN: OptDataLen 3, three zero bytes
    fd 02 ab cd      // option 253 (experimentation): OptDataLen 2, data ab cd
    // End-to-End options header, 32 bytes
    11 | 07          // NextHdr 17 (UDP) | ExtLen 7: 32 bytes
    02 | 1c          // OptType 2 (SPAO, at offset 2 = alignment 4n+2) | OptDataLen 28
    ${spaoHex}       // SPI | Algorithm | RSV | Timestamp/SeqNo | Authenticator
    // UDP
    04 d2 | 16 2e    // SrcPort 1234 | DstPort 5678
    00 0a | 81 67    // Length 10 | Checksum 0x8167 (extensions are not in the pseudo header)
    4f 4b            // "OK"
  `);
}

export const HBH_E2E_SPAO = hbhE2eSpaoPacket(SPAO_CASES[0]!.hex);

/** NextHdr 201 directly: E2E with an SHA1-AES-CBC SPAO (20-byte hash + 16-byte MAC), then UDP. */
export const E2E_SPAO_SHA1 = wire(`
  00 00 00 0a      // Version 0 | TrafficClass 0 | FlowID 10
  c9 | 09 | 00 3e  // NextHdr 201 (E2E) | HdrLen 9 | PayloadLen 62 = 52 + 10
  00 | 00 | 00 00  // PathType 0 | IPv4 / IPv4 | RSV
  00 01 ff 00 00 00 01 10 | 00 01 ff 00 00 00 01 11   // Dst 1-ff00:0:110 | Src 1-ff00:0:111
  0a 00 00 02 | 0a 00 00 01                           // 10.0.0.2 | 10.0.0.1
  11 | 0c          // NextHdr 17 | ExtLen 12: 52 bytes
  02 | 30          // SPAO | OptDataLen 48 = 12 + 36
  00 02 00 05      // SPI: T 1 (host-host) D 0 (sender-side), protocol 5
  01 | 00          // Algorithm 1 (SHA1-AES-CBC) | RSV
  00 00 00 00 00 2a   // Timestamp/SeqNo 42
  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3   // SHA1 hash (20 bytes)
  c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf               // AES-CBC MAC (16 bytes)
  04 d2 | 16 2e | 00 0a | 81 67 | 4f 4b   // UDP 1234 -> 5678, Length 10, Checksum 0x8167, "OK"
`);

// ---------------------------------------------------------------------------------------------
// BFD/SCION (NextHdr 203), RFC 5880 control packets with every authentication type
// ---------------------------------------------------------------------------------------------

function bfdPacket(payloadLen: string, bfd: string): Uint8Array {
  return wire(`
    00 00 00 0b        // Version 0 | TrafficClass 0 | FlowID 11
    cb | 09 | ${payloadLen}   // NextHdr 203 (BFD) | HdrLen 9 | PayloadLen
    00 | 00 | 00 00    // PathType 0 | IPv4 / IPv4 | RSV
    00 01 ff 00 00 00 01 10 | 00 01 ff 00 00 00 01 10   // both ends in 1-ff00:0:110 (router to router)
    7f 00 00 09 | 7f 00 00 0a                           // Dst 127.0.0.9 | Src 127.0.0.10
    ${bfd}
  `);
}

export const BFD_SIMPLE_PASSWORD = bfdPacket('00 23', `
  21            // Vers 1 | Diag 1 (Control Detection Time Expired)
  e4            // Sta 3 (Up) | P 1 F 0 C 0 A 1 D 0 M 0
  03 | 23       // Detect Mult 3 | Length 35 = 24 + 11
  00 00 00 01   // My Discriminator
  00 00 00 02   // Your Discriminator
  00 0f 42 40   // Desired Min TX Interval 1000000 us
  00 07 a1 20   // Required Min RX Interval 500000 us
  00 00 00 00   // Required Min Echo RX Interval 0
  // RFC 5880 §4.2
  01 | 0b | 05  // Auth Type 1 (Simple Password) | Auth Len 11 = 3 + 8 | Auth Key ID 5
  73 33 63 72 33 74 21 21   // Password "s3cr3t!!"
`);

export const BFD_KEYED_MD5 = bfdPacket('00 30', `
  22 | 94 | 05 | 30   // Vers 1 Diag 2 (Echo Function Failed) | Sta 2 (Init) F A | Detect Mult 5 | Length 48
  12 34 56 78 | 9a bc de f0   // My / Your Discriminator
  00 03 0d 40 | 00 03 0d 40   // Desired Min TX / Required Min RX 200000 us
  00 00 c3 50                 // Required Min Echo RX 50000 us
  // RFC 5880 §4.3
  02 | 18 | 01 | 00   // Auth Type 2 (Keyed MD5) | Auth Len 24 | Auth Key ID 1 | Reserved
  00 00 00 10         // Sequence Number 16
  00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff   // Auth Key/Digest (16 bytes)
`);

export const BFD_METICULOUS_KEYED_MD5 = bfdPacket('00 30', `
  23 | 4c | 02 | 30   // Vers 1 Diag 3 (Neighbor Signaled Session Down) | Sta 1 (Down) C A | Detect Mult 2 | Length 48
  00 00 00 03 | 00 00 00 00   // My Discriminator 3 | Your Discriminator 0 (not yet known)
  00 0f 42 40 | 00 0f 42 40   // 1000000 us | 1000000 us
  00 00 00 00                 // Required Min Echo RX 0
  03 | 18 | 02 | 00   // Auth Type 3 (Meticulous Keyed MD5) | Auth Len 24 | Auth Key ID 2 | Reserved
  ff ff ff fe         // Sequence Number 0xfffffffe
  f0 e1 d2 c3 b4 a5 96 87 78 69 5a 4b 3c 2d 1e 0f   // Auth Key/Digest
`);

export const BFD_KEYED_SHA1 = bfdPacket('00 34', `
  27 | 06 | ff | 34   // Vers 1 Diag 7 (Administratively Down) | Sta 0 (AdminDown) A D | Detect Mult 255 | Length 52
  ff ff ff ff | 00 00 00 01   // My Discriminator 0xffffffff | Your Discriminator 1
  00 00 00 01 | 00 00 00 02   // 1 us | 2 us
  00 00 00 03                 // 3 us
  // RFC 5880 §4.4
  04 | 1c | 03 | 00   // Auth Type 4 (Keyed SHA1) | Auth Len 28 | Auth Key ID 3 | Reserved
  12 34 56 78         // Sequence Number
  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3   // Auth Key/Hash (20 bytes)
`);

export const BFD_METICULOUS_KEYED_SHA1 = bfdPacket('00 34', `
  28 | c5 | 03 | 34   // Vers 1 Diag 8 (Reverse Concatenated Path Down) | Sta 3 (Up) A M | Detect Mult 3 | Length 52
  5f a1 e9 cb | 7c d1 c0 5d   // My / Your Discriminator
  00 03 0d 40 | 00 03 0d 40   // 200000 us | 200000 us
  00 00 00 00
  05 | 1c | ff | 00   // Auth Type 5 (Meticulous Keyed SHA1) | Auth Len 28 | Auth Key ID 255 | Reserved
  00 00 00 01         // Sequence Number 1
  c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3   // Auth Key/Hash
`);

// ---------------------------------------------------------------------------------------------
// SCMP (NextHdr 202): a router in 1-ff00:0:110 answers the sender of QUOTED_PACKET
// ---------------------------------------------------------------------------------------------

function scmpPacket(payloadLen: string, scmp: string, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat(
    wire(`
      00 00 00 0c        // Version 0 | TrafficClass 0 | FlowID 12
      ca | 09 | ${payloadLen}   // NextHdr 202 (SCMP) | HdrLen 9 | PayloadLen
      00 | 00 | 00 00    // PathType 0 | IPv4 / IPv4 | RSV
      00 01 ff 00 00 00 01 11 | 00 01 ff 00 00 00 01 10   // Dst 1-ff00:0:111 | Src 1-ff00:0:110
      0a 04 05 06 | 0a 00 00 fe                           // Dst 10.4.5.6 | Src 10.0.0.254
      ${scmp}
    `),
    tail,
  );
}

export const SCMP_DESTINATION_UNREACHABLE = scmpPacket('00 35', `
  01 | 04 | d2 d0   // Type 1 (Destination Unreachable) | Code 4 (port unreachable) | Checksum 0xd2d0
  00 00 00 00       // Unused
`, QUOTED_PACKET); // PayloadLen 53 = 8 + 45

export const SCMP_PACKET_TOO_BIG = scmpPacket('00 35', `
  02 | 00 | cc d4   // Type 2 (Packet Too Big) | Code 0 | Checksum 0xccd4
  00 00 | 05 00     // reserved | MTU 1280
`, QUOTED_PACKET);

export const SCMP_PARAMETER_PROBLEM = scmpPacket('00 35', `
  04 | 21 | cf 93   // Type 4 (Parameter Problem) | Code 33 (invalid source address) | Checksum 0xcf93
  00 00 | 00 20     // reserved | Pointer 32 (the quoted packet's SrcHostAddr)
`, QUOTED_PACKET);

export const SCMP_EXTERNAL_INTERFACE_DOWN = scmpPacket('00 41', `
  05 | 00 | be 92   // Type 5 (External Interface Down) | Code 0 | Checksum 0xbe92
  00 01 ff 00 00 00 01 20   // ISD 1 | AS ff00:0:120 (originator)
  01 02 03 04 05 06 07 08   // Interface ID 0x0102030405060708
`, QUOTED_PACKET); // PayloadLen 65 = 20 + 45

export const SCMP_INTERNAL_CONNECTIVITY_DOWN = scmpPacket('00 49', `
  06 | 00 | 6a c2   // Type 6 (Internal Connectivity Down) | Code 0 | Checksum 0x6ac2
  00 02 ff 00 00 00 02 20   // ISD 2 | AS ff00:0:220
  00 00 00 00 00 00 00 01   // Ingress Interface ID 1
  fe dc ba 98 76 54 32 10   // Egress Interface ID 0xfedcba9876543210
`, QUOTED_PACKET); // PayloadLen 73 = 28 + 45

export const SCMP_ECHO_REQUEST = scmpPacket('00 0c', `
  80 | 00 | da 5c   // Type 128 (Echo Request) | Code 0 | Checksum 0xda5c
  ab cd | 00 01     // Identifier 0xabcd | Sequence Number 1
  70 69 6e 67       // Data "ping"
`);

export const SCMP_ECHO_REPLY = scmpPacket('00 0c', `
  81 | 00 | d9 5c   // Type 129 (Echo Reply) | Code 0 | Checksum 0xd95c
  ab cd | 00 01     // Identifier 0xabcd | Sequence Number 1
  70 69 6e 67       // Data "ping", returned unmodified
`);

export const SCMP_TRACEROUTE_REQUEST = scmpPacket('00 18', `
  82 | 00 | 4f 97   // Type 130 (Traceroute Request) | Code 0 | Checksum 0x4f97
  13 57 | 00 02     // Identifier 0x1357 | Sequence Number 2
  00 00 00 00 00 00 00 00   // ISD/AS placeholder, zero
  00 00 00 00 00 00 00 00   // Interface ID placeholder, zero
`);

export const SCMP_TRACEROUTE_REPLY = scmpPacket('00 18', `
  83 | 00 | 4e 5e   // Type 131 (Traceroute Reply) | Code 0 | Checksum 0x4e5e
  13 57 | 00 02     // Identifier 0x1357 | Sequence Number 2
  00 01 ff 00 00 00 01 30   // ISD 1 | AS ff00:0:130 (the replying router)
  00 00 00 00 00 00 00 07   // Interface ID 7
`);

/** SCMP behind an End-to-End header: the pseudo header length excludes the extension, protocol stays 202. */
export const SCMP_ECHO_REPLY_BEHIND_E2E = wire(`
  00 00 00 0d        // Version 0 | TrafficClass 0 | FlowID 13
  c9 | 09 | 00 10    // NextHdr 201 (E2E) | HdrLen 9 | PayloadLen 16 = 4 + 12
  00 | 00 | 00 00    // PathType 0 | IPv4 / IPv4 | RSV
  00 01 ff 00 00 00 01 11 | 00 01 ff 00 00 00 01 10   // Dst 1-ff00:0:111 | Src 1-ff00:0:110
  0a 04 05 06 | 0a 00 00 fe                           // Dst 10.4.5.6 | Src 10.0.0.254
  ca | 00 | 01 00    // E2E: NextHdr 202 | ExtLen 0 (4 bytes) | PadN with OptDataLen 0
  81 | 00 | d9 5c    // Type 129 (Echo Reply) | Code 0 | Checksum 0xd95c (the same: the E2E header is not summed)
  ab cd | 00 01 | 70 69 6e 67   // Identifier | Sequence Number | "ping"
`);

// ---------------------------------------------------------------------------------------------
// NTP control (mode 6) and private (mode 7) messages
// ---------------------------------------------------------------------------------------------

/** ntpq "rv 0": read the system variables. */
export const NTP_CONTROL_READVAR_REQUEST = wire(`
  16      // LI 0 | VN 2 | Mode 6
  02      // R 0 E 0 M 0 | OpCode 2 (read variables)
  00 01   // Sequence 1
  00 00   // Status 0
  00 00   // Association ID 0 (the system)
  00 00   // Offset 0
  00 00   // Count 0
`);

/** Its answer: one fragment (M set), 14 data bytes and 2 bytes of padding to a 4-byte boundary. */
export const NTP_CONTROL_READVAR_RESPONSE = wire(`
  16      // LI 0 | VN 2 | Mode 6
  a2      // R 1 E 0 M 1 | OpCode 2
  00 01   // Sequence 1 (as in the request)
  06 15   // Status: system status word LI 0 | clock source 6 (NTP) | event count 1 | event code 5
  00 00   // Association ID 0
  00 00   // Offset 0
  00 0e   // Count 14
  6c 65 61 70 3d 30 2c 20 73 79 6e 63 3d 31   // "leap=0, sync=1"
  00 00   // padding
`);

/** An error response: E set; the error code rides in the status word's high byte. */
export const NTP_CONTROL_ERROR_RESPONSE = wire(`
  26      // LI 0 | VN 4 | Mode 6
  c1      // R 1 E 1 M 0 | OpCode 1 (read status)
  12 34   // Sequence 0x1234
  04 00   // Status: error code 4 (unknown association ID)
  ab cd   // Association ID 0xabcd
  00 00   // Offset 0
  00 00   // Count 0
`);

/** ntpdc monlist request (the well-known 8-byte probe). */
export const NTP_PRIVATE_MONLIST_REQUEST = wire(`
  17      // R 0 M 0 | VN 2 | Mode 7
  00      // A 0 | Sequence 0
  03      // Implementation 3 (IMPL_XNTPD)
  2a      // Request code 42 (MON_GETLIST_1)
  00 00   // Err 0 | Number of data items 0
  00 00   // MBZ | Size of data item 0
`);

/** A monlist response fragment: R and M set, sequence 5, one 72-byte item announced. */
export const NTP_PRIVATE_MONLIST_RESPONSE = wire(`
  d7      // R 1 M 1 | VN 2 | Mode 7
  05      // A 0 | Sequence 5
  03 | 2a // Implementation 3 | Request code 42
  00 01   // Err 0 | Number of data items 1
  00 48   // MBZ 0 | Size of data item 72
  c0 00 02 01   // first bytes of the item
`);

/** An authenticated request: A set; old implementation number 2, request code 4 (sys info). */
export const NTP_PRIVATE_AUTHENTICATED = wire(`
  0f      // R 0 M 0 | VN 1 | Mode 7
  fe      // A 1 | Sequence 126
  02 | 04 // Implementation 2 (IMPL_XNTPD_OLD) | Request code 4 (SYS_INFO)
`);

/** The NTP control request inside SCION/UDP to port 123. */
export const SCION_UDP_NTP_CONTROL = cat(
  wire(`
    00 00 00 0e        // Version 0 | TrafficClass 0 | FlowID 14
    11 | 09 | 00 14    // NextHdr 17 | HdrLen 9 | PayloadLen 20 = 8 + 12
    00 | 00 | 00 00    // PathType 0 | IPv4 / IPv4 | RSV
    00 01 ff 00 00 00 01 10 | 00 01 ff 00 00 00 01 11   // Dst 1-ff00:0:110 | Src 1-ff00:0:111
    0a 00 00 02 | 0a 00 00 01                           // 10.0.0.2 | 10.0.0.1
    79 18 | 00 7b      // UDP SrcPort 31000 | DstPort 123 (NTP)
    00 14 | 5c 08      // Length 20 | Checksum 0x5c08
  `),
  NTP_CONTROL_READVAR_REQUEST,
);

/** Every SCION vector here, by name (for the checksum and byte-flip tests). */
export const SCION_VECTORS: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['SCION path, 3 segments', SCION_PATH_3_SEGMENTS],
  ['OneHop path', ONEHOP_PATH],
  ['EPIC path', EPIC_PATH],
  ...ADDRESS_COMBOS.map((c) => [`address ${c[0]} -> ${c[1]}`, addressComboPacket(...c)] as const),
  ...SPAO_CASES.map((c) => [`HBH + E2E SPAO: ${c.name}`, hbhE2eSpaoPacket(c.hex)] as const),
  ['E2E SPAO SHA1-AES-CBC', E2E_SPAO_SHA1],
  ['BFD simple password', BFD_SIMPLE_PASSWORD],
  ['BFD keyed MD5', BFD_KEYED_MD5],
  ['BFD meticulous keyed MD5', BFD_METICULOUS_KEYED_MD5],
  ['BFD keyed SHA1', BFD_KEYED_SHA1],
  ['BFD meticulous keyed SHA1', BFD_METICULOUS_KEYED_SHA1],
  ['SCMP 1 destination unreachable', SCMP_DESTINATION_UNREACHABLE],
  ['SCMP 2 packet too big', SCMP_PACKET_TOO_BIG],
  ['SCMP 4 parameter problem', SCMP_PARAMETER_PROBLEM],
  ['SCMP 5 external interface down', SCMP_EXTERNAL_INTERFACE_DOWN],
  ['SCMP 6 internal connectivity down', SCMP_INTERNAL_CONNECTIVITY_DOWN],
  ['SCMP 128 echo request', SCMP_ECHO_REQUEST],
  ['SCMP 129 echo reply', SCMP_ECHO_REPLY],
  ['SCMP 130 traceroute request', SCMP_TRACEROUTE_REQUEST],
  ['SCMP 131 traceroute reply', SCMP_TRACEROUTE_REPLY],
  ['SCMP 129 behind E2E', SCMP_ECHO_REPLY_BEHIND_E2E],
  ['NTP control in SCION/UDP', SCION_UDP_NTP_CONTROL],
];
