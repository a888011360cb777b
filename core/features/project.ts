// Features → 2-D/3-D coordinates by PCA, t-SNE or UMAP (core/embed), with intermediate layouts for a
// live view and the quality figures: trustworthiness (k = 5 neighbourhoods kept) and leave-one-out
// 10-NN label accuracy in the embedding.
import { availableParallelism } from 'node:os';
import { pca, tsne, umap, trustworthiness, knnAccuracy } from '../embed/index.ts';
import { seededRng } from '../embed/rng.ts';

export type EmbedMethod = 'pca' | 'tsne' | 'umap';

export interface ProjectOptions {
  method: EmbedMethod;
  dims?: 2 | 3;
  perplexity?: number;
  /** t-SNE iterations / UMAP epochs. */
  iterations?: number;
  nNeighbors?: number;
  minDist?: number;
  seed?: number;
  /** Reduce to this many PCA dimensions before t-SNE/UMAP when the features are wider (default 50). */
  pcaDims?: number;
  /** Threads for t-SNE repulsion and the kNN of t-SNE/UMAP (default defaultProjectThreads()); results do not depend on it. */
  threads?: number;
  signal?: AbortSignal;
  /** Intermediate layouts every `every` iterations (t-SNE/UMAP). */
  onLayout?: (p: { iteration: number; total: number; coords: Float32Array }) => void | Promise<void>;
  every?: number;
}

export interface Quality { trustworthiness: number; knnAccuracy: number | null; k: number; sampled: number }
export interface Projection { coords: Float32Array; dims: 2 | 3; n: number; method: EmbedMethod; ms: number; quality?: Quality }

/** All cores up to 4: t-SNE's repulsion stops scaling beyond that at the sizes we embed (≤ 70k). */
export function defaultProjectThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export async function project(features: Float32Array, n: number, d: number, opts: ProjectOptions): Promise<Projection> {
  const dims = opts.dims ?? 2;
  const t0 = performance.now();
  if (n < 3) throw new Error(`an embedding needs at least 3 items (got ${n})`);
  let x = features, xd = d;
  // t-SNE/UMAP on wide features: PCA to 50 first (the usual practice; also what keeps kNN cheap).
  const pd = opts.pcaDims ?? 50;
  const threads = opts.threads ?? defaultProjectThreads();
  if (opts.method !== 'pca' && d > pd && n > pd) { x = pca(features, n, d, pd, { seed: opts.seed }).projected; xd = pd; }
  let coords: Float32Array;
  if (opts.method === 'pca') {
    const k = Math.min(dims, d);
    const p = pca(features, n, d, k, { seed: opts.seed }).projected;
    coords = k === dims ? p : padColumns(p, n, k, dims);
  } else if (opts.method === 'tsne') {
    const total = opts.iterations ?? 1000;
    coords = (await tsne(x, n, xd, {
      dim: dims, perplexity: Math.min(opts.perplexity ?? 30, Math.max(1, (n - 1) / 3)), iterations: total, seed: opts.seed, signal: opts.signal, threads,
      progressEvery: opts.every ?? 25,
      onProgress: opts.onLayout ? (p) => opts.onLayout!({ iteration: p.iteration, total, coords: p.embedding }) : undefined,
    })).embedding;
  } else {
    coords = (await umap(x, n, xd, {
      nComponents: dims, nNeighbors: Math.min(opts.nNeighbors ?? 15, n - 1), minDist: opts.minDist, nEpochs: opts.iterations, seed: opts.seed, signal: opts.signal, threads,
      progressEvery: opts.every ?? 25,
      onEpoch: opts.onLayout ? (p) => opts.onLayout!({ iteration: p.epoch, total: p.nEpochs, coords: p.embedding }) : undefined,
    })).embedding;
  }
  return { coords, dims, n, method: opts.method, ms: performance.now() - t0 };
}

function padColumns(p: Float32Array, n: number, k: number, dims: number): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * dims + j] = p[i * k + j]!;
  return out;
}

/** Points scored for the quality figures beyond this many (exact ranks over all n, a seeded sample of queries). */
export const QUALITY_SAMPLE = 1000;

/**
 * Trustworthiness and 10-NN accuracy when labels exist. Up to 5,000 points both are exact; beyond, a
 * seeded sample of QUALITY_SAMPLE points is scored (each still against all n), which keeps a 70k
 * cloud's figures to seconds and is an unbiased estimate of the full value.
 */
export function embeddingQuality(features: Float32Array, n: number, d: number, coords: Float32Array, dims: number, labels: ArrayLike<number> | null, opts: { seed?: number; signal?: AbortSignal } = {}): Quality {
  const sample = n > 5000 ? QUALITY_SAMPLE : n;
  // Trustworthiness costs O(n·d) per scored point (exact ranks), kNN accuracy only O(n·dims): half the sample for it.
  const t = trustworthiness(features, n, d, coords, dims, { k: Math.min(5, Math.floor((n - 1) / 2)), sample: sample === n ? n : sample / 2, seed: opts.seed, signal: opts.signal });
  let acc: number | null = null;
  if (labels && n > 10) acc = sample === n ? knnAccuracy(coords, n, dims, labels, 10) : sampledKnnAccuracy(coords, n, dims, labels, 10, sample, opts.seed ?? 1);
  return { trustworthiness: t.value, knnAccuracy: acc, k: t.k, sampled: t.sampled };
}

/** Leave-one-out k-NN majority vote for `sample` seeded query points, each against all n (ties → the label reaching the top count first, nearest first, as core/embed knnAccuracy). */
export function sampledKnnAccuracy(y: Float32Array, n: number, dims: number, labels: ArrayLike<number>, k: number, sample: number, seed: number): number {
  const rng = seededRng(seed);
  const idx = new Int32Array(k), dist = new Float64Array(k);
  const votes = new Map<number, number>();
  let correct = 0;
  for (let s = 0; s < sample; s++) {
    const q = Math.floor(rng.next() * n);
    let filled = 0;
    for (let i = 0; i < n; i++) {
      if (i === q) continue;
      let d2 = 0;
      for (let j = 0; j < dims; j++) { const t = y[i * dims + j]! - y[q * dims + j]!; d2 += t * t; }
      if (filled === k && d2 >= dist[k - 1]!) continue;
      // Insertion into the sorted k-best list.
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && dist[p - 1]! > d2) { dist[p] = dist[p - 1]!; idx[p] = idx[p - 1]!; p--; }
      dist[p] = d2; idx[p] = i;
    }
    votes.clear();
    let best = -1, bestVotes = 0;
    for (let t = 0; t < filled; t++) {
      const l = labels[idx[t]!]!;
      const c = (votes.get(l) ?? 0) + 1;
      votes.set(l, c);
      if (c > bestVotes) { bestVotes = c; best = l; }
    }
    if (best === labels[q]) correct++;
  }
  return correct / sample;
}
