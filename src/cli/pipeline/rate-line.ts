// watch --quiet: no line per datagram, one line (text: stderr; JSON: a `rate` record) a second
// with what arrived since the last one.
import { formatBytes } from './format.js';
import type { Output } from './output.js';
import { base } from './record.js';
import type { Stats } from './stats.js';
import { nsToIso } from '../../sys/time.js';

export class RateLine {
  private readonly timer: NodeJS.Timeout;
  private last = { packets: 0, bytes: 0, drops: 0 };
  private lastNs: bigint;

  constructor(
    private readonly out: Output,
    private readonly stats: Stats,
    private readonly now: () => bigint,
    intervalMs = 1000,
  ) {
    this.lastNs = now();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    const t = this.now();
    let packets = 0;
    let bytes = 0;
    let drops = 0;
    for (const c of this.stats.sockets.values()) {
      packets += c.packets;
      bytes += c.bytes;
      drops += c.drops;
    }
    const d = { packets: packets - this.last.packets, bytes: bytes - this.last.bytes, drops: drops - this.last.drops };
    const secs = Number(t - this.lastNs) / 1e9;
    if (this.out.json) {
      this.out.record({ ...base(nsToIso(t)), type: 'rate', intervalNs: (t - this.lastNs).toString(), ...d, totalPackets: packets, totalDrops: drops });
    } else {
      const rate = secs > 0 ? Math.round(d.packets / secs) : 0;
      const dropText = d.drops > 0 ? this.out.e.red(`, ${d.drops} dropped`) : '';
      this.out.err(`${nsToIso(t)} ${rate} packets/s, ${formatBytes(secs > 0 ? d.bytes / secs : 0)}/s${dropText} (total ${packets} packets, ${drops} dropped)`);
    }
    this.last = { packets, bytes, drops };
    this.lastNs = t;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
