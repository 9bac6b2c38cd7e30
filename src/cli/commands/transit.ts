// `disptap transit --iface lo --in 30041 --out 31000-32767`: how long the dispatcher held each
// datagram. This module only registers the command and parses its options (program.ts loads it up
// front); the run — a capture fed through the common Session, with the pairing on top — is in
// transit-run.ts, loaded when the command runs.
import { Command, InvalidArgumentError } from 'commander';
import { collect, parseDuration, parseSize } from '../args.js';
import { endOutputs } from '../pipeline/output.js';
import { collectPorts, oneOf, positiveInt } from '../port-args.js';
import type { TransitIo, TransitCommandOptions } from '../types.js';

/** --duration: watch's forms (500ms, 10s, 2m; a bare number is seconds). Kept in seconds here. */
function durationSeconds(text: string): number {
  try {
    return parseDuration(text) / 1000;
  } catch (e) {
    // what the old plain-number parser took and parseDuration does not (.5, 1e1)
    const n = Number(text);
    if (text.trim() !== '' && Number.isFinite(n) && n > 0) return n;
    throw e;
  }
}

/** --timeout: a bare number is milliseconds, as it always was here; 500ms, 2s … work too. */
function timeoutMs(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (n > 0) return n;
    throw new InvalidArgumentError('the timeout must be greater than 0');
  }
  return parseDuration(t);
}

export type { TransitCommandOptions, TransitIo } from '../types.js';

/**
 * Registers `transit` on the disptap program. Its action ends the process with the run's exit
 * code (0 normal end, 1 failure; usage errors are thrown as UsageError, exit 2).
 */
export function registerTransitCommand(program: Command, io: TransitIo = {}): Command {
  const cmd = new Command('transit')
    .description('per-packet dispatcher transit time: pairs each datagram that entered (--in ports) with the one the dispatcher sent (--out ports); needs CAP_NET_RAW')
    .requiredOption('--in <ports>', "the dispatcher's receive port(s), repeatable (30041)", collectPorts)
    .requiredOption('--out <ports>', 'where it forwards to, repeatable (31000-32767)', collectPorts)
    .option('--iface <name>', "interface to capture on ('lo', 'eth0', 'any')", 'lo')
    .option('--timeout <time>', 'an input without output after this long counts as unmatched (a bare number is ms; 500ms, 2s)', timeoutMs, 1000)
    .option('--window <n>', 'at most this many datagrams wait for a partner per side', positiveInt('--window'), 65536)
    .option('--clock <clock>', "'auto' (hardware when both have it), 'software' or 'hardware'", oneOf('--clock', ['auto', 'software', 'hardware'] as const), 'auto')
    .option('--in-direction <dir>', "which copy of an input counts: 'in' (received), 'out' (sent), 'both'", oneOf('--in-direction', ['in', 'out', 'both'] as const), 'in')
    .option('--out-direction <dir>', "which copy of an output counts: 'out' (sent), 'in', 'both'", oneOf('--out-direction', ['in', 'out', 'both'] as const), 'out')
    .option('--timestamps <mode>', "'software' or 'hardware' kernel timestamps", oneOf('--timestamps', ['software', 'hardware'] as const), 'software')
    .option('-c, --count <n>', 'stop after n pairs', positiveInt('--count'))
    .option('-d, --duration <time>', 'stop after this long (500ms, 10s, 2m; a bare number is seconds)', durationSeconds)
    .option('-f, --filter <expr>', "only matching datagrams take part in pairing, e.g. 'layer scmp' (repeatable; see docs/cli.md)", collect)
    .option('--json', 'NDJSON records on stdout (schema/watch-record.v1.json): listening, pair/unmatched, the summary last')
    .option('-q, --quiet', 'no line per pair: only the summary')
    .option('-w, --write <file>', 'also write the datagrams that take part, as captured, to a pcapng file (direction in the EPB flags)')
    .option('--rcvbuf <bytes>', 'SO_RCVBUF of the capture socket (64k, 8M; default 128M, SO_RCVBUFFORCE when permitted)', parseSize)
    .option('--metrics [addr:port]', 'serve Prometheus metrics over HTTP, with a transit-time histogram (default 127.0.0.1:9464)')
    .option('--color', 'colour even when not on a terminal')
    .option('--no-color', 'no colour (NO_COLOR=1 works too)')
    .action(async (opts: TransitCommandOptions) => {
      const { runTransit } = await import('./transit-run.js');
      const code = await runTransit(opts, io);
      await endOutputs();
      process.exit(code);
    });
  program.addCommand(cmd);
  return cmd;
}
