// Kernels as images. Weights are scaled symmetrically around 0 by the layer's largest |w|, so 0 is
// mid-gray (or the middle of a diverging map) and signs are comparable across filters.
import { tileGrid, gridColumns, type RgbaImage } from '../viz/grid.ts';
import type { ColormapName } from '../viz/colormap.ts';
import type { ConvWeights } from './weights.ts';

export type FilterView = 'rgb' | 'gray' | 'slices';

/** RGB tiles for 3-input-channel kernels (a first layer), gray for 1, per-in-channel slices otherwise. */
export function filterView(w: Pick<ConvWeights, 'dims'>): FilterView {
  const inC = w.dims[1]!;
  return inC === 3 ? 'rgb' : inC === 1 ? 'gray' : 'slices';
}

/** w / (2·max|w|) + 0.5: values in [0, 1] with 0 at 0.5. */
export function symmetricUnit(data: Float32Array): Float32Array {
  let m = 0;
  for (const v of data) if (Math.abs(v) > m) m = Math.abs(v);
  const out = new Float32Array(data.length);
  const k = m > 0 ? 0.5 / m : 0;
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * k + 0.5;
  return out;
}

export interface KernelGridOptions { scale?: number; gap?: number; colormap?: ColormapName; view?: FilterView }

/**
 * One image of all kernels: 'rgb' → one colour tile per filter; 'gray' → one tile per filter through
 * the colour map; 'slices' → one row per output channel, one kH×kW tile per input channel.
 */
export function kernelGrid(w: Pick<ConvWeights, 'dims' | 'data'>, opts: KernelGridOptions = {}): { image: RgbaImage; view: FilterView; columns: number; rows: number } {
  const [O, I, kh, kw] = w.dims as [number, number, number, number];
  const view = opts.view ?? filterView(w);
  const unit = symmetricUnit(w.data);
  const scale = Math.max(1, Math.floor(opts.scale ?? Math.max(1, Math.round(16 / Math.max(kh, kw))))), gap = opts.gap ?? 1;
  if (view === 'slices') {
    const image = tileGrid(unit, O * I, kh, kw, { colormap: opts.colormap ?? 'rdbu', scale, gap, columns: I });
    return { image, view, columns: I, rows: O };
  }
  if (view === 'gray') {
    if (I !== 1) throw new Error(`gray view needs 1 input channel, the kernels have ${I}`);
    const columns = gridColumns(O);
    const image = tileGrid(unit, O, kh, kw, { colormap: opts.colormap ?? 'gray', scale, gap, columns });
    return { image, view, columns, rows: Math.ceil(O / columns) };
  }
  if (I !== 3) throw new Error(`RGB view needs 3 input channels, the kernels have ${I}`);
  const columns = gridColumns(O), rows = Math.ceil(O / columns);
  const tw = kw * scale, th = kh * scale;
  const width = columns * (tw + gap) + gap, height = rows * (th + gap) + gap;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) { data[i * 4] = 32; data[i * 4 + 1] = 32; data[i * 4 + 2] = 32; data[i * 4 + 3] = 255; }
  const plane = kh * kw;
  for (let f = 0; f < O; f++) {
    const ox = gap + (f % columns) * (tw + gap), oy = gap + Math.floor(f / columns) * (th + gap);
    for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
      const src = Math.floor(y / scale) * kw + Math.floor(x / scale), dst = ((oy + y) * width + ox + x) * 4;
      for (let c = 0; c < 3; c++) data[dst + c] = Math.round(unit[(f * 3 + c) * plane + src]! * 255);
      data[dst + 3] = 255;
    }
  }
  return { image: { data, width, height }, view, columns, rows };
}
