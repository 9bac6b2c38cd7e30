// Senders for tests: Node's own dgram, so the receive path is judged against an independent stack.
import dgram from 'node:dgram';

export async function udpSender(family: 4 | 6 = 4): Promise<dgram.Socket> {
  const s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
  await new Promise<void>((res) => s.bind(0, family === 4 ? '127.0.0.1' : '::1', () => res()));
  return s;
}

export function sendTo(s: dgram.Socket, data: Uint8Array | string, port: number, address: string): Promise<void> {
  return new Promise((res, rej) => s.send(typeof data === 'string' ? Buffer.from(data) : data, port, address, (e) => (e ? rej(e) : res())));
}

export function closeSocket(s: dgram.Socket): Promise<void> {
  return new Promise((res) => s.close(() => res()));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
