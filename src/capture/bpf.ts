// A small classic-BPF assembler: named opcodes, forward labels, and the kernel's jump limits
// checked here (a conditional jump reaches at most 255 instructions ahead) so a bad program fails
// with a clear message before SO_ATTACH_FILTER would answer a bare EINVAL.
import { invalidArg } from '../sys/errors.js';

/** One `struct sock_filter`. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Instruction classes, sizes, modes, operations and sources (linux/bpf_common.h).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;
export const BPF_AND = 0x50;
export const BPF_TAX = 0x00;

/** Ancillary data loads (linux/filter.h): `ld [SKF_AD_OFF + x]` reads skb fields, not packet bytes. */
export const SKF_AD_OFF = -0x1000;
export const SKF_AD_PROTOCOL = 0;
export const SKF_AD_PKTTYPE = 4;
export const SKF_AD_IFINDEX = 8;

/** BPF_MAXINSNS */
export const BPF_MAX_INSNS = 4096;

/** A jump target: a label defined later, or a relative skip count. */
export type Target = string | number;

interface Pending {
  code: number;
  k: number;
  jt: Target;
  jf: Target;
  /** For `ja`, whose offset lives in k. */
  ja?: string;
}

/**
 * A classic BPF (cBPF) program builder with labels, as used for the capture port filter:
 * chain instructions, jump to labels defined later, then {@link BpfAssembler.assemble | assemble()}.
 */
export class BpfAssembler {
  readonly #insns: Pending[] = [];
  readonly #labels = new Map<string, number>();

  get length(): number {
    return this.#insns.length;
  }

  /** Defines `name` at the next instruction. */
  label(name: string): this {
    if (this.#labels.has(name)) throw invalidArg('ERR_BPF_LABEL', `bpf: label '${name}' defined twice`, Error);
    this.#labels.set(name, this.#insns.length);
    return this;
  }

  #emit(code: number, k = 0, jt: Target = 0, jf: Target = 0): this {
    this.#insns.push({ code, k: k >>> 0, jt, jf });
    return this;
  }

  /** ld [k] (word/half/byte at an absolute offset, or ancillary when k is SKF_AD_OFF + x). */
  ldAbs(size: 'w' | 'h' | 'b', k: number): this {
    return this.#emit(BPF_LD | sizeBits(size) | BPF_ABS, k);
  }

  /** ld [x + k] */
  ldInd(size: 'w' | 'h' | 'b', k: number): this {
    return this.#emit(BPF_LD | sizeBits(size) | BPF_IND, k);
  }

  /** ld ancillary field (skb->protocol, pkttype, ifindex). */
  ldAnc(field: number): this {
    return this.#emit(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + field);
  }

  /** ldxb 4*([k]&0xf): the IPv4 header length into X. */
  ldxMsh(k: number): this {
    return this.#emit(BPF_LDX | BPF_B | BPF_MSH, k);
  }

  /** jeq #k: if A == k go to `jt`, else to `jf` (labels or forward skip counts). */
  jeq(k: number, jt: Target, jf: Target): this {
    return this.#emit(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf);
  }

  /** jgt #k: if A > k go to `jt`, else to `jf`. */
  jgt(k: number, jt: Target, jf: Target): this {
    return this.#emit(BPF_JMP | BPF_JGT | BPF_K, k, jt, jf);
  }

  /** jge #k: if A >= k go to `jt`, else to `jf`. */
  jge(k: number, jt: Target, jf: Target): this {
    return this.#emit(BPF_JMP | BPF_JGE | BPF_K, k, jt, jf);
  }

  /** jset #k: if A & k is non-zero go to `jt`, else to `jf`. */
  jset(k: number, jt: Target, jf: Target): this {
    return this.#emit(BPF_JMP | BPF_JSET | BPF_K, k, jt, jf);
  }

  /** Unconditional jump (32-bit offset) to a label. */
  ja(label: string): this {
    this.#insns.push({ code: BPF_JMP | BPF_JA, k: 0, jt: 0, jf: 0, ja: label });
    return this;
  }

  /** ret #k: accept k bytes (0 = drop). */
  ret(k: number): this {
    return this.#emit(BPF_RET | BPF_K, k);
  }

