// Network namespaces joined by a veth pair, made and removed by the test itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export function canUseNetns(): string | null {
  if (process.getuid?.() !== 0) return 'not root: network namespace tests need CAP_NET_ADMIN';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return "iproute2's `ip` is not installed";
  }
  return null;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

export interface VethPair {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  addrA4: string;
  addrB4: string;
  addrA6: string;
  addrB6: string;
  cleanup(): void;
}

/** Two namespaces A and B, veth A<->B, addresses 10.<n>.0.1/24 and .2, fd00:<n>::1/64 and ::2. */
export function makeVethPair(tag: string, opts: { mtu?: number; macB?: string } = {}): VethPair {
  const n = (process.pid % 200) + 20;
  const id = `${tag}${process.pid % 100000}`;
  const p: VethPair = {
    nsA: `dtA${id}`,
    nsB: `dtB${id}`,
    ifA: `va${id}`.slice(0, 15),
    ifB: `vb${id}`.slice(0, 15),
    addrA4: `10.${n}.0.1`,
    addrB4: `10.${n}.0.2`,
    addrA6: `fd00:${n}::1`,
    addrB6: `fd00:${n}::2`,
    cleanup: () => {
      for (const ns of [p.nsA, p.nsB]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          /* already gone */
        }
      }
    },
  };
  p.cleanup();
  try {
    ip('netns', 'add', p.nsA);
    ip('netns', 'add', p.nsB);
    ip('link', 'add', p.ifA, 'netns', p.nsA, 'type', 'veth', 'peer', 'name', p.ifB, 'netns', p.nsB);
    for (const [ns, dev, a4, a6] of [
      [p.nsA, p.ifA, p.addrA4, p.addrA6],
      [p.nsB, p.ifB, p.addrB4, p.addrB6],
    ] as const) {
      if (opts.mtu) ip('-n', ns, 'link', 'set', dev, 'mtu', String(opts.mtu));
      if (dev === p.ifB && opts.macB) ip('-n', ns, 'link', 'set', dev, 'address', opts.macB);
      ip('-n', ns, 'addr', 'add', `${a4}/24`, 'dev', dev);
      ip('-n', ns, 'addr', 'add', `${a6}/64`, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    p.cleanup();
    throw e;
  }
  return p;
}

/** Runs `node -e script` inside a namespace (stdout lines are JSON records). */
export function nodeInNs(ns: string, script: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface LineReader {
  /** The next stdout line; rejects on timeout or when the child closes first. */
  next(timeoutMs?: number): Promise<string>;
  stderr(): string;
}

export function lineReader(child: ChildProcess): LineReader {
  let buf = '';
  let err = '';
  let closed = false;
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake();
  });
  child.on('close', () => {
    closed = true;
    wake();
  });
  return {
    stderr: () => err,
    next: (timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout waiting for a line; stderr: ${err}`)), timeoutMs);
        const check = () => {
          if (lines.length) {
            clearTimeout(timer);
            resolve(lines.shift()!);
          } else if (closed) {
            clearTimeout(timer);
            reject(new Error(`child closed (exit ${child.exitCode}); stderr: ${err}`));
          } else waiters.push(check);
        };
        check();
      }),
  };
}
