// Every error the library raises itself: one union of codes, one factory per kind. Syscall failures
// come from the native side already Node-style (SystemError); socketError() builds the same shape for
// a pending SO_ERROR read in JS.
import os from 'node:os';

/** Codes that mean "the caller passed something wrong" (Node's own codes where Node has one). */
export type ArgErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_INVALID_ADDRESS'
  | 'ERR_SOCKET_BAD_PORT'
  | 'ERR_SOCKADDR_TOO_SHORT'
  | 'ERR_SOCKADDR_UNKNOWN_FAMILY'
  | 'ERR_BPF_PROGRAM'
  | 'ERR_BPF_LABEL';

/** Codes of errors raised by disptap itself (syscall errors carry the errno name instead, e.g. 'EADDRINUSE'). */
export type ErrorCode =
  | ArgErrorCode
  // state
  | 'ERR_SOCKET_CLOSED'
  | 'ERR_INVALID_STATE'
  | 'ERR_BATCH_RELEASED'
  | 'ERR_PCAPNG_CLOSED'
  | 'ERR_POLL'
  // TX timestamps
  | 'ERR_TX_NOT_SENT'
  | 'ERR_TX_EVICTED'
  // waiting
  | 'ETIMEDOUT'
  | 'ABORT_ERR';

export type ErrorCtor = typeof TypeError | typeof RangeError | typeof Error;

/** An error disptap raises itself (bad argument, closed tap, timeout, …), with a stable `code`. */
export interface CodedError extends Error {
  code: ErrorCode;
}

/** A syscall failure as the native side reports it (Node-style). */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

function coded<E extends CodedError>(Ctor: ErrorCtor, code: ErrorCode, message: string, extra?: object, cause?: unknown): E {
  const e = new Ctor(message, cause === undefined ? undefined : { cause }) as E;
  e.code = code;
  if (extra) Object.assign(e, extra);
  return e;
}

/** A bad argument: TypeError by default, RangeError for values out of range. */
export function invalidArg(code: ArgErrorCode, message: string, Ctor: ErrorCtor = TypeError): CodedError {
  return coded(Ctor, code, message);
}

export function closedError(op: string, what = 'tap'): CodedError {
  return coded(Error, 'ERR_SOCKET_CLOSED', `${op}: the ${what} is closed`);
}

/** A call that is not allowed in the object's present state. */
export function stateError(message: string): CodedError {
  return coded(Error, 'ERR_INVALID_STATE', message);
}

export function batchReleasedError(): CodedError {
  return coded(Error, 'ERR_BATCH_RELEASED', 'RxBatch: this batch was released; its buffers are reused');
}

export function pcapngClosedError(path: string): CodedError {
  return coded(Error, 'ERR_PCAPNG_CLOSED', `pcapng writer for ${path} is closed`);
}

/** libuv stopped a poll handle with an error other than the error-queue case. */
export function pollError(status: number): CodedError & { errno: number } {
  return coded(Error, 'ERR_POLL', `poll failed (${status})`, { errno: status });
}

export function txNotSentError(): CodedError {
  return coded(Error, 'ERR_TX_NOT_SENT', 'send failed; no TX timestamp');
}

export function txEvictedError(id: number, maxPending: number): CodedError & { id: number } {
  return coded(Error, 'ERR_TX_EVICTED', `TX timestamp ${id} evicted: more than ${maxPending} pending`, { id });
}

/** TX timestamps that did not come in time: `missing` names the kinds still outstanding. */
export function txTimeoutError<K extends string>(id: number, missing: K[]): CodedError & { id: number; missing: K[] } {
  const hint = missing.includes('hardware' as K)
    ? '; hardware TX timestamps need a NIC with hardware timestamping switched on (SIOCSHWTSTAMP)'
    : '';
  const e = coded<CodedError & { id: number; missing: K[] }>(
    Error,
    'ETIMEDOUT',
    `no TX timestamp for datagram ${id} (${missing.join(', ')}) from the kernel in time${hint}`,
    { id, missing },
  );
  return e;
}

export function timeoutError(op: string, ms: number): CodedError {
  const e = coded(Error, 'ETIMEDOUT', `${op}: no datagram within ${ms} ms`);
  e.name = 'TimeoutError';
  return e;
}

export function abortError(reason: unknown): CodedError {
  const e = coded(Error, 'ABORT_ERR', 'The operation was aborted', undefined, reason);
  e.name = 'AbortError';
  return e;
}

function errnoName(errno: number): string {
  return Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? `E${errno}`;
}

/** A syscall failure raised in JS (e.g. a name lookup that found nothing), shaped like the native side's. */
export function systemError(errno: number, syscall: string, message: string): SystemError {
  const e = new Error(message) as SystemError;
  e.code = errnoName(errno);
  e.errno = -errno;
  e.syscall = syscall;
  return e;
}

/** A pending socket error (SO_ERROR) as a Node-style error, like the native side's. */
export function socketError(errno: number, syscall: string, peer?: { address: string; port: number }): SystemError {
  const code = errnoName(errno);
  const where = peer ? ` ${peer.address}:${peer.port}` : '';
  const e = new Error(`${syscall} ${code}${where}`) as SystemError;
  e.code = code;
  e.errno = -errno;
  e.syscall = syscall;
  if (peer) {
    e.address = peer.address;
    e.port = peer.port;
  }
  return e;
}
