// timestampingCapabilities() judged by `ethtool -T` on lo and a veth; the hardware-config calls on
// devices without hardware timestamping fail with the documented error (EOPNOTSUPP), callers without
// CAP_NET_ADMIN get EPERM, and bad arguments never reach the kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getHwTimestampConfig,
  HWTSTAMP_FILTER_NAMES,
  HWTSTAMP_TX_NAMES,
  setHwTimestampConfig,
  SOF_TIMESTAMPING_NAMES,
  timestampingCapabilities,
  constants as C,
  type TimestampingCapabilities,
} from '../src/index.js';
import { hasCommand, isRoot, removeDistForChildren, run, runChild, tryRun } from './helpers/system.js';

// ethtool's labels (the kernel's ETH_SS_* string sets) → our names
const SOF_LABELS: Record<string, string> = {
  'hardware-transmit': 'TX_HARDWARE', 'software-transmit': 'TX_SOFTWARE', 'hardware-receive': 'RX_HARDWARE',
  'software-receive': 'RX_SOFTWARE', 'software-system-clock': 'SOFTWARE', 'hardware-legacy-clock': 'SYS_HARDWARE',
  'hardware-raw-clock': 'RAW_HARDWARE', 'option-id': 'OPT_ID', 'sched-transmit': 'TX_SCHED', 'ack-transmit': 'TX_ACK',
  'option-cmsg': 'OPT_CMSG', 'option-tsonly': 'OPT_TSONLY', 'option-stats': 'OPT_STATS', 'option-pktinfo': 'OPT_PKTINFO',
  'option-tx-swhw': 'OPT_TX_SWHW', 'bind-phc': 'BIND_PHC', 'option-id-tcp': 'OPT_ID_TCP',
  'option-rx-filter': 'OPT_RX_FILTER', 'tx-completion': 'TX_COMPLETION',
};
// 'onestep-sync' → 'ONESTEP_SYNC', 'ptpv2-l4-event' → 'PTP_V2_L4_EVENT'
const modeName = (label: string) => label.toUpperCase().replace(/^PTPV/, 'PTP_V').replace(/-/g, '_');

/** `ethtool -T name` in our shape (the text format of ethtool 5.x/6.x, old and netlink). */
function ethtoolT(name: string, wrapper: string[] = []): Pick<TimestampingCapabilities, 'flags' | 'phcIndex' | 'txTypes' | 'rxFilters'> {
  const [cmd, ...args] = [...wrapper, 'ethtool', '-T', name];
  const text = run(cmd!, args);
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  let phcIndex: number | undefined;
  for (const line of text.split('\n')) {
    const phc = /^PTP Hardware Clock:\s*(\S+)/.exec(line);
    if (phc) {
      phcIndex = phc[1] === 'none' ? -1 : Number(phc[1]);
      current = undefined;
      continue;
    }
    const head = /^(\S[^:]*):\s*(.*)$/.exec(line);
    if (head) {
      current = [];
      sections.set(head[1]!, current);
      if (head[2] && head[2] !== 'none') current.push(head[2].split(/\s+/)[0]!);
      continue;
    }
    const item = /^\s+(\S+)/.exec(line);
    if (item && current) current.push(item[1]!);
  }
  const caps = sections.get('Capabilities') ?? [];
  return {
    flags: caps.map((l) => SOF_LABELS[l] ?? `?${l}`) as TimestampingCapabilities['flags'],
    phcIndex: phcIndex ?? NaN,
    txTypes: (sections.get('Hardware Transmit Timestamp Modes') ?? []).map(modeName) as TimestampingCapabilities['txTypes'],
    rxFilters: (sections.get('Hardware Receive Filter Modes') ?? []).map(modeName) as TimestampingCapabilities['rxFilters'],
  };
}

const ordered = <T extends string>(names: readonly T[], got: readonly string[]) => [...got].sort((a, b) => names.indexOf(a as T) - names.indexOf(b as T));

const canNet = isRoot && hasCommand('ip');
const hasEthtool = hasCommand('ethtool');
const id = process.pid % 100000;
const NS = `disptap-hw-${process.pid}`;
const HOST = `dth${id}a`; // root namespace end: no addresses
const PEER = `dth${id}b`;

