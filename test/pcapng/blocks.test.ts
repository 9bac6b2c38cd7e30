// Byte-level checks of the block encoders against the layout in draft-ietf-opsawg-pcapng.
import { describe, expect, it } from 'vitest';
import { encodeEnhancedPacket, encodeInterfaceDescription, encodeSectionHeader } from '../../src/pcapng/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function checkFraming(b: Uint8Array, type: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(v.getUint32(0, true)).toBe(type);
  expect(b.length % 4).toBe(0);
  expect(v.getUint32(4, true)).toBe(b.length);
  expect(v.getUint32(b.length - 4, true)).toBe(b.length);
}

describe('block encoders', () => {
  it('SHB: magic, version 1.0, unknown section length, shb_userappl "disptap" padded, end of options', () => {
    const b = encodeSectionHeader();
    checkFraming(b, 0x0a0d0d0a);
    expect(hex(b)).toBe(
      '0a0d0d0a' + '2c000000' + // type, total length 44
        '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff' + // BOM, 1.0, -1
        '0400' + '0700' + hex(new TextEncoder().encode('disptap')) + '00' + // shb_userappl, 7 bytes + 1 pad
        '00000000' + // opt_endofopt
        '2c000000',
    );
  });

  it('SHB: comment, hardware and os options come before userappl', () => {
    const b = encodeSectionHeader({ comments: ['c'], hardware: 'hw', os: 'Linux', userAppl: 'x' });
    checkFraming(b, 0x0a0d0d0a);
    expect(hex(b.subarray(24, b.length - 4))).toBe(
      '0100' + '0100' + '63000000' + '0200' + '0200' + '68770000' + '0300' + '0500' + hex(new TextEncoder().encode('Linux')) + '000000' + '0400' + '0100' + '78000000' + '00000000',
    );
  });

  it('IDB: LINKTYPE_RAW, snaplen 0, if_name, if_description, if_tsresol 9', () => {
    const b = encodeInterfaceDescription({ name: 'eth0', description: 'ifindex 2' });
    checkFraming(b, 1);
    expect(hex(b.subarray(8, b.length - 4))).toBe(
      '6500' + '0000' + '00000000' + // 101, reserved, snaplen
        '0200' + '0400' + hex(new TextEncoder().encode('eth0')) + // if_name, no padding needed
        '0300' + '0900' + hex(new TextEncoder().encode('ifindex 2')) + '000000' +
        '0900' + '0100' + '09000000' + // if_tsresol = 9, padded
        '00000000',
    );
  });

  it('EPB: interface id, 64-bit timestamp as high then low word, lengths, padded data, options', () => {
    const ts = 0x0017_6a5b_1234_5678n;
    const b = encodeEnhancedPacket({
      interfaceId: 3,
      timestamp: ts,
      data: Uint8Array.of(0x45, 0, 0),
      origLength: 100,
      comments: ['a', 'bc'],
      direction: 'out',
      dropCount: 5n,
    });
    checkFraming(b, 6);
    expect(hex(b.subarray(8, b.length - 4))).toBe(
      '03000000' + '5b6a1700' + '78563412' + '03000000' + '64000000' + // if 3, ts high, ts low, caplen 3, origlen 100
        '45000000' + // data + 1 pad byte
        '0100' + '0100' + '61000000' + '0100' + '0200' + '62630000' + // two opt_comment
        '0200' + '0400' + '02000000' + // epb_flags: outbound
        '0400' + '0800' + '0500000000000000' + // epb_dropcount
        '00000000',
    );
  });

  it('EPB without options has no end-of-options marker; inbound is flag value 1', () => {
    expect(encodeEnhancedPacket({ interfaceId: 0, timestamp: 1n, data: new Uint8Array(4) })).toHaveLength(32 + 4);
    const b = encodeEnhancedPacket({ interfaceId: 0, timestamp: 1n, data: new Uint8Array(0), direction: 'in' });
    expect(hex(b.subarray(28, b.length - 4))).toBe('0200' + '0400' + '01000000' + '00000000');
  });

  it('rejects what the format cannot hold', () => {
    expect(() => encodeEnhancedPacket({ interfaceId: 0, timestamp: -1n, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeEnhancedPacket({ interfaceId: 0, timestamp: 1n << 64n, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeEnhancedPacket({ interfaceId: 0, timestamp: 0n, data: new Uint8Array(5), origLength: 4 })).toThrow(RangeError);
    expect(() => encodeEnhancedPacket({ interfaceId: 0, timestamp: 0n, data: new Uint8Array(0), comments: ['x'.repeat(70000)] })).toThrow(RangeError);
  });
});
