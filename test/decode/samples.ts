/** Fixtures and hand-built packets shared by the decode tests. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  encodeNtp,
  encodeScion,
  scionPathFromSegments,
  type ScionPacketInput,
  type StandardPathInput,
} from '../../src/decode/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/scion/', import.meta.url));

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export const VECTOR_NAMES = ['scion-udp.bin', 'scion-scmp-dest-unreachable.bin', 'scion-bfd.bin'] as const;

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function seq(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

export const MAC = bytes(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6);

/** Three segments, flags on, 1 + 2 + 3 hops. */
export const THREE_SEGMENT_PATH: StandardPathInput = scionPathFromSegments(
  [
    { consDir: true, segId: 0x1111, timestamp: 1_700_000_000, hops: [{ consIngress: 0, consEgress: 41, expTime: 0, mac: MAC }] },
    {
      consDir: false,
      peering: true,
      segId: 0x2222,
      timestamp: 1_700_000_100,
      hops: [
        { consIngress: 7, consEgress: 8, consIngressAlert: true, mac: MAC },
        { consIngress: 9, consEgress: 0, consEgressAlert: true, expTime: 255, mac: MAC },
      ],
    },
    {
      consDir: true,
      segId: 0x3333,
      timestamp: 1_700_000_200,
      hops: [
        // Its flags byte is path byte 64, where the encoder's buffer first grows (regression).
        { consIngress: 0, consEgress: 1, consEgressAlert: true },
        { consIngress: 2, consEgress: 3 },
        { consIngress: 4, consEgress: 0 },
      ],
    },
  ],
  { currInf: 1, currHf: 2 },
);

const base = {
  common: { trafficClass: 0x2e, flowId: 0xabcde },
  address: { dstIA: '1-ff00:0:110', srcIA: '2-ff00:0:220', dst: '10.0.0.1', src: '10.0.0.2' },
} satisfies Partial<ScionPacketInput>;

const ntpRequest = encodeNtp({ mode: 3, version: 4, transmitTimestamp: 1_700_000_000_123_456_789n });

/** Named inputs covering every address type, path type, extension and L4 the decoder knows. */
export const SAMPLE_INPUTS: Readonly<Record<string, ScionPacketInput>> = {
  'udp ipv4 empty path': { ...base, l4: { type: 'udp', srcPort: 31000, dstPort: 31001, payload: new TextEncoder().encode('hello') } },
  'udp ipv6/ipv4 three-segment path': {
    ...base,
    address: { ...base.address, dst: '2001:db8::1', src: '192.0.2.7' },
    path: THREE_SEGMENT_PATH,
    l4: { type: 'udp', srcPort: 40000, dstPort: 30252, payload: seq(33) },
  },
  'udp svc/ipv6 onehop': {
    ...base,
    address: { ...base.address, dst: 'CS', src: 'fd00::42' },
    path: {
      type: 'onehop',
      info: { consDir: true, segId: 0x4242, timestamp: 1_600_000_000 },
      firstHop: { consIngress: 0, consEgress: 12, mac: MAC },
      secondHop: { consIngress: 0, consEgress: 0 },
    },
    l4: { type: 'udp', srcPort: 30041, dstPort: 0, payload: seq(4) },
  },
  'scmp echo epic': {
    ...base,
    path: {
      type: 'epic',
      pktId: { timestamp: 0x01020304, counter: 0x0a0b0c0d },
      phvf: bytes(1, 2, 3, 4),
      lhvf: bytes(5, 6, 7, 8),
      scion: scionPathFromSegments([{ timestamp: 1_650_000_000, segId: 7, hops: [{ consIngress: 0, consEgress: 2 }, { consIngress: 3, consEgress: 0 }] }]),
    },
    l4: { type: 'scmp', scmpType: 128, body: { kind: 'echo', identifier: 0xbeef, sequence: 3, data: seq(12) } },
  },
  'hbh pad + e2e spao udp': {
    ...base,
    hopByHop: { options: [{ kind: 'pad1' }, { kind: 'padN', data: bytes(0, 0, 0) }, { kind: 'raw', optType: 0x1e, data: bytes(9, 9, 9) }] },
    endToEnd: {
      options: [{ kind: 'spao', spi: (1 << 17) | (1 << 16) | 0x0003, algorithm: 0, timestampSeq: 0x0102030405n, authenticator: seq(16, 0x80) }],
    },
    l4: { type: 'udp', srcPort: 1, dstPort: 2, payload: seq(7) },
  },
  'colibri path, tcp l4 raw': {
    ...base,
    path: { type: 'raw', pathType: 4, data: seq(8) },
    l4: { type: 'raw', protocol: 6, data: seq(20) },
  },
  'unknown path type 9': { ...base, path: { type: 'raw', pathType: 9, data: seq(4) }, l4: { type: 'raw', protocol: 254, data: seq(3) } },
  'unknown address type (8-byte)': {
    ...base,
    address: { ...base.address, dst: { type: 'unknown', addrType: 2, addrLen: 1, raw: seq(8) } },
    l4: { type: 'udp', srcPort: 5, dstPort: 6, payload: seq(2) },
  },
  'svc multicast dst': { ...base, address: { ...base.address, dst: 'Wildcard_M' }, l4: { type: 'udp', srcPort: 5, dstPort: 6, payload: new Uint8Array(0) } },
  'bfd with keyed sha1 auth': {
    ...base,
    l4: {
      type: 'bfd',
      state: 1,
      diagnostic: 3,
      poll: true,
      myDiscriminator: 0x11223344,
      yourDiscriminator: 0,
      auth: { authType: 4, data: Uint8Array.from([7, 0, 0, 0, 0, 5, ...seq(20)]) },
    },
  },
  'ntp request in scion/udp': { ...base, l4: { type: 'udp', srcPort: 31005, dstPort: 123, payload: ntpRequest } },
  'udp jumbogram length 0': { ...base, l4: { type: 'udp', srcPort: 7, dstPort: 8, length: 0, payload: seq(10) } },
};

export const SAMPLE_PACKETS: ReadonlyArray<readonly [string, Uint8Array]> = Object.entries(SAMPLE_INPUTS).map(([n, p]) => [n, encodeScion(p)] as const);

/** Valid packets with nothing after PayloadLen: shared vectors plus the samples. */
export function validPackets(): Array<readonly [string, Uint8Array]> {
  return [...VECTOR_NAMES.map((n) => [n, fixture(n)] as const), ...SAMPLE_PACKETS];
}
