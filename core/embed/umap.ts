// UMAP via umap-js, fed with our exact kNN (umap-js's own RP-forest + NN-descent is slow and
// approximate for large n; ours is JS brute force below 5000 points, onnxruntime above, see
// knn-select.ts). umap-js counts the point itself as its first neighbour (as Python UMAP does), so
// nNeighbors − 1 true neighbours are passed after the self entry.
import { UMAP } from 'umap-js';
import { abortError, type KnnMethod, type KnnResult } from './knn.ts';
import { nearestNeighbours } from './knn-select.ts';
import { checkMatrix } from './pca.ts';
import { seededRng } from './rng.ts';

export interface UmapOptions {
  nNeighbors?: number;
  minDist?: number;
  spread?: number;
  nComponents?: number;
  /** Default: umap-js's choice (500 for n ≤ 2500 … 200 for n > 10,000). */
  nEpochs?: number;
  seed?: number;
  /** Precomputed neighbours (Euclidean, self excluded), k ≥ nNeighbors − 1. */
  knn?: KnnResult;
  /**
   * 'exact' (default): our exact kNN, implementation chosen by n ('exact-js' / 'exact-onnx' force one);
   * 'umap-js': its own approximate NN-descent.
   */
  knnMethod?: 'exact' | KnnMethod | 'umap-js';
  /** Threads for the exact kNN (default 1); umap-js's optimisation itself is single-threaded. */
  threads?: number;
  /** Called every `progressEvery` epochs (default 10) with the current embedding. */
  onEpoch?: (p: { epoch: number; nEpochs: number; embedding: Float32Array }) => void | Promise<void>;
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface UmapResult {
  embedding: Float32Array;
  nComponents: number;
  n: number;
  epochs: number;
  timings: { knn: number; init: number; optimize: number };
  /** Which kNN ran ('precomputed' when opts.knn was given). */
  knnMethod: KnnMethod | 'precomputed' | 'umap-js';
}

export async function umap(data: Float32Array, n: number, d: number, opts: UmapOptions = {}): Promise<UmapResult> {
  checkMatrix(data, n, d, 'umap');
  const nNeighbors = opts.nNeighbors ?? 15;
  const nComponents = opts.nComponents ?? 2;
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new Error(`umap: nNeighbors must be an integer ≥ 2 (got ${nNeighbors})`);
  if (n <= nNeighbors) throw new Error(`umap: need more points (${n}) than nNeighbors (${nNeighbors}); lower nNeighbors`);
  if (!Number.isInteger(nComponents) || nComponents < 1) throw new Error(`umap: nComponents must be a positive integer (got ${nComponents})`);
  const rng = seededRng(opts.seed ?? 0);
  const u = new UMAP({
    nNeighbors, nComponents, minDist: opts.minDist ?? 0.1, spread: opts.spread ?? 1,
    nEpochs: opts.nEpochs, random: rng.next,
  });
  const timings = { knn: 0, init: 0, optimize: 0 };
  const rows: number[][] = new Array<number[]>(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * d, (i + 1) * d));

  let t0 = performance.now();
  const requested = opts.knnMethod ?? 'exact';
  let knnMethod: UmapResult['knnMethod'] = 'umap-js';
  if (requested !== 'umap-js' || opts.knn) {
    const m = nNeighbors - 1;
    const method = requested === 'exact' || requested === 'umap-js' ? 'auto' : requested;
    const nn = opts.knn ?? await nearestNeighbours(data, n, d, m, { signal: opts.signal, threads: opts.threads, method });
    knnMethod = opts.knn ? 'precomputed' : nn.method ?? 'exact-js';
    if (nn.k < m) throw new Error(`umap: precomputed kNN has k=${nn.k}, need ≥ nNeighbors − 1 = ${m}`);
    const idx: number[][] = new Array<number[]>(n), dist: number[][] = new Array<number[]>(n);
    for (let i = 0; i < n; i++) {
      const ri = [i], rd = [0];
      for (let t = 0; t < m; t++) { ri.push(nn.indices[i * nn.k + t]!); rd.push(nn.distances[i * nn.k + t]!); }
      idx[i] = ri; dist[i] = rd;
    }
    u.setPrecomputedKNN(idx, dist);
  }
  timings.knn = performance.now() - t0;
  if (opts.signal?.aborted) throw abortError(opts.signal);

  t0 = performance.now();
  const nEpochs = u.initializeFit(rows);
  timings.init = performance.now() - t0;
  t0 = performance.now();
  const every = Math.max(1, opts.progressEvery ?? 10);
  for (let e = 0; e < nEpochs; e++) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    u.step();
    if (opts.onEpoch && ((e + 1) % every === 0 || e === nEpochs - 1)) {
      await opts.onEpoch({ epoch: e + 1, nEpochs, embedding: flatten(u.getEmbedding(), nComponents) });
    }
  }
  timings.optimize = performance.now() - t0;
  return { embedding: flatten(u.getEmbedding(), nComponents), nComponents, n, epochs: nEpochs, timings, knnMethod };
}

function flatten(rows: number[][], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) for (let c = 0; c < dim; c++) out[i * dim + c] = rows[i]![c]!;
  return out;
}
