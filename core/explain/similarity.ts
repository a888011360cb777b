// How alike two saliency maps are — for the sanity check of Adebayo et al. 2018 (cascading
// randomisation), which compares maps by Spearman rank correlation and SSIM.
import { ssimMap } from '../anomaly/error-map.ts';

/** Ranks 1..n with ties given their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]!] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`correlation needs maps of equal size (${a.length} vs ${b.length})`);
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const da = a[i]! - ma, db = b[i]! - mb; sab += da * db; saa += da * da; sbb += db * db; }
  if (saa === 0 || sbb === 0) return saa === sbb ? 1 : 0; // a constant map: correlation undefined; equal constants count as identical
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ = Pearson correlation of the ranks. `absolute` compares |map| as Adebayo et al. also report. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>, absolute = false): number {
  const f = (x: ArrayLike<number>) => (absolute ? Float64Array.from(x as ArrayLike<number>, Math.abs) : x);
  return pearson(ranks(f(a)), ranks(f(b)));
}

/** Scale a map to [0, 1] (a constant map becomes all zeros). */
export function normalize01(m: ArrayLike<number>): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m.length; i++) { lo = Math.min(lo, m[i]!); hi = Math.max(hi, m[i]!); }
  const out = new Float32Array(m.length);
  if (hi > lo) for (let i = 0; i < m.length; i++) out[i] = (m[i]! - lo) / (hi - lo);
  return out;
}

/** Mean SSIM of two H×W maps after each is scaled to [0, 1]. */
export function mapSsim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  if (a.length !== height * width || b.length !== height * width) throw new Error(`SSIM needs two ${height}×${width} maps`);
  const s = ssimMap({ data: normalize01(a), height, width }, { data: normalize01(b), height, width }, 1).data;
  let m = 0;
  for (const v of s) m += v;
  return m / s.length;
}
