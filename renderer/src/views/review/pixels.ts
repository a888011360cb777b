// Pixel work of the case panel, kept free of the DOM so it can be tested: radiograph windowing of
// the host's 8-bit display pixels, and a stored heatmap sampled onto the displayed image.
import type { ImageGeometry } from '../../../../core/data/image.ts';

export interface Window { centre: number; width: number }

/** Display presets on the 0–255 display scale (the host already applied DICOM VOI when present). */
export const WINDOW_PRESETS: readonly ({ name: string } & Window)[] = [
  { name: 'Full', centre: 127.5, width: 255 },
  { name: 'Contrast', centre: 127.5, width: 128 },
  { name: 'Dark detail', centre: 70, width: 120 },
  { name: 'Bright detail', centre: 185, width: 120 },
];

export const MIN_WINDOW_WIDTH = 1;
export const MAX_WINDOW_WIDTH = 510;

export function clampWindow(w: Window): Window {
  return {
    centre: Math.min(255, Math.max(0, w.centre)),
    width: Math.min(MAX_WINDOW_WIDTH, Math.max(MIN_WINDOW_WIDTH, w.width)),
  };
}

/** RGBA of a 1- or 3-channel 8-bit image after a linear window (values below/above clip). */
export function windowPixels(src: Uint8Array, channels: 1 | 3, win: Window, out: Uint8ClampedArray): Uint8ClampedArray {
  const lo = win.centre - win.width / 2;
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(((v - lo) / win.width) * 255);
  const n = out.length / 4;
  for (let i = 0; i < n; i++) {
    if (channels === 1) {
      const g = lut[src[i]!]!;
      out[i * 4] = g; out[i * 4 + 1] = g; out[i * 4 + 2] = g;
    } else {
      out[i * 4] = lut[src[i * 3]!]!; out[i * 4 + 1] = lut[src[i * 3 + 1]!]!; out[i * 4 + 2] = lut[src[i * 3 + 2]!]!;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

export interface MapPlane { width: number; height: number; data: Float32Array; min: number; max: number; geometry: ImageGeometry | null }

/**
 * The map's value at each pixel of a dw×dh display of an original ow×oh image, scaled to [0, 1]
 * by the map's min/max; NaN where the model never looked (cropped away). Without geometry the
 * map is stretched over the whole image. Bilinear with half-pixel centres.
 */
export function mapOnDisplay(map: MapPlane, display: { width: number; height: number }, original: { width: number; height: number }): Float32Array {
  const { width: dw, height: dh } = display;
  const { width: w, height: h, data, geometry: g } = map;
  const out = new Float32Array(dw * dh);
  const span = map.max > map.min ? map.max - map.min : 1;
  const inW = g?.crop.width ?? w, inH = g?.crop.height ?? h;
  for (let y = 0; y < dh; y++) {
    const Y = ((y + 0.5) * original.height) / dh - 0.5;
    const fy = g ? (Y + 0.5) * g.scale.y - 0.5 - g.crop.top : ((y + 0.5) * inH) / dh - 0.5;
    for (let x = 0; x < dw; x++) {
      const X = ((x + 0.5) * original.width) / dw - 0.5;
      const fx = g ? (X + 0.5) * g.scale.x - 0.5 - g.crop.left : ((x + 0.5) * inW) / dw - 0.5;
      if (fx < -0.5 || fx > inW - 0.5 || fy < -0.5 || fy > inH - 0.5) { out[y * dw + x] = NaN; continue; }
      const my = Math.min(h - 1, Math.max(0, ((fy + 0.5) * h) / inH - 0.5));
      const mx = Math.min(w - 1, Math.max(0, ((fx + 0.5) * w) / inW - 0.5));
      const y0 = Math.floor(my), y1 = Math.min(h - 1, y0 + 1), ty = my - y0;
      const x0 = Math.floor(mx), x1 = Math.min(w - 1, x0 + 1), tx = mx - x0;
      const v = (data[y0 * w + x0]! * (1 - tx) + data[y0 * w + x1]! * tx) * (1 - ty) + (data[y1 * w + x0]! * (1 - tx) + data[y1 * w + x1]! * tx) * ty;
      out[y * dw + x] = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - map.min) / span)) : NaN;
    }
  }
  return out;
}

/** RGBA overlay: colour from a 256×3 LUT, alpha rising with the value (low values stay see-through). */
export function overlayPixels(values: Float32Array, lut: Uint8Array, out: Uint8ClampedArray): Uint8ClampedArray {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) { out[i * 4 + 3] = 0; continue; }
    const k = Math.round(v * 255) * 3;
    out[i * 4] = lut[k]!; out[i * 4 + 1] = lut[k + 1]!; out[i * 4 + 2] = lut[k + 2]!;
    out[i * 4 + 3] = Math.round(Math.min(1, v * 1.4) * 255);
  }
  return out;
}
