// Exact PCA. d ≤ 2048: covariance (float64) + full symmetric eigendecomposition. n < d: the Gram
// trick (eigen of the n×n centred Gram matrix). Larger d: randomized subspace iteration, which
// stops when the top-k Ritz values change by less than `tolerance` (relative, default 1e-5) between sweeps or after 12 sweeps.
import { symmetricEigen, symmetricEigenTop } from './eigen.ts';
import { seededRng } from './rng.ts';

export interface PcaOptions {
  /** 'auto' picks covariance for d ≤ 2048, gram when n < d, otherwise randomized. */
  method?: 'auto' | 'covariance' | 'gram' | 'randomized';
  /** Randomized: relative change of the top-k eigenvalues that ends the iteration (default 1e-5). */
  tolerance?: number;
  /** Randomized: most power iterations (default 12). */
  maxIterations?: number;
  /** Randomized: extra subspace columns (default 10). */
  oversample?: number;
  seed?: number;
}

export interface PcaResult {
  /** n×k scores (centred data projected on the components). */
  projected: Float32Array;
  /** k×d unit components, row-major, sign fixed so each row's largest-|x| entry is positive. */
  components: Float32Array;
  /** d feature means. */
  mean: Float32Array;
  /** k variances along the components (sample variance, n − 1 denominator, as scikit-learn). */
  explainedVariance: Float64Array;
  /** k fractions of the total variance. */
  explainedVarianceRatio: Float64Array;
  k: number;
  d: number;
  method: 'covariance' | 'gram' | 'randomized';
}

export function checkMatrix(data: Float32Array, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1) throw new Error(`${what}: need at least one point of at least one dimension (got n=${n}, d=${d})`);
  if (data.length !== n * d) throw new Error(`${what}: data holds ${data.length} values but n×d = ${n}×${d} = ${n * d}; pass the row-major n×d matrix`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new Error(`${what}: value ${i} (row ${Math.floor(i / d)}, column ${i % d}) is ${data[i]}; remove or impute non-finite values first`);
  }
}

export function pca(data: Float32Array, n: number, d: number, k: number, opts: PcaOptions = {}): PcaResult {
  checkMatrix(data, n, d, 'pca');
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, d)) throw new Error(`pca: k must be an integer in 1..min(n, d) = ${Math.min(n, d)} (got ${k})`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) { const o = i * d; for (let j = 0; j < d; j++) mean[j] += data[o + j]!; }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const denom = Math.max(n - 1, 1);
  let method = opts.method ?? 'auto';
  if (method === 'auto') method = n < d && n <= 2048 ? 'gram' : d <= 2048 ? 'covariance' : 'randomized';

  let comps: Float64Array, values: Float64Array, total: number;
  if (method === 'covariance') {
    const cov = covariance(data, n, d, mean, denom);
    total = 0;
    for (let j = 0; j < d; j++) total += cov[j * d + j]!;
    const eig = symmetricEigenTop(cov, d, k);
    values = eig.values;
    comps = eig.vectors;
  } else if (method === 'gram') {
    ({ comps, values, total } = gramPca(data, n, d, k, mean, denom));
  } else {
    ({ comps, values, total } = randomizedPca(data, n, d, k, mean, denom, opts));
  }
  for (let c = 0; c < k; c++) values[c] = Math.max(values[c]!, 0);
  fixSigns(comps, k, d);
  const components = Float32Array.from(comps);
  const meanF = Float32Array.from(mean);
  const projected = projectCentered(data, n, d, meanF, comps, k);
  const ratio = new Float64Array(k);
  for (let c = 0; c < k; c++) ratio[c] = total > 0 ? values[c]! / total : 0;
  return { projected, components, mean: meanF, explainedVariance: values, explainedVarianceRatio: ratio, k, d, method };
}

/** Scores of new rows on a fitted PCA: (x − mean)·componentsᵀ. */
export function pcaTransform(model: Pick<PcaResult, 'components' | 'mean' | 'k' | 'd'>, data: Float32Array, n: number): Float32Array {
  if (data.length !== n * model.d) throw new Error(`pcaTransform: data holds ${data.length} values, expected n×d = ${n}×${model.d}`);
  return projectCentered(data, n, model.d, model.mean, model.components, model.k);
}

/** Inverse transform: mean + scores·components (n×d), e.g. to compare with an autoencoder's reconstruction. */
export function reconstruct(model: Pick<PcaResult, 'components' | 'mean' | 'k' | 'd'>, projected: Float32Array, n: number): Float32Array {
  const { k, d, components, mean } = model;
  if (projected.length !== n * k) throw new Error(`reconstruct: scores hold ${projected.length} values, expected n×k = ${n}×${k}`);
  const out = new Float32Array(n * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = mean[j]!;
    for (let c = 0; c < k; c++) {
      const s = projected[i * k + c]!;
      if (s === 0) continue;
      const o = c * d;
      for (let j = 0; j < d; j++) row[j] += s * components[o + j]!;
    }
    out.set(row, i * d);
  }
  return out;
}

/**
 * (x − mean)·compsᵀ computed as x·compsᵀ − mean·compsᵀ, so each row visits only its non-zero
 * entries (MNIST rows are ~80% zeros: several times fewer multiplications than centring first).
 */
function projectCentered(data: Float32Array, n: number, d: number, mean: ArrayLike<number>, comps: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(n * k);
  const offset = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += mean[j]! * comps[c * d + j]!;
    offset[c] = s;
  }
  const idx = new Int32Array(d), val = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let m = 0;
    for (let j = 0; j < d; j++) { const x = data[o + j]!; if (x !== 0) { idx[m] = j; val[m] = x; m++; } }
    for (let c = 0; c < k; c++) {
      const co = c * d;
      let s = 0;
      for (let a = 0; a < m; a++) s += val[a]! * comps[co + idx[a]!]!;
      out[i * k + c] = s - offset[c]!;
    }
  }
  return out;
}

