// UnixStreamRelay over real unix sockets: byte-exact both ways whatever the read boundaries, one
// dispatcher connection per application, garbage forwarded and resynchronised on, closes passed on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnixStreamRelay, type RelayFrameEvent } from '../../src/unix-relay/stream-relay.js';
import { buildScionUdp, buildScmpEcho } from '../../src/decode/index.js';
import { COOKIE, StandInDispatcher, connectApp, frame, registration, track, type Collector } from './helpers/standin.js';

let dir: string;
let n = 0;
const relays: UnixStreamRelay[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-unix-relay-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

const now = () => process.hrtime.bigint();

async function setup(opts: { confirm?: boolean } = {}) {
  const id = ++n;
  const dispPath = path.join(dir, `disp${id}.sock`);
  const tapPath = path.join(dir, `tap${id}.sock`);
  const disp = new StandInDispatcher(opts);
  track(disp.server);
  await disp.listen(dispPath);
  const relay = new UnixStreamRelay({ targetPath: dispPath, now });
  relays.push(relay);
  const events: RelayFrameEvent[] = [];
  relay.on('frame', (e: RelayFrameEvent) => events.push(e));
  await relay.listen(tapPath);
  return { disp, relay, events, dispPath, tapPath };
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function randomFrames(count: number, rand: () => number, withAddress: boolean): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const len = Math.floor(rand() * rand() * 9000);
    const payload = Buffer.alloc(len);
    for (let k = 0; k < len; k++) payload[k] = Math.floor(rand() * 256);
    parts.push(withAddress ? frame(payload, rand() < 0.5 ? '10.0.0.1' : 'fd00::1', 30042 + (i % 10)) : frame(payload));
  }
  return Buffer.concat(parts);
}

/** Writes `data` in pieces of random size, yielding between them so they arrive as separate reads. */
async function writeInPieces(c: Collector, data: Buffer, rand: () => number): Promise<void> {
  let o = 0;
  while (o < data.length) {
    const size = 1 + Math.floor(rand() * rand() * 20000);
    const piece = data.subarray(o, o + size);
    o += piece.length;
    if (!c.socket.write(piece)) await new Promise((r) => c.socket.once('drain', r));
    if (rand() < 0.3) await new Promise((r) => setImmediate(r));
  }
}

