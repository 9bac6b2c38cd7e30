// ipaddr.js loaded with require(), not import: it is a CommonJS file of 38 KB, and an ESM import
// of CommonJS runs Node's export lexer over its source, long enough for V8 to optimize the lexer
// — ~70 ms of CPU at every start of the library and the command (measured with Node 20).
import { createRequire } from 'node:module';
import type Ipaddr from 'ipaddr.js';

const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof Ipaddr;
export default ipaddr;

/** ipaddr.js's address classes, as types (the value above carries none). */
export type IPv4 = Ipaddr.IPv4;
export type IPv6 = Ipaddr.IPv6;
