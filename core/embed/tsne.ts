// Barnes–Hut t-SNE (van der Maaten 2014) with scikit-learn's optimisation schedule: early
// exaggeration 12 for 250 iterations at momentum 0.5, then momentum 0.8; per-parameter gains
// (+0.2 / ×0.8, floor 0.01); learning rate 'auto' = max(N / exaggeration / 4, 50); PCA init scaled
// to std 1e-4. Input affinities from exact kNN (k = min(n−1, ⌊3·perplexity + 1⌋)): blocked JS brute
// force below ONNX_KNN_MIN_POINTS (5000) points, onnxruntime MatMul + TopK above (knn-select.ts).
import { abortError, type KnnMethod, type KnnResult } from './knn.ts';
import { nearestNeighbours } from './knn-select.ts';
import { conditionalP, symmetrize, type SparseP } from './affinity.ts';
import { BhTree } from './bh-tree.ts';
import { sparseKl } from './tsne-gradient.ts';
import { pca, checkMatrix } from './pca.ts';
import { seededRng } from './rng.ts';
import { TsneForces } from './tsne-forces.ts';

export interface TsneProgress {
  iteration: number;
  /** Current embedding (n×dim, a fresh copy the caller may keep). */
  embedding: Float32Array;
  /** KL divergence (Barnes–Hut estimate), computed at progress points. */
  kl: number;
  phase: 'exaggeration' | 'main';
}

