#!/usr/bin/env node
// `npm start` before anything else is deployed: a tap on loopback, a few datagrams sent to it, and
// each printed with its kernel metadata. Needs no SCION deployment.
import dgram from 'node:dgram';
import { openUdp } from './index.js';
import { nsToIso } from './time.js';
import type { RxMessage } from './rx-types.js';

function line(m: RxMessage): string {
  const ts = m.timestamps.software !== undefined ? nsToIso(m.timestamps.software) : 'no-ts';
  const delay = m.readDelayNs !== undefined ? `${(Number(m.readDelayNs) / 1000).toFixed(1)}µs` : '-';
  const dst = m.dst ? `${m.dst.address}(${m.ifName ?? m.dst.ifIndex})` : '?';
  const flags = [m.truncated ? 'TRUNC' : '', m.controlTruncated ? 'CTRUNC' : '', m.drops ? `drops=${m.drops}` : ''].filter(Boolean);
  return `${ts} delay=${delay} ${m.src.address}:${m.src.port} > ${dst} ttl=${m.ttl ?? '-'} tos=0x${(m.tos ?? 0).toString(16)} len=${m.length}${flags.length ? ' ' + flags.join(' ') : ''} "${m.data.toString('utf8', 0, 40)}"`;
}

async function main(): Promise<void> {
  const count = Number(process.env.DISPTAP_DEMO_COUNT ?? 5);
  const v4 = await openUdp({ address: '127.0.0.1', port: 0 });
  const v6 = await openUdp({ address: '::1', port: 0 });
  console.log(`disptap demo: tapping udp ${v4.address().address}:${v4.address().port} and [${v6.address().address}]:${v6.address().port}`);
  const s4 = dgram.createSocket('udp4');
  const s6 = dgram.createSocket('udp6');
  await new Promise<void>((r) => s4.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => s6.bind(0, '::1', r));
  for (let i = 0; i < count; i++) {
    s4.setTTL(64 - i);
    s4.send(`hello over IPv4 #${i}`, v4.address().port, '127.0.0.1');
    s6.send(`hello over IPv6 #${i}`, v6.address().port, '::1');
    console.log(line(await v4.receive({ timeoutMs: 2000 })));
    console.log(line(await v6.receive({ timeoutMs: 2000 })));
  }
  s4.close();
  s6.close();
  v4.close();
  v6.close();
}

main().catch((e: unknown) => {
  console.error(`disptap demo: ${(e as Error).message}`);
  process.exit(1);
});
