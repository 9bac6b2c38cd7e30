/** ISD-AS numbers: 16-bit ISD, 48-bit AS, printed as SCION prints them (`1-ff00:0:110`, `1-64512`). */

import { u16, u48, ByteWriter } from '../bytes.js';
import { EncodeError } from '../errors.js';

/** An ISD-AS pair: the ISD, the 48-bit AS number, and its canonical text. */
export interface IA {
  isd: number;
  /** 48-bit AS number (exact as a JS number). */
  as: number;
  /** Canonical text, e.g. `1-ff00:0:110`. */
  text: string;
}

/** An IA for the encoders: text (`1-ff00:0:110`) or the numbers. */
export type IAInput = string | { isd: number; as: number };

const MAX_BGP_AS = 0xffffffff;
const MAX_AS = 0xffffffffffff;

/** ASes in the BGP range print in decimal, others as three 16-bit hex groups (Go's addr.AS). */
export function formatAS(as: number): string {
  if (as <= MAX_BGP_AS) return String(as);
  const g0 = Math.floor(as / 0x100000000);
  const g1 = Math.floor(as / 0x10000) % 0x10000;
  const g2 = as % 0x10000;
  return `${g0.toString(16)}:${g1.toString(16)}:${g2.toString(16)}`;
}

/** ISD-AS text as Go's addr.IA prints it: `1-ff00:0:110`, or `1-64512` for a BGP-range AS. */
export function formatIA(isd: number, as: number): string {
  return `${isd}-${formatAS(as)}`;
}

export function makeIA(isd: number, as: number): IA {
  return { isd, as, text: formatIA(isd, as) };
}

export function readIA(d: Uint8Array, o: number): IA {
  return makeIA(u16(d, o), u48(d, o + 2));
}

function parseAS(s: string): number | undefined {
  if (/^\d+$/.test(s)) {
    const v = Number(s);
    return v <= MAX_BGP_AS ? v : undefined;
  }
  const groups = s.split(':');
  if (groups.length !== 3 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const [a, b, c] = groups.map((g) => parseInt(g, 16)) as [number, number, number];
  return a * 0x100000000 + b * 0x10000 + c;
}

/** Parse `ISD-AS` text; undefined when it is not one. */
export function tryParseIA(text: string): IA | undefined {
  const m = /^(\d+)-(.+)$/.exec(text.trim());
  if (!m) return undefined;
  const isd = Number(m[1]);
  const as = parseAS(m[2]!);
  if (isd > 0xffff || as === undefined || as > MAX_AS) return undefined;
  return makeIA(isd, as);
}

/** Parse `ISD-AS` text; throws EncodeError when it is not one (an input helper, not a decoder). */
export function parseIA(text: string): IA {
  const ia = tryParseIA(text);
  if (!ia) throw new EncodeError(`not an ISD-AS: ${JSON.stringify(text)}`);
  return ia;
}

export function resolveIA(ia: IAInput, field: string): IA {
  if (typeof ia === 'string') {
    const parsed = tryParseIA(ia);
    if (!parsed) throw new EncodeError(`${field}: not an ISD-AS: ${JSON.stringify(ia)}`);
    return parsed;
  }
  if (
    !Number.isInteger(ia.isd) || ia.isd < 0 || ia.isd > 0xffff ||
    !Number.isInteger(ia.as) || ia.as < 0 || ia.as > MAX_AS
  ) {
    throw new EncodeError(`${field}: ISD ${String(ia.isd)} / AS ${String(ia.as)} out of range`);
  }
  return makeIA(ia.isd, ia.as);
}

export function writeIA(w: ByteWriter, ia: IAInput, field: string): void {
  const r = resolveIA(ia, field);
  w.u16(r.isd, `${field}.isd`).u48(r.as, `${field}.as`);
}
