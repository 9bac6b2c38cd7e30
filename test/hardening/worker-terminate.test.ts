// Terminating a worker while it is inside a native call (opening taps, setsockopt, getsockname,
// send, receive, readMsg, batches) must never abort or crash the process. node-addon-api turns a throw that cannot happen (the worker's JS is
// being terminated) into Error::Fatal unless NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS is defined;
// without it this loop died with "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" in
// most runs (first seen under ASan, where native calls are slower and the window wider). With it, a
// failed allocation returns an empty handle instead: getsockname/readMsg then wrote through its null
// data pointer (SIGSEGV in about one run of six) until they learned to check.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = (distUrl: string, rounds: number) => `
  const { Worker } = require('node:worker_threads');
  const code = \`
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(distUrl)}).then(async ({ openUdp }) => {
      parentPort.postMessage('up');
      for (;;) {
        const a = await openUdp({ address: '127.0.0.1', timestamps: 'software' });
        const b = await openUdp({ address: '::1' });
        void a.send('x', a.address()).catch(() => {});
        void b.send('y', b.address()).catch(() => {});
        await a.receive({ timeoutMs: 50 }).catch(() => {});
        void b.send('z', b.address()).catch(() => {});
        b.readMsg(Buffer.alloc(64), Buffer.alloc(256));
        const it = b.batches();
        await Promise.race([it.next(), new Promise((r) => setTimeout(r, 5))]);
        await it.return();
        a.close(); b.close();
      }
    });\`;
  (async () => {
    for (let i = 0; i < ${rounds}; i++) {
      const w = new Worker(code, { eval: true });
      await new Promise((r) => w.once('message', r));
      await new Promise((r) => setTimeout(r, Math.random() * 10));
      await w.terminate();
    }
    console.log('terminated ${rounds} workers');
  })();`;

describe('worker termination mid native call', () => {
  it('terminating 60 busy workers at random moments never aborts the process', () => {
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    const r = spawnSync(process.execPath, ['-e', script(dist, 60)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toContain('FATAL ERROR');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('terminated 60 workers');
    expect(r.status).toBe(0);
  }, 70_000);
});
