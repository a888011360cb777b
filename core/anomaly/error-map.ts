// Per-pixel reconstruction error maps and per-image anomaly scores for autoencoders.
// Images are single planes (H×W, or the channel mean for colour), values in the model's range.

export type ErrorKind = 'l1' | 'l2' | 'ssim';
export type ScoreKind = 'mean' | 'max-smoothed' | 'ssim';

export interface Plane { data: Float32Array; height: number; width: number }

function checkPair(a: Plane, b: Plane): void {
  if (a.height !== b.height || a.width !== b.width) throw new Error(`error map: input is ${a.height}×${a.width} but reconstruction is ${b.height}×${b.width}`);
  if (a.data.length !== a.height * a.width || b.data.length !== b.height * b.width) throw new Error('error map: plane data does not match its size');
}

/** Separable Gaussian blur with reflected borders (used for SSIM statistics and smoothed maxima). */
export function gaussianBlur(p: Plane, sigma: number, radius = Math.max(1, Math.ceil(3 * sigma))): Plane {
  const k = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let i = -radius; i <= radius; i++) s += (k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma)));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  const { height: h, width: w } = p;
  const refl = (i: number, n: number) => (n === 1 ? 0 : i < 0 ? Math.min(-i - 1, n - 1) : i >= n ? Math.max(2 * n - i - 1, 0) : i);
  const tmp = new Float64Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * p.data[y * w + refl(x + j, w)]!;
    tmp[y * w + x] = acc;
  }
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * tmp[refl(y + j, h) * w + x]!;
    out[y * w + x] = acc;
  }
  return { data: out, height: h, width: w };
}

/**
 * SSIM map (Wang et al. 2004): Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03, L = dataRange.
 * Returns the per-pixel SSIM; 1 means locally identical.
 */
export function ssimMap(a: Plane, b: Plane, dataRange = 1): Plane {
  checkPair(a, b);
  const n = a.data.length;
  const c1 = (0.01 * dataRange) ** 2, c2 = (0.03 * dataRange) ** 2;
  const mul = (x: Float32Array, y: Float32Array) => { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = x[i]! * y[i]!; return o; };
  const blur = (d: Float32Array) => gaussianBlur({ data: d, height: a.height, width: a.width }, 1.5, 5).data;
  const mx = blur(a.data), my = blur(b.data);
  const sxx = blur(mul(a.data, a.data)), syy = blur(mul(b.data, b.data)), sxy = blur(mul(a.data, b.data));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const vx = sxx[i]! - mx[i]! * mx[i]!, vy = syy[i]! - my[i]! * my[i]!, cxy = sxy[i]! - mx[i]! * my[i]!;
    out[i] = ((2 * mx[i]! * my[i]! + c1) * (2 * cxy + c2)) / ((mx[i]! ** 2 + my[i]! ** 2 + c1) * (vx + vy + c2));
  }
  return { data: out, height: a.height, width: a.width };
}

/** Per-pixel error: |x − x̂|, (x − x̂)², or 1 − SSIM (so that higher is always worse). */
export function errorMap(input: Plane, recon: Plane, kind: ErrorKind, dataRange = 1): Plane {
  checkPair(input, recon);
  if (kind === 'ssim') {
    const s = ssimMap(input, recon, dataRange);
    for (let i = 0; i < s.data.length; i++) s.data[i] = 1 - s.data[i]!;
    return s;
  }
  const out = new Float32Array(input.data.length);
  for (let i = 0; i < out.length; i++) {
    const d = input.data[i]! - recon.data[i]!;
    out[i] = kind === 'l1' ? Math.abs(d) : d * d;
  }
  return { data: out, height: input.height, width: input.width };
}

/**
 * One anomaly score per image: mean of the error map; max of the error map after a Gaussian
 * blur (σ = smoothSigma px, so one hot pixel does not dominate); or 1 − mean SSIM.
 */
export function anomalyScore(input: Plane, recon: Plane, score: ScoreKind, opts: { error?: ErrorKind; smoothSigma?: number; dataRange?: number } = {}): number {
  if (score === 'ssim') {
    const s = ssimMap(input, recon, opts.dataRange ?? 1).data;
    let m = 0; for (const v of s) m += v;
    return 1 - m / s.length;
  }
  return scoreOfErrorMap(errorMap(input, recon, opts.error ?? 'l2', opts.dataRange ?? 1), score, opts.smoothSigma);
}

/** The score of an error map already computed: its mean, or its max after a Gaussian blur of σ = smoothSigma px. */
export function scoreOfErrorMap(e: Plane, score: 'mean' | 'max-smoothed', smoothSigma = 2): number {
  if (score === 'mean') { let m = 0; for (const v of e.data) m += v; return m / e.data.length; }
  const sm = gaussianBlur(e, smoothSigma).data;
  let mx = -Infinity; for (const v of sm) mx = Math.max(mx, v);
  return mx;
}
