// A stored map (any of [H,W], [1,H,W], [1,1,H,W], or [C,H,W] averaged over C) brought onto a
// displayed image: bilinear sampling with half-pixel centres through the preprocessing geometry
// (resize then crop) when the run recorded it, else stretched over the whole image. Pixels the
// model never saw (cropped away) are NaN, which overlays leave untouched. Values are scaled to [0, 1].
import { planGeometry, type ImageGeometry } from '../data/image.ts';
import type { StoredTensor } from '../store/workspace.ts';

export interface Plane { data: Float32Array; height: number; width: number }

/** The map as one 2-D plane (mean over leading channels). */
export function mapPlane(t: StoredTensor): Plane {
  const dims = t.dims;
  if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`a stored map must have at least 2 positive dims, got [${dims.join(', ')}]`);
  const h = dims[dims.length - 2]!, w = dims[dims.length - 1]!, plane = h * w;
  const c = t.data.length / plane;
  if (!Number.isInteger(c) || c < 1) throw new Error(`a stored map of dims [${dims.join(', ')}] holds ${t.data.length} values`);
  const out = new Float32Array(plane);
  for (let k = 0; k < c; k++) for (let i = 0; i < plane; i++) out[i]! += Number(t.data[k * plane + i]) / c;
  return { data: out, height: h, width: w };
}

/** Geometry recorded with a run (settings.preprocessing {size, resize, resizeShorter}), if any. */
export function geometryFromSettings(settings: unknown, original: { width: number; height: number }): ImageGeometry | null {
  const p = (settings as { preprocessing?: { size?: unknown; resize?: unknown; resizeShorter?: unknown } } | null)?.preprocessing;
  if (!p || !Array.isArray(p.size) || p.size.length !== 2) return null;
  const [H, W] = p.size as unknown[];
  if (!Number.isInteger(H) || !Number.isInteger(W) || (H as number) < 1 || (W as number) < 1) return null;
  const resize = p.resize === 'stretch' || p.resize === 'center-crop' ? p.resize : 'stretch';
  const shorter = Number.isInteger(p.resizeShorter) && (p.resizeShorter as number) > 0 ? p.resizeShorter as number : undefined;
  return planGeometry(original.width, original.height, { size: [H as number, W as number], resize, ...(shorter ? { resizeShorter: shorter } : {}) });
}

/**
 * Sample `map` at each pixel of a display image of dw×dh showing an original of ow×oh.
 * Returns values scaled to [0, 1] (min–max over the map), NaN outside the model's view.
 */
export function mapOnImage(map: Plane, display: { width: number; height: number }, original: { width: number; height: number }, geometry: ImageGeometry | null): Float32Array {
  const { width: dw, height: dh } = display;
  const out = new Float32Array(dw * dh);
  let lo = Infinity, hi = -Infinity;
  for (const v of map.data) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1;
  const { width: w, height: h } = map;
  const inW = geometry?.crop.width ?? w, inH = geometry?.crop.height ?? h;
  for (let y = 0; y < dh; y++) {
    const Y = (y + 0.5) * original.height / dh - 0.5;
    const fy = geometry ? (Y + 0.5) * geometry.scale.y - 0.5 - geometry.crop.top : (y + 0.5) * inH / dh - 0.5;
    for (let x = 0; x < dw; x++) {
      const X = (x + 0.5) * original.width / dw - 0.5;
      const fx = geometry ? (X + 0.5) * geometry.scale.x - 0.5 - geometry.crop.left : (x + 0.5) * inW / dw - 0.5;
      if (fx < -0.5 || fx > inW - 0.5 || fy < -0.5 || fy > inH - 0.5) { out[y * dw + x] = NaN; continue; }
      // input pixel → map pixel (the map may be coarser than the input, e.g. a 7×7 Grad-CAM).
      const my = Math.min(h - 1, Math.max(0, (fy + 0.5) * h / inH - 0.5)), mx = Math.min(w - 1, Math.max(0, (fx + 0.5) * w / inW - 0.5));
      const y0 = Math.floor(my), y1 = Math.min(h - 1, y0 + 1), ty = my - y0;
      const x0 = Math.floor(mx), x1 = Math.min(w - 1, x0 + 1), tx = mx - x0;
      const d = map.data;
      const v = (d[y0 * w + x0]! * (1 - tx) + d[y0 * w + x1]! * tx) * (1 - ty) + (d[y1 * w + x0]! * (1 - tx) + d[y1 * w + x1]! * tx) * ty;
      out[y * dw + x] = Number.isFinite(v) ? (v - lo) / span : NaN;
    }
  }
  return out;
}
