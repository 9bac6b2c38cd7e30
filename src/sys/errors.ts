// Error shapes: Node-style codes on argument errors, and the tap's own conditions.

export type ErrorCtor = typeof TypeError | typeof RangeError | typeof Error;

export interface CodedError extends Error {
  code: string;
}

export function invalidArg(code: string, message: string, Ctor: ErrorCtor = TypeError): CodedError {
  const e = new Ctor(message) as CodedError;
  e.code = code;
  return e;
}

/** A syscall failure as the native side reports it (Node-style). */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

export function closedError(op: string): CodedError {
  const e = new Error(`${op}: the tap is closed`) as CodedError;
  e.code = 'ERR_SOCKET_CLOSED';
  return e;
}

export function timeoutError(op: string, ms: number): CodedError {
  const e = new Error(`${op}: no datagram within ${ms} ms`) as CodedError;
  e.name = 'TimeoutError';
  e.code = 'ETIMEDOUT';
  return e;
}

export function abortError(reason: unknown): CodedError {
  const e = new Error('The operation was aborted', { cause: reason }) as CodedError;
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  return e;
}
