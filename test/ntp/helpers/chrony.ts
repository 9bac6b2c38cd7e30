// A chronyd server and client in two network namespaces joined by a veth, each with its own
// config, pid file, drift file and log dir in a temp dir, run in the foreground (-d) as our
// children so they always die with the test. tcpdump captures the client's veth in ns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVethPair, type VethPair } from '../../helpers/netns.js';

export function canRunChrony(): string | null {
  if (process.getuid?.() !== 0) return 'not root: chronyd in network namespaces needs CAP_SYS_ADMIN/NET_ADMIN';
  for (const cmd of ['chronyd', 'tcpdump', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed`;
  }
  return null;
}

export interface ChronyLab {
  veth: VethPair;
  dir: string;
  /** The client's measurements.log. */
  measurements: string;
  children: ChildProcess[];
  /** Starts tcpdump (nanosecond pcap) in a namespace; resolves when it listens. */
  tcpdump(ns: string, iface: string, file: string, filter: string): Promise<ChildProcess>;
  chronyd(ns: string, name: string, conf: string): ChildProcess;
  stop(): Promise<void>;
}

export function chronyLab(tag: string): ChronyLab {
  const veth = makeVethPair(tag);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `disptap-chrony-${tag}-`));
  const children: ChildProcess[] = [];
  const lab: ChronyLab = {
    veth,
    dir,
    measurements: path.join(dir, 'client', 'measurements.log'),
    children,
    tcpdump: (ns, iface, file, filter) =>
      new Promise((resolve, reject) => {
        const c = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-U', '--immediate-mode', '-n', '-i', iface, '-j', 'adapter_unsynced', '--time-stamp-precision=nano', '-w', file, ...filter.split(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
        children.push(c);
        let err = '';
        const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
        c.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('listening on')) {
            clearTimeout(t);
            resolve(c);
          }
        });
        c.on('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
      }),
    chronyd: (ns, name, conf) => {
      const d = path.join(dir, name);
      fs.mkdirSync(d, { recursive: true });
      const file = path.join(d, 'chrony.conf');
      fs.writeFileSync(file, `${conf}\ncmdport 0\npidfile ${d}/chronyd.pid\ndriftfile ${d}/drift\nlogdir ${d}\n`);
      // -d: foreground child of ours; -x: never touch the (shared) system clock.
      const c = spawn('ip', ['netns', 'exec', ns, 'chronyd', '-d', '-x', '-u', 'root', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      c.stderr!.resume();
      children.push(c);
      return c;
    },
    stop: async () => {
      for (const c of children.reverse()) {
        if (c.exitCode === null && c.signalCode === null) {
          const gone = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        }
      }
      children.length = 0;
      veth.cleanup();
    },
  };
  return lab;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
