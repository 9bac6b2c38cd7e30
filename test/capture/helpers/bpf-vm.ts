// A classic-BPF interpreter with the kernel's semantics (out-of-bounds load → drop, ancillary
// loads from a context), so the generated program's verdicts can be checked on crafted packets.
import type { BpfInstruction } from '../../../src/capture/bpf.js';

export interface BpfContext {
  protocol: number;
  pktType: number;
  ifIndex?: number;
}

const SKF_AD_OFF = -0x1000;

export function runBpf(prog: readonly BpfInstruction[], pkt: Uint8Array, ctx: BpfContext): number {
  let A = 0;
  let X = 0;
  const M = new Uint32Array(16);
  const load = (off: number, size: number): number | null => {
    if (off < 0 || off + size > pkt.length) return null;
    let v = 0;
    for (let i = 0; i < size; i++) v = (v * 256 + pkt[off + i]!) >>> 0;
    return v;
  };
  for (let pc = 0, steps = 0; pc < prog.length; pc++, steps++) {
    if (steps > 10_000) throw new Error('bpf: runaway program');
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 0x07;
    const size = ({ 0x00: 4, 0x08: 2, 0x10: 1 } as Record<number, number>)[code & 0x18]!;
    const mode = code & 0xe0;
    if (cls === 0x00) {
      // LD
      if (mode === 0x00) A = k;
      else if (mode === 0x80) A = pkt.length;
      else if (mode === 0x60) A = M[k]!;
      else {
        const sk = k | 0;
        if (mode === 0x20 && sk < 0 && sk >= SKF_AD_OFF) {
          const f = sk - SKF_AD_OFF;
          if (f === 0) A = ctx.protocol;
          else if (f === 4) A = ctx.pktType;
          else if (f === 8) A = ctx.ifIndex ?? 0;
          else throw new Error(`bpf: ancillary ${f} not modelled`);
        } else {
          const v = load(mode === 0x20 ? k : X + k, size);
          if (v === null) return 0;
          A = v;
        }
      }
    } else if (cls === 0x01) {
      // LDX
      if (mode === 0x00) X = k;
      else if (mode === 0x80) X = pkt.length;
      else if (mode === 0x60) X = M[k]!;
      else if (mode === 0xa0) {
        const v = load(k, 1);
        if (v === null) return 0;
        X = (v & 0xf) * 4;
      }
    } else if (cls === 0x02) M[k] = A;
    else if (cls === 0x03) M[k] = X;
    else if (cls === 0x05) {
      const op = code & 0xf0;
      const src = code & 0x08 ? X : k;
      if (op === 0x00) {
        pc += k;
        continue;
      }
      const cond = op === 0x10 ? A === src : op === 0x20 ? A > src : op === 0x30 ? A >= src : op === 0x40 ? (A & src) !== 0 : false;
      pc += cond ? jt : jf;
    } else if (cls === 0x06) return code & 0x10 ? A : k;
    else if (cls === 0x07) {
      if (code & 0x80) A = X;
      else X = A;
    } else throw new Error(`bpf: class ${cls} not modelled`);
  }
  throw new Error('bpf: fell off the end of the program');
}
