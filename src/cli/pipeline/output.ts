// Where lines go. Text mode: one line per datagram on stdout, everything else (listening,
// notices, the summary) on stderr, so `disptap watch … | grep` sees only packets. JSON mode:
// every record on stdout as NDJSON, the summary as the last record; stderr only for warnings.
import { colors, formatBytes, formatNs, preview, useColor, type Colors } from './format.js';
import { formatEndpoint } from '../bind-spec.js';
import type { Inspected } from './inspect.js';
import type { Observation } from './observation.js';
import { stringify, type AnyRecord, type SummaryRecord, type TimestampSource } from './record.js';
import { nsTextToIso, nsToIso } from '../../sys/time.js';
import { unixSummaryText } from '../sources/unix-summary.js';
import { StdoutWriter } from './stdout-writer.js';
import { SameAsLast } from './same-as-last.js';

const writers = new Set<StdoutWriter>();

/** Waits until every Output's stdout lines are written: run before process.exit. */
export async function endOutputs(): Promise<void> {
  for (const w of writers) await w.end();
}

export interface OutputOptions {
  json: boolean;
  /** --color / --no-color; undefined = decide from the stream (TTY, NO_COLOR, FORCE_COLOR). */
  color?: boolean;
  /** Prefix of notices: "disptap watch". */
  prefix: string;
}

export class Output {
  readonly json: boolean;
  /** Colours for stdout (packet lines) and stderr (notices, summary), decided separately. */
  readonly c: Colors;
  readonly e: Colors;
  readonly prefix: string;
  /** Packet lines and records: written by the thread pool so a slow reader never stalls capture. */
  readonly stdout: StdoutWriter;

  constructor(o: OutputOptions) {
    this.json = o.json;
    this.prefix = o.prefix;
    this.c = colors(!o.json && useColor({ flag: o.color, stream: process.stdout }));
    this.e = colors(useColor({ flag: o.color, stream: process.stderr }));
    this.stdout = new StdoutWriter();
    writers.add(this.stdout);
  }

  /** Called once when stdout's reader goes away (`| head`): a normal end, not a crash. */
  whenClosed(cb: () => void): void {
    this.stdout.whenClosed(cb);
  }

  get stdoutClosed(): boolean {
    return this.stdout.closed;
  }

  record(r: AnyRecord): void {
    this.out(stringify(r));
  }

  out(line: string): void {
    this.stdout.line(line);
  }

  err(line: string): void {
    process.stderr.write(line + '\n');
  }

  /** A notice for people: stderr in text mode; in JSON mode only when `always` (warnings). */
  notice(line: string, always = false): void {
    if (!this.json || always) this.err(line);
  }

  warn(line: string): void {
    this.err(`${this.e.yellow(`${this.prefix}: warning:`)} ${line}`);
  }
}

export interface LineInput {
  o: Observation;
  insp: Inspected;
  ts: { ns: bigint; source: TimestampSource };
  dropsDelta: number;
}

const DIRECTION_TAG: Readonly<Record<string, string>> = {
  out: 'out',
  'client-to-target': 'c→t',
  'target-to-client': 't→c',
  'app-to-dispatcher': 'a→d',
  'dispatcher-to-app': 'd→a',
};

/**
 * One line per datagram: RX timestamp (ISO, ns), hardware timestamp when present, read delay,
 * src → dst (interface), TTL/TOS, size, flags, then the decoded summary. Drop-counter increases
 * and truncation are the loud parts.
 */
export function packetLine(c: Colors, { o, insp, ts, dropsDelta }: LineInput): string {
  if (o.raw) return `${o.bind}: ${o.length} B ${insp.error ? c.magenta(`${c.cyan(insp.layer)} ${insp.summary}`) : `${c.cyan(insp.layer)} ${insp.decoded.layer === 'raw' ? preview(o.data) : insp.summary}`}`;
  // One decimal conversion of the stamp; the ISO text is cut from it (this runs per datagram).
  const tsText = nsTextToIso(String(ts.ns));
  let line = ts.source === 'software' ? tsText : ts.source === 'hardware' ? `${tsText} ${c.cyan('hw')}` : `${tsText} ${c.dim('user')}`;
  if (o.hwTsNs !== undefined && o.swTsNs !== undefined) line += ' ' + c.dim(`sw ${nsToIso(o.swTsNs)}`);
  line += ' ' + (o.readDelayNs !== undefined ? c.dim(`+${formatNs(o.readDelayNs)}`) : c.dim('+?'));
  const tag = DIRECTION_TAG[o.direction];
  // A reply's addresses are the target's and the upstream socket's: name the client it goes back to.
  if (tag) line += ' ' + c.blue(o.direction === 'target-to-client' && o.client ? `[${tag} client ${formatEndpoint(o.client)}]` : `[${tag}]`);
  line += ' ' + routeText(o);
  if (o.ttl !== undefined || o.tos !== undefined) line += ' ' + c.dim(ttlTosLine);
  line += ` ${o.length} B`;
  if (o.truncated) line += ' ' + c.bold(c.yellow(`TRUNCATED (${o.data.length} of ${o.length} B kept)`));
  if (o.controlTruncated) line += ' ' + c.yellow('CTRUNC (metadata incomplete)');
  if (dropsDelta > 0) line += ' ' + c.bold(c.red(`DROPS +${dropsDelta} (total ${o.drops ?? dropsDelta})`));
  // A datagram no decoder claimed: its layer name and a peek at the bytes say more than "N B".
  const summary = insp.decoded.layer === 'raw' ? preview(o.data) : insp.summary;
  const body = `${c.cyan(insp.layer)} ${summary}`;
  line += ' ' + (insp.error ? c.magenta(body) : body);
  if (o.forwardError) line += ' ' + c.red(`not forwarded: ${o.forwardError}`);
  if (o.notes) for (const n of o.notes) line += ' ' + c.dim(n);
  return line;
}

