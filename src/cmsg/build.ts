// Control buffers for sendmsg, laid out as the C macros lay them out.
import os from 'node:os';
import { invalidArg } from '../sys/errors.js';
import { cmsgLen, cmsgSpace, CMSG_HDR_LEN } from './macros.js';

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** One control message for {@link buildControl}. */
export interface ControlMessageInput {
  /** cmsg_level, e.g. IPPROTO_IP. */
  level: number;
  /** cmsg_type, e.g. IP_TTL. */
  type: number;
  data: Uint8Array;
}

function int32(v: unknown, what: string): number {
  if (typeof v !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: ${what} must be a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff)
    throw invalidArg('ERR_OUT_OF_RANGE', `buildControl: ${what} must be an int32, got ${v}`, RangeError);
  return v;
}

/**
 * A control buffer for sendmsg: each message at a CMSG_ALIGN'd offset with cmsg_len = CMSG_LEN(data),
 * sized with CMSG_SPACE and zero-filled (glibc's CMSG_NXTHDR misreads stale padding).
 */
export function buildControl(messages: readonly ControlMessageInput[]): Buffer {
  if (!Array.isArray(messages)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'buildControl: expected an array of { level, type, data }');
  let total = 0;
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: messages[${i}] must be an object`);
    int32(m.level, `messages[${i}].level`);
    int32(m.type, `messages[${i}].type`);
    if (!(m.data instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', `buildControl: messages[${i}].data must be a Uint8Array`);
    total += cmsgSpace(m.data.length);
  });
  const buf = Buffer.alloc(total);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  for (const m of messages) {
    dv.setBigUint64(off, BigInt(cmsgLen(m.data.length)), LITTLE_ENDIAN);
    dv.setInt32(off + 8, m.level, LITTLE_ENDIAN);
    dv.setInt32(off + 12, m.type, LITTLE_ENDIAN);
    buf.set(m.data, off + CMSG_HDR_LEN);
    off += cmsgSpace(m.data.length);
  }
  return buf;
}

