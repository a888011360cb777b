// Picks the exact kNN implementation by size: the blocked JS brute force (knn.ts) below
// ONNX_KNN_MIN_POINTS points, onnxruntime's MatMul + TopK with a float64 re-rank (knn-onnx.ts) from
// there on. Both are exact (up to ties). Measured on MNIST PCA-50, k = 91: 10k points 5.4 s (JS, 2
// threads) vs 0.9 s (ORT); 70k points ≈ 687 s vs ≈ 16–20 s. Small inputs stay on the JS path so
// their results (and the embeddings built on them) are unchanged bit for bit.
import { knnAsync, abortError, type KnnMethod, type KnnOptions, type KnnResult } from './knn.ts';
import { knnOnnx } from './knn-onnx.ts';

export const ONNX_KNN_MIN_POINTS = 5000;

export interface KnnSelectOptions extends KnnOptions {
  /** 'auto' (default): 'exact-onnx' from ONNX_KNN_MIN_POINTS points, else 'exact-js'. */
  method?: 'auto' | KnnMethod;
}

export function chooseKnnMethod(n: number, method: 'auto' | KnnMethod = 'auto'): KnnMethod {
  if (method !== 'auto') return method;
  return n >= ONNX_KNN_MIN_POINTS ? 'exact-onnx' : 'exact-js';
}

/** Exact kNN with the implementation `chooseKnnMethod` picks; the result's `method` says which ran. */
export async function nearestNeighbours(data: Float32Array, n: number, d: number, k: number, opts: KnnSelectOptions = {}): Promise<KnnResult & { method: KnnMethod }> {
  const method = chooseKnnMethod(n, opts.method);
  if (method === 'exact-onnx') {
    try {
      const r = await knnOnnx(data, n, d, k, opts);
      return { indices: r.indices, distances: r.distances, k: r.k, method };
    } catch (e) {
      // Bad input and aborts are the caller's business; anything else (onnxruntime unusable
      // here) falls back to the JS path when the caller left the choice to us.
      if (opts.signal?.aborted) throw abortError(opts.signal);
      if (opts.method === 'exact-onnx' || (e instanceof Error && /^knn:/.test(e.message))) throw e;
    }
  }
  const r = await knnAsync(data, n, d, k, opts);
  return { ...r, method: 'exact-js' };
}