describe('UnixStreamRelay', () => {
  it('1,000 frames of random sizes each way, split at arbitrary read boundaries, arrive byte for byte and in order', async () => {
    const { disp, events, tapPath } = await setup();
    const rand = rng(17);
    const app = await connectApp(tapPath);
    await disp.waitConnections(1);
    const d = disp.conns[0]!;
    const up = randomFrames(1000, rand, true);
    const down = randomFrames(1000, rand, true);
    await Promise.all([writeInPieces(app, up, rand), writeInPieces(d, down, rand)]);
    await d.waitBytes(up.length, 20_000);
    await app.waitBytes(down.length, 20_000);
    expect(d.bytes.equals(up)).toBe(true);
    expect(app.bytes.equals(down)).toBe(true);
    // Read boundaries did not line up with frames, and every frame was decoded anyway.
    expect(d.chunks.length).toBeGreaterThan(1);
    const frames = (dir: string) => events.filter((e) => e.direction === dir && e.event.kind === 'frame');
    expect(frames('app-to-dispatcher')).toHaveLength(1000);
    expect(frames('dispatcher-to-app')).toHaveLength(1000);
    expect(events.filter((e) => e.event.kind !== 'frame')).toEqual([]);
    const offsets = frames('app-to-dispatcher').map((e) => e.event.offset);
    expect(offsets[0]).toBe(0);
    expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
  });

  it('every application gets its own dispatcher connection; bytes never cross', async () => {
    const { disp, relay, tapPath } = await setup({ confirm: true });
    const apps = await Promise.all([0, 1, 2, 3].map(() => connectApp(tapPath)));
    await disp.waitConnections(4);
    for (const [i, a] of apps.entries()) a.socket.write(frame(registration({ address: `10.0.0.${i + 1}`, port: 31000 + i })));
    await Promise.all(apps.map((a) => a.waitBytes(15)));
    // Each got its confirmation: the port it asked for, so no answer went to the wrong app.
    for (const [i, a] of apps.entries()) expect(a.bytes.readUInt16BE(13)).toBe(31000 + i);
    const got = new Set(disp.conns.map((c) => c.bytes.readUInt16BE(13 + 10)));
    expect(got).toEqual(new Set([31000, 31001, 31002, 31003]));
    expect(relay.accepted).toBe(4);
    expect(relay.open).toBe(8);
  });

  it('garbage and a bad cookie mid-stream are forwarded unchanged, reported, and decoding resynchronises', async () => {
    const { disp, events, tapPath } = await setup();
    const app = await connectApp(tapPath);
    await disp.waitConnections(1);
    const pkt = buildScionUdp({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 31000, dstPort: 31001, payload: new Uint8Array(40) });
    const badCookie = frame(pkt, '10.0.0.9', 30042);
    badCookie[3] ^= 0xff;
    const stream = Buffer.concat([frame(pkt, '10.0.0.9', 30042), Buffer.from('garbage!'), badCookie, frame(buildScmpEcho({ srcIA: '1-ff00:0:110', dstIA: '1-ff00:0:111', src: '10.0.0.1', dst: '10.0.0.2', identifier: 7, sequence: 1 }), '10.0.0.9', 30042)]);
    app.socket.write(stream);
    await disp.conns[0]!.waitBytes(stream.length);
    expect(disp.conns[0]!.bytes.equals(stream)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const kinds = events.map((e) => e.event.kind);
    expect(kinds).toEqual(['frame', 'skipped', 'frame']);
    const skipped = events[1]!.event;
    expect(skipped).toMatchObject({ kind: 'skipped', length: 8 + badCookie.length, error: { code: 'BAD_COOKIE' } });
    const last = events[2]!.event;
    expect(last.kind === 'frame' && last.frame.content.kind === 'scion' && last.frame.content.packet.ok && last.frame.content.packet.l4.type).toBe('scmp');
  });

  it('an application closing closes its dispatcher connection, and the other way round; a half-close stays a half-close', async () => {
    const { disp, tapPath, relay } = await setup();
    const closes: string[] = [];
    relay.on('close', (_c, reason: string) => closes.push(reason));
    const a1 = await connectApp(tapPath);
    const a2 = await connectApp(tapPath);
    await disp.waitConnections(2);
    // Application half-closes: the dispatcher reads EOF and can still answer.
    a1.socket.end(frame(Buffer.from('last words')));
    await disp.conns[0]!.until(() => disp.conns[0]!.ended, 5000, 'EOF at the dispatcher');
    disp.conns[0]!.socket.end(frame(Buffer.from('reply after EOF')));
    await a1.until(() => a1.ended && a1.bytes.includes(Buffer.from('reply after EOF')), 5000, 'reply and EOF');
    // Dispatcher closes the second connection: the application sees the close.
    disp.conns[1]!.socket.destroy();
    await a2.waitClosed();
    // … and closes its end as it would after a dispatcher went away: the connection is gone.
    a2.socket.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(closes).toHaveLength(2);
    expect(relay.open).toBe(0);
  });

  it('the dispatcher restarting: applications see the close, new connections reach the new dispatcher', async () => {
    const { disp, dispPath, tapPath } = await setup();
    const a = await connectApp(tapPath);
    await disp.waitConnections(1);
    await disp.close();
    await a.waitClosed();
    // While it is down a new application is closed at once, as its connect would have failed.
    const early = await connectApp(tapPath);
    await early.waitClosed();
    const disp2 = new StandInDispatcher();
    track(disp2.server);
    await disp2.listen(dispPath);
    const b = await connectApp(tapPath);
    await disp2.waitConnections(1);
    b.socket.write(COOKIE);
    await disp2.conns[0]!.waitBytes(8);
    expect(disp2.conns[0]!.bytes.equals(COOKIE)).toBe(true);
  });

  it('replaces a stale socket left at the listen path, but not a live one', async () => {
    const { tapPath, dispPath } = await setup();
    const other = new UnixStreamRelay({ targetPath: dispPath, now });
    relays.push(other);
    await expect(other.listen(tapPath)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const stale = path.join(dir, 'stale.sock');
    fs.writeFileSync(path.join(dir, 'not-a-socket'), 'x');
    // A socket file nobody listens on: bind one and close it without unlink (a killed process).
    const { execFileSync } = await import('node:child_process');
    execFileSync('python3', ['-c', `import socket;s=socket.socket(socket.AF_UNIX);s.bind(${JSON.stringify(stale)})`]);
    expect(fs.lstatSync(stale).isSocket()).toBe(true);
    const third = new UnixStreamRelay({ targetPath: dispPath, now });
    relays.push(third);
    await third.listen(stale);
    const a = await connectApp(stale);
    expect(a.closed).toBe(false);
  });
});

describe('UnixStreamRelay and restoreTakeover: bad input', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return (e as NodeJS.ErrnoException).code;
    }
    return undefined;
  };

  it('refuses bad options at construction with coded errors, and a bad listen path', async () => {
    const now = () => 0n;
    expect(() => new UnixStreamRelay(undefined as never)).toThrow(/options must be an object/);
    expect(code(() => new UnixStreamRelay({ targetPath: '', now }))).toBe('ERR_INVALID_ARG_TYPE');
    expect(() => new UnixStreamRelay({ targetPath: 5 as never, now })).toThrow(/targetPath must be a non-empty path string/);
    expect(() => new UnixStreamRelay({ targetPath: '/x', now: 0n as never })).toThrow(/now must be a function/);
    expect(code(() => new UnixStreamRelay({ targetPath: '/x', now, maxPayloadLength: 0 }))).toBe('ERR_OUT_OF_RANGE');
    const r = new UnixStreamRelay({ targetPath: '/x', now });
    await expect(r.listen(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await r.close();
  });

  it('restoreTakeover refuses what is no path', async () => {
    const { restoreTakeover } = await import('../../src/unix-relay/takeover.js');
    expect(code(() => restoreTakeover('' as string))).toBe('ERR_INVALID_ARG_TYPE');
    expect(() => restoreTakeover(undefined as never)).toThrow(/socket path must be a non-empty string/);
  });
});
