// What `disptap decode FILE` makes of a file that is no pcapng/pcap capture. The rule (docs/cli.md):
//   1. bytes (or hex text) holding the dispatcher frame cookie de00ad01be02ef03 → a dispatcher
//      unix-socket stream, one direction;
//   2. hex text → one datagram (nobody writes hex by accident);
//   3. binary with --src-port or --dst-port → one datagram on those ports (the user said so);
//   4. binary whose content is recognised without ports (SCION, pre-2020 SCION, STUN) → a datagram;
//   5. anything else is refused: exit 1, no "Payload" line for /etc/passwd.
import { DISPATCHER_COOKIE } from '../../decode/dispatcher-framing.js';
import { classifyUdp, decodeScion } from '../../decode/index.js';
import { CliError, UsageError } from '../errors.js';

/** The decision for one input. */
export type DecodeInput = { kind: 'stream'; bytes: Uint8Array; cookieAt: number } | { kind: 'datagram'; bytes: Uint8Array; why: string };

/** Offset of the first dispatcher frame cookie, or -1. */
export function cookieOffset(d: Uint8Array): number {
  return Buffer.from(d.buffer, d.byteOffset, d.length).indexOf(Buffer.from(DISPATCHER_COOKIE));
}

function recognised(d: Uint8Array): string | null {
  if (classifyUdp({ srcPort: 0, dstPort: 0, payload: d }) !== 'Payload') return 'content';
  // Pre-2020 SCION and STUN are recognised by the SCION decoder too.
  const s = decodeScion(d);
  return s.ok ? 'SCION content' : s.recognised ? `${s.recognised.kind} content` : null;
}

/** Decides per the rule above; `fromHex` is the file read as hex text (null when it is not). */
export function classifyDecodeInput(file: string, bytes: Uint8Array, fromHex: Uint8Array | null, portsGiven: boolean): DecodeInput {
  for (const [data] of [[bytes], [fromHex]] as const) {
    if (!data) continue;
    const at = cookieOffset(data);
    if (at >= 0) return { kind: 'stream', bytes: data, cookieAt: at };
  }
  const datagram = fromHex ?? bytes;
  const max = 65535;
  if (fromHex) return checkSize(file, { kind: 'datagram', bytes: fromHex, why: 'hex text' }, max);
  if (portsGiven) return checkSize(file, { kind: 'datagram', bytes, why: '--src-port/--dst-port' }, max);
  const how = bytes.length > 0 && bytes.length <= max ? recognised(bytes) : null;
  if (how) return { kind: 'datagram', bytes: datagram, why: how };
  const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
  const what = bytes.length === 0 ? 'it is empty' : `${bytes.length} bytes starting ${head}`;
  throw new CliError(
    `${file} is not something decode reads (${what}): not a pcapng/pcap capture, no dispatcher frame cookie de00ad01be02ef03, not hex text, and not a SCION or STUN datagram; give --dst-port/--src-port to decode it as one UDP payload anyway`,
    'ENOTCAPTURE',
  );
}

function checkSize(file: string, d: Extract<DecodeInput, { kind: 'datagram' }>, max: number): DecodeInput {
  if (d.bytes.length > max) throw new UsageError(`${file} is neither a pcapng/pcap capture nor a single datagram (${d.bytes.length} bytes)`);
  if (d.bytes.length === 0) throw new CliError(`${file} is empty`);
  return d;
}
