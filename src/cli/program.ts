// disptap command line: the commander program. Each command's work lives in its own module, most imported only when that
// command runs (the passive/transit modules are loaded up front to register their options).
// Exit codes: 0 ok, 1 failure, 2 usage. Errors are one line: "disptap <cmd>: <what went wrong>".
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { collect, parseByte, parseCount, parseDuration, parseHex, parsePort, parsePortNonZero, parsePositive, parseRate, parseSize } from './args.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE, MAX_SIZE_PASSIVE, UsageError, oneLine } from './errors.js';
import { endOutputs } from './pipeline/output.js';
import { addPassiveOptions } from './sources/passive.js';
import { registerTransitCommand } from './commands/transit.js';
import { registerNtpCommand } from './commands/ntp-command.js';
import type { DecodeCli, DemoCli, DoctorCli, RelayCli, SendCli, WatchCli } from './types.js';

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Runs a command's action; the returned exit code ends the process. */
type Action<T> = (opts: T, cmd: Command) => Promise<number>;

let currentCommand = 'disptap';
/** Set when a command's action returned instead of exiting (commands registered by their own module, e.g. transit). */
let actionReturned = false;

function action<T>(name: string, run: Action<T>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    currentCommand = `disptap ${name}`;
    const cmd = args[args.length - 1] as Command;
    const code = await run(cmd.opts() as T, cmd);
    await endOutputs();
    exit(code);
  };
}

function exit(code: number): never {
  // stdout/stderr to files, pipes and terminals are synchronous on Linux: nothing is lost.
  process.exit(code);
}

// Options several commands share.
const jsonOpt = () => new Option('--json', 'NDJSON records on stdout (schema/watch-record.v1.json)');
const colorOpt = () => new Option('--color', 'colour even when not on a terminal');
const noColorOpt = () => new Option('--no-color', 'no colour (NO_COLOR=1 works too)');
const metricsOpt = () =>
  new Option('--metrics [addr:port]', 'serve Prometheus metrics over HTTP (default 127.0.0.1:9464; a bare port binds 127.0.0.1)');
const filterOpt = () => new Option('-f, --filter <expr>', "show only matching datagrams, e.g. 'layer scion and ia 1-ff00:0:110' (repeatable; see docs/cli.md)").argParser(collect);
const countOpt = () => new Option('-c, --count <n>', 'stop after n shown datagrams').argParser(parsePositive);
const durationOpt = () => new Option('-d, --duration <time>', 'stop after this long (500ms, 10s, 2m)').argParser(parseDuration);
const writeOpt = () => new Option('-w, --write <file.pcapng>', 'also write shown datagrams to a pcapng capture');
const tsOpt = () => new Option('--timestamps <mode>', 'kernel RX timestamps: none, software, hardware').default('software');
const rcvbufOpt = () => new Option('--rcvbuf <bytes>', 'SO_RCVBUF for the receiving sockets (64k, 8M; default 128M, SO_RCVBUFFORCE when permitted); a passive capture\'s ring (default 64M)').argParser(parseSize);
const quietOpt = () => new Option('-q, --quiet', 'no line per datagram: a rate line every second and the summary (capture and metrics get everything)');
const queueOpt = () =>
  new Option('--queue-size <bytes>', 'received datagrams that may wait for their line while capture goes on (default 256m); beyond it lines are skipped, and counted').argParser(parseSize);
const maxSizeOpt = () => new Option('--max-size <bytes>', 'receive slot per datagram; longer ones show as TRUNCATED').argParser(parseSize);

/** commander's Command with addOptions(), so shared option groups chain like single options. */
class Cmd extends Command {
  addOptions(...opts: Option[]): this {
    for (const o of opts) this.addOption(o);
    return this;
  }
  override createCommand(name?: string): Cmd {
    return new Cmd(name);
  }
}
/** --color / --no-color, last in every command's help. */
const colorOpts = (): Option[] => [colorOpt(), noColorOpt()];
/** What every command that receives live traffic takes (watch, relay). */
const liveOpts = (): Option[] => [
  jsonOpt(), countOpt(), durationOpt(), filterOpt(), writeOpt(), metricsOpt(), quietOpt(), queueOpt(), tsOpt(), rcvbufOpt(), maxSizeOpt(),
];

