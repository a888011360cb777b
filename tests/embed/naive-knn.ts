// The kNN tests' reference: all pairwise distances, sorted. Slow on purpose (obviously right).
/** Reference: every distance in float64 by direct differences, sorted by (distance, index). */
export function naiveKnn(x: Float32Array, n: number, d: number, k: number): { j: number; dist: number }[][] {
  const out: { j: number; dist: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const row: { j: number; dist: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += (x[i * d + t]! - x[j * d + t]!) ** 2;
      row.push({ j, dist: Math.sqrt(s) });
    }
    row.sort((a, b) => a.dist - b.dist || a.j - b.j);
    out.push(row.slice(0, k));
  }
  return out;
}
