// chrony's measurements.log (chrony.conf(5), `log measurements`): one line per sample the client
// accepted, with its own offset and peer delay and which stamps it used (D daemon, K kernel,
// H hardware). Matched to disptap's exchanges by server address and sample second.
import type { NtpExchange } from './types.js';

/** One line of measurements.log. */
export interface ChronyMeasurement {
  /** The sample time, whole seconds since the Unix epoch (chrony logs the middle of T1..T4). */
  second: number;
  address: string;
  stratum: number;
  /** The tests as logged: "111 111 1111". */
  tests: string;
  offsetNs: bigint;
  delayNs: bigint;
  /** NTP mode of the response (4 = server). */
  mode: number;
  interleaved: boolean;
  /** Which stamp chrony used for its transmit (T1) and receive (T4): D, K or H. */
  txSource: string;
  rxSource: string;
  line: number;
}

const LINE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (\S+)\s+(\S)\s+(\d+) ([01]{3}) ([01]{3}) ([01]{4})\s+(-?\d+)\s+(-?\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d)([BI])\s+(\S)\s+(\S)\s*$/;

function secondsToNs(text: string): bigint | null {
  const v = Number(text);
  if (!Number.isFinite(v)) return null;
  return BigInt(Math.round(v * 1e9));
}

/** Parses measurements.log text; header and malformed lines are skipped (their count returned). */
export function parseChronyMeasurements(text: string): { measurements: ChronyMeasurement[]; skipped: number } {
  const measurements: ChronyMeasurement[] = [];
  let skipped = 0;
  text.split('\n').forEach((raw, i) => {
    const l = raw.trimEnd();
    if (l === '' || l.startsWith('=') || /^\s+Date/.test(l)) return;
    const m = LINE.exec(l);
    const off = m ? secondsToNs(m[12]!) : null;
    const del = m ? secondsToNs(m[13]!) : null;
    const t = m ? Date.parse(`${m[1]}T${m[2]}Z`) : NaN;
    if (!m || off === null || del === null || Number.isNaN(t)) {
      skipped++;
      return;
    }
    measurements.push({
      second: t / 1000, address: m[3]!, stratum: Number(m[5]), tests: `${m[6]} ${m[7]} ${m[8]}`, offsetNs: off, delayNs: del,
      mode: Number(m[14]), interleaved: m[15] === 'I', txSource: m[16]!, rxSource: m[17]!, line: i + 1,
    });
  });
  return { measurements, skipped };
}

/** An exchange next to chrony's own view of it. */
export interface ChronyComparison {
  chrony: ChronyMeasurement;
  /** disptap − chrony. */
  offsetDiffNs: bigint;
  delayDiffNs: bigint;
}

/**
 * Matches exchanges to measurements: same server address, same sample second (chrony's sample
 * time is the middle of T1 and T4); within one second, in order, only when the counts agree.
 */
export class ChronyMatcher {
  private readonly bySecond = new Map<string, ChronyMeasurement[]>();
  private readonly taken = new Set<ChronyMeasurement>();

  constructor(ms: readonly ChronyMeasurement[]) {
    for (const m of ms) {
      const k = `${m.address}|${m.second}`;
      const list = this.bySecond.get(k);
      if (list) list.push(m);
      else this.bySecond.set(k, [m]);
    }
  }

  /** chrony's sample for this exchange, or null. */
  match(x: NtpExchange): ChronyComparison | null {
    const mid = (x.t1Ns + x.t4Ns) / 2n;
    const sec = Number(mid / 1_000_000_000n);
    // The cooked time chrony logs can cross a second boundary the raw stamps did not: try ±1 s.
    for (const s of [sec, sec - 1, sec + 1]) {
      const list = this.bySecond.get(`${x.server.address}|${s}`);
      const m = list?.find((c) => !this.taken.has(c) && c.interleaved === (x.mode === 'interleaved'));
      if (!m) continue;
      this.taken.add(m);
      return { chrony: m, offsetDiffNs: x.offsetNs - m.offsetNs, delayDiffNs: x.delayNs - m.delayNs };
    }
    return null;
  }
}