describe('timestampingCapabilities', () => {
  it.skipIf(!hasEthtool)(hasEthtool ? 'lo equals ethtool -T lo' : 'SKIPPED (ethtool missing): lo equals ethtool -T lo', () => {
    const caps = timestampingCapabilities('lo');
    const judge = ethtoolT('lo');
    expect(caps.flags).toEqual(ordered(SOF_TIMESTAMPING_NAMES, judge.flags));
    expect(caps.phcIndex).toBe(judge.phcIndex);
    expect(caps.txTypes).toEqual(ordered(HWTSTAMP_TX_NAMES, judge.txTypes));
    expect(caps.rxFilters).toEqual(ordered(HWTSTAMP_FILTER_NAMES, judge.rxFilters));
  });

  it('lo: software timestamping only, no PHC; names and bit masks agree', () => {
    const caps = timestampingCapabilities('lo');
    expect(caps.flags).toEqual(expect.arrayContaining(['RX_SOFTWARE', 'SOFTWARE']));
    expect(caps.flags).not.toContain('RX_HARDWARE');
    expect(caps.phcIndex).toBe(-1);
    expect(caps.flagBits & C.SOF_TIMESTAMPING_RX_SOFTWARE).toBe(C.SOF_TIMESTAMPING_RX_SOFTWARE);
    expect(caps.flags).toEqual(SOF_TIMESTAMPING_NAMES.filter((_, bit) => caps.flagBits & (1 << bit)));
    expect([caps.txTypes, caps.txTypeBits, caps.rxFilters, caps.rxFilterBits]).toEqual([[], 0, [], 0]);
  });

  it('unknown interface → ENODEV; bad names are argument errors', () => {
    expect(() => timestampingCapabilities('nosuchif0')).toThrow(
      expect.objectContaining({ code: 'ENODEV', errno: -19, syscall: 'ioctl(SIOCETHTOOL ETHTOOL_GET_TS_INFO)', interface: 'nosuchif0' }),
    );
    for (const bad of ['', 'x'.repeat(16), 'a\0b'])
      expect(() => timestampingCapabilities(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => timestampingCapabilities(7 as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('hardware timestamping config on lo', () => {
  it('get → EOPNOTSUPP, naming the reason', () => {
    expect(() => getHwTimestampConfig('lo')).toThrow(
      expect.objectContaining({
        code: 'EOPNOTSUPP',
        errno: -95,
        syscall: 'ioctl(SIOCGHWTSTAMP)',
        interface: 'lo',
        message: expect.stringMatching(/lo: EOPNOTSUPP \(.*does not support hardware timestamping\)/),
      }),
    );
  });

  it.skipIf(!isRoot)(isRoot ? 'set as root → EOPNOTSUPP' : 'SKIPPED (needs root): set as root → EOPNOTSUPP', () => {
    expect(() => setHwTimestampConfig('lo', { tx: 'ON', rxFilter: 'ALL' })).toThrow(
      expect.objectContaining({ code: 'EOPNOTSUPP', errno: -95, syscall: 'ioctl(SIOCSHWTSTAMP)' }),
    );
    expect(() => setHwTimestampConfig('lo', { tx: 'OFF', rxFilter: 'NONE' })).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });

  it.skipIf(!isRoot)(isRoot ? 'values the kernel does not know → ERANGE' : 'SKIPPED (needs root): values the kernel does not know → ERANGE', () => {
    expect(() => setHwTimestampConfig('lo', { tx: 99, rxFilter: 'NONE' })).toThrow(expect.objectContaining({ code: 'ERANGE', errno: -34 }));
    expect(() => setHwTimestampConfig('lo', { tx: 'ON', rxFilter: 99 })).toThrow(expect.objectContaining({ code: 'ERANGE' }));
  });

  const canDrop = isRoot && hasCommand('setpriv');
  it.skipIf(!canDrop)(canDrop ? 'without CAP_NET_ADMIN: set → EPERM naming the capability; get still EOPNOTSUPP' : 'SKIPPED (needs root and setpriv): without CAP_NET_ADMIN → EPERM', () => {
    try {
      const r = runChild<{ set: { error?: Record<string, unknown> }; get: { error?: Record<string, unknown> } }>(
        ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin', '--'],
        `out({
          set: attempt(() => lib.setHwTimestampConfig('lo', { tx: 'ON', rxFilter: 'ALL' })),
          get: attempt(() => lib.getHwTimestampConfig('lo')),
        });`,
      );
      expect(r.set.error).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'ioctl(SIOCSHWTSTAMP)' });
      expect(r.set.error!.message).toMatch(/lo: EPERM \(.*CAP_NET_ADMIN\)/);
      expect(r.get.error).toMatchObject({ code: 'EOPNOTSUPP' });
    } finally {
      removeDistForChildren();
    }
  });

  it('unknown interface → ENODEV', () => {
    expect(() => getHwTimestampConfig('nosuchif0')).toThrow(expect.objectContaining({ code: 'ENODEV' }));
    if (isRoot) expect(() => setHwTimestampConfig('nosuchif0', { tx: 'OFF', rxFilter: 'NONE' })).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });

  it('bad arguments never reach the kernel', () => {
    const bad: [unknown, unknown, string][] = [
      ['lo', null, 'ERR_INVALID_ARG_TYPE'],
      ['lo', { tx: 'SOMETIMES', rxFilter: 'ALL' }, 'ERR_INVALID_ARG_VALUE'],
      ['lo', { tx: 'ON', rxFilter: 'PTP' }, 'ERR_INVALID_ARG_VALUE'],
      ['lo', { tx: -1, rxFilter: 'ALL' }, 'ERR_OUT_OF_RANGE'],
      ['lo', { tx: 'ON', rxFilter: 1.5 }, 'ERR_OUT_OF_RANGE'],
      ['lo', { tx: 'ON', rxFilter: 'ALL', flags: -2 }, 'ERR_OUT_OF_RANGE'],
      ['lo', { tx: true, rxFilter: 'ALL' }, 'ERR_INVALID_ARG_TYPE'],
      ['', { tx: 'ON', rxFilter: 'ALL' }, 'ERR_INVALID_ARG_VALUE'],
      ['x'.repeat(16), { tx: 'ON', rxFilter: 'ALL' }, 'ERR_INVALID_ARG_VALUE'],
    ];
    for (const [name, config, code] of bad)
      expect(() => setHwTimestampConfig(name as string, config as Parameters<typeof setHwTimestampConfig>[1]), JSON.stringify([name, config])).toThrow(
        expect.objectContaining({ code }),
      );
    expect(() => getHwTimestampConfig(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('the name tables follow the kernel’s numbering', () => {
    expect(HWTSTAMP_TX_NAMES.indexOf('ONESTEP_P2P')).toBe(C.HWTSTAMP_TX_ONESTEP_P2P);
    expect(HWTSTAMP_FILTER_NAMES.indexOf('NTP_ALL')).toBe(C.HWTSTAMP_FILTER_NTP_ALL);
    expect(HWTSTAMP_FILTER_NAMES.indexOf('PTP_V2_L2_DELAY_REQ')).toBe(C.HWTSTAMP_FILTER_PTP_V2_L2_DELAY_REQ);
    SOF_TIMESTAMPING_NAMES.forEach((n, bit) => expect((C as Record<string, unknown>)[`SOF_TIMESTAMPING_${n}`]).toBe(1 << bit));
  });
});

describe.skipIf(!canNet)(canNet ? 'a veth' : 'SKIPPED (needs root and ip): a veth', () => {
  beforeAll(() => {
    tryRun('ip', ['link', 'del', HOST]);
    tryRun('ip', ['netns', 'del', NS]);
    run('ip', ['netns', 'add', NS]);
    run('ip', ['link', 'add', HOST, 'type', 'veth', 'peer', 'name', PEER, 'netns', NS]);
    run('ip', ['link', 'set', HOST, 'addrgenmode', 'none']); // no address in the root namespace
  });
  afterAll(() => {
    tryRun('ip', ['link', 'del', HOST]);
    tryRun('ip', ['netns', 'del', NS]);
  });

  it.skipIf(!hasEthtool)(hasEthtool ? 'capabilities equal ethtool -T, on both ends' : 'SKIPPED (ethtool missing): capabilities equal ethtool -T', () => {
    const caps = timestampingCapabilities(HOST);
    const judge = ethtoolT(HOST);
    expect(caps.flags).toEqual(ordered(SOF_TIMESTAMPING_NAMES, judge.flags));
    expect([caps.phcIndex, caps.txTypes, caps.rxFilters]).toEqual([judge.phcIndex, judge.txTypes, judge.rxFilters]);

    // The end inside the namespace: the library, run in that namespace, against ethtool run there.
    const inNs = ['ip', 'netns', 'exec', NS];
    type Err = { code?: string; errno?: number; syscall?: string };
    const peer = runChild<{ caps: { ok?: TimestampingCapabilities; error?: Err }; hw: { ok?: unknown; error?: Err } }>(
      inNs,
      `out({ caps: attempt(() => lib.timestampingCapabilities(${JSON.stringify(PEER)})),
             hw: attempt(() => lib.getHwTimestampConfig(${JSON.stringify(PEER)})) });`,
    );
    const peerJudge = ethtoolT(PEER, inNs);
    expect(peer.caps.error).toBeUndefined();
    expect(peer.caps.ok!.flags).toEqual(ordered(SOF_TIMESTAMPING_NAMES, peerJudge.flags));
    expect([peer.caps.ok!.phcIndex, peer.caps.ok!.txTypes, peer.caps.ok!.rxFilters]).toEqual([
      peerJudge.phcIndex,
      ordered(HWTSTAMP_TX_NAMES, peerJudge.txTypes),
      ordered(HWTSTAMP_FILTER_NAMES, peerJudge.rxFilters),
    ]);
    // ethtool reports no hardware modes for a veth, so the hardware config is not supported there
    expect(peerJudge.txTypes).toEqual([]);
    expect(peer.hw.error).toMatchObject({ code: 'EOPNOTSUPP', errno: -95, syscall: 'ioctl(SIOCGHWTSTAMP)' });
    // and the peer really is only in that namespace: from here it does not exist
    expect(() => timestampingCapabilities(PEER)).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });

  it('get and set → EOPNOTSUPP, not a crash', () => {
    expect(() => getHwTimestampConfig(HOST)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP', errno: -95, interface: HOST }));
    expect(() => setHwTimestampConfig(HOST, { tx: 'ON', rxFilter: 'PTP_V2_EVENT' })).toThrow(
      expect.objectContaining({ code: 'EOPNOTSUPP', errno: -95, interface: HOST, syscall: 'ioctl(SIOCSHWTSTAMP)' }),
    );
  });
});
