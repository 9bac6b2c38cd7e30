// Registration of `disptap ntp` (kept out of program.ts, which other commands share).
import type { Command, Option } from 'commander';
import { collect } from '../args.js';
import { addPassiveOptions } from '../sources/passive.js';
import type { NtpCli } from './ntp.js';

type Wrap = <T>(name: string, run: (opts: T, cmd: Command) => Promise<number>) => (...args: unknown[]) => Promise<void>;

export function registerNtpCommand(program: Command, action: Wrap, shared: Option[]): void {
  const cmd = program
    .command('ntp')
    .description('pair NTP requests and responses on the wire: offset and delay from kernel timestamps, per segment between two capture points')
    .argument('[files...]', 'pcapng/pcap captures (two or more: one capture point each, named by file name)')
    .option('-b, --bind <addr:port>', 'watch a bound UDP port (e.g. a relay or server port) (repeatable)', collect)
    .option('-l, --listen <addr:port>', 'run a relay (as `disptap relay`): clients send here, and its exchanges are paired as they pass (with --to)')
    .option('-t, --to <addr:port>', 'the NTP server the relay forwards to (with --listen)')
    .option('-w, --write <file.pcapng>', 'live: also write every datagram received (that -f passed) to a pcapng capture: as the taps read them (--bind), as captured (--passive), both ways through the relay (--listen)')
    .option('-r, --file <file>', 'a pcapng/pcap capture (repeatable)', collect)
    .option('--point <name=file>', 'a named capture point: --point nic=nic.pcap --point app=app.pcap (repeatable)', collect)
    .option('--by-content', "pair by NTP content alone, not addresses (taps on two sockets, e.g. a relay's; automatic for --bind and `disptap relay -w` captures)")
    .option('--chrony-log <file>', "chrony's measurements.log: show chrony's own offset and delay beside each exchange and the difference");
  for (const o of shared) cmd.addOption(o);
  addPassiveOptions(cmd);
  cmd.addHelpText('after', '\nExamples:\n  disptap ntp client.pcap --chrony-log /var/log/chrony/measurements.log\n  disptap ntp --point nic=nic.pcap --point app=lo.pcap\n  disptap ntp --passive --iface eth0 --port 123 -c 20 -w ntp.pcapng\n  disptap ntp --bind 127.0.0.1:11123 -f "not host 192.0.2.7" --metrics\n  disptap ntp --listen 0.0.0.0:11123 --to 192.0.2.1:123   # relay; T1/T4 = arrival at the relay\nSee docs/ntp.md.');
  cmd.action(
    action('ntp', async (o: NtpCli, c: Command) => {
      const { runNtp } = await import('./ntp.js');
      return runNtp(o, c.args);
    }),
  );
}
