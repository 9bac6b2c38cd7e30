// Taking over a live dispatcher socket path so that applications reach the tap without any
// configuration change, and putting it back.
//
// The listening socket is bound at a temporary name, given the original's owner and mode, and
// only then renamed over the original path, which was first hard-linked to the moved-aside name:
// at no moment is the path missing, and a restore is again one atomic rename. (Node unlinks the
// name it bound when the server closes; binding at the temporary name means that can never hit
// the path, which may by then belong to a restarted dispatcher.)
//
// A state marker next to the path records what was done, so `--unix-restore` (or the next
// takeover) can repair what a SIGKILL left behind.
import fs from 'node:fs';
import path from 'node:path';
import { invalidArg } from '../sys/errors.js';

/** The marker written next to the taken-over path. */
export interface TakeoverState {
  version: 1;
  path: string;
  /** Where the dispatcher's socket was moved (hard link or rename). */
  movedTo: string;
  pid: number;
  uid: number;
  gid: number;
  mode: number;
  /** Inode of the dispatcher's socket file. */
  originalIno: number;
  /** Inode of the tap's listening socket once it is installed at `path`. */
  tapIno?: number;
  startedAt: string;
}

/** The names a takeover of `p` uses next to it. */
export function takeoverNames(p: string): { movedTo: string; marker: string; temp: string } {
  return { movedTo: `${p}.disptap-orig`, marker: `${p}.disptap-takeover.json`, temp: `${p}.disptap-listen` };
}

/** A Node-style system error for a takeover step, with a message that says what was not changed. */
export function takeoverError(e: unknown, step: string, p: string, hint: string): NodeJS.ErrnoException {
  const src = e as NodeJS.ErrnoException;
  const code = src.code ?? 'EIO';
  const err = new Error(`cannot take over ${p}: ${step}: ${code} (${src.message.replace(/^[A-Z]+: /, '').split(',')[0]})${hint ? `; ${hint}` : ''}`, { cause: e }) as NodeJS.ErrnoException;
  err.code = code;
  if (src.errno !== undefined) err.errno = src.errno;
  if (src.syscall !== undefined) err.syscall = src.syscall;
  err.path = src.path ?? p;
  return err;
}

function exists(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** True while the takeover's process runs; a reused pid (another program now) does not count. */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--unix-takeover');
  } catch {
    return true;
  }
}

