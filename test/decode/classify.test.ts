import { describe, it, expect } from 'vitest';
import {
  buildScionUdp,
  classifyUdp,
  classifyUdpDetailed,
  createUdpPortMap,
  decodePayload,
  looksLikeScion,
  parseDispatchedPorts,
  type UdpLayerName,
} from '../../src/decode/index.js';
import { fixture, seq, validPackets } from './samples.js';

const junk = seq(40, 0x40); // starts with 0x40: version 4, not SCION, not STUN
const scion = fixture('scion-udp.bin');
const stun = Uint8Array.from([0x01, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...seq(12)]);

describe('classifyUdp: gopacket well-known ports', () => {
  const table: Array<[number, UdpLayerName]> = [
    [53, 'DNS'], [123, 'NTP'], [67, 'DHCPv4'], [68, 'DHCPv4'], [546, 'DHCPv6'], [547, 'DHCPv6'],
    [5060, 'SIP'], [6343, 'sFlow'], [4789, 'VXLAN'], [6081, 'Geneve'], [3784, 'BFD'], [2152, 'GTPv1-U'],
  ];
  for (const [port, layer] of table) {
    it(`port ${port} → ${layer} (as destination or source)`, () => {
      expect(classifyUdp({ srcPort: 50000, dstPort: port, payload: junk })).toBe(layer);
      expect(classifyUdp({ srcPort: port, dstPort: 50000, payload: junk })).toBe(layer);
    });
  }

  it('the destination port wins over the source port, as in gopacket', () => {
    expect(classifyUdpDetailed({ srcPort: 53, dstPort: 123, payload: junk })).toEqual({ layer: 'NTP', reason: 'dst port 123', port: 123 });
  });

  it('anything else is Payload', () => {
    expect(classifyUdp({ srcPort: 50000, dstPort: 50001, payload: junk })).toBe('Payload');
  });
});

describe('classifyUdp: SCION ports and content', () => {
  const ports: Array<[number, string]> = [
    [30041, 'end-host'], [30042, 'router-internal'], [30051, 'router-internal'], [31000, 'dispatched-app'],
    [32767, 'dispatched-app'], [30252, 'control'], [30255, 'daemon'], [30056, 'gateway'],
  ];
  for (const [port, role] of ports) {
    it(`port ${port} → SCION (${role})`, () => {
      expect(classifyUdpDetailed({ srcPort: 50000, dstPort: port, payload: junk })).toMatchObject({ layer: 'SCION', port, role });
    });
  }

  it('ports next to the ranges are not SCION', () => {
    for (const port of [30040, 30052, 30999, 32768]) expect(classifyUdp({ srcPort: 50000, dstPort: port, payload: junk })).toBe('Payload');
  });

  it('STUN on a SCION port is STUN (routers answer NAT discovery there)', () => {
    expect(classifyUdpDetailed({ srcPort: 30042, dstPort: 50000, payload: stun })).toMatchObject({ layer: 'STUN', role: 'router-internal' });
    expect(classifyUdp({ srcPort: 50000, dstPort: 3478, payload: stun })).toBe('STUN');
  });

  it('heuristic recognises every valid packet on any port, and nothing random', () => {
    for (const [name, wire] of validPackets()) {
      const heuristicOk = looksLikeScion(wire);
      const nextHdr = wire[4]!;
      const pathType = wire[8]!;
      const known = [17, 200, 201, 202, 203].includes(nextHdr) && pathType < 5 && [0, 3, 4].includes(wire[9]! >> 4) && [0, 3, 4].includes(wire[9]! & 15);
      expect(heuristicOk, name).toBe(known);
    }
    expect(classifyUdpDetailed({ srcPort: 40000, dstPort: 50000, payload: scion })).toEqual({ layer: 'SCION', reason: 'SCION content heuristic' });
    expect(looksLikeScion(junk)).toBe(false);
    expect(looksLikeScion(scion.subarray(0, 40))).toBe(false); // HdrLen beyond the datagram
    const reserved = scion.slice();
    reserved[11] = 1;
    expect(looksLikeScion(reserved)).toBe(false);
  });

  it('the port map is configurable: dispatched_ports strings, extra ranges, heuristic off, own table', () => {
    expect(parseDispatchedPorts('31000-32767')).toEqual([31000, 32767]);
    expect(parseDispatchedPorts('all')).toEqual([1, 65535]);
    expect(parseDispatchedPorts('-')).toBeNull();
    expect(parseDispatchedPorts('')).toBeNull();
    expect(parseDispatchedPorts('5-1')).toBeUndefined();
    expect(() => createUdpPortMap({ dispatchedPorts: 'x' })).toThrow(RangeError);

    const none = createUdpPortMap({ dispatchedPorts: '-', heuristic: false });
    expect(classifyUdp({ srcPort: 50000, dstPort: 31000, payload: scion }, none)).toBe('Payload');
    const all = createUdpPortMap({ dispatchedPorts: 'all' });
    expect(classifyUdp({ srcPort: 50000, dstPort: 50001, payload: junk }, all)).toBe('SCION');
    expect(classifyUdp({ srcPort: 50000, dstPort: 53, payload: junk }, all)).toBe('DNS');
    const routers = createUdpPortMap({ extraScionPorts: [{ from: 50000, to: 50010, role: 'router-internal' }] });
    expect(classifyUdpDetailed({ srcPort: 1, dstPort: 50005, payload: junk }, routers)).toMatchObject({ layer: 'SCION', role: 'router-internal' });
    const custom = createUdpPortMap({ wellKnown: { 9999: 'NTP' } });
    expect(classifyUdp({ srcPort: 1, dstPort: 9999, payload: junk }, custom)).toBe('NTP');
    expect(classifyUdp({ srcPort: 1, dstPort: 123, payload: junk }, custom)).toBe('Payload');
  });
});

describe('decodePayload', () => {
  it('returns one tagged union: scion, ntp, stun or raw, each with its UDP context', () => {
    const s = decodePayload({ srcPort: 30041, dstPort: 31000, payload: scion });
    expect(s).toMatchObject({ layer: 'scion', ok: true, udp: { srcPort: 30041, dstPort: 31000, classification: { layer: 'SCION', role: 'dispatched-app' } } });
    const t = decodePayload({ srcPort: 30042, dstPort: 40000, payload: stun });
    expect(t).toMatchObject({ layer: 'stun', ok: true, methodName: 'Binding' });
    const dns = decodePayload({ srcPort: 40000, dstPort: 53, payload: junk });
    expect(dns).toEqual({ ok: true, layer: 'raw', name: 'DNS', data: junk, udp: { srcPort: 40000, dstPort: 53, classification: { layer: 'DNS', reason: 'dst port 53', port: 53 } } });
    const broken = decodePayload({ srcPort: 40000, dstPort: 30041, payload: junk });
    expect(broken).toMatchObject({ layer: 'scion', ok: false, error: { code: 'UNSUPPORTED_VERSION' } });
    const built = buildScionUdp({ srcIA: '1-1', dstIA: '1-2', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, payload: seq(3) });
    expect(decodePayload({ srcPort: 40000, dstPort: 40001, payload: built }).layer).toBe('scion');
  });

  it('bad arguments give an empty Payload rather than an exception', () => {
    const r = decodePayload({ srcPort: Number.NaN, dstPort: 1, payload: 'x' as unknown as Uint8Array });
    expect(r).toMatchObject({ layer: 'raw', name: 'Payload', data: new Uint8Array(0), udp: { srcPort: 0, dstPort: 1 } });
  });
});
