// disptap relay: a reply (target → client) names the client it goes back to, in the text line and
// in the NDJSON record — two clients through one relay to a real echo target.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, eventually, listening, ofType, start, startScript, type Json } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';
import { sender } from './helpers/traffic.js';

const ECHO = path.join(ROOT, 'test/cli/fixtures/udp-echo.mjs');

async function twoClientsThrough(json: boolean) {
  const echo = startScript(ECHO, ['127.0.0.1', '0']);
  const targetPort = Number(await echo.waitForLine((l) => /^\d+$/.test(l), 5000, 'the echo server port'));
  const r = start(['relay', '--listen', '127.0.0.1:0', '--to', `127.0.0.1:${targetPort}`, ...(json ? ['--json'] : [])]);
  const port = json
    ? (await listening(r))[0]!.port
    : Number(/127\.0\.0\.1:(\d+) →/.exec(await r.waitForStderr(/127\.0\.0\.1:\d+ →/))![1]);
  const c1 = await sender(4);
  const c2 = await sender(4);
  let replies = 0;
  for (const c of [c1, c2]) c.on('message', () => replies++);
  await c1.send('one', { address: '127.0.0.1', port });
  await c2.send('two', { address: '127.0.0.1', port });
  await eventually(() => replies === 2, 5000, 'both replies');
  // the reply is logged after it was sent back: wait for the four lines/records
  await r.waitForLine(() => (json ? ofType(r, 'packet').length : r.lines.length) === 4, 5000, 'four datagrams logged');
  r.kill('SIGINT');
  expect(await r.exited()).toBe(0);
  echo.kill('SIGKILL');
  return { r, targetPort, c1: c1.address().port, c2: c2.address().port };
}

describe('relay replies name their client', () => {
  it('text: [t→c client ADDR:PORT] on each reply, the right client for each', async () => {
    const { r, targetPort, c1, c2 } = await twoClientsThrough(false);
    const replies = r.lines.filter((l) => l.includes('[t→c'));
    expect(replies).toHaveLength(2);
    const one = replies.find((l) => l.includes('echo:one'))!;
    const two = replies.find((l) => l.includes('echo:two'))!;
    expect(one).toContain(`[t→c client 127.0.0.1:${c1}] 127.0.0.1:${targetPort} → `);
    expect(two).toContain(`[t→c client 127.0.0.1:${c2}] 127.0.0.1:${targetPort} → `);
    // requests keep the plain tag: their source is the client already
    expect(r.lines.filter((l) => l.includes('[c→t]'))).toHaveLength(2);
    expect(r.lines.find((l) => l.includes('[c→t]') && l.includes('"one"'))).toContain(`127.0.0.1:${c1} → `);
  });

  it('NDJSON: client and forwardedTo on each reply record', async () => {
    const { r, targetPort, c1, c2 } = await twoClientsThrough(true);
    const pk = ofType(r, 'packet');
    const text = (x: Json) => Buffer.from((x.decoded as Json).data as string, 'hex').toString();
    const replies = pk.filter((x) => x.direction === 'target-to-client');
    expect(replies).toHaveLength(2);
    for (const [payload, port] of [['echo:one', c1], ['echo:two', c2]] as const) {
      const x = replies.find((y) => text(y) === payload)!;
      expect(x).toMatchObject({ src: { address: '127.0.0.1', port: targetPort }, client: { address: '127.0.0.1', port }, forwardedTo: { address: '127.0.0.1', port } });
    }
    expectValidRecords(r.records);
  });
});
