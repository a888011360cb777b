// t-SNE attractive term over the sparse P rows (kept apart: it is shipped to worker threads as text).
/**
 * out[i] = Σ_j p_ij w_ij (y_i − y_j) for rows [i0, i1) (unscaled attraction). Self-contained (no
 * outer references) because it is also shipped to worker threads as source text.
 */
export function attractiveRows(rowPtr: Int32Array, cols: Int32Array, vals: Float64Array, y: Float64Array, dim: number, out: Float64Array, i0: number, i1: number): void {
  if (dim === 3) {
    for (let i = i0; i < i1; i++) {
      const x0 = y[i * 3]!, x1 = y[i * 3 + 1]!, x2 = y[i * 3 + 2]!;
      let f0 = 0, f1 = 0, f2 = 0;
      for (let a = rowPtr[i]!, e = rowPtr[i + 1]!; a < e; a++) {
        const j = cols[a]! * 3;
        const d0 = x0 - y[j]!, d1 = x1 - y[j + 1]!, d2 = x2 - y[j + 2]!;
        const f = vals[a]! / (1 + d0 * d0 + d1 * d1 + d2 * d2);
        f0 += f * d0; f1 += f * d1; f2 += f * d2;
      }
      out[i * 3] = f0; out[i * 3 + 1] = f1; out[i * 3 + 2] = f2;
    }
  } else {
    for (let i = i0; i < i1; i++) {
      const x0 = y[i * 2]!, x1 = y[i * 2 + 1]!;
      let f0 = 0, f1 = 0;
      for (let a = rowPtr[i]!, e = rowPtr[i + 1]!; a < e; a++) {
        const j = cols[a]! * 2;
        const d0 = x0 - y[j]!, d1 = x1 - y[j + 1]!;
        const f = vals[a]! / (1 + d0 * d0 + d1 * d1);
        f0 += f * d0; f1 += f * d1;
      }
      out[i * 2] = f0; out[i * 2 + 1] = f1;
    }
  }
}
