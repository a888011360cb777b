// Symmetric eigendecomposition: Householder tridiagonalisation + implicit QL (the EISPACK
// tred2/tql2 scheme). The working matrix is stored column-major so every O(n³) inner loop
// walks contiguous memory — for n = 784 that is what keeps PCA under a second or two.

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as rows (row i ↔ values[i]), n×n row-major. */
  vectors: Float64Array;
}

/** Eigen-decomposes the symmetric n×n matrix `a` (row-major; only symmetry is assumed, `a` is not modified). */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: matrix has ${a.length} entries, expected ${n}×${n}`);
  // v[c*n + r] holds V(r, c); a is symmetric so its row-major copy is also its column-major copy.
  const v = Float64Array.from(a);
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v };
  tred2(v, d, e, n);
  tql2(v, d, e, n);
  // Sort descending; eigenvector i is column i of V = row i of the column-major store.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]!);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = order[i]!;
    values[i] = d[src]!;
    vectors.set(v.subarray(src * n, src * n + n), i * n);
  }
  return { values, vectors };
}

/**
 * The k largest eigenpairs only (descending). PCA wants ~50 of 784: the QL sweep that rotates all n
 * eigenvectors costs ~5n³ flops, so this runs QL on the eigenvalues alone (O(n²)), finds the k
 * tridiagonal eigenvectors by inverse iteration (O(nk), clusters re-orthogonalised as LAPACK's
 * dstein does) and maps them back through the Householder transform (O(n²k)).
 */
export function symmetricEigenTop(a: Float64Array, n: number, k: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigenTop: matrix has ${a.length} entries, expected ${n}×${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`symmetricEigenTop: k must be in 1..${n} (got ${k})`);
  // Few pairs of a small matrix: the full solver is as cheap and has no inverse-iteration corner cases.
  if (n <= 64 || k > n / 3) {
    const full = symmetricEigen(a, n);
    return { values: full.values.slice(0, k), vectors: full.vectors.slice(0, k * n) };
  }
  const v = Float64Array.from(a);
  const h = new Float64Array(n), e = new Float64Array(n);
  reduce(v, h, e, n);
  e[0] = 0;
  // Tridiagonal T: diagonal td, off-diagonal te[i] couples i and i+1.
  const td = new Float64Array(n);
  for (let i = 0; i < n; i++) td[i] = v[i * n + i]!;
  const te = new Float64Array(n);
  for (let i = 1; i < n; i++) te[i - 1] = e[i]!;
  const lam = Float64Array.from(td);
  const el = Float64Array.from(e);
  tql2(null, lam, el, n);
  const values = lam.sort().reverse().slice(0, k);
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(td[i]!) + Math.abs(te[i]!) + (i > 0 ? Math.abs(te[i - 1]!) : 0));
  const eps = 2 ** -52;
  const clusterTol = 1e-3 * norm;
  const z = new Float64Array(k * n); // tridiagonal eigenvectors, row c
  const x = new Float64Array(n);
  const lu = new TridiagonalLu(n);
  let seed = 12345;
  let clusterStart = 0;
  let prevShift = Infinity;
  for (let c = 0; c < k; c++) {
    let shift = values[c]!;
    if (c > 0 && prevShift - shift >= clusterTol) clusterStart = c;
    // Equal eigenvalues would give identical solves: nudge the shift apart (dstein's PERTOL).
    if (c > clusterStart && prevShift - shift < 10 * eps * Math.max(norm, 1)) shift = prevShift - 10 * eps * Math.max(norm, 1);
    prevShift = shift;
    lu.factor(td, te, shift, eps * norm || eps);
    for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; x[i] = seed / 2 ** 32 - 0.5; }
    for (let it = 0; it < 5; it++) {
      lu.solve(x);
      for (let o = clusterStart; o < c; o++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += x[i]! * z[o * n + i]!;
        for (let i = 0; i < n; i++) x[i] = x[i]! - dot * z[o * n + i]!;
      }
      let nn = 0;
      for (let i = 0; i < n; i++) nn += x[i]! * x[i]!;
      nn = Math.sqrt(nn);
      if (nn === 0 || !Number.isFinite(nn)) throw new Error('symmetricEigenTop: inverse iteration failed (matrix has NaN or Inf entries?)');
      for (let i = 0; i < n; i++) x[i] = x[i]! / nn;
    }
    z.set(x, c * n);
  }
  // Back-transform: eigenvector = Q·z with Q = P_{n−1}···P_1, P_j = I − u_j u_jᵀ / h_j acting on
  // rows 0..j−1 (u_j = column j of V above the diagonal): apply P_1 first.
  for (let c = 0; c < k; c++) {
    const o = c * n;
    for (let j = 1; j < n; j++) {
      const hj = h[j]!;
      if (hj === 0) continue;
      const cj = j * n;
      let g = 0;
      for (let r = 0; r < j; r++) g += v[cj + r]! * z[o + r]!;
      g /= hj;
      for (let r = 0; r < j; r++) z[o + r] = z[o + r]! - g * v[cj + r]!;
    }
  }
  return { values, vectors: z };
}

/** LU with partial pivoting of (T − λI) for tridiagonal T (LAPACK dlagtf's scheme): U has three diagonals. */
class TridiagonalLu {
  private readonly u0: Float64Array; private readonly u1: Float64Array; private readonly u2: Float64Array;
  private readonly mult: Float64Array; private readonly swap: Uint8Array;
  constructor(private readonly n: number) {
    this.u0 = new Float64Array(n); this.u1 = new Float64Array(n); this.u2 = new Float64Array(n);
    this.mult = new Float64Array(n); this.swap = new Uint8Array(n);
  }
  factor(d: Float64Array, off: Float64Array, lambda: number, tiny: number): void {
    const n = this.n;
    let a = d[0]! - lambda, b = n > 1 ? off[0]! : 0, c = 0;
    for (let i = 0; i < n - 1; i++) {
      const p = off[i]!, q = d[i + 1]! - lambda, r = i + 2 < n ? off[i + 1]! : 0;
      if (Math.abs(a) >= Math.abs(p)) {
        const m = a === 0 ? 0 : p / a;
        this.u0[i] = a; this.u1[i] = b; this.u2[i] = c; this.mult[i] = m; this.swap[i] = 0;
        a = q - m * b; b = r - m * c; c = 0;
      } else {
        const m = a / p;
        this.u0[i] = p; this.u1[i] = q; this.u2[i] = r; this.mult[i] = m; this.swap[i] = 1;
        a = b - m * q; b = c - m * r; c = 0;
      }
      // A zero pivot (λ exactly an eigenvalue) would divide by zero; a tiny one gives the huge growth inverse iteration wants.
      if (this.u0[i] === 0) this.u0[i] = tiny;
    }
    this.u0[n - 1] = a === 0 ? tiny : a;
  }
  solve(y: Float64Array): void {
    const n = this.n;
    for (let i = 0; i < n - 1; i++) {
      if (this.swap[i]) { const t = y[i]!; y[i] = y[i + 1]!; y[i + 1] = t; }
      y[i + 1] = y[i + 1]! - this.mult[i]! * y[i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      if (i + 1 < n) s -= this.u1[i]! * y[i + 1]!;
      if (i + 2 < n) s -= this.u2[i]! * y[i + 2]!;
      y[i] = s / this.u0[i]!;
    }
  }
}

function tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  reduce(v, d, e, n);
  accumulate(v, d, e, n);
}

/**
 * Householder reduction to tridiagonal form (tred2's first half). After it, column i of V (rows < i)
 * holds reflector u_i, d[i] its h_i, V(i, i) the diagonal of T and e[i] its sub-diagonal (e[0] unused).
 */
function reduce(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // V(r,c) = v[c*n + r]
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) { d[k] = d[k]! / scale; h += d[k]! * d[k]!; }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        const cj = j * n;
        g = e[j]! + v[cj + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = v[cj + k]!;
          g += vkj * d[k]!;
          e[k] = e[k]! + vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] = e[j]! / h; f += e[j]! * d[j]!; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!; g = e[j]!;
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) v[cj + k] = v[cj + k]! - (f * e[k]! + g * d[k]!);
        d[j] = v[cj + i - 1]!;
        v[cj + i] = 0;
      }
    }
    d[i] = h;
  }
}

/** tred2's second half: turns the stored reflectors into the full orthogonal V (and d into T's diagonal). */
function accumulate(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    const ci1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[ci1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[ci1 + k]! * v[cj + k]!;
        for (let k = 0; k <= i; k++) v[cj + k] = v[cj + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) { d[j] = v[j * n + n - 1]!; v[j * n + n - 1] = 0; }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e): eigenvalues into d; with v, also rotates its columns into eigenvectors. */
function tql2(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) { if (Math.abs(e[m]!) <= eps * tst1) break; m++; }
    if (m === n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: QL iteration did not converge (matrix has NaN or Inf entries?)');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1]!;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          // Rotate columns i and i+1 of V (contiguous in the column-major store).
          if (!v) continue;
          const ci = i * n, ci1 = ci + n;
          for (let k = 0; k < n; k++) {
            const hk = v[ci1 + k]!, vk = v[ci + k]!;
            v[ci1 + k] = s * vk + c * hk;
            v[ci + k] = c * vk - s * hk;
          }
        }
        p = -s * s2 * c3 * el1 * e[l]! / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