/** Reads the marker; null when there is none. */
export function readTakeoverState(p: string): TakeoverState | null {
  const { marker } = takeoverNames(p);
  let text: string;
  try {
    text = fs.readFileSync(marker, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const s = JSON.parse(text) as TakeoverState;
    if (s.version === 1 && typeof s.movedTo === 'string') return s;
  } catch {
    /* fall through */
  }
  throw Object.assign(new Error(`${marker} is not a disptap takeover marker; remove it by hand after checking ${p}`), { code: 'EINVAL', path: marker });
}

/** Checks the path and writes the marker; nothing else is changed yet. */
export function prepareTakeover(p: string): TakeoverState {
  const { marker, temp } = takeoverNames(p);
  const st = exists(p);
  if (!st) throw takeoverError(Object.assign(new Error('no such file'), { code: 'ENOENT', syscall: 'lstat', path: p }), 'lstat', p, 'is the dispatcher running?');
  if (!st.isSocket()) throw takeoverError(Object.assign(new Error('not a unix socket'), { code: 'ENOTSOCK', syscall: 'lstat', path: p }), 'lstat', p, 'nothing was changed');
  const state: TakeoverState = {
    version: 1,
    path: p,
    movedTo: takeoverNames(p).movedTo,
    pid: process.pid,
    uid: st.uid,
    gid: st.gid,
    mode: st.mode & 0o7777,
    originalIno: st.ino,
    startedAt: new Date().toISOString(),
  };
  // A leftover temporary name can only be ours (a killed takeover): its socket is dead.
  if (exists(temp)?.isSocket()) fs.unlinkSync(temp);
  try {
    fs.writeFileSync(marker, JSON.stringify(state), { flag: 'wx', mode: 0o644 });
  } catch (e) {
    throw takeoverError(e, `writing the marker ${marker}`, p, `the directory ${path.dirname(p)} must be writable; nothing was changed`);
  }
  return state;
}

/**
 * Installs the socket already listening at `temp` over `p`: owner and mode of the original,
 * the original kept at `movedTo`. On failure everything is undone and the error says what failed.
 */
export function installTakeover(state: TakeoverState): TakeoverState {
  const p = state.path;
  const { marker, temp } = takeoverNames(p);
  const undo = (linked: boolean) => {
    if (linked) tryUnlink(state.movedTo);
    tryUnlink(temp);
    tryUnlink(marker);
  };
  try {
    fs.chownSync(temp, state.uid, state.gid);
    fs.chmodSync(temp, state.mode);
  } catch (e) {
    undo(false);
    throw takeoverError(e, `giving the tap's socket the owner ${state.uid}:${state.gid} and mode ${state.mode.toString(8)}`, p, 'run as root or as the owner; nothing was changed');
  }
  let linked = false;
  try {
    fs.linkSync(p, state.movedTo);
    linked = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // protected_hardlinks forbids linking another user's file: fall back to a rename, which
    // leaves the path missing for the moment between the two renames.
    if (code !== 'EPERM' && code !== 'EXDEV') {
      undo(false);
      throw takeoverError(e, `link ${p} → ${state.movedTo}`, p, 'nothing was changed');
    }
    try {
      fs.renameSync(p, state.movedTo);
    } catch (e2) {
      undo(false);
      throw takeoverError(e2, `rename ${p} → ${state.movedTo}`, p, 'nothing was changed');
    }
  }
  try {
    // The marker knows the tap's inode before the path does: a restore after a SIGKILL at any
    // point can tell the tap's socket from a restarted dispatcher's.
    state.tapIno = fs.lstatSync(temp).ino;
    fs.writeFileSync(marker, JSON.stringify(state));
    fs.renameSync(temp, p);
  } catch (e) {
    if (linked) undo(true);
    else {
      try {
        fs.renameSync(state.movedTo, p);
      } catch {
        /* the marker stays: --unix-restore can finish */
      }
      tryUnlink(temp);
      tryUnlink(marker);
    }
    throw takeoverError(e, `rename ${temp} → ${p}`, p, 'nothing was changed');
  }
  return state;
}

function tryUnlink(p: string): void {
  try {
    fs.unlinkSync(p);
  } catch {
    /* already gone */
  }
}

/** What {@link restoreTakeover} did, for a one-line report. */
export interface RestoreResult {
  /** 'restored': the original is back at the path; 'replaced': someone else's socket is there now (left alone); 'nothing': no takeover state. */
  outcome: 'restored' | 'replaced' | 'nothing';
  message: string;
}

/**
 * Puts the dispatcher's socket back. Synchronous so that it also runs in an 'exit' handler.
 * A takeover whose process is still alive is refused unless `force` (the owner itself restoring).
 */
export function restoreTakeover(p: string, opts: { force?: boolean } = {}): RestoreResult {
  if (typeof p !== 'string' || p === '') throw invalidArg('ERR_INVALID_ARG_TYPE', 'restoreTakeover: the socket path must be a non-empty string');
  const { marker, temp, movedTo } = takeoverNames(p);
  const state = readTakeoverState(p);
  const moved = exists(movedTo);
  if (!state && !moved) return { outcome: 'nothing', message: `${p}: no takeover to undo` };
  if (state && !opts.force && pidAlive(state.pid)) {
    throw Object.assign(new Error(`${p} is taken over by a running disptap (pid ${state.pid}): stop it with SIGINT or SIGTERM, it restores the socket itself`), { code: 'EBUSY', path: p });
  }
  const cur = exists(p);
  let result: RestoreResult;
  if (moved && cur && moved.ino === cur.ino) {
    // Killed between the hard link and the rename: the path still is the original.
    tryUnlink(movedTo);
    result = { outcome: 'restored', message: `${p} was still in place; removed ${movedTo}` };
  } else if (cur && state && cur.ino !== state.tapIno && cur.ino !== state.originalIno) {
    // A restarted dispatcher bound a new socket at the path: it is the live one, keep it.
    if (moved) tryUnlink(movedTo);
    result = { outcome: 'replaced', message: `${p} now belongs to a new socket (the dispatcher restarted?): left it, removed the old ${movedTo}` };
  } else if (moved) {
    fs.renameSync(movedTo, p);
    result = { outcome: 'restored', message: `${p} restored (owner ${moved.uid}:${moved.gid}, mode ${(moved.mode & 0o7777).toString(8)})` };
  } else if (cur && state && cur.ino === state.originalIno) {
    result = { outcome: 'restored', message: `${p} was never moved` };
  } else {
    if (cur && state && cur.ino === state.tapIno) tryUnlink(p);
    result = { outcome: 'nothing', message: `${p}: the moved-aside socket ${movedTo} is gone; removed the tap's socket` };
  }
  if (exists(temp)?.isSocket()) tryUnlink(temp);
  tryUnlink(marker);
  return result;
}