// "src → dst (ifname)" and "ttl N tos 0xNN": consecutive datagrams mostly share them, so they are
// formatted once per change.
const routeSeen = new SameAsLast();
let routeLine = '';
let ttlTosLine = '';
function routeText(o: Observation): string {
  if (!routeSeen.check(o)) {
    const dst = o.dst ?? o.local;
    routeLine = `${formatEndpoint(o.src)} → ${formatEndpoint(dst)}${o.ifName ? ` (${o.ifName})` : o.ifIndex ? ` (if${o.ifIndex})` : ''}`;
    const tt: string[] = [];
    if (o.ttl !== undefined) tt.push(`ttl ${o.ttl}`);
    if (o.tos !== undefined) tt.push(`tos 0x${o.tos.toString(16).padStart(2, '0')}`);
    ttlTosLine = tt.join(' ');
  }
  return routeLine;
}

export function summaryText(c: Colors, s: SummaryRecord): string[] {
  const lines: string[] = [];
  const secs = Number(BigInt(s.durationNs)) / 1e9;
  const errs = Object.entries(s.decodeErrorsByCode)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const shown = s.matched !== s.packets ? ` (${s.matched} shown)` : '';
  const drops = s.drops > 0 ? c.bold(c.red(`${s.drops} dropped by the kernel`)) : '0 dropped';
  const trunc = s.truncations > 0 ? c.bold(c.yellow(`${s.truncations} truncated`)) : '0 truncated';
  const dec = s.decodeErrors > 0 ? c.magenta(`${s.decodeErrors} decode errors (${errs})`) : '0 decode errors';
  lines.push(`--- ${s.command} summary (${s.reason}, ${secs.toFixed(1)} s)`);
  lines.push(`${s.packets} packets${shown}, ${formatBytes(s.bytes)}, ${drops}, ${trunc}, ${dec}`);
  const d = s.readDelay;
  if (d.count > 0 && d.p50Ns !== undefined) {
    lines.push(`read delay p50 ${formatNs(BigInt(d.p50Ns))}  p99 ${formatNs(BigInt(d.p99Ns!))}  max ${formatNs(BigInt(d.maxNs!))}  (${d.count} timestamped)`);
  } else lines.push('read delay: no kernel timestamps');
  if (s.sockets.length > 1) {
    for (const k of s.sockets) {
      lines.push(`  ${k.bind}: ${k.packets} packets, ${formatBytes(k.bytes)}${k.drops ? `, ${c.red(`${k.drops} dropped`)}` : ''}${k.truncations ? `, ${k.truncations} truncated` : ''}`);
    }
  }
  if (s.relay) {
    const r = s.relay;
    lines.push(`relay: ${r.clients} clients, ${r.forwarded} forwarded to the target, ${r.replies} replies, ${r.refusals ? c.red(`${r.refusals} refused by the target`) : '0 refused'}, ${r.forwardErrors} forward errors`);
  }
  if (s.unixRelay) lines.push(...unixSummaryText(c, s.unixRelay));
  if (s.capture) {
    const k = s.capture;
    lines.push(`kernel: ${k.packets} packets passed the capture filter, ${k.drops ? c.red(`${k.drops} dropped`) : '0 dropped'}${k.ringFull ? c.red(` (ring full ${k.ringFull === 1 ? 'once' : `${k.ringFull} times`})`) : ''}${k.unread ? c.yellow(`, ${k.unread} still queued at stop (not read)`) : ''}`);
  }
  if (s.write) lines.push(`capture: ${s.write.packets} packets in ${s.write.path}${s.write.errors ? c.red(` (${s.write.errors} could not be written)`) : ''}`);
  return lines;
}
