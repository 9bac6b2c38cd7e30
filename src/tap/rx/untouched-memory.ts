// ArrayBuffers whose tail is address space that is rarely touched: a receive arena's overflow slots
// (64 KiB each by default) are written only by datagrams longer than a dense slot. V8 counts an
// ArrayBuffer's whole length as memory and starts a major GC for every 64 MiB allocated since the
// last one, so 64 quiet sockets growing their arenas ran a major GC every ~15 ms for seconds
// (bench/many.mjs), and a single busy tap three while warming up. The untouched part is taken off
// V8's external-memory count before the buffer is made, and given back once the buffer is
// collected (V8 subtracts the whole length then, or at once if the buffer is transferred away).
import { native } from '../../sys/native.js';

const giveBack = new FinalizationRegistry<number>((bytes) => {
  native.adjustExternalMemory(bytes);
});

/**
 * `new ArrayBuffer(byteLength)`, of which V8 is told only `byteLength - untouched` bytes. A single
 * buffer of more than 64 MiB still makes V8 collect once (its count jumps by that much at once).
 */
export function allocateMostlyUntouched(byteLength: number, untouched: number): ArrayBuffer {
  const hidden = Math.max(0, Math.min(untouched, byteLength));
  if (hidden === 0) return new ArrayBuffer(byteLength);
  native.adjustExternalMemory(-hidden);
  let buf: ArrayBuffer;
  try {
    buf = new ArrayBuffer(byteLength);
  } catch (e) {
    native.adjustExternalMemory(hidden);
    throw e;
  }
  giveBack.register(buf, hidden);
  return buf;
}
