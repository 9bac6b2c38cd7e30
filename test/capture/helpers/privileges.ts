// Whether this process may open AF_PACKET sockets. Under CI a missing capability is a failure,
// not a skip: a green run must have exercised the kernel path.
import { openCapture } from '../../../src/capture/capture.js';

export const CI = process.env.CI === 'true' || process.env.CI === '1';

export async function captureSkipReason(): Promise<string | null> {
  try {
    const c = await openCapture({ interface: 'lo', ports: [9] });
    c.close();
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if ((code === 'EPERM' || code === 'EACCES') && !CI) return 'no CAP_NET_RAW: passive capture tests need root';
    throw e;
  }
}
