// t-SNE input similarities: conditional Gaussians over each point's k nearest neighbours with the
// bandwidth found by binary search so each row's perplexity matches, then symmetrised
// P = (P_cond + P_condᵀ) / Σ — stored as CSR, memory O(n·k).
import type { KnnResult } from './knn.ts';

export interface SparseP {
  n: number;
  /** CSR row pointers (n + 1). */
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Conditional probabilities p_{j|i} ∝ exp(−β_i‖x_i − x_j‖²) over the kNN lists, β_i by bisection on the
 * entropy (natural log) until |H − log(perplexity)| < 1e-5 or 100 steps (as scikit-learn).
 */
export function conditionalP(nn: KnnResult, n: number, perplexity: number): Float64Array {
  const k = nn.k;
  const target = Math.log(perplexity);
  const out = new Float64Array(n * k);
  const d2 = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let t = 0; t < k; t++) { const v = nn.distances[o + t]!; d2[t] = v * v; }
    let beta = 1, lo = -Infinity, hi = Infinity;
    for (let step = 0; step < 100; step++) {
      let sum = 0, sumDP = 0;
      for (let t = 0; t < k; t++) { const p = Math.exp(-d2[t]! * beta); out[o + t] = p; sum += p; sumDP += d2[t]! * p; }
      if (sum === 0) sum = 1e-8;
      const h = Math.log(sum) + beta * sumDP / sum;
      const diff = h - target;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; }
      else { hi = beta; beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2; }
    }
    let sum = 0;
    for (let t = 0; t < k; t++) sum += out[o + t]!;
    if (sum === 0) { for (let t = 0; t < k; t++) out[o + t] = 1 / k; }
    else for (let t = 0; t < k; t++) out[o + t] = out[o + t]! / sum;
  }
  return out;
}

/** P = (C + Cᵀ) / sum, where C is the n×k conditional matrix over the kNN lists. */
export function symmetrize(nn: KnnResult, cond: Float64Array, n: number): SparseP {
  const k = nn.k, idx = nn.indices;
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) { deg[i + 1]++; deg[idx[i * k + t]! + 1]++; }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i]!;
  const m = deg[n]!;
  const c = new Int32Array(m), v = new Float64Array(m), fill = deg.slice(0, n);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
    const j = idx[i * k + t]!, p = cond[i * k + t]!;
    let a = fill[i]!++; c[a] = j; v[a] = p;
    a = fill[j]!++; c[a] = i; v[a] = p;
  }
  // Sort each row by column and merge duplicates (pairs that are neighbours both ways).
  const rowPtr = new Int32Array(n + 1);
  let w = 0, total = 0;
  const perm: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = deg[i]!, e = deg[i + 1]!;
    perm.length = 0;
    for (let a = s; a < e; a++) perm.push(a);
    perm.sort((a, b) => c[a]! - c[b]!);
    const rc: number[] = [], rv: number[] = [];
    for (const a of perm) {
      if (rc.length && rc[rc.length - 1] === c[a]) rv[rv.length - 1] += v[a]!;
      else { rc.push(c[a]!); rv.push(v[a]!); }
    }
    rowPtr[i] = w;
    for (let t = 0; t < rc.length; t++) { c[w] = rc[t]!; v[w] = rv[t]!; total += rv[t]!; w++; }
  }
  rowPtr[n] = w;
  const cols = c.slice(0, w), vals = v.slice(0, w);
  const inv = 1 / Math.max(total, Number.EPSILON);
  for (let a = 0; a < w; a++) vals[a] *= inv;
  return { n, rowPtr, cols, vals };
}
