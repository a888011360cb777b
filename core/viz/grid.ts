// Lays out per-channel planes as a grid of tiles in one RGBA image (for PNG export).
import { applyColormap, type ColormapName } from './colormap.ts';

export interface RgbaImage { data: Uint8ClampedArray; width: number; height: number }

/** Columns for n tiles: close to square, at most maxCols. */
export function gridColumns(n: number, maxCols = 32): number {
  return Math.max(1, Math.min(maxCols, Math.ceil(Math.sqrt(n))));
}

/**
 * `planes` are normalised to [0, 1] (C×H×W); each tile is scaled by an integer `scale` (nearest,
 * so pixels stay visible) and separated by `gap` background pixels.
 */
export function tileGrid(planes: Float32Array, channels: number, h: number, w: number, opts: { colormap: ColormapName; order?: number[]; scale?: number; gap?: number; columns?: number; background?: [number, number, number] }): RgbaImage {
  if (planes.length !== channels * h * w) throw new Error(`tile grid: ${planes.length} values are not ${channels}×${h}×${w}`);
  const order = opts.order ?? Array.from({ length: channels }, (_, i) => i);
  const s = Math.max(1, Math.floor(opts.scale ?? 1)), gap = opts.gap ?? 1;
  const cols = opts.columns ?? gridColumns(order.length), rows = Math.ceil(order.length / cols);
  const width = cols * (w * s + gap) + gap, height = rows * (h * s + gap) + gap;
  if (width * height > 16384 * 16384) throw new Error(`tile grid of ${width}×${height} pixels is too large; lower the scale`);
  const data = new Uint8ClampedArray(width * height * 4);
  const bg = opts.background ?? [32, 32, 32];
  for (let i = 0; i < width * height; i++) { data[i * 4] = bg[0]; data[i * 4 + 1] = bg[1]; data[i * 4 + 2] = bg[2]; data[i * 4 + 3] = 255; }
  const tile = new Uint8ClampedArray(h * w * 4);
  order.forEach((c, k) => {
    applyColormap(planes.subarray(c * h * w, (c + 1) * h * w), opts.colormap, tile);
    const ox = gap + (k % cols) * (w * s + gap), oy = gap + Math.floor(k / cols) * (h * s + gap);
    for (let y = 0; y < h * s; y++) for (let x = 0; x < w * s; x++) {
      const src = (Math.floor(y / s) * w + Math.floor(x / s)) * 4, dst = ((oy + y) * width + ox + x) * 4;
      data[dst] = tile[src]!; data[dst + 1] = tile[src + 1]!; data[dst + 2] = tile[src + 2]!; data[dst + 3] = 255;
    }
  });
  return { data, width, height };
}

/** Alpha-blend a colour-mapped map (same size as the image, values in [0, 1]) over an RGB(A) image. */
export function overlay(base: RgbaImage, map: Float32Array, opts: { colormap: ColormapName; opacity: number; threshold?: number }): RgbaImage {
  if (map.length !== base.width * base.height) throw new Error('overlay: map and image sizes differ; resize the map first');
  const col = applyColormap(map, opts.colormap);
  const out = new Uint8ClampedArray(base.data);
  const a = Math.min(1, Math.max(0, opts.opacity)), th = opts.threshold ?? -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (!(map[i]! >= th) || col[i * 4 + 3] === 0) continue;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = base.data[i * 4 + c]! * (1 - a) + col[i * 4 + c]! * a;
  }
  return { data: out, width: base.width, height: base.height };
}
