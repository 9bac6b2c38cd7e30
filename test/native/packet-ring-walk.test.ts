// The TPACKET_V3 ring walker (native/packet_socket/packet_ring.h) on crafted ring images, without a
// kernel: what each Read takes, where it resumes inside a block, when a block goes back to the kernel
// (TP_STATUS_KERNEL = 0; user-owned = 1), and how corrupt blocks are skipped and counted. The images
// are the fuzz target's seeds (fuzz/ring-seeds.mjs); test/native/packet-ring-walk.cc replays them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEEDS = path.join(ROOT, 'fuzz/corpus/ring');

interface Taken {
  block: number;
  offset: number;
  snaplen: number;
  len: number;
  proto: number;
  pkttype: number;
  ifindex: number;
  sec: number;
  nsec: number;
}
interface Walk {
  file: string;
  reads: { packets: Taken[]; status: number[] }[];
  corrupt: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disptap-ringwalk-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Builds the replay program (with ASan+UBSan where the compiler has them); null and why when it cannot. */
function build(): { bin: string | null; why: string } {
  const bin = path.join(dir, 'walk');
  const srcs = [path.join(ROOT, 'test/native/packet-ring-walk.cc'), path.join(ROOT, 'native/packet_socket/packet_ring.cc')];
  const base = ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-g', '-O1', '-I', path.join(ROOT, 'native'), ...srcs, '-o', bin];
  let why = '';
  for (const cxx of ['clang++', 'c++', 'g++']) {
    for (const extra of [['-fsanitize=address,undefined', '-fno-sanitize-recover=all'], []]) {
      const r = spawnSync(cxx, [...extra, ...base], { encoding: 'utf8', env: { ...process.env, LD_PRELOAD: '' } });
      if (r.status === 0) return { bin, why: '' };
      why ||= r.error ? `${cxx}: ${r.error.message}` : r.stderr.split('\n').slice(0, 5).join('\n');
    }
  }
  return { bin: null, why };
}

const { bin, why } = build();
if (!bin) console.warn(`ring walker tests skipped: no C++ compiler could build the replay: ${why}`);

function walk(...seeds: string[]): Record<string, Walk> {
  const r = spawnSync(bin!, seeds.map((s) => path.join(SEEDS, `${s}.bin`)), {
    encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: '', ASAN_OPTIONS: 'halt_on_error=1:detect_leaks=1', UBSAN_OPTIONS: 'halt_on_error=1' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out: Record<string, Walk> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const w = JSON.parse(line) as Walk;
    out[w.file.replace(/\.bin$/, '')] = w;
  }
  return out;
}

const sizes = (w: Walk) => w.reads.map((r) => r.packets.map((p) => p.snaplen));
const blocks = (w: Walk) => w.reads.map((r) => r.packets.map((p) => p.block));

describe.skipIf(!bin)('ring walker on crafted blocks', () => {
  it('the seeds are the ones fuzz/ring-seeds.mjs writes', () => {
    const before = new Map(fs.readdirSync(SEEDS).map((f) => [f, fs.readFileSync(path.join(SEEDS, f))]));
    const copy = path.join(dir, 'seeds');
    const script = fs.readFileSync(path.join(ROOT, 'fuzz/ring-seeds.mjs'), 'utf8');
    // run the generator against a copy of its folder layout
    fs.mkdirSync(path.join(copy, 'corpus'), { recursive: true });
    fs.writeFileSync(path.join(copy, 'ring-seeds.mjs'), script);
    const r = spawnSync(process.execPath, [path.join(copy, 'ring-seeds.mjs')], { encoding: 'utf8', env: { ...process.env, LD_PRELOAD: '' } });
    expect(r.status, r.stderr).toBe(0);
    const made = new Map(fs.readdirSync(path.join(copy, 'corpus/ring')).map((f) => [f, fs.readFileSync(path.join(copy, 'corpus/ring', f))]));
    expect([...made.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [f, bytes] of made) expect(bytes.equals(before.get(f)!), f).toBe(true);
  });

  it('reads blocks in ring order, resumes inside a block, hands a block back only when all its packets were taken', () => {
    const w = walk('two-blocks-v4-v6', 'one-packet-per-read', 'four-blocks', 'kernel-owned-first');
    const two = w['two-blocks-v4-v6']!;
    // 2 per Read: the first Read stops inside block 0 (still the reader's), the second finishes it and reads block 1
    expect(blocks(two)).toEqual([[0, 0], [0, 1], []]);
    expect(two.reads.map((r) => r.status)).toEqual([[1, 1], [0, 0], [0, 0]]);
    expect(two.reads[0]!.packets.map((p) => [p.proto, p.sec])).toEqual([[0x0800, 1_700_000_000], [0x86dd, 1_700_000_001]]);
    expect(two.reads[1]!.packets[0]).toMatchObject({ pkttype: 4, offset: 440, ifindex: 1, nsec: 123_456_789 });
    expect(two.corrupt).toBe(0);
    const one = w['one-packet-per-read']!;
    expect(one.reads.map((r) => [r.packets.map((p) => p.offset), r.status])).toEqual([[[144], [1]], [[280], [0]], [[], [0]]]);
    expect(blocks(w['four-blocks']!)).toEqual([[0, 1, 2, 3], []]);
    // a kernel-owned block stops the walk, even with a user-owned one after it
    const k = w['kernel-owned-first']!;
    expect(k.reads).toEqual([{ packets: [], status: [0, 1] }]);
  });

  it('hands back empty blocks, and keeps the lengths of a cut packet', () => {
    const w = walk('empty-user-block', 'snap-cut', 'fills-block');
    expect(blocks(w['empty-user-block']!)).toEqual([[1], []]);
    expect(w['empty-user-block']!.reads[0]!.status).toEqual([0, 0]);
    expect(w['snap-cut']!.reads[0]!.packets[0]).toMatchObject({ snaplen: 64, len: 328 });
    // a packet that ends exactly at the end of its block is whole
    expect(sizes(w['fills-block']!)).toEqual([[368], []]);
  });

  it('a corrupt block is counted and handed back; the packets before the corruption were taken, the next block is read', () => {
    const w = walk('bad-next-offset', 'snaplen-past-block', 'mac-past-block', 'first-past-block', 'num-pkts-huge');
    const next = w['bad-next-offset']!;
    expect(blocks(next)).toEqual([[0, 1], []]);
    expect(next.corrupt).toBe(1);
    expect(next.reads[0]!.status).toEqual([0, 0]);
    const snap = w['snaplen-past-block']!;
    expect(blocks(snap)).toEqual([[1], []]);
    expect(snap.corrupt).toBe(1);
    for (const f of ['mac-past-block', 'first-past-block', 'num-pkts-huge']) {
      expect(w[f]!.reads, f).toEqual([{ packets: [], status: [0] }]);
      expect(w[f]!.corrupt, f).toBe(1);
    }
  });
});
