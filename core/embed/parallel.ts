// Runs a self-contained kernel over [0, total) in chunks on the calling thread plus worker threads.
// Kernels are shipped to workers as source text (Function.prototype.toString), so they must not
// reference imports or outer variables; their arguments are typed arrays on SharedArrayBuffers and
// numbers. Chunks are pulled from a shared atomic cursor (dynamic balancing on a busy machine).
import { Worker } from 'node:worker_threads';

export type KernelArgs = Record<string, number | Float64Array | Float32Array | Int32Array>;
export type Kernel<A extends KernelArgs> = (args: A, start: number, end: number) => void;

function workerLoop(data: { args: KernelArgs; ctrl: Int32Array; total: number; chunk: number }, kernel: Kernel<KernelArgs>): void {
  for (;;) {
    if (Atomics.load(data.ctrl, 1) !== 0) return;
    const c = Atomics.add(data.ctrl, 0, 1);
    const s = c * data.chunk;
    if (s >= data.total) return;
    kernel(data.args, s, Math.min(data.total, s + data.chunk));
  }
}

export function shareF64(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.length * 8));
  out.set(a);
  return out;
}

/**
 * Calls kernel(args, s, e) over chunks covering [0, total) using `threads` threads in all (the caller
 * included). With threads = 1 everything runs synchronously on the caller.
 */
export async function runChunked<A extends KernelArgs>(kernel: Kernel<A>, args: A, total: number, chunk: number, threads: number, signal?: AbortSignal, onChunk?: (done: number) => void): Promise<void> {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const workers: Promise<void>[] = [];
  const handles: Worker[] = [];
  if (threads > 1) {
    for (const v of Object.values(args)) {
      if (typeof v !== 'number' && !(v.buffer instanceof SharedArrayBuffer)) throw new Error('runChunked: array arguments must sit on SharedArrayBuffers when threads > 1');
    }
    const code = `const __name = (f) => f;
const { workerData } = require('node:worker_threads');
(${workerLoop.toString()})(workerData, (${kernel.toString()}));`;
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(code, { eval: true, workerData: { args, ctrl, total, chunk } });
      handles.push(worker);
      workers.push(new Promise<void>((resolve, reject) => {
        worker.once('exit', () => resolve());
        worker.once('error', reject);
      }));
    }
  }
  try {
    let done = 0;
    for (;;) {
      if (signal?.aborted) { Atomics.store(ctrl, 1, 1); break; }
      const c = Atomics.add(ctrl, 0, 1);
      const s = c * chunk;
      if (s >= total) break;
      kernel(args, s, Math.min(total, s + chunk));
      done += Math.min(total, s + chunk) - s;
      onChunk?.(done);
      // Let timers and messages run so an AbortSignal can fire mid-run.
      if (signal) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(workers);
  } finally {
    Atomics.store(ctrl, 1, 1);
    for (const w of handles) void w.terminate();
  }
}
