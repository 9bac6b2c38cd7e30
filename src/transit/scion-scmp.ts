// The SCMP echo/traceroute identity of a SCION packet, read with the project's SCION decoder.
import { decodeScion, formatHostAddr } from '../decode/index.js';

/** What the SCMP echo matcher reads from a SCION/SCMP packet. */
export interface ScmpInfo {
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  /** ISD-AS and host address: who sent / who it is for. */
  src: string;
  dst: string;
}

/** SCMP informational message (echo or traceroute) with identifier and sequence, or null. */
export function scmpInfo(b: Uint8Array): ScmpInfo | null {
  const p = decodeScion(b);
  if (!p.address || !p.l4 || p.l4.type !== 'scmp') return null;
  const body = p.l4.body;
  if (body.kind !== 'echo' && body.kind !== 'traceroute') return null;
  return {
    type: p.l4.scmpType,
    code: p.l4.code,
    identifier: body.identifier,
    sequence: body.sequence,
    src: `${p.address.srcIA.text},${formatHostAddr(p.address.src)}`,
    dst: `${p.address.dstIA.text},${formatHostAddr(p.address.dst)}`,
  };
}
