// Exact k nearest neighbours (Euclidean) by blocked brute force (for large n, knn-select.ts switches
// to the onnxruntime version in knn-onnx.ts): four query rows share each pass
// over the data so every candidate row is loaded once per four queries; a bounded max-heap per
// query keeps the k best. O(n²·d) time, O(n·k) memory; `knnAsync` spreads query blocks over
// worker threads.
import { runChunked, shareF64 } from './parallel.ts';

/** How neighbours were found: both are exact (see knn-select.ts for when each is used). */
export type KnnMethod = 'exact-js' | 'exact-onnx';

export interface KnnResult {
  /** n×k neighbour indices, nearest first (a point is never its own neighbour). */
  indices: Int32Array;
  /** n×k Euclidean distances matching `indices`. */
  distances: Float32Array;
  k: number;
  /** Set by the functions of this module and knn-select.ts; absent on hand-made results. */
  method?: KnnMethod;
}

export interface KnnOptions {
  signal?: AbortSignal;
  /** Threads in all, the caller included (knnAsync only; default 1). */
  threads?: number;
  /** Called with the fraction of queries done. */
  onProgress?: (fraction: number) => void;
}

interface KnnArgs {
  [key: string]: number | Float64Array | Float32Array | Int32Array;
  x: Float64Array; norm: Float64Array; n: number; d: number; k: number;
  indices: Int32Array; distances: Float32Array;
}

/** Queries [i0, i1) (i1 − i0 ≤ 4·anything; processed four at a time). Self-contained: shipped to workers as text. */
function knnKernel(a: KnnArgs, i0: number, i1: number): void {
  const { x, norm, n, d, k, indices, distances } = a;
  const hd = new Float64Array(4 * k), hi = new Int32Array(4 * k);
  const q = new Float64Array(4 * d);
  const push = (off: number, e: number, j: number): number => {
    // Replace the root of the max-heap at [off, off+k) and sift down; returns the new k-th best.
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= k) break;
      const r = l + 1;
      let c = l;
      if (r < k && hd[off + r]! > hd[off + l]!) c = r;
      if (hd[off + c]! <= e) break;
      hd[off + p] = hd[off + c]!; hi[off + p] = hi[off + c]!;
      p = c;
    }
    hd[off + p] = e; hi[off + p] = j;
    return hd[off]!;
  };
  for (let b0 = i0; b0 < i1; b0 += 4) {
    const m = Math.min(4, i1 - b0);
    hd.fill(Infinity); hi.fill(-1); q.fill(0);
    q.set(x.subarray(b0 * d, (b0 + m) * d));
    const n0 = norm[b0]!, n1 = m > 1 ? norm[b0 + 1]! : 0, n2 = m > 2 ? norm[b0 + 2]! : 0, n3 = m > 3 ? norm[b0 + 3]! : 0;
    let w0 = Infinity, w1 = m > 1 ? Infinity : -Infinity, w2 = m > 2 ? Infinity : -Infinity, w3 = m > 3 ? Infinity : -Infinity;
    for (let j = 0; j < n; j++) {
      const o = j * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < d; t++) {
        const y = x[o + t]!;
        s0 += q[t]! * y; s1 += q[d + t]! * y; s2 += q[2 * d + t]! * y; s3 += q[3 * d + t]! * y;
      }
      const nj = norm[j]!;
      // Clamp: the norm expansion can go slightly negative for (near-)duplicates.
      let e = n0 + nj - 2 * s0;
      if (e < w0 && j !== b0) w0 = push(0, e < 0 ? 0 : e, j);
      e = n1 + nj - 2 * s1;
      if (e < w1 && j !== b0 + 1) w1 = push(k, e < 0 ? 0 : e, j);
      e = n2 + nj - 2 * s2;
      if (e < w2 && j !== b0 + 2) w2 = push(2 * k, e < 0 ? 0 : e, j);
      e = n3 + nj - 2 * s3;
      if (e < w3 && j !== b0 + 3) w3 = push(3 * k, e < 0 ? 0 : e, j);
    }
    for (let b = 0; b < m; b++) {
      const off = b * k, o = (b0 + b) * k;
      // Heap → ascending by (distance, index): selection of the minimum, k is small.
      for (let t = 0; t < k; t++) {
        let best = -1;
        for (let u = 0; u < k; u++) {
          if (hi[off + u]! < 0) continue;
          if (best < 0 || hd[off + u]! < hd[off + best]! || (hd[off + u] === hd[off + best] && hi[off + u]! < hi[off + best]!)) best = u;
        }
        indices[o + t] = hi[off + best]!;
        distances[o + t] = Math.sqrt(hd[off + best]!);
        hi[off + best] = -1;
      }
    }
  }
}

function prepare(data: Float32Array, n: number, d: number, k: number, shared: boolean): KnnArgs {
  if (data.length !== n * d) throw new Error(`knn: data holds ${data.length} values, expected n×d = ${n}×${d}`);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new Error(`knn: k must be an integer in 1..n−1 = ${n - 1} (got ${k}); use fewer neighbours or more points`);
  const x = shared ? shareF64(data) : Float64Array.from(data);
  const norm = shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let t = 0; t < d; t++) s += x[i * d + t]! ** 2; norm[i] = s; }
  const indices = shared ? new Int32Array(new SharedArrayBuffer(n * k * 4)) : new Int32Array(n * k);
  const distances = shared ? new Float32Array(new SharedArrayBuffer(n * k * 4)) : new Float32Array(n * k);
  return { x, norm, n, d, k, indices, distances };
}

/** Exact kNN on the calling thread. */
export function knn(data: Float32Array, n: number, d: number, k: number, opts: KnnOptions = {}): KnnResult {
  const a = prepare(data, n, d, k, false);
  const B = 256;
  for (let i0 = 0; i0 < n; i0 += B) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    knnKernel(a, i0, Math.min(n, i0 + B));
    opts.onProgress?.(Math.min(n, i0 + B) / n);
  }
  return { indices: a.indices, distances: a.distances, k, method: 'exact-js' };
}

/** Exact kNN over `threads` threads (default 1); identical results to `knn`. */
export async function knnAsync(data: Float32Array, n: number, d: number, k: number, opts: KnnOptions = {}): Promise<KnnResult> {
  const threads = Math.max(1, Math.min(16, Math.floor(opts.threads ?? 1)));
  const a = prepare(data, n, d, k, threads > 1);
  await runChunked(knnKernel, a, n, 64, threads, opts.signal, opts.onProgress ? (done) => opts.onProgress!(done / n) : undefined);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  return { indices: a.indices, distances: a.distances, k, method: 'exact-js' };
}

export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('The operation was aborted', 'AbortError');
}
