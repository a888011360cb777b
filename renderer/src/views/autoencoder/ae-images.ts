// Float images from the autoencoder API ([0, 1] pixels, planar C×H×W; error maps H×W) to ImageData.
export type Dims = readonly [number, number, number];

/** Image `i` of a batch (planar C×H×W in [0, 1]) as RGBA; gray for one channel. */
export function imageData(data: Float32Array, dims: Dims, i = 0): ImageData {
  const [c, h, w] = dims;
  const plane = h * w, off = i * c * plane;
  const out = new ImageData(w, h), d = out.data;
  for (let p = 0; p < plane; p++) {
    const o = p * 4;
    for (let k = 0; k < 3; k++) d[o + k] = to8(data[off + (c === 3 ? k : 0) * plane + p]!);
    d[o + 3] = 255;
  }
  return out;
}

/** An error map (H×W values ≥ 0) through a packed RGBA LUT, scaled so `max` is the top colour. */
export function errorData(map: Float32Array, h: number, w: number, lut: Uint32Array, max: number, i = 0): ImageData {
  const out = new ImageData(w, h), px = new Uint32Array(out.data.buffer), off = i * h * w, s = max > 0 ? 255 / max : 0;
  for (let p = 0; p < h * w; p++) px[p] = lut[Math.max(0, Math.min(255, Math.round(map[off + p]! * s)))]!;
  return out;
}

/**
 * The input in gray with the error map's colours blended in by error (strong errors opaque, up to
 * `alpha`); errors below `threshold` × max are left out, as in the heatmap view.
 */
export function overlayData(data: Float32Array, dims: Dims, map: Float32Array, lut: Uint32Array, max: number, i = 0, alpha = 0.85, threshold = 0): ImageData {
  const base = imageData(data, dims, i), err = errorData(map, dims[1], dims[2], lut, max, i);
  const b = base.data, e = err.data, off = i * dims[1] * dims[2], s = max > 0 ? 1 / max : 0;
  for (let p = 0; p < dims[1] * dims[2]; p++) {
    const v = Math.min(1, map[off + p]! * s);
    if (v < threshold) continue;
    const a = v * alpha, o = p * 4;
    for (let k = 0; k < 3; k++) b[o + k] = Math.round(b[o + k]! * (1 - a) + e[o + k]! * a);
  }
  return base;
}

/** Largest value of map `i` (H×W), for scaling; at least a tiny positive number. */
export function mapMax(map: Float32Array, plane: number, i = 0): number {
  let m = 0;
  for (let p = i * plane; p < (i + 1) * plane; p++) if (map[p]! > m) m = map[p]!;
  return m > 0 ? m : 1e-12;
}

function to8(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
}
