// interfaces(), interfaceByIndex(), interfaceByName() judged by `ip -j link` / `ip -j addr`: a veth
// pair into a namespace made here (chosen MTU, MAC, IPv4, IPv6), a tun (point-to-point, no MAC) and a
// veth pair left down. The namespace's whole list is read by a child inside it.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifNameOf, interfaceByIndex, interfaceByName, interfaces, type NetworkInterface } from '../src/index.js';
import { buildDistForChildren, hasCommand, ipJson, isRoot, removeDistForChildren, run, runChild, tryRun } from './helpers/system.js';

interface IpAddrInfo {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
  address?: string;
}
interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  addr_info?: IpAddrInfo[];
}

/** What `ip` says, in our shape: the outside judge. */
function fromIp(l: IpLink): NetworkInterface {
  return {
    index: l.ifindex,
    name: l.ifname,
    mtu: l.mtu,
    flags: {
      up: l.flags.includes('UP'),
      broadcast: l.flags.includes('BROADCAST'),
      loopback: l.flags.includes('LOOPBACK'),
      pointToPoint: l.flags.includes('POINTOPOINT'),
      multicast: l.flags.includes('MULTICAST'),
      // ip hides IFF_RUNNING; the kernel sets it exactly when operstate is UP or UNKNOWN
      running: l.operstate === 'UP' || l.operstate === 'UNKNOWN',
    },
    rawFlags: expect.any(Number) as unknown as number,
    hardwareAddr: l.address ?? '',
    addresses: (l.addr_info ?? [])
      .filter((a) => a.family === 'inet' || a.family === 'inet6')
      .map((a) => ({ family: a.family === 'inet' ? 4 : 6, address: a.local, prefixLength: a.prefixlen })),
  };
}

const canRun = isRoot && hasCommand('ip');
const why = !isRoot ? 'needs root for ip netns / veth' : 'needs iproute2 (ip)';
const title = (t: string) => (canRun ? t : `SKIPPED (${why}): ${t}`);

const id = process.pid % 100000;
const NS = `disptap-if-${process.pid}`;
const HOST = `dti${id}a`; // root namespace end: MTU and MAC only, no addresses
const PEER = `dti${id}b`; // in NS, with addresses
const DOWN_A = `dti${id}c`;
const DOWN_B = `dti${id}d`;
const TUN = `dti${id}t`;
const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
const mac = (last: number) => `02:d7:${hex(id >> 16)}:${hex(id >> 8)}:${hex(id)}:${hex(last)}`;

