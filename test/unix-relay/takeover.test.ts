// relay --unix-takeover / --unix-restore with the real executable: the dispatcher's socket path is
// taken over with its owner and mode and given back on SIGINT/SIGTERM; after SIGKILL, --unix-restore
// or the next takeover repairs it; a restarted dispatcher's new socket is left alone; paths the user
// may not change fail clearly and change nothing (real EACCES/EPERM, as uid nobody via setpriv).
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, run, start, type Proc } from '../cli/helpers/cli.js';
import { StandInDispatcher, connectApp, frame, registration, track } from './helpers/standin.js';

const NOBODY = 65534;
let root: string;
let n = 0;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-takeover-'));
  fs.chmodSync(root, 0o755);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Setup {
  dir: string;
  sock: string;
  disp: StandInDispatcher;
  ino: number;
}

/** A dispatcher socket owned by nobody, mode 0660, in a directory of its own. */
async function dispatcherSocket(o: { dirMode?: number; owner?: number } = {}): Promise<Setup> {
  const dir = path.join(root, `d${++n}`);
  fs.mkdirSync(dir);
  fs.chmodSync(dir, o.dirMode ?? 0o755);
  const sock = path.join(dir, 'default.sock');
  const disp = new StandInDispatcher({ confirm: true });
  track(disp.server);
  await disp.listen(sock);
  fs.chownSync(sock, o.owner ?? NOBODY, o.owner ?? NOBODY);
  fs.chmodSync(sock, 0o660);
  return { dir, sock, disp, ino: fs.lstatSync(sock).ino };
}

function leftovers(sock: string): string[] {
  return fs.readdirSync(path.dirname(sock)).filter((f) => f !== path.basename(sock));
}

async function takeover(sock: string, extra: string[] = []): Promise<Proc> {
  const p = start(['relay', '--unix-takeover', sock, '--json', ...extra]);
  await p.waitFor((r) => r.type === 'listening', 10_000, 'the listening record');
  return p;
}

/** An application registers through whatever is at `sock` and gets its confirmation. */
async function registerThrough(sock: string): Promise<void> {
  const a = await connectApp(sock);
  a.socket.write(frame(registration({ address: '10.0.0.1', port: 31000 })));
  await a.waitBytes(15);
  expect(a.bytes.readUInt16BE(13)).toBe(31000);
  a.socket.destroy();
}

function expectOriginal(s: Setup): void {
  const st = fs.lstatSync(s.sock);
  expect(st.ino).toBe(s.ino);
  expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o660]);
  expect(leftovers(s.sock)).toEqual([]);
}

