// Saliency maps for display: the normalisation range (per image or shared over a data set),
// colour-mapped RGBA with a threshold, and windowed radiograph pixels.
import { windowValue, type Window } from '../../../core/dicom/voi.ts';

export interface Range { lo: number; hi: number }

/** min/max of one map; signed maps get a symmetric range so 0 stays in the middle. */
export function mapRange(v: ArrayLike<number>, signed: boolean): Range {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < v.length; i++) { const x = v[i]!; if (x < lo) lo = x; if (x > hi) hi = x; }
  if (!Number.isFinite(lo)) return { lo: 0, hi: 1 };
  if (signed) { const m = Math.max(Math.abs(lo), Math.abs(hi)); return { lo: -m, hi: m }; }
  return { lo, hi };
}

export function unionRange(a: Range | undefined, b: Range): Range {
  return a ? { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) } : { ...b };
}

/** Value → [0, 1] in the range (0 for a flat map). */
export function normalizeValue(x: number, r: Range): number {
  const d = r.hi - r.lo;
  return d > 0 && Number.isFinite(d) ? Math.min(1, Math.max(0, (x - r.lo) / d)) : 0;
}

export function normalizeMap(v: ArrayLike<number>, r: Range): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = normalizeValue(v[i]!, r);
  return out;
}

/**
 * Colour-mapped RGBA of a normalised map. Pixels under the threshold are transparent: for signed
 * maps the threshold applies to |value| (distance from the middle), so weak evidence either way hides.
 */
export function heatmapImage(norm: Float32Array, width: number, height: number, lut: Uint8Array, threshold: number, signed: boolean): ImageData {
  const img = new ImageData(width, height);
  const d = img.data;
  for (let i = 0; i < width * height; i++) {
    const t = norm[i]!;
    const strength = signed ? Math.abs(2 * t - 1) : t;
    if (strength < threshold || (!signed && t <= 0)) continue;
    const k = Math.round(t * 255) * 3, o = i * 4;
    d[o] = lut[k]!; d[o + 1] = lut[k + 1]!; d[o + 2] = lut[k + 2]!; d[o + 3] = 255;
  }
  return img;
}

/** Window modality values to 8-bit gray (or RGB) RGBA, as core/dicom/voi.ts displays them. */
export function windowedImage(values: Float32Array, width: number, height: number, channels: 1 | 3, w: Window, invert: boolean): ImageData {
  const img = new ImageData(width, height);
  const d = img.data;
  const n = width * height;
  if (channels === 1) {
    // A 4096-entry table over the window keeps dragging smooth on large radiographs.
    const lo = w.center - 2 * w.width, hi = w.center + 2 * w.width, N = 4096, table = new Uint8Array(N + 1);
    for (let k = 0; k <= N; k++) { const v = windowValue(lo + ((hi - lo) * k) / N, w); table[k] = Math.round(255 * (invert ? 1 - v : v)); }
    const lowV = Math.round(255 * (invert ? 1 - windowValue(lo - 1, w) : windowValue(lo - 1, w)));
    const highV = Math.round(255 * (invert ? 1 - windowValue(hi + 1, w) : windowValue(hi + 1, w)));
    const scale = N / (hi - lo);
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      const g = x <= lo ? lowV : x >= hi ? highV : table[Math.round((x - lo) * scale)]!;
      const o = i * 4;
      d[o] = d[o + 1] = d[o + 2] = g; d[o + 3] = 255;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      for (let c = 0; c < 3; c++) { const v = windowValue(values[i * 3 + c]!, w); d[o + c] = Math.round(255 * (invert ? 1 - v : v)); }
      d[o + 3] = 255;
    }
  }
  return img;
}

/** A round scale-bar length (mm) near a quarter of the image width. */
export function scaleBarMm(imageWidthMm: number): number {
  const target = imageWidthMm / 4;
  const p = 10 ** Math.floor(Math.log10(target));
  for (const m of [5, 2, 1]) if (m * p <= target) return m * p;
  return p;
}