/**
 * Sample covariance. Accumulates Σ x xᵀ on the raw rows skipping zeros (image data such as MNIST is
 * ~80% zeros, so this is several times faster than a dense update), then subtracts n·μμᵀ in float64;
 * the cancellation is harmless unless |mean| ≫ std by ~10⁶.
 */
function covariance(data: Float32Array, n: number, d: number, mean: Float64Array, denom: number): Float64Array {
  const s = new Float64Array(d * d);
  const idx = new Int32Array(d), val = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let m = 0;
    for (let j = 0; j < d; j++) { const x = data[o + j]!; if (x !== 0) { idx[m] = j; val[m] = x; m++; } }
    // Upper triangle only (idx ascending ⇒ idx[b] ≥ idx[a]).
    for (let a = 0; a < m; a++) {
      const xa = val[a]!, ra = idx[a]! * d;
      for (let b = a; b < m; b++) s[ra + idx[b]!] += xa * val[b]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const c = (s[a * d + b]! - n * mean[a]! * mean[b]!) / denom;
      s[a * d + b] = c;
      s[b * d + a] = c;
    }
  }
  return s;
}

function gramPca(data: Float32Array, n: number, d: number, k: number, mean: Float64Array, denom: number) {
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = data[i * d + j]! - mean[j]!;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let l = i; l < n; l++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[i * d + j]! * xc[l * d + j]!;
      g[i * n + l] = s / denom; g[l * n + i] = s / denom;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += g[i * n + i]!;
  const eig = symmetricEigenTop(g, n, k);
  const values = eig.values;
  // Component = Xcᵀu / ‖Xcᵀu‖ (the norm is sqrt(λ·denom) in exact arithmetic).
  const comps = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const co = c * d;
    for (let i = 0; i < n; i++) {
      const u = eig.vectors[c * n + i]!;
      if (u === 0) continue;
      for (let j = 0; j < d; j++) comps[co + j] += u * xc[i * d + j]!;
    }
    let nn = 0;
    for (let j = 0; j < d; j++) nn += comps[co + j]! ** 2;
    nn = Math.sqrt(nn) || 1;
    for (let j = 0; j < d; j++) comps[co + j] /= nn;
  }
  return { comps, values, total };
}

function randomizedPca(data: Float32Array, n: number, d: number, k: number, mean: Float64Array, denom: number, opts: PcaOptions) {
  const p = Math.min(d, n, k + (opts.oversample ?? 10));
  const tol = opts.tolerance ?? 1e-5, maxIt = opts.maxIterations ?? 12;
  const rng = seededRng(opts.seed ?? 0);
  let q: Float64Array = new Float64Array(d * p); // d×p, column c at q[j*p + c]
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  orthonormalize(q, d, p);
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) total += (data[i * d + j]! - mean[j]!) ** 2;
  total /= denom;
  let prev: Float64Array = new Float64Array(k).fill(NaN);
  let values: Float64Array = new Float64Array(k), comps: Float64Array = new Float64Array(k * d);
  for (let it = 0; it < maxIt; it++) {
    const z = covTimes(data, n, d, mean, denom, q, p); // C·Q, d×p
    // Rayleigh–Ritz on span(Q): T = QᵀCQ (p×p).
    const t = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += q[j * p + a]! * z[j * p + b]!;
      t[a * p + b] = s;
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) { const m = (t[a * p + b]! + t[b * p + a]!) / 2; t[a * p + b] = m; t[b * p + a] = m; }
    const eig = symmetricEigen(t, p);
    values = eig.values.slice(0, k);
    comps = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += q[j * p + a]! * eig.vectors[c * p + a]!;
      comps[c * d + j] = s;
    }
    let change = 0;
    for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(values[c]! - prev[c]!) / Math.max(Math.abs(values[c]!), 1e-300));
    if (change < tol) break;
    prev = values;
    q = z;
    orthonormalize(q, d, p);
  }
  return { comps, values, total };
}

/** (Xc ᵀ Xc / denom)·Q without forming the covariance. */
function covTimes(data: Float32Array, n: number, d: number, mean: Float64Array, denom: number, q: Float64Array, p: number): Float64Array {
  const out = new Float64Array(d * p), xq = new Float64Array(p), row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    xq.fill(0);
    for (let j = 0; j < d; j++) { const x = row[j]!; if (x === 0) continue; for (let a = 0; a < p; a++) xq[a] += x * q[j * p + a]!; }
    for (let j = 0; j < d; j++) { const x = row[j]!; if (x === 0) continue; for (let a = 0; a < p; a++) out[j * p + a] += x * xq[a]!; }
  }
  for (let i = 0; i < out.length; i++) out[i] /= denom;
  return out;
}

/** Modified Gram–Schmidt on the p columns of a d×p row-major matrix (twice, for stability). */
function orthonormalize(q: Float64Array, d: number, p: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < p; c++) {
      for (let b = 0; b < c; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += q[j * p + c]! * q[j * p + b]!;
        for (let j = 0; j < d; j++) q[j * p + c] -= s * q[j * p + b]!;
      }
      let nn = 0;
      for (let j = 0; j < d; j++) nn += q[j * p + c]! ** 2;
      nn = Math.sqrt(nn) || 1;
      for (let j = 0; j < d; j++) q[j * p + c] /= nn;
    }
  }
}

function fixSigns(comps: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let j = 0; j < d; j++) if (Math.abs(comps[c * d + j]!) > Math.abs(best)) best = comps[c * d + j]!;
    if (best < 0) for (let j = 0; j < d; j++) comps[c * d + j] = -comps[c * d + j]!;
  }
}