/** What `ntp` shares with watch: output, stop conditions, filters, metrics, kernel timestamps. */
const liveNtpOpts = (): Option[] => [
  jsonOpt(),
  new Option('-c, --count <n>', 'stop after n exchanges').argParser(parsePositive),
  durationOpt(),
  new Option('-f, --filter <expr>', "live: only matching datagrams are written and paired; all are counted, e.g. 'not host 192.0.2.7' (repeatable; see docs/cli.md)").argParser(collect),
  metricsOpt(),
  new Option('-q, --quiet', 'no line per exchange: the summary (and the metrics) only'),
  tsOpt(),
  rcvbufOpt(),
  maxSizeOpt(),
  ...colorOpts(),
];

export function buildProgram(): Command {
  const program = new Cmd('disptap')
    .description('Watch UDP dispatcher traffic (SCION, NTP over SCION) with its kernel metadata')
    .version(version(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (str, write) => write(str.trimEnd() + '\n') })
    .addHelpText('after', '\nRun `disptap <command> --help` for the options of a command; docs/cli.md has examples.')
    // For actions that do not go through action(): name errors after the command, and a normal
    // return is exit 0 (not the "no command ran" usage exit below).
    .hook('preAction', (_program, cmd) => {
      currentCommand = `disptap ${cmd.name()}`;
    })
    .hook('postAction', () => {
      actionReturned = true;
    });

  program
    .command('watch')
    .description('bind UDP addresses/ports and print every datagram with its kernel metadata')
    .option('-b, --bind <addr:port>', 'address to watch: 127.0.0.1:30041, [::1]:31000, a range 127.0.0.1:31000-31010, or a bare port (dual-stack [::]) (repeatable)', collect)
    .addOptions(...liveOpts())
    .option('--reuse-port', 'SO_REUSEPORT: share a port another socket bound with SO_REUSEPORT (sees only its share of the traffic)')
    .addOptions(...colorOpts())
    .addHelpText('after', '\nCtrl-C (or SIGTERM) prints the summary: on stderr in text mode, as the last NDJSON record with --json.\n' +
      'With --passive, the ports of sockets you do not own are captured with AF_PACKET instead: --iface lo --port 30041 --port 31000-32767.')
    .action(
      action('watch', async (o: WatchCli) => {
        if (o.passive) return runPassive(o);
        const { runWatch, checkTimestampMode } = await import('./sources/watch.js');
        return runWatch({ ...o, bind: o.bind ?? [], timestamps: checkTimestampMode(o.timestamps), recvBuffer: o.rcvbuf, maxSize: o.maxSize });
      }),
    );

  addPassiveOptions(program.commands.find((c) => c.name() === 'watch')!);
  // addCommand() does not pass exitOverride on: without it commander exits 1 on a bad value itself.
  registerTransitCommand(program).exitOverride();

  registerNtpCommand(program, action, liveNtpOpts());

  program
    .command('relay')
    .description('a transparent tap in front of a dispatcher or application: forward every datagram both ways and log it')
    .option('-l, --listen <addr:port>', 'where clients send to (port 0 = any free port; a bare port listens on 127.0.0.1 only)')
    .option('-t, --to <addr:port>', 'the target (dispatcher, application)')
    .option('--idle-timeout <time>', 'forget a client after this long without traffic', parseDuration, 120_000)
    .option('--max-clients <n>', 'at most this many client addresses at once (the oldest idle one is dropped)', parsePositive, 4096)
    // kept so scripts written for earlier versions still parse; replies always come through a tap now
    .addOption(new Option('--upstream-tap', 'replies are read by a connected tap (the default now)').hideHelp())
    .option('--unix-listen <path>', 'historic dispatcher unix socket: accept applications on this path (with --unix-to)')
    .option('--unix-to <path>', "the dispatcher's unix socket, e.g. /run/shm/dispatcher/default.sock")
    .option('--unix-takeover <path>', "move the dispatcher's live socket aside, listen on its path (same owner and mode), put it back on exit")
    .option('--unix-restore <path>', 'undo what a killed --unix-takeover left at this path')
    .addOptions(...liveOpts(), ...colorOpts())
    .addHelpText('after', '\nUDP: --listen and --to. Unix stream socket of the historic dispatcher: --unix-listen and --unix-to, or --unix-takeover (docs/cli.md).')
    .action(
      action('relay', async (o: RelayCli) => {
        if (o.unixListen || o.unixTo || o.unixTakeover || o.unixRestore) {
          const { runUnixRelay } = await import('./sources/unix-relay.js');
          return runUnixRelay(o);
        }
        if (!o.listen || !o.to) throw new UsageError(`${o.listen ? '--to' : '--listen'} is required (UDP: --listen and --to; unix socket: --unix-listen and --unix-to, or --unix-takeover)`);
        const { runRelay } = await import('./sources/relay.js');
        const { checkTimestampMode } = await import('./sources/watch.js');
        return runRelay({ ...o, listen: o.listen, to: o.to, timestamps: checkTimestampMode(o.timestamps), recvBuffer: o.rcvbuf, maxSize: o.maxSize });
      }),
    );

  program
    .command('send')
    .description('send test traffic: SCION/UDP, SCMP echo, NTP in SCION, BFD over SCION, plain NTP or raw payload')
    .requiredOption('-t, --to <addr:port>', 'destination')
    .addOption(new Option('-k, --kind <kind>', 'what to send').choices(['scion-udp', 'scmp-echo', 'ntp-scion', 'bfd', 'ntp', 'raw']).default('scion-udp'))
    .option('-c, --count <n>', 'datagrams to send (0 = until interrupted)', parseCount, 1)
    .option('-r, --rate <pps>', 'datagrams per second (0 = as fast as the socket takes them)', parseRate, 100)
    .option('--tx-timestamps [kinds]', 'print kernel TX timestamps: software, sched, hardware (comma list; default software)')
    .option('--payload <text>', 'payload text (UDP payload for raw, SCION/UDP payload for scion-udp)')
    .option('--payload-hex <hex>', 'payload as hex bytes', parseHex)
    .option('--size <bytes>', 'pad the payload with zeros to this many bytes', parseSize)
    .option('-b, --bind <addr:port>', 'local address to send from (default: the wildcard of the destination family)')
    .option('--ttl <n>', 'IP TTL / hop limit', parseByte)
    .option('--tos <n>', 'IP TOS / traffic class (0xb8 = EF)', parseByte)
    .option('--src-ia <isd-as>', 'SCION source ISD-AS', '1-ff00:0:110')
    .option('--dst-ia <isd-as>', 'SCION destination ISD-AS', '1-ff00:0:110')
    .option('--src-host <addr>', 'SCION source host address (default: the local underlay address)')
    .option('--dst-host <addr>', 'SCION destination host address (default: the --to address)')
    .option('--src-port <port>', 'UDP source port inside SCION', parsePort, 31000)
    .option('--dst-port <port>', 'UDP destination port inside SCION (default 31001; 123 for ntp-scion)', parsePort)
    .option('--linger <time>', 'keep serving --metrics this long after the last datagram', parseDuration)
    .addOption(jsonOpt())
    .addOption(metricsOpt())
    .addOptions(...colorOpts())
    .action(
      action('send', async (o: SendCli) => {
        const { runSend } = await import('./commands/send.js');
        return runSend(o);
      }),
    );

  program
    .command('ifaces')
    .description('list network interfaces: index, name, MTU, flags, addresses, timestamping capabilities')
    .addOption(jsonOpt())
    .addOptions(...colorOpts())
    .action(
      action('ifaces', async (o: { json?: boolean; color?: boolean }) => {
        const { runIfaces } = await import('./commands/ifaces.js');
        return runIfaces(o);
      }),
    );

  program
    .command('doctor')
    .description('check a dispatcher port: owner process, queue, drops, buffer limits, kernel timestamps')
    .option('-p, --port <port>', 'UDP port to examine', parsePortNonZero, 30041)
    .option('-a, --address <addr>', 'local address on which to test kernel RX timestamps', '127.0.0.1')
    .addOption(jsonOpt())
    .addOptions(...colorOpts())
    .addHelpText('after', '\nExit code 0 when nothing is wrong, 1 when a finding is a problem (e.g. nobody listens on the port).')
    .action(
      action('doctor', async (o: DoctorCli) => {
        const { runDoctor } = await import('./commands/doctor.js');
        return runDoctor(o);
      }),
    );

  program
    .command('decode')
    .description('decode a capture offline: pcapng, pcap, a dispatcher unix-socket stream, a raw datagram, or hex text')
    .argument('<file>', "pcapng/pcap capture, one direction of a dispatcher unix-socket stream, a raw SCION/STUN datagram, or hex text ('-' = stdin)")
    .option('--src-port <port>', 'UDP source port to assume for a raw file', parsePort, 0)
    .option('--dst-port <port>', 'UDP destination port to assume for a raw file (decides the protocol; 0 = recognise by content)', parsePort, 0)
    .option('--direction <dir>', 'dispatcher stream: which side wrote it, app-to-dispatcher or dispatcher-to-app (default: guessed)')
    .option('-v, --verbose', 'print the whole decoding of each packet as indented JSON')
    .addOption(filterOpt())
    .addOption(jsonOpt())
    .addOptions(...colorOpts())
    .addHelpText('after', '\nA file that is none of these is refused (exit 1); --src-port/--dst-port decode any file as one UDP payload.')
    .action(
      action('decode', async (o: DecodeCli, cmd: Command) => {
        const { runDecode } = await import('./commands/decode.js');
        return runDecode(cmd.args[0]!, o);
      }),
    );

  program
    .command('demo')
    .description('built-in demo without any SCION deployment: a loopback generator sends real SCION packets to a watch')
    .option('-d, --duration <time>', 'how long to run', parseDuration, 4000)
    .option('-r, --rate <pps>', 'packets per second from the generator', parseRate, 8)
    .addOption(jsonOpt())
    .addOption(writeOpt())
    .addOption(metricsOpt())
    .addOptions(...colorOpts())
    .action(
      action('demo', async (o: DemoCli) => {
        const { runDemo } = await import('./commands/demo.js');
        return runDemo(o);
      }),
    );

  return program;
}