export interface TsneOptions {
  /** Output dimension (default 2). */
  dim?: 2 | 3;
  perplexity?: number;
  /** Barnes–Hut accuracy (0 = exact O(n²) forces; default 0.5). */
  theta?: number;
  /** Total iterations including early exaggeration (default 1000). */
  iterations?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  learningRate?: number | 'auto';
  initialMomentum?: number;
  finalMomentum?: number;
  /** 'pca' (default), 'random', or an n×dim starting embedding. */
  init?: 'pca' | 'random' | Float32Array;
  seed?: number;
  /** Reduce the input to this many PCA dimensions first when d is larger (default: no reduction). */
  pcaDims?: number;
  /** Precomputed neighbours (must have k ≥ the perplexity's neighbour count). */
  knn?: KnnResult;
  /** Exact kNN implementation (default 'auto': by n, see knn-select.ts). */
  knnMethod?: 'auto' | KnnMethod;
  /** Worker threads for the repulsive forces (default 1 = main thread only). */
  threads?: number;
  /** Progress every `progressEvery` iterations (default 10). */
  progressEvery?: number;
  onProgress?: (p: TsneProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface TsneResult {
  embedding: Float32Array;
  dim: 2 | 3;
  n: number;
  kl: number;
  iterations: number;
  /** Milliseconds spent per stage. */
  timings: { pca: number; knn: number; affinities: number; optimize: number };
  /** Which kNN produced the affinities ('precomputed' when opts.knn was given). */
  knnMethod: KnnMethod | 'precomputed';
}

/** Number of neighbours scikit-learn uses for a perplexity. */
export function neighboursFor(perplexity: number, n: number): number {
  return Math.min(n - 1, Math.floor(3 * perplexity + 1));
}

/** Sparse symmetric P from (precomputed or exact) neighbours. */
export async function tsneAffinities(data: Float32Array, n: number, d: number, perplexity: number, nn?: KnnResult, opts: { signal?: AbortSignal; threads?: number; knnMethod?: 'auto' | KnnMethod } = {}): Promise<SparseP> {
  const k = neighboursFor(perplexity, n);
  let use = nn ?? await nearestNeighbours(data, n, d, k, { signal: opts.signal, threads: opts.threads, method: opts.knnMethod });
  if (use.k < k) throw new Error(`tsne: precomputed kNN has k=${use.k} but perplexity ${perplexity} needs ${k}; recompute with more neighbours or lower the perplexity`);
  if (use.k > k) use = truncateKnn(use, n, k);
  return symmetrize(use, conditionalP(use, n, perplexity), n);
}

function truncateKnn(nn: KnnResult, n: number, k: number): KnnResult {
  const indices = new Int32Array(n * k), distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    indices.set(nn.indices.subarray(i * nn.k, i * nn.k + k), i * k);
    distances.set(nn.distances.subarray(i * nn.k, i * nn.k + k), i * k);
  }
  return { indices, distances, k };
}

export async function tsne(data: Float32Array, n: number, d: number, opts: TsneOptions = {}): Promise<TsneResult> {
  checkMatrix(data, n, d, 'tsne');
  const dim = opts.dim ?? 2;
  if (dim !== 2 && dim !== 3) throw new Error(`tsne: dim must be 2 or 3 (got ${String(dim)})`);
  const perplexity = opts.perplexity ?? 30;
  if (!(perplexity > 0)) throw new Error(`tsne: perplexity must be positive (got ${perplexity})`);
  if (n < 4) throw new Error(`tsne: need at least 4 points (got ${n})`);
  if (perplexity >= n) throw new Error(`tsne: perplexity ${perplexity} must be less than the number of points (${n}); use a perplexity around 5–50 below n`);
  const theta = opts.theta ?? 0.5;
  if (!(theta >= 0)) throw new Error(`tsne: theta must be ≥ 0 (got ${theta})`);
  const iterations = opts.iterations ?? 1000;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const exIters = Math.min(opts.exaggerationIterations ?? 250, iterations);
  const lr = opts.learningRate === undefined || opts.learningRate === 'auto' ? Math.max(n / exaggeration / 4, 50) : opts.learningRate;
  if (!(lr > 0)) throw new Error(`tsne: learningRate must be positive or 'auto' (got ${lr})`);
  const m0 = opts.initialMomentum ?? 0.5, m1 = opts.finalMomentum ?? 0.8;
  const every = Math.max(1, opts.progressEvery ?? 10);
  const signal = opts.signal;
  const timings = { pca: 0, knn: 0, affinities: 0, optimize: 0 };

  let t0 = performance.now();
  let x = data, xd = d;
  if (opts.pcaDims !== undefined && d > opts.pcaDims) {
    x = pca(data, n, d, Math.min(opts.pcaDims, n), { seed: opts.seed }).projected;
    xd = Math.min(opts.pcaDims, n);
  }
  timings.pca = performance.now() - t0;
  if (signal?.aborted) throw abortError(signal);

  t0 = performance.now();
  const threads = Math.max(1, Math.min(16, Math.floor(opts.threads ?? 1)));
  const k = neighboursFor(perplexity, n);
  const nn = opts.knn ?? await nearestNeighbours(x, n, xd, k, { signal, threads, method: opts.knnMethod });
  const knnMethod = opts.knn ? 'precomputed' : nn.method ?? 'exact-js';
  timings.knn = performance.now() - t0;
  t0 = performance.now();
  const p = await tsneAffinities(x, n, xd, perplexity, nn, { signal });
  timings.affinities = performance.now() - t0;

  const shared = threads > 1;
  const y0 = initialEmbedding(x, n, xd, dim, opts.init ?? 'pca', opts.seed ?? 0);
  const y = shared ? new Float64Array(new SharedArrayBuffer(y0.length * 8)) : y0;
  if (shared) y.set(y0);
  t0 = performance.now();
  const update = new Float64Array(n * dim), gains = new Float64Array(n * dim).fill(1);
  const tree = new BhTree(n, dim, shared);
  const forces = new TsneForces(tree, p, y, threads);
  const rep = forces.rep, att = forces.att;
  let kl = NaN, z = 1;
  try {
    await forces.start();
    for (let it = 0; it < iterations; it++) {
      if (signal?.aborted) throw abortError(signal);
      const alpha = it < exIters ? exaggeration : 1;
      const momentum = it < exIters ? m0 : m1;
      tree.build(y);
      z = forces.run(theta);
      if (!Number.isFinite(z) || z <= 0) throw new Error(`tsne: the embedding diverged at iteration ${it + 1} (non-finite coordinates); lower learningRate or check the input for extreme values`);
      // ∂KL/∂y = 4·(α·attraction − repulsion / Z); gains and momentum as scikit-learn's _gradient_descent.
      const invZ = 1 / z;
      for (let a = 0; a < y.length; a++) {
        const g = 4 * (alpha * att[a]! - rep[a]! * invZ), u = update[a]!;
        let gain = gains[a]!;
        gain = u * g < 0 ? gain + 0.2 : gain * 0.8;
        if (gain < 0.01) gain = 0.01;
        gains[a] = gain;
        const nu = momentum * u - lr * gain * g;
        update[a] = nu;
        y[a] = y[a]! + nu;
      }
      const last = it === iterations - 1;
      if ((it + 1) % every === 0 || last) {
        if (opts.onProgress) {
          kl = sparseKl(p, y, dim, z);
          await opts.onProgress({ iteration: it + 1, embedding: Float32Array.from(y), kl, phase: it < exIters ? 'exaggeration' : 'main' });
        }
        // Let timers and messages run so an AbortSignal can fire mid-run.
        if (signal) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    forces.close();
  }
  if (Number.isNaN(kl)) kl = sparseKl(p, y, dim, z);
  timings.optimize = performance.now() - t0;
  return { embedding: Float32Array.from(y), dim, n, kl, iterations, timings, knnMethod };
}

function initialEmbedding(x: Float32Array, n: number, d: number, dim: number, init: 'pca' | 'random' | Float32Array, seed: number): Float64Array {
  if (init instanceof Float32Array) {
    if (init.length !== n * dim) throw new Error(`tsne: init embedding holds ${init.length} values, expected n×dim = ${n}×${dim}`);
    return Float64Array.from(init);
  }
  const y = new Float64Array(n * dim);
  if (init === 'pca' && d >= dim) {
    const proj = pca(x, n, d, dim, { seed }).projected;
    // Scale so the first coordinate has std 1e-4 (scikit-learn's init='pca').
    let m = 0;
    for (let i = 0; i < n; i++) m += proj[i * dim]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (proj[i * dim]! - m) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    for (let a = 0; a < y.length; a++) y[a] = proj[a]! / sd * 1e-4;
    return y;
  }
  const rng = seededRng(seed);
  for (let a = 0; a < y.length; a++) y[a] = rng.normal() * 1e-4;
  return y;
}
