// t-SNE objective pieces: exact KL divergence and gradient (O(n²), for tests and tiny sets) and the
// Barnes–Hut gradient (O(n log n) repulsion + sparse attraction). Student-t kernel with one degree
// of freedom: w_ij = 1/(1+‖y_i − y_j‖²), q_ij = w_ij / Z, Z = Σ_{k≠l} w_kl.
// Gradient: ∂KL/∂y_i = 4 Σ_j (α·p_ij − q_ij) w_ij (y_i − y_j)  (α = early exaggeration).
import type { SparseP } from './affinity.ts';
import { BhTree } from './bh-tree.ts';
import { TsneForces } from './tsne-forces.ts';
import { attractiveRows } from './attraction.ts';

/** Exact KL(P‖Q) for embedding y (n×dim). */
export function exactKl(p: SparseP, y: Float64Array, dim: number): number {
  const n = p.n;
  let z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += 1 / (1 + dist2(y, i, j, dim));
  return sparseKl(p, y, dim, z);
}

/** KL(P‖Q) over P's nonzeros given the normaliser Z (exact or Barnes–Hut). */
export function sparseKl(p: SparseP, y: Float64Array, dim: number, z: number): number {
  let kl = 0;
  for (let i = 0; i < p.n; i++) for (let a = p.rowPtr[i]!; a < p.rowPtr[i + 1]!; a++) {
    const pij = p.vals[a]!;
    if (pij <= 0) continue;
    const q = 1 / (1 + dist2(y, i, p.cols[a]!, dim)) / z;
    kl += pij * Math.log(Math.max(pij, 1e-300) / Math.max(q, 1e-300));
  }
  return kl;
}

/** Exact gradient (O(n²)); `exaggeration` multiplies P. */
export function exactGradient(p: SparseP, y: Float64Array, dim: number, exaggeration = 1): Float64Array {
  const n = p.n;
  const grad = new Float64Array(n * dim);
  let z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += 1 / (1 + dist2(y, i, j, dim));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (i === j) continue;
    const w = 1 / (1 + dist2(y, i, j, dim));
    const m = -(w / z) * w * 4;
    for (let c = 0; c < dim; c++) grad[i * dim + c] += m * (y[i * dim + c]! - y[j * dim + c]!);
  }
  attractive(p, y, dim, 4 * exaggeration, grad);
  return grad;
}

/** grad += scale · Σ_j p_ij w_ij (y_i − y_j) over P's nonzeros. */
export function attractive(p: SparseP, y: Float64Array, dim: number, scale: number, grad: Float64Array): void {
  const { rowPtr, cols, vals } = p;
  if (dim === 2 || dim === 3) {
    // The optimiser's own kernel (attraction.ts), so the exact gradient checks the code that runs.
    const out = new Float64Array(p.n * dim);
    attractiveRows(rowPtr, cols, vals, y, dim, out, 0, p.n);
    for (let a = 0; a < out.length; a++) grad[a] += scale * out[a]!;
  } else {
    for (let i = 0; i < p.n; i++) for (let a = rowPtr[i]!; a < rowPtr[i + 1]!; a++) {
      const j = cols[a]!;
      const f = vals[a]! / (1 + dist2(y, i, j, dim));
      for (let c = 0; c < dim; c++) grad[i * dim + c] += scale * f * (y[i * dim + c]! - y[j * dim + c]!);
    }
  }
}

/**
 * Barnes–Hut gradient into `grad` (overwritten) through the same force code the optimiser runs
 * (TsneForces, one thread); returns Z.
 */
export function bhGradient(p: SparseP, y: Float64Array, dim: 2 | 3, theta: number, exaggeration: number, grad: Float64Array): number {
  const tree = new BhTree(p.n, dim);
  const forces = new TsneForces(tree, p, y, 1);
  tree.build(y);
  const z = forces.run(theta);
  const rep = forces.rep, att = forces.att;
  for (let a = 0; a < grad.length; a++) grad[a] = 4 * (exaggeration * att[a]! - rep[a]! / z);
  return z;
}

function dist2(y: Float64Array, i: number, j: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) { const d = y[i * dim + c]! - y[j * dim + c]!; s += d * d; }
  return s;
}

