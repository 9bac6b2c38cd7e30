// The one error a capture user is most likely to meet: no CAP_NET_RAW.
import type { SystemError } from '../sys/errors.js';

export interface CapturePermissionError extends SystemError {
  /** What to do about it. */
  hint: string;
}

/** The way around a missing CAP_NET_RAW (relay mode), as the capture permission error and the CLI say it. */
export const RELAY_HINT =
  'Without CAP_NET_RAW, use relay mode instead: let disptap own a port (openUdp() / `disptap watch --port N`) ' +
  'and forward to the real service, which needs no privileges but puts disptap in the path.';

/** Rewrites socket(AF_PACKET) EPERM/EACCES into an error that says what is missing and what to do. */
export function permissionError(cause: SystemError): CapturePermissionError {
  const hint =
    'Run as root, or grant the capability to node: sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v node)")". ' + RELAY_HINT;
  const e = new Error(
    `openCapture: a passive capture opens an AF_PACKET socket, which needs CAP_NET_RAW; this process does not have it ` +
      `(socket: ${cause.code}). ${hint}`,
    { cause },
  ) as CapturePermissionError;
  e.code = cause.code;
  e.errno = cause.errno;
  e.syscall = 'socket';
  e.hint = hint;
  return e;
}
