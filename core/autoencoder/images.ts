// PNG strips for reports: input | reconstruction | error map (colour-mapped), side by side.
import { encodePng } from '../data/png.ts';
import { applyColormap, type ColormapName } from '../viz/colormap.ts';

/** One RGB strip (3 tiles with 1-pixel gaps) from [0, 1] pixels (C×H×W) and an H×W error map. */
export async function stripPng(input: Float32Array, recon: Float32Array, map: Float32Array, dims: readonly number[], o: { mapMax?: number; colormap?: ColormapName } = {}): Promise<Uint8Array> {
  const [c, h, w] = dims as [number, number, number];
  const plane = h * w, gap = 1, W = 3 * w + 2 * gap;
  const out = new Uint8Array(W * h * 3).fill(255);
  let mx = o.mapMax ?? 0;
  if (!o.mapMax) for (const v of map) if (v > mx) mx = v;
  const rgba = applyColormap(Float32Array.from(map, (v) => v / (mx || 1)), o.colormap ?? 'inferno');
  const px = (img: Float32Array, i: number, ch: number) => Math.round(Math.min(1, Math.max(0, img[(c === 3 ? ch : 0) * plane + i]!)) * 255);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    for (let ch = 0; ch < 3; ch++) {
      out[(y * W + x) * 3 + ch] = px(input, i, ch);
      out[(y * W + x + w + gap) * 3 + ch] = px(recon, i, ch);
      out[(y * W + x + 2 * (w + gap)) * 3 + ch] = rgba[i * 4 + ch]!;
    }
  }
  return encodePng({ width: W, height: h, channels: 3, data: out });
}
