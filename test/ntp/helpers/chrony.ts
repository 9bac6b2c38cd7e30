// A chronyd server and client in two network namespaces joined by a veth, each with its own
// config, pid file, drift file and log dir in a temp dir, run in the foreground (-d) as our
// children so they always die with the test. tcpdump captures the client's veth in ns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
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
      startTcpdump(['ip', 'netns', 'exec', ns, 'tcpdump'], ['-i', iface, '-j', 'adapter_unsynced', '-w', file, ...filter.split(' ')], children),
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

/**
 * tcpdump (unbuffered, immediate mode, nanosecond stamps) started by `prefix` (e.g. `ip netns exec
 * NS tcpdump`); resolves once it listens. The child joins `children` so the test's cleanup kills it.
 */
export function startTcpdump(prefix: readonly string[], args: readonly string[], children: ChildProcess[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(prefix[0]!, [...prefix.slice(1), '-U', '--immediate-mode', '-n', '--time-stamp-precision=nano', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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
  });
}

/** Makes labs for the tests of this file and stops and removes each one after its test. */
export function useChronyLabs(): (tag: string) => ChronyLab {
  let lab: ChronyLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    if (lab) fs.rmSync(lab.dir, { recursive: true, force: true });
    lab = undefined;
  });
  return (tag) => (lab = chronyLab(tag));
}

/** A `disptap` child (through `ip netns exec`) whose NDJSON stdout is collected; resolves at its `listening` record. */
export async function startListening(lab: ChronyLab, args: readonly string[]): Promise<{ child: ChildProcess; out: () => string; err: () => string }> {
  const child = spawn('ip', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  lab.children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => out.includes('"listening"') && resolve());
    child.once('exit', () => reject(new Error(err)));
  });
  return { child, out: () => out, err: () => err };
}
