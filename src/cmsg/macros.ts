// CMSG_ALIGN / CMSG_LEN / CMSG_SPACE as the C macros compute them on 64-bit Linux.
import { invalidArg } from '../sys/errors.js';

/** Alignment of control messages: sizeof(size_t). */
export const CMSG_ALIGNTO = 8;
/** Size of struct cmsghdr (size_t len; int level; int type), aligned. */
export const CMSG_HDR_LEN = 16;

/** Largest n the helpers take: msg_controllen is a size_t, but nothing sane is above 4 GiB. */
const MAX_LEN = 0xffffffff;

function checkLen(n: unknown, fn: string): number {
  if (typeof n !== 'number') throw invalidArg('ERR_INVALID_ARG_TYPE', `${fn}: n must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LEN)
    throw invalidArg('ERR_OUT_OF_RANGE', `${fn}: n must be an integer in 0..${MAX_LEN}, got ${n}`, RangeError);
  return n;
}

// Arithmetic, not `&`: bitwise operators would cut n to 32 signed bits.
/** CMSG_ALIGN(n): n rounded up to the control-message alignment (8). */
export function cmsgAlign(n: number): number {
  return Math.ceil(checkLen(n, 'cmsgAlign') / CMSG_ALIGNTO) * CMSG_ALIGNTO;
}
/** CMSG_LEN(n): cmsg_len of a message with n data bytes (header + n). */
export function cmsgLen(n: number): number {
  return CMSG_HDR_LEN + checkLen(n, 'cmsgLen');
}
/** CMSG_SPACE(n): bytes a message with n data bytes takes in a control buffer, padding included. */
export function cmsgSpace(n: number): number {
  return CMSG_HDR_LEN + cmsgAlign(checkLen(n, 'cmsgSpace'));
}

