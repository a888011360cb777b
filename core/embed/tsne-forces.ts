// t-SNE forces per iteration — Barnes–Hut repulsion and sparse attraction — over the calling thread
// plus worker threads. Tree, positions, P and outputs live on SharedArrayBuffers; each iteration the
// caller bumps a generation counter and every thread pulls 256-point chunks from a shared atomic
// cursor (dynamic balancing: dense regions cost more, and on a busy machine a descheduled worker
// just takes fewer chunks). Chunk c covers sorted points [256c, 256c+256) for repulsion and rows
// [256c, 256c+256) for attraction; Z is summed per chunk and then in chunk order, so results are
// bit-identical for any thread count (the single-thread path uses the same chunking).
// Kernels ship to workers as source text (Function.prototype.toString): no worker file or TS loader.
import { Worker } from 'node:worker_threads';
import { BhTree, repulsive2, repulsive3, type TreeView } from './bh-tree.ts';
import { attractiveRows } from './attraction.ts';
import type { SparseP } from './affinity.ts';

const GEN = 0, NEXT = 1, DONE = 2, NODES = 3, STOP = 4;
export const CHUNK = 256;

type RepKernel = (t: TreeView, th2: number, rep: Float64Array, s0: number, s1: number) => number;
type AttKernel = typeof attractiveRows;

interface Shared {
  ctrl: Int32Array;
  params: Float64Array; // [θ²]
  z: Float64Array; // Z per chunk
  pos: Float64Array; nd: Float64Array; ni: Int32Array; order: Int32Array;
  rep: Float64Array; att: Float64Array; y: Float64Array;
  rowPtr: Int32Array; cols: Int32Array; vals: Float64Array;
  n: number; dim: 2 | 3;
}

/** One chunk of both force terms. Self-contained: also runs in workers. */
function forceChunk(s: Shared, t: TreeView, th2: number, c: number, chunk: number, rep: RepKernel, att: AttKernel): void {
  const s0 = c * chunk, s1 = Math.min(s.n, s0 + chunk);
  s.z[c] = rep(t, th2, s.rep, s0, s1);
  att(s.rowPtr, s.cols, s.vals, s.y, s.dim, s.att, s0, s1);
}

function workerMain(s: Shared, rep: RepKernel, att: AttKernel, chunkFn: typeof forceChunk, chunk: number): void {
  const { ctrl } = s;
  let gen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, gen);
    gen = Atomics.load(ctrl, 0);
    if (Atomics.load(ctrl, 4) !== 0) return;
    const t = { pos: s.pos, nd: s.nd, ni: s.ni, order: s.order, nodes: Atomics.load(ctrl, 3) };
    const th2 = s.params[0]!;
    for (;;) {
      const c = Atomics.add(ctrl, 1, 1);
      if (c * chunk >= s.n) break;
      chunkFn(s, t, th2, c, chunk, rep, att);
    }
    Atomics.add(ctrl, 2, 1);
    Atomics.notify(ctrl, 2);
  }
}

const sharedCopy = <T extends Float64Array | Int32Array>(a: T): T => {
  const out = (a instanceof Float64Array ? new Float64Array(new SharedArrayBuffer(a.length * 8)) : new Int32Array(new SharedArrayBuffer(a.length * 4))) as T;
  out.set(a);
  return out;
};

export class TsneForces {
  private readonly s: Shared;
  private readonly workers: Worker[] = [];

  /** With threads > 1, `tree` must be built with shared = true and `y` must sit on a SharedArrayBuffer. */
  constructor(readonly tree: BhTree, p: SparseP, readonly y: Float64Array, readonly threads: number) {
    const n = tree.n, dim = tree.dim, sh = threads > 1;
    if (sh && (!(tree.pos.buffer instanceof SharedArrayBuffer) || !(y.buffer instanceof SharedArrayBuffer))) {
      throw new Error('TsneForces: with threads > 1 the tree and positions must be allocated on SharedArrayBuffers');
    }
    const f64 = (len: number) => (sh ? new Float64Array(new SharedArrayBuffer(len * 8)) : new Float64Array(len));
    this.s = {
      ctrl: new Int32Array(sh ? new SharedArrayBuffer(32) : new ArrayBuffer(32)),
      params: f64(1), z: f64(Math.ceil(n / CHUNK)),
      pos: tree.pos, nd: tree.nd, ni: tree.ni, order: tree.order,
      rep: f64(n * dim), att: f64(n * dim), y,
      rowPtr: sh ? sharedCopy(p.rowPtr) : p.rowPtr, cols: sh ? sharedCopy(p.cols) : p.cols, vals: sh ? sharedCopy(p.vals) : p.vals,
      n, dim,
    };
  }

  /** Unscaled repulsion Σ w²(y_i − y_j) and attraction Σ p w (y_i − y_j), by original index. */
  get rep(): Float64Array { return this.s.rep; }
  get att(): Float64Array { return this.s.att; }

  async start(): Promise<void> {
    if (this.threads <= 1) return;
    const rep = this.tree.dim === 3 ? repulsive3 : repulsive2;
    // esbuild (tsx, vite) may wrap functions in __name(); define it so the shipped source runs as is.
    const code = `const __name = (f) => f;
const { workerData } = require('node:worker_threads');
(${workerMain.toString()})(workerData, (${rep.toString()}), (${attractiveRows.toString()}), (${forceChunk.toString()}), ${CHUNK});`;
    for (let w = 1; w < this.threads; w++) this.workers.push(new Worker(code, { eval: true, workerData: this.s }));
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('online', () => resolve());
      w.once('error', reject);
    })));
  }

  /** Forces for the current tree (already built from y) and positions; returns Z. */
  run(theta: number): number {
    const { s, tree } = this;
    const th2 = theta * theta;
    const rep = tree.dim === 3 ? repulsive3 : repulsive2;
    const chunks = s.z.length;
    if (this.workers.length === 0) {
      for (let c = 0; c < chunks; c++) forceChunk(s, tree, th2, c, CHUNK, rep, attractiveRows);
    } else {
      const ctrl = s.ctrl;
      s.params[0] = th2;
      Atomics.store(ctrl, NODES, tree.nodes);
      Atomics.store(ctrl, NEXT, 0);
      Atomics.store(ctrl, DONE, 0);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      for (;;) {
        const c = Atomics.add(ctrl, NEXT, 1);
        if (c >= chunks) break;
        forceChunk(s, tree, th2, c, CHUNK, rep, attractiveRows);
      }
      const need = this.workers.length;
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (done >= need) break;
        Atomics.wait(ctrl, DONE, done, 1000);
      }
    }
    let z = 0;
    for (let c = 0; c < chunks; c++) z += s.z[c]!;
    return z;
  }

  close(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.s.ctrl, STOP, 1);
    Atomics.add(this.s.ctrl, GEN, 1);
    Atomics.notify(this.s.ctrl, GEN);
    for (const w of this.workers) void w.terminate();
  }
}