describe('relay --unix-takeover', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`takes the path over with its owner and mode, relays, and puts it back on ${sig}`, async () => {
      const s = await dispatcherSocket();
      const p = await takeover(s.sock);
      const st = fs.lstatSync(s.sock);
      expect(st.ino).not.toBe(s.ino);
      expect(st.isSocket()).toBe(true);
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o660]);
      expect(fs.lstatSync(`${s.sock}.disptap-orig`).ino).toBe(s.ino);
      expect(JSON.parse(fs.readFileSync(`${s.sock}.disptap-takeover.json`, 'utf8'))).toMatchObject({ path: s.sock, pid: p.child.pid, originalIno: s.ino, mode: 0o660 });
      // Applications need no change: the old path reaches the dispatcher, through the tap.
      await registerThrough(s.sock);
      const reg = await p.waitFor((r) => r.type === 'frame' && r.kind === 'registration');
      expect(reg).toMatchObject({ connection: 1, registration: { publicPort: 31000 } });
      p.kill(sig);
      expect(await p.exited()).toBe(0);
      expect(p.stderr()).toContain(`${s.sock} restored (owner ${NOBODY}:${NOBODY}, mode 660)`);
      expect(p.records.at(-1)).toMatchObject({ type: 'summary', unixRelay: { takeover: s.sock, connections: 1, registrations: 1 } });
      expectOriginal(s);
      const before = s.disp.conns.length;
      await registerThrough(s.sock);
      expect(s.disp.conns.length).toBe(before + 1);
    });
  }

  it('a closed terminal (SIGHUP) restores like Ctrl-C; so does a fatal error at start (--metrics port taken)', async () => {
    const s = await dispatcherSocket();
    const p = await takeover(s.sock);
    p.kill('SIGHUP');
    expect(await p.exited()).toBe(0);
    expectOriginal(s);
    const busy = track(net.createServer());
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const r = await run(['relay', '--unix-takeover', s.sock, '--metrics', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/disptap relay: cannot serve metrics on 127\.0\.0\.1:\d+: EADDRINUSE/);
    expect(r.stderr).toContain(`${s.sock} restored`);
    expectOriginal(s);
  });

  it('after SIGKILL, --unix-restore repairs the path (even when its pid was reused); with nothing left it says so', async () => {
    const s = await dispatcherSocket();
    const p = await takeover(s.sock);
    p.kill('SIGKILL');
    await p.exited();
    expect(fs.lstatSync(s.sock).ino).not.toBe(s.ino);
    // Its pid taken by an unrelated process since: that is no running takeover.
    const { spawn } = await import('node:child_process');
    const other = spawn('sleep', ['30']);
    const marker = `${s.sock}.disptap-takeover.json`;
    fs.writeFileSync(marker, JSON.stringify({ ...JSON.parse(fs.readFileSync(marker, 'utf8')), pid: other.pid }));
    const r = await run(['relay', '--unix-restore', s.sock]);
    other.kill('SIGKILL');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('restored');
    expectOriginal(s);
    await registerThrough(s.sock);
    const again = await run(['relay', '--unix-restore', s.sock]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('no takeover to undo');
  });

  it('after SIGKILL, the next takeover repairs first, then takes over again', async () => {
    const s = await dispatcherSocket();
    const p = await takeover(s.sock);
    p.kill('SIGKILL');
    await p.exited();
    const q = await takeover(s.sock);
    expect(q.stderr()).toContain('repaired a takeover left behind');
    await registerThrough(s.sock);
    q.kill('SIGINT');
    expect(await q.exited()).toBe(0);
    expectOriginal(s);
  });

  it('--unix-restore refuses while the takeover is running; a restarted dispatcher keeps its new socket', async () => {
    const s = await dispatcherSocket();
    const p = await takeover(s.sock);
    const r = await run(['relay', '--unix-restore', s.sock]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`disptap relay: cannot restore ${s.sock}: .*taken over by a running disptap \\(pid ${p.child.pid}\\)`));
    // The dispatcher restarts: closing its listener unlinks its path (Node and Go both do), which
    // now is the tap's socket; it binds a new one there.
    await s.disp.close();
    fs.rmSync(s.sock, { force: true });
    const d2 = new StandInDispatcher({ confirm: true });
    track(d2.server);
    await d2.listen(s.sock);
    const newIno = fs.lstatSync(s.sock).ino;
    p.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
    expect(p.stderr()).toContain('now belongs to a new socket');
    expect(fs.lstatSync(s.sock).ino).toBe(newIno);
    expect(leftovers(s.sock)).toEqual([]);
    await registerThrough(s.sock);
    expect(d2.conns).toHaveLength(1);
  });

  it('works without root for the socket owner (uid nobody in a sticky directory), and restores', async () => {
    const s = await dispatcherSocket({ dirMode: 0o1777 });
    const { spawn } = await import('node:child_process');
    const child = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, MAIN, 'relay', '--unix-takeover', s.sock, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    try {
      for (let i = 0; i < 300 && !out.includes('"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out, err).toContain('"listening"');
      expect(fs.lstatSync(s.sock).ino).not.toBe(s.ino);
      await registerThrough(s.sock);
      child.kill('SIGINT');
      expect(await exited, err).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expectOriginal(s);
  });

  it('a path you may not change: clear error, exit 1, nothing changed (EACCES on the directory, EPERM on the owner)', async () => {
    const cases: Array<{ o: { dirMode?: number; owner?: number }; re: RegExp }> = [
      // Directory not writable by nobody: the marker cannot be written.
      { o: { dirMode: 0o755 }, re: /^disptap relay: cannot take over \S+: writing the marker \S+: EACCES \(permission denied\); the directory \S+ must be writable; nothing was changed\n$/ },
      // Sticky directory, socket owned by root: nobody cannot give its socket root's ownership.
      { o: { dirMode: 0o1777, owner: 0 }, re: /^disptap relay: cannot take over \S+: giving the tap's socket the owner 0:0 and mode 660: EPERM \(operation not permitted\); run as root or as the owner; nothing was changed\n$/ },
    ];
    const { spawnSync } = await import('node:child_process');
    for (const c of cases) {
      const s = await dispatcherSocket(c.o);
      const r = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, MAIN, 'relay', '--unix-takeover', s.sock], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(c.re);
      const st = fs.lstatSync(s.sock);
      expect(st.ino).toBe(s.ino);
      expect([st.uid, st.mode & 0o7777]).toEqual([c.o.owner ?? NOBODY, 0o660]);
      expect(leftovers(s.sock)).toEqual([]);
    }
  });

  it('a path that is no socket, or is missing, is refused before anything is touched', async () => {
    const dir = path.join(root, 'plain');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'default.sock');
    fs.writeFileSync(file, 'x');
    const r = await run(['relay', '--unix-takeover', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/disptap relay: cannot take over \S+: lstat: ENOTSOCK \(not a unix socket\); nothing was changed/);
    const m = await run(['relay', '--unix-takeover', path.join(dir, 'missing.sock')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/cannot take over \S+: lstat: ENOENT \(no such file\); is the dispatcher running\?/);
    expect(fs.readdirSync(dir)).toEqual(['default.sock']);
  });
});
