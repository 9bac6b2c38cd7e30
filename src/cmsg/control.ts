// parseControl / decodeControl: the native cmsg parser applied to bytes the caller supplies
// (e.g. the oob of readMsg, or crafted buffers that exercise the hardware path).
import { invalidArg } from '../sys/errors.js';
import { ADDR_STRIDE, I32_FIELDS, I64_FIELDS } from '../tap/rx/layout.js';
import { native } from '../sys/native.js';
import type { RxMeta } from '../tap/rx/rx-types.js';
import { metaAt } from '../tap/rx/slot-reader.js';

/** How one control message fared in the walk; see {@link ControlMessage.status}. */
export type ControlStatus = 'ok' | 'truncated' | 'short' | 'malformed';

/** One control message as {@link parseControl} found it. */
export interface ControlMessage {
  /** Byte offset of the cmsghdr within the buffer. */
  offset: number;
  /** cmsg_level (-1 when the header itself did not fit). */
  level: number;
  /** cmsg_type (-1 when the header itself did not fit). */
  type: number;
  /** The message's data bytes (a copy), never past the buffer. */
  data: Buffer;
  /**
   * 'ok'; 'truncated' (cmsg_len runs past the buffer); 'short' (a known type with fewer bytes than
   * its struct: the kernel's partial cmsg under MSG_CTRUNC; not decoded); 'malformed' (cmsg_len
   * smaller than a header, or a trailing fragment shorter than one).
   */
  status: ControlStatus;
}

const STATUS: readonly ControlStatus[] = ['ok', 'truncated', 'short', 'malformed'];

function checkBytes(oob: unknown, fn: string): Uint8Array {
  if (!(oob instanceof Uint8Array)) throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: control buffer must be a Uint8Array/Buffer`);
  return oob;
}

/** Walks a control buffer (e.g. the `oob` of readMsg) with the native parser, as the receive path does: every message with its status, never throwing on bad bytes. */
export function parseControl(oob: Uint8Array): ControlMessage[] {
  const bytes = checkBytes(oob, 'parseControl');
  return native.parseControl(bytes).map((e) => ({
    offset: e.offset,
    level: e.level,
    type: e.type,
    data: Buffer.from(bytes.subarray(e.dataOffset, e.dataOffset + e.dataLength)),
    status: STATUS[e.status] ?? 'malformed',
  }));
}

/** Decodes a control buffer into the metadata an {@link RxMessage} carries (timestamps, pktinfo, TTL, TOS, drops, extended errors), with the native parser. */
export function decodeControl(oob: Uint8Array): RxMeta {
  const bytes = checkBytes(oob, 'decodeControl');
  const arrays = {
    cap: 1,
    i32: new Int32Array(I32_FIELDS),
    i64: new BigInt64Array(I64_FIELDS),
    addr: new Uint8Array(ADDR_STRIDE),
  };
  native.decodeControl(bytes, arrays.i32, arrays.i64, arrays.addr);
  return metaAt(arrays, 0);
}