  /** The program with labels resolved to forward offsets; throws ERR_BPF_LABEL / ERR_BPF_PROGRAM on bad jumps or size. */
  assemble(): BpfInstruction[] {
    if (this.#insns.length === 0 || this.#insns.length > BPF_MAX_INSNS)
      throw invalidArg('ERR_BPF_PROGRAM', `bpf: a program has 1..${BPF_MAX_INSNS} instructions, got ${this.#insns.length}`, RangeError);
    return this.#insns.map((p, pc) => {
      if (p.ja !== undefined) return { code: p.code, jt: 0, jf: 0, k: this.#offset(pc, p.ja, 0xffffffff) };
      if ((p.code & 0x07) !== BPF_JMP) return { code: p.code, jt: 0, jf: 0, k: p.k };
      return { code: p.code, k: p.k, jt: this.#offset(pc, p.jt, 255), jf: this.#offset(pc, p.jf, 255) };
    });
  }

  #offset(pc: number, t: Target, max: number): number {
    let off: number;
    if (typeof t === 'number') off = t;
    else {
      const at = this.#labels.get(t);
      if (at === undefined) throw invalidArg('ERR_BPF_LABEL', `bpf: undefined label '${t}'`, Error);
      off = at - pc - 1;
    }
    if (!Number.isInteger(off) || off < 0 || off > max)
      throw invalidArg('ERR_BPF_PROGRAM', `bpf: jump from ${pc} to ${String(t)} is ${off} instructions; cBPF jumps forward by 0..${max}`, RangeError);
    if (pc + 1 + off >= this.#insns.length)
      throw invalidArg('ERR_BPF_PROGRAM', `bpf: jump from ${pc} runs past the end of the program`, RangeError);
    return off;
  }
}

function sizeBits(size: 'w' | 'h' | 'b'): number {
  return size === 'w' ? BPF_W : size === 'h' ? BPF_H : BPF_B;
}

/** Checks a caller-supplied program's shape before it goes to the kernel (which checks semantics). */
export function validateProgram(program: unknown, field = 'filter'): BpfInstruction[] {
  if (!Array.isArray(program)) throw invalidArg('ERR_INVALID_ARG_TYPE', `${field} must be an array of { code, jt, jf, k }`);
  if (program.length === 0 || program.length > BPF_MAX_INSNS)
    throw invalidArg('ERR_OUT_OF_RANGE', `${field} must have 1..${BPF_MAX_INSNS} instructions, got ${program.length}`, RangeError);
  return program.map((insn: unknown, i) => {
    const o = insn as Partial<Record<keyof BpfInstruction, unknown>> | null;
    const ok = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
    if (o === null || typeof o !== 'object' || !ok(o.code, 0xffff) || !ok(o.jt, 0xff) || !ok(o.jf, 0xff) || !ok(o.k, 0xffffffff)) {
      // k may also be given as a negative int32 (ancillary offsets); normalise that below.
      if (!(o && typeof o.k === 'number' && Number.isInteger(o.k) && o.k < 0 && o.k >= -0x80000000 && ok(o.code, 0xffff) && ok(o.jt, 0xff) && ok(o.jf, 0xff)))
        throw invalidArg('ERR_INVALID_ARG_VALUE', `${field}[${i}] is not a { code, jt, jf, k } instruction`);
    }
    return { code: o.code as number, jt: o.jt as number, jf: o.jf as number, k: (o.k as number) >>> 0 };
  });
}

/** The form the native attachFilter takes: 4 words per instruction. */
export function encodeProgram(program: readonly BpfInstruction[]): Uint32Array {
  const out = new Uint32Array(program.length * 4);
  program.forEach((p, i) => out.set([p.code, p.jt, p.jf, p.k >>> 0], i * 4));
  return out;
}

/** `tcpdump -d`-like listing, for errors, docs and curious users. */
export function disassemble(program: readonly BpfInstruction[]): string[] {
  return program.map((p, pc) => {
    const cls = p.code & 0x07;
    const at = (off: number) => pc + 1 + off;
    const k = p.k | 0;
    const anc = (x: number) => (x <= SKF_AD_OFF + 0x100 && x >= SKF_AD_OFF ? ({ 0: 'proto', 4: 'type', 8: 'ifidx' } as Record<number, string>)[x - SKF_AD_OFF] ?? `anc${x - SKF_AD_OFF}` : undefined);
    const sz = ({ [BPF_W]: '', [BPF_H]: 'h', [BPF_B]: 'b' } as Record<number, string>)[p.code & 0x18] ?? '?';
    let text: string;
    if (cls === BPF_LD && (p.code & 0xe0) === BPF_ABS) text = anc(k) ? `ld ${anc(k)}` : `ld${sz} [${p.k}]`;
    else if (cls === BPF_LD && (p.code & 0xe0) === BPF_IND) text = `ld${sz} [x + ${p.k}]`;
    else if (cls === BPF_LDX && (p.code & 0xe0) === BPF_MSH) text = `ldxb 4*([${p.k}]&0xf)`;
    else if (cls === BPF_RET) text = `ret #${p.k}`;
    else if (cls === BPF_JMP && (p.code & 0xf0) === BPF_JA) text = `ja ${at(p.k)}`;
    else if (cls === BPF_JMP) {
      const op = ({ [BPF_JEQ]: 'jeq', [BPF_JGT]: 'jgt', [BPF_JGE]: 'jge', [BPF_JSET]: 'jset' } as Record<number, string>)[p.code & 0xf0] ?? 'j?';
      text = `${op} #0x${p.k.toString(16)} jt ${at(p.jt)} jf ${at(p.jf)}`;
    } else text = `{ 0x${p.code.toString(16)}, ${p.jt}, ${p.jf}, 0x${p.k.toString(16)} }`;
    return `(${String(pc).padStart(3, '0')}) ${text}`;
  });
}