/** `watch --passive`: AF_PACKET capture of ports owned by someone else, through the same Session. */
async function runPassive(o: WatchCli): Promise<number> {
  if (o.maxSize !== undefined) throw new UsageError(MAX_SIZE_PASSIVE);
  const { runPassiveSession } = await import('./sources/passive-watch.js');
  return runPassiveSession(o);
}

/** Parses argv, runs the command and exits the process with its code. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    // A command that returns normally has already exited with its code; getting here means
    // no command ran (e.g. only an unknown option), which commander reported.
    exit(actionReturned ? 0 : EXIT_USAGE);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, `help CMD` and --version exit 0; help shown because something was missing (a bare
      // `disptap`) and everything commander rejects are usage errors.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') exit(0);
      if (e.code === 'commander.help' && e.exitCode === 0) exit(0);
      exit(EXIT_USAGE);
    }
    const tag = currentCommand;
    if (e instanceof UsageError) {
      process.stderr.write(`${tag}: ${e.message}\n`);
      exit(EXIT_USAGE);
    }
    process.stderr.write(`${tag}: ${oneLine(e)}\n`);
    if (process.env.DISPTAP_DEBUG && e instanceof Error && !(e instanceof CliError)) process.stderr.write(`${e.stack ?? ''}\n`);
    exit(EXIT_FAILURE);
  }
}

