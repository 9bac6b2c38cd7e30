// The pure-TypeScript control-message walker: the twin of the native parseControl.
import os from 'node:os';
import { invalidArg } from '../sys/errors.js';
import type { ControlMessage, ControlStatus } from './control.js';
import { cmsgKind } from './kinds.js';
import { CMSG_ALIGNTO, CMSG_HDR_LEN } from './macros.js';

const LITTLE_ENDIAN = os.endianness() === 'LE';

/**
 * The pure-TypeScript twin of parseControl (src/cmsg/control.ts): the same messages, offsets, data and
 * statuses for the same bytes. Steps by CMSG_ALIGN(cmsg_len), never reads past the buffer, and stops
 * after a truncated or malformed message.
 */
export function parseControlPure(oob: Uint8Array): ControlMessage[] {
  if (!(oob instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'parseControlPure: control buffer must be a Uint8Array/Buffer');
  const dv = new DataView(oob.buffer, oob.byteOffset, oob.byteLength);
  const out: ControlMessage[] = [];
  const push = (offset: number, level: number, type: number, from: number, to: number, status: ControlStatus) =>
    out.push({ offset, level, type, data: Buffer.from(oob.subarray(from, to)), status });
  let off = 0;
  while (off < oob.length) {
    const avail = oob.length - off;
    if (avail < CMSG_HDR_LEN) {
      push(off, -1, -1, off, oob.length, 'malformed');
      break;
    }
    // size_t cmsg_len in host order; above 2^53 it loses precision but stays far above any buffer.
    const lo = dv.getUint32(off + (LITTLE_ENDIAN ? 0 : 4), LITTLE_ENDIAN);
    const hi = dv.getUint32(off + (LITTLE_ENDIAN ? 4 : 0), LITTLE_ENDIAN);
    const declared = hi * 0x1_0000_0000 + lo;
    const level = dv.getInt32(off + 8, LITTLE_ENDIAN);
    const type = dv.getInt32(off + 12, LITTLE_ENDIAN);
    const dataOff = off + CMSG_HDR_LEN;
    if (declared < CMSG_HDR_LEN) {
      push(off, level, type, dataOff, dataOff, 'malformed');
      break;
    }
    if (declared > avail) {
      push(off, level, type, dataOff, oob.length, 'truncated');
      break;
    }
    const dataLen = declared - CMSG_HDR_LEN;
    const need = cmsgKind(level, type)?.length ?? 0;
    push(off, level, type, dataOff, dataOff + dataLen, need !== 0 && dataLen < need ? 'short' : 'ok');
    const step = Math.ceil(declared / CMSG_ALIGNTO) * CMSG_ALIGNTO;
    if (step >= avail) break; // the last message may lack its tail padding
    off += step;
  }
  return out;
}

