// Splits one capture into what entered the dispatcher and what it sent, by ports and direction.
//
// in:  dst port in the dispatcher's ports, the received copy (direction 'in').
// out: sent copies (direction 'out') from the dispatcher's ports (forwards and its own replies)
//      or to the forward ports.
// The defaults measure from the moment the packet reached this host's stack to the moment the
// dispatcher's send reached the device. On `lo` every datagram is seen twice; the sender's copy of
// an input and the delivery copy of a forward are ignored, so each datagram counts once per side.
import type { CaptureDirection } from '../capture/record.js';
import { inRanges, type PortRange } from '../capture/ports.js';
import type { TransitSide } from './types.js';

/** Which captured datagrams entered the dispatcher and which left it, by port and direction. */
export interface TransitClassifier {
  /** The dispatcher's receive ports (e.g. 30041). */
  inPorts: readonly PortRange[];
  /** Where it forwards to (e.g. 31000-32767). */
  outPorts: readonly PortRange[];
  /** Which copy of an input counts. Default 'in' (received). */
  inDirection?: CaptureDirection | 'both';
  /** Which copy of an output counts. Default 'out' (sent). */
  outDirection?: CaptureDirection | 'both';
}

/** The parts of a record {@link classifyTransit} looks at. */
export interface ClassifiableRecord {
  src: { port: number };
  dst: { port: number };
  direction: CaptureDirection;
}

/** Whether a record is an input ('in': to an in-port), an output ('out': from an in-port or to an out-port), or neither (null). */
export function classifyTransit(rec: ClassifiableRecord, c: TransitClassifier): TransitSide | null {
  const inDir = c.inDirection ?? 'in';
  const outDir = c.outDirection ?? 'out';
  if (inRanges(rec.dst.port, c.inPorts)) {
    if (inDir === 'both' || rec.direction === inDir) return 'in';
    // A copy of an input in the other direction is never an output (it is the same datagram).
    return null;
  }
  if (outDir !== 'both' && rec.direction !== outDir) return null;
  if (inRanges(rec.src.port, c.inPorts) || inRanges(rec.dst.port, c.outPorts)) return 'out';
  return null;
}
