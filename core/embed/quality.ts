// Embedding quality: trustworthiness (Venna & Kaski 2001, as sklearn.manifold.trustworthiness) and
// leave-one-out k-NN label accuracy in the embedding.
import { knn, type KnnResult } from './knn.ts';
import { nearestNeighbours } from './knn-select.ts';
import { seededRng } from './rng.ts';

/** Leave-one-out k-NN majority-vote accuracy (a tie goes to the label that reached the top count with nearer neighbours). */
export function knnAccuracy(embedding: Float32Array, n: number, dim: number, labels: ArrayLike<number>, k = 10): number {
  if (labels.length !== n) throw new Error(`knnAccuracy: ${labels.length} labels for ${n} points`);
  return neighbourVoteAccuracy(knn(embedding, n, dim, k), n, labels);
}

/** As knnAccuracy, with the exact kNN knn-select.ts picks (onnxruntime for large n: 70k points in seconds, not minutes). */
export async function knnAccuracyAsync(embedding: Float32Array, n: number, dim: number, labels: ArrayLike<number>, k = 10, opts: { threads?: number; signal?: AbortSignal } = {}): Promise<number> {
  if (labels.length !== n) throw new Error(`knnAccuracy: ${labels.length} labels for ${n} points`);
  return neighbourVoteAccuracy(await nearestNeighbours(embedding, n, dim, k, opts), n, labels);
}

function neighbourVoteAccuracy(nn: KnnResult, n: number, labels: ArrayLike<number>): number {
  const k = nn.k;
  let correct = 0;
  const votes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    votes.clear();
    let best = -1, bestVotes = 0;
    for (let t = 0; t < k; t++) {
      const l = labels[nn.indices[i * k + t]!]!;
      const c = (votes.get(l) ?? 0) + 1;
      votes.set(l, c);
      if (c > bestVotes) { bestVotes = c; best = l; }
    }
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

export interface TrustworthinessOptions {
  /** Neighbourhood size (default 5, as scikit-learn). */
  k?: number;
  /**
   * Points whose neighbourhoods are scored (default: all when n ≤ 5000, else a seeded random 5000).
   * Ranks are always exact over all n points; a sample gives an unbiased estimate of the full value.
   */
  sample?: number;
  seed?: number;
  signal?: AbortSignal;
}

export interface Trustworthiness { value: number; k: number; sampled: number; n: number }

/**
 * T(k) = 1 − 2/(S·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k), with r(i, j) the 1-based rank of j
 * among i's neighbours in the original space and U_k(i) the embedded k-NN of i that are not among its
 * original k-NN (S = n when not sampling, as sklearn.manifold.trustworthiness).
 * Per scored point: exact original distances to all n points (O(n·d)), embedded k-NN by a partial
 * selection (O(n·dimY)), and one pass counting points closer than each of the k embedded neighbours.
 */
export function trustworthiness(x: Float32Array, n: number, d: number, y: Float32Array, dimY: number, opts: TrustworthinessOptions = {}): Trustworthiness {
  const k = opts.k ?? 5;
  if (x.length !== n * d) throw new Error(`trustworthiness: original data holds ${x.length} values, expected ${n}×${d}`);
  if (y.length !== n * dimY) throw new Error(`trustworthiness: embedding holds ${y.length} values, expected ${n}×${dimY}`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new Error(`trustworthiness: k must be an integer with 1 ≤ k < n/2 (got k=${k}, n=${n})`);
  const s = Math.min(n, opts.sample ?? (n <= 5000 ? n : 5000));
  const queries = s === n ? Int32Array.from({ length: n }, (_, i) => i) : sampleIndices(n, s, opts.seed ?? 0);
  const dx = new Float64Array(n), dy = new Float64Array(n);
  const nbr = new Int32Array(k), thr = new Float64Array(k), below = new Int32Array(k);
  let penalty = 0;
  for (let q = 0; q < queries.length; q++) {
    if (opts.signal?.aborted && (q & 63) === 0) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
    const i = queries[q]!;
    sqDistRow(x, n, d, i, dx);
    sqDistRow(y, n, dimY, i, dy);
    dx[i] = Infinity; dy[i] = Infinity;
    smallestK(dy, k, nbr);
    // Rank of j in the original space = 1 + #{l : dx[l] < dx[j]} (+ ties broken by index, as a stable argsort).
    for (let t = 0; t < k; t++) { thr[t] = dx[nbr[t]!]!; below[t] = 0; }
    for (let l = 0; l < n; l++) {
      const v = dx[l]!;
      for (let t = 0; t < k; t++) if (v < thr[t]! || (v === thr[t]! && l < nbr[t]!)) below[t]++;
    }
    for (let t = 0; t < k; t++) { const r = below[t]! + 1; if (r > k) penalty += r - k; }
  }
  const value = 1 - penalty * (2 / (s * k * (2 * n - 3 * k - 1)));
  return { value, k, sampled: s, n };
}

function sqDistRow(x: Float32Array, n: number, d: number, i: number, out: Float64Array): void {
  const o = i * d;
  for (let j = 0; j < n; j++) {
    const p = j * d;
    let s = 0;
    for (let t = 0; t < d; t++) { const e = x[o + t]! - x[p + t]!; s += e * e; }
    out[j] = s;
  }
}

/** Indices of the k smallest values (ties by lower index), in any order. */
function smallestK(v: Float64Array, k: number, out: Int32Array): void {
  // Insertion into a sorted list of k: k is small (default 5).
  const best = new Float64Array(k).fill(Infinity);
  const idx = new Int32Array(k).fill(-1);
  for (let j = 0; j < v.length; j++) {
    const x = v[j]!;
    if (x >= best[k - 1]!) continue;
    let p = k - 1;
    while (p > 0 && best[p - 1]! > x) { best[p] = best[p - 1]!; idx[p] = idx[p - 1]!; p--; }
    best[p] = x; idx[p] = j;
  }
  out.set(idx);
}

function sampleIndices(n: number, s: number, seed: number): Int32Array {
  const rng = seededRng(seed);
  // Partial Fisher–Yates: a uniform sample without replacement.
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < s; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const tmp = a[i]!; a[i] = a[j]!; a[j] = tmp;
  }
  return a.slice(0, s).sort();
}
