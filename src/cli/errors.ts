// Error kinds the CLI maps to exit codes: a UsageError (bad flags/arguments) exits 2, anything
// else that ends a command exits 1. Both are printed as one line: "disptap <cmd>: <message>".

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line was wrong (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** --max-size with --passive: a capture has no receive slots to size (its length is --snap-length). */
export const MAX_SIZE_PASSIVE = '--max-size sizes the receive slots of bound sockets; a capture (--passive) keeps --snap-length bytes of each packet';

/** The command ran but could not do its job (exit code 1); message is already user-facing. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code: string | undefined;
  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

interface MaybeSystemError {
  message?: unknown;
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
}

/**
 * One line for any thrown value. Node system errors already read well ("bind EADDRINUSE
 * 127.0.0.1:30041 (Address already in use)"), so they are kept; stack traces never are.
 */
export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const msg = e.message.split('\n')[0] ?? '';
    return msg || e.name;
  }
  if (e && typeof e === 'object') {
    const m = (e as MaybeSystemError).message;
    if (typeof m === 'string') return m.split('\n')[0] ?? m;
  }
  return String(e);
}

export function errorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object') {
    const c = (e as MaybeSystemError).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}