describe.skipIf(!canRun)(title('interfaces against ip -j'), () => {
  beforeAll(() => {
    tryRun('ip', ['link', 'del', HOST]);
    tryRun('ip', ['netns', 'del', NS]);
    const ns = (...args: string[]) => run('ip', ['-n', NS, ...args]);
    run('ip', ['netns', 'add', NS]);
    run('ip', ['link', 'add', HOST, 'type', 'veth', 'peer', 'name', PEER, 'netns', NS]);
    // No addresses in the root namespace: not even an automatic link-local one.
    run('ip', ['link', 'set', HOST, 'mtu', '1400', 'address', mac(1), 'addrgenmode', 'none']);
    run('ip', ['link', 'set', HOST, 'up']);
    ns('link', 'set', 'lo', 'up');
    ns('link', 'set', PEER, 'mtu', '1280', 'address', mac(2), 'addrgenmode', 'none');
    ns('addr', 'add', '198.18.1.1/24', 'dev', PEER);
    ns('addr', 'add', '198.18.2.1/30', 'dev', PEER);
    ns('addr', 'add', 'fd00:d7::1/64', 'dev', PEER, 'nodad');
    ns('addr', 'add', 'fe80::d7:1/64', 'dev', PEER, 'nodad');
    ns('link', 'set', PEER, 'up');
    ns('link', 'add', DOWN_A, 'type', 'veth', 'peer', 'name', DOWN_B);
    ns('link', 'set', DOWN_A, 'address', mac(3), 'multicast', 'off');
    if (fs.existsSync('/dev/net/tun')) {
      ns('tuntap', 'add', 'dev', TUN, 'mode', 'tun');
      ns('addr', 'add', '198.18.9.1', 'peer', '198.18.9.2/32', 'dev', TUN);
      ns('link', 'set', TUN, 'up');
    }
    // Carrier comes up through the kernel's linkwatch, a moment later: let it settle so the judge
    // and we never look across the change.
    const operstate = (args: string[]) => ipJson<IpLink[]>(args)[0]?.operstate;
    const deadline = Date.now() + 5000;
    while (operstate(['link', 'show', HOST]) !== 'UP' || operstate(['-n', NS, 'link', 'show', PEER]) !== 'UP') {
      if (Date.now() > deadline) throw new Error('the veth pair did not come up');
      run('sleep', ['0.05']);
    }
    buildDistForChildren();
  });

  afterAll(() => {
    tryRun('ip', ['link', 'del', HOST]);
    tryRun('ip', ['netns', 'del', NS]);
    removeDistForChildren();
  });

  describe('in this process (root namespace end)', () => {
    const judge = () => fromIp(ipJson<IpLink[]>(['addr', 'show', 'dev', HOST])[0]!);

    it('interfaceByName equals ip -j addr show dev, with the chosen MTU and MAC', () => {
      const ours = interfaceByName(HOST);
      expect(ours).toEqual(judge());
      expect(ours).toMatchObject({ name: HOST, mtu: 1400, hardwareAddr: mac(1), addresses: [] });
      expect(ours.flags).toMatchObject({ up: true, broadcast: true, multicast: true, loopback: false, pointToPoint: false });
    });

    it('interfaceByIndex and interfaces() give the same', () => {
      const ours = interfaceByName(HOST);
      expect(interfaceByIndex(ours.index)).toEqual(ours);
      expect(interfaces().find((i) => i.index === ours.index)).toEqual(ours);
      expect(ifNameOf(ours.index)).toBe(HOST);
    });

    it('lo equals ip, with its 127.0.0.1/8 and ::1/128', () => {
      const lo = interfaceByName('lo');
      expect(lo).toEqual(fromIp(ipJson<IpLink[]>(['addr', 'show', 'dev', 'lo'])[0]!));
      expect(lo.flags.loopback).toBe(true);
      expect(lo.addresses).toContainEqual({ family: 4, address: '127.0.0.1', prefixLength: 8 });
    });

    it('interfaces() is sorted by index and names are unique', () => {
      const all = interfaces();
      expect(all.map((i) => i.index)).toEqual([...all.map((i) => i.index)].sort((a, b) => a - b));
      expect(new Set(all.map((i) => i.name)).size).toBe(all.length);
    });
  });

  describe('inside the namespace (a child process there)', () => {
    interface ChildView {
      all: NetworkInterface[];
      byName: NetworkInterface;
      byIndex: NetworkInterface;
      missingIndex: { error?: { code: string; errno: number; syscall: string; message: string } };
      missingName: { error?: { code: string; errno: number; syscall: string; message: string } };
    }
    let view: ChildView;
    let judge: IpLink[];

    beforeAll(() => {
      judge = ipJson<IpLink[]>(['-n', NS, 'addr']);
      const peerIndex = judge.find((l) => l.ifname === PEER)!.ifindex;
      view = runChild<ChildView>(['ip', 'netns', 'exec', NS], `
        out({
          all: lib.interfaces(),
          byName: lib.interfaceByName(${JSON.stringify(PEER)}),
          byIndex: lib.interfaceByIndex(${peerIndex}),
          missingIndex: attempt(() => lib.interfaceByIndex(2147483647)),
          missingName: attempt(() => lib.interfaceByName('nosuchif0')),
        });`);
    });

    it('interfaces() equals ip -j addr there, interface by interface', () => {
      expect(view.all).toEqual(judge.map(fromIp));
      expect(view.all.map((i) => i.name).sort()).toEqual(['lo', PEER, DOWN_A, DOWN_B, ...(judge.some((l) => l.ifname === TUN) ? [TUN] : [])].sort());
    });

    it('the veth end has the chosen MTU, MAC, IPv4 and IPv6 addresses', () => {
      expect(view.byName).toEqual(view.all.find((i) => i.name === PEER));
      expect(view.byIndex).toEqual(view.byName);
      expect(view.byName).toMatchObject({ mtu: 1280, hardwareAddr: mac(2) });
      expect(view.byName.flags).toEqual({ up: true, broadcast: true, loopback: false, pointToPoint: false, multicast: true, running: true });
      expect(view.byName.addresses).toEqual([
        { family: 4, address: '198.18.1.1', prefixLength: 24 },
        { family: 4, address: '198.18.2.1', prefixLength: 30 },
        { family: 6, address: 'fd00:d7::1', prefixLength: 64 },
        { family: 6, address: 'fe80::d7:1', prefixLength: 64 },
      ]);
    });

    it('a link left down: not up, not running; multicast off shows', () => {
      const down = view.all.find((i) => i.name === DOWN_A)!;
      expect(down.flags).toMatchObject({ up: false, running: false, multicast: false, broadcast: true });
      expect(down.hardwareAddr).toBe(mac(3));
    });

    it('a tun: point-to-point, no hardware address, its own (IFA_LOCAL) address not the peer', (ctx) => {
      const tun = view.all.find((i) => i.name === TUN);
      if (!tun) ctx.skip(); // no /dev/net/tun here
      expect(tun!.flags.pointToPoint).toBe(true);
      expect(tun!.hardwareAddr).toBe('');
      expect(tun!.addresses).toEqual([{ family: 4, address: '198.18.9.1', prefixLength: 32 }]);
    });

    it('unknown index or name: ENODEV with errno and syscall', () => {
      expect(view.missingIndex.error).toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'RTM_GETLINK' });
      expect(view.missingName.error).toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'RTM_GETLINK' });
      expect(view.missingName.error!.message).toMatch(/nosuchif0.*no such interface/);
    });
  });
});

describe('interfaces: arguments and unknown interfaces', () => {
  it('unknown index / name → code ENODEV', () => {
    expect(() => interfaceByIndex(2147483647)).toThrow(expect.objectContaining({ code: 'ENODEV', errno: -19 }));
    expect(() => interfaceByName('nosuchif0')).toThrow(expect.objectContaining({ code: 'ENODEV', errno: -19, interface: 'nosuchif0' }));
  });

  it('indexes that cannot exist and names that cannot be names are argument errors', () => {
    for (const bad of [0, -1, 1.5, 2 ** 31, NaN])
      expect(() => interfaceByIndex(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    expect(() => interfaceByIndex('1' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    for (const bad of ['', 'x'.repeat(16), 'a\0b'])
      expect(() => interfaceByName(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => interfaceByName(1 as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('lo is always there', () => {
    const lo = interfaceByName('lo');
    expect(lo.flags.loopback).toBe(true);
    expect(interfaceByIndex(lo.index).name).toBe('lo');
  });
});
