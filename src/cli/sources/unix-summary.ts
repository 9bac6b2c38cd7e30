// The text summary lines of `relay --unix-*`.
import { formatBytes, formatNs, type Colors } from '../pipeline/format.js';
import type { UnixRelaySummary } from '../pipeline/record.js';

export function unixSummaryText(c: Colors, u: UnixRelaySummary): string[] {
  const lines = [
    `unix relay: ${u.connections} connections${u.upstreamErrors ? `, ${c.red(`${u.upstreamErrors} could not reach the dispatcher`)}` : ''}; ` +
      `app→dispatcher ${u.frames.appToDispatcher} frames ${formatBytes(u.bytes.appToDispatcher)}, dispatcher→app ${u.frames.dispatcherToApp} frames ${formatBytes(u.bytes.dispatcherToApp)}; ` +
      `${u.registrations} registrations, ${u.confirmations} confirmations` +
      (u.skipped ? `, ${c.magenta(`${u.skipped} garbage runs (${u.skippedBytes} B) skipped`)}` : '') +
      (u.incomplete ? `, ${c.magenta(`${u.incomplete} unfinished frames`)}` : ''),
  ];
  const d = u.deliveryDelay;
  if (d.count > 0 && d.p50Ns !== undefined) {
    lines.push(`delivery delay (trailer kernel RX → tap read) p50 ${formatNs(BigInt(d.p50Ns))}  p99 ${formatNs(BigInt(d.p99Ns!))}  max ${formatNs(BigInt(d.maxNs!))}  (${d.count} trailers)`);
  } else lines.push('delivery delay: no Scion Time trailers seen');
  return lines;
}
