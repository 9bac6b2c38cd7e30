// CMSG_ALIGN / CMSG_LEN / CMSG_SPACE as the C macros compute them on 64-bit Linux.

/** Alignment of control messages: sizeof(size_t). */
export const CMSG_ALIGNTO = 8;
/** Size of struct cmsghdr (size_t len; int level; int type), aligned. */
export const CMSG_HDR_LEN = 16;

export function cmsgAlign(n: number): number {
  return (n + CMSG_ALIGNTO - 1) & ~(CMSG_ALIGNTO - 1);
}
export function cmsgLen(n: number): number {
  return CMSG_HDR_LEN + n;
}
export function cmsgSpace(n: number): number {
  return CMSG_HDR_LEN + cmsgAlign(n);
}
