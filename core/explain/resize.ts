// Bringing saliency maps to the pixels they describe: bilinear upsampling from a feature-map grid
// to the model input (half-pixel centres, as cv2.resize / torch interpolate(align_corners=False),
// which pytorch-grad-cam uses), and from the model input back onto the original image through
// the preprocessing geometry (resize, then crop), so overlays align with the original pixels.
import type { ImageGeometry } from '../data/image.ts';

/** Bilinear resize of an h×w map to H×W (half-pixel centres, clamped borders). */
export function resizeBilinear(src: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  if (src.length !== h * w) throw new Error(`resize: the map has ${src.length} values, not ${h}×${w}`);
  const out = new Float32Array(H * W);
  const sy = h / H, sx = w / W;
  for (let Y = 0; Y < H; Y++) {
    const fy = Math.min(h - 1, Math.max(0, (Y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let X = 0; X < W; X++) {
      const fx = Math.min(w - 1, Math.max(0, (X + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      const a = src[y0 * w + x0]!, b = src[y0 * w + x1]!, c = src[y1 * w + x0]!, d = src[y1 * w + x1]!;
      out[Y * W + X] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

/** A map on the original image: its pixels, and how much of the image the model saw. */
export interface OriginalMap {
  data: Float32Array;
  width: number;
  height: number;
  /** Original pixels per map pixel (1 unless the image was larger than `maxPixels`). */
  step: number;
  /** Fraction of the original image inside the model's crop (outside it the map is 0). */
  coverage: number;
}

/**
 * Resample a map at model-input resolution onto the original image: original pixel centre (X, Y)
 * sits at ((X + ½)·scale − ½ − crop.left) in input coordinates (the inverse of resize-then-crop).
 * Pixels cropped away get 0. Very large images are sampled every `step` pixels so the result
 * stays under `maxPixels`.
 */
export function mapToOriginal(map: ArrayLike<number>, g: ImageGeometry, maxPixels = 4096 * 4096): OriginalMap {
  const H = g.crop.height, W = g.crop.width;
  if (map.length !== H * W) throw new Error(`mapToOriginal: the map has ${map.length} values, the model input is ${H}×${W}`);
  const { width: ow, height: oh } = g.original;
  const step = Math.max(1, Math.ceil(Math.sqrt((ow * oh) / maxPixels)));
  const width = Math.ceil(ow / step), height = Math.ceil(oh / step);
  const out = new Float32Array(width * height);
  let inside = 0;
  for (let j = 0; j < height; j++) {
    const Y = j * step + (step - 1) / 2;
    const fy = (Y + 0.5) * g.scale.y - 0.5 - g.crop.top;
    if (fy < -0.5 || fy > H - 0.5) continue;
    const cy = Math.min(H - 1, Math.max(0, fy));
    const y0 = Math.floor(cy), y1 = Math.min(H - 1, y0 + 1), ty = cy - y0;
    for (let i = 0; i < width; i++) {
      const X = i * step + (step - 1) / 2;
      const fx = (X + 0.5) * g.scale.x - 0.5 - g.crop.left;
      if (fx < -0.5 || fx > W - 0.5) continue;
      const cx = Math.min(W - 1, Math.max(0, fx));
      const x0 = Math.floor(cx), x1 = Math.min(W - 1, x0 + 1), tx = cx - x0;
      const a = map[y0 * W + x0]!, b = map[y0 * W + x1]!, c = map[y1 * W + x0]!, d = map[y1 * W + x1]!;
      out[j * width + i] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
      inside++;
    }
  }
  return { data: out, width, height, step, coverage: inside / (width * height) };
}

/** Geometry of an input used as is (no resize, no crop). */
export function identityGeometry(height: number, width: number): ImageGeometry {
  return { original: { width, height }, resized: { width, height }, crop: { left: 0, top: 0, width, height }, scale: { x: 1, y: 1 } };
}

export type NormMode = 'image' | 'dataset';

/**
 * Scale maps for display. 'image': each map to [0, 1] by its own range ([-1, 1] by max |v| for
 * signed maps). 'dataset': one range for all maps, so intensities compare across images.
 */
export function normalizeSaliency(maps: readonly Float32Array[], mode: NormMode, signed = false): Float32Array[] {
  const range = (ms: readonly Float32Array[]) => {
    let lo = Infinity, hi = -Infinity;
    for (const m of ms) for (const v of m) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return signed ? { lo: -Math.max(Math.abs(lo), Math.abs(hi)), hi: Math.max(Math.abs(lo), Math.abs(hi)) } : { lo, hi };
  };
  const all = mode === 'dataset' ? range(maps) : undefined;
  return maps.map((m) => {
    const { lo, hi } = all ?? range([m]);
    const out = new Float32Array(m.length);
    if (hi > lo && Number.isFinite(hi - lo)) for (let i = 0; i < m.length; i++) out[i] = (m[i]! - lo) / (hi - lo);
    return out;
  });
}
