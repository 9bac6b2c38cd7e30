// Raw recvmsg on a socket's fd, waiting briefly for the datagram: the kernel's own bytes for tests.
import { native } from '../../src/sys/native.js';

export type RawMessage = NonNullable<ReturnType<typeof native.rawmsg.recvmsg>>;

export async function recvRaw(fd: number, controlCap = 0, dataCap = 2048): Promise<RawMessage> {
  for (let i = 0; i < 200; i++) {
    const r = native.rawmsg.recvmsg(fd, dataCap, controlCap, 0);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error('no datagram arrived within 1 s');
}
