// One table per kernel fact: the native control-message table and layout are exported, and the
// TypeScript side derives from them (sizes) or is checked against them name by name (layout).
import { describe, expect, it } from 'vitest';
import { native } from '../src/sys/native.js';
import * as C from '../src/sys/constants.js';
import { CMSG_KINDS, cmsgKind, cmsgSpaceOf } from '../src/cmsg/kinds.js';
import { cmsgSpace } from '../src/cmsg/macros.js';
import { ADDR, I32, I64, layoutMismatches, PRESENT } from '../src/tap/rx/layout.js';
import { buildControl, parseControl, parseControlPure } from '../src/index.js';
import { L3_STATUS, P32, P64, PADDR } from '../src/capture/layout.js';
import { captureNative } from '../src/capture/native.js';

describe('control-message table', () => {
  it('states each known message once, with the kernel constants and struct sizes', () => {
    // Outside judge for the numbers: the constants are checked against the C headers in
    // cmsg-helpers.test.ts; the struct sizes here are those of the uapi structs.
    const expected: Record<string, [number, number, number]> = {
      SCM_TIMESTAMPING: [C.SOL_SOCKET, C.SCM_TIMESTAMPING, 48], // 3 × struct timespec
      SCM_TIMESTAMPING_NEW: [C.SOL_SOCKET, C.SCM_TIMESTAMPING_NEW, 48], // 3 × struct __kernel_timespec
      SCM_TIMESTAMPNS: [C.SOL_SOCKET, C.SCM_TIMESTAMPNS, 16],
      SCM_TIMESTAMPNS_NEW: [C.SOL_SOCKET, C.SCM_TIMESTAMPNS_NEW, 16],
      SCM_TIMESTAMP: [C.SOL_SOCKET, C.SCM_TIMESTAMP, 16],
      SCM_TIMESTAMP_NEW: [C.SOL_SOCKET, C.SCM_TIMESTAMP_NEW, 16],
      SO_RXQ_OVFL: [C.SOL_SOCKET, C.SO_RXQ_OVFL, 4],
      SCM_TIMESTAMPING_PKTINFO: [C.SOL_SOCKET, C.SCM_TIMESTAMPING_PKTINFO, 16], // struct scm_ts_pktinfo
      IP_PKTINFO: [C.IPPROTO_IP, C.IP_PKTINFO, 12], // struct in_pktinfo
      IP_TTL: [C.IPPROTO_IP, C.IP_TTL, 4],
      IP_TOS: [C.IPPROTO_IP, C.IP_TOS, 1],
      IP_RECVERR: [C.IPPROTO_IP, C.IP_RECVERR, 16], // struct sock_extended_err
      IPV6_PKTINFO: [C.IPPROTO_IPV6, C.IPV6_PKTINFO, 20], // struct in6_pktinfo
      IPV6_HOPLIMIT: [C.IPPROTO_IPV6, C.IPV6_HOPLIMIT, 4],
      IPV6_TCLASS: [C.IPPROTO_IPV6, C.IPV6_TCLASS, 4],
      IPV6_RECVERR: [C.IPPROTO_IPV6, C.IPV6_RECVERR, 16],
    };
    const table = Object.fromEntries([...CMSG_KINDS].map(([n, k]) => [n, [k.level, k.type, k.length]]));
    expect(table).toEqual(expected);
    for (const k of CMSG_KINDS.values()) expect(cmsgKind(k.level, k.type)).toBe(k);
    expect(cmsgKind(C.SOL_SOCKET, 9999)).toBeUndefined();
  });

  it('sizes buffers from the table', () => {
    expect(cmsgSpaceOf('SCM_TIMESTAMPING')).toBe(cmsgSpace(48));
    expect(cmsgSpaceOf('IP_TOS')).toBe(cmsgSpace(1));
    expect(() => cmsgSpaceOf('IP_NOPE')).toThrow(/no control message named IP_NOPE/);
  });

  it("gives the TS twin and the native walker the same 'short' verdicts, one byte below each length", () => {
    for (const k of CMSG_KINDS.values()) {
      for (const len of [k.length - 1, k.length]) {
        if (len < 0) continue;
        const buf = buildControl([{ level: k.level, type: k.type, data: new Uint8Array(len) }]);
        const pure = parseControlPure(buf).map((m) => m.status);
        expect(parseControl(buf).map((m) => m.status)).toEqual(pure);
        expect(pure).toEqual([len < k.length ? 'short' : 'ok']);
      }
    }
  });
});

describe('layout contract', () => {
  it('matches the native layout field by field', () => {
    expect(layoutMismatches(I32, native.layoutFields.i32)).toEqual([]);
    expect(layoutMismatches(I64, native.layoutFields.i64)).toEqual([]);
    expect(layoutMismatches(ADDR, native.layoutFields.addr)).toEqual([]);
    expect(layoutMismatches(PRESENT, native.layoutFields.present)).toEqual([]);
  });

  it('the packet-capture layout too', () => {
    const l = captureNative.packetLayout;
    expect(layoutMismatches(P32, l.fields.i32)).toEqual([]);
    expect(layoutMismatches(P64, l.fields.i64)).toEqual([]);
    expect(layoutMismatches(PADDR, l.fields.addr)).toEqual([]);
    expect(layoutMismatches(L3_STATUS, l.fields.status)).toEqual([]);
  });

  it('catches a reordered, renamed or missing field (not only a different count)', () => {
    const swapped = { ...native.layoutFields.i32, ttl: native.layoutFields.i32.tos!, tos: native.layoutFields.i32.ttl! };
    expect(layoutMismatches(I32, swapped)).toEqual([
      `ttl (ts ${I32.ttl}, native ${I32.tos})`,
      `tos (ts ${I32.tos}, native ${I32.ttl})`,
    ]);
    const { drops, ...missing } = native.layoutFields.i32;
    expect(drops).toBe(I32.drops);
    expect(layoutMismatches(I32, { ...missing, dropCount: I32.drops })).toEqual([
      `drops (ts ${I32.drops}, native -)`,
      `dropCount (ts -, native ${I32.drops})`,
    ]);
  });
});
