// Starts the forwarder stand-in (fixtures/forwarder.mjs) and a receiver it forwards to.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { lineReader } from '../../helpers/netns.js';
import { closeSocket, udpSender } from '../../helpers/send.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/forwarder.mjs', import.meta.url));

export interface Forwarder {
  /** Where the forwarder listens (the "dispatcher port"). */
  inPort: number;
  /** Where it forwards to (the "application port"). */
  outPort: number;
  /** The application socket; nobody needs to read it. */
  app: dgram.Socket;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startForwarder(family: 4 | 6 = 4): Promise<Forwarder> {
  const app = await udpSender(family);
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify({ target: app.address().port, family })], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { port } = JSON.parse(await lineReader(child).next()) as { port: number };
  return {
    inPort: port,
    outPort: app.address().port,
    app,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await closeSocket(app);
    },
  };
}
