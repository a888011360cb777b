// Dataset examples (as in OpenAI Microscope): which images of a set excite one channel most.
// Images run in batches (progress, cancellable between batches); each image scores the channel's
// maximum over its feature map, and the arg-max unit's receptive field gives the input patch.
import { CancelledError } from '../runtime/index.ts';
import type { Preprocessing } from '../data/types.ts';
import type { FloatTensor } from '../tensor.ts';
import type { ActivationSession } from './session.ts';
import { channelLayout } from './session.ts';
import { grayToInput, type Preview } from './input.ts';
import type { SampleDataset } from './samples.ts';
import { unitWindow, type UnitWindow } from './window.ts';

export interface DatasetExample {
  /** Index of the image in the dataset. */
  index: number;
  label: number;
  /** The channel's maximum activation on this image. */
  value: number;
  /** Where the maximum is, in feature-map units (first in row-major order on ties). */
  unit: [number, number];
  /** The unit's receptive-field window on the model input. */
  window: UnitWindow;
  /** The model input cropped to that window (as the model sees it, 8-bit). */
  patch: Preview;
}

export interface DatasetExamplesOptions {
  layer: string;
  channel: number;
  /** Images 0 … count−1 of the dataset are scored. */
  count: number;
  /** How many top images to return. */
  n: number;
  preprocessing: Preprocessing;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface DatasetExamplesResult { tensor: string; channel: number; evaluated: number; examples: DatasetExample[] }

export async function datasetExamples(session: ActivationSession, ds: SampleDataset, opts: DatasetExamplesOptions): Promise<DatasetExamplesResult> {
  const resolved = session.resolve(opts.layer);
  const count = Math.min(opts.count, ds.count);
  if (!(count >= 1)) throw new RangeError(`count must be at least 1 (the dataset has ${ds.count} images)`);
  const n = Math.max(1, Math.min(opts.n, count));
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 64, session.maxBatch));
  const info = session.layerInfo(resolved.tensor);
  const rf = info?.receptiveField ?? null;
  const prep = opts.preprocessing;
  const [H, W] = prep.size;
  const scores: { index: number; value: number; pos: number }[] = [];
  let spatial: [number, number] = [1, 1];
  let checkedChannel = false;
  for (let start = 0; start < count; start += batchSize) {
    if (opts.signal?.aborted) throw new CancelledError(`cancelled after ${start} of ${count} images`);
    const m = Math.min(batchSize, count - start);
    let batch: FloatTensor | undefined;
    for (let j = 0; j < m; j++) {
      const { tensor } = await grayToInput(ds.pixels(start + j), ds.width, ds.height, prep);
      batch ??= { dtype: 'float32', dims: [m, ...tensor.dims.slice(1)], data: new Float32Array(m * tensor.data.length), layout: 'NCHW' };
      batch.data.set(tensor.data, j * tensor.data.length);
    }
    const out = (await session.runBatch(batch!, [resolved.tensor], { signal: opts.signal }))[resolved.tensor]!;
    const { channels, plane } = channelLayout(out.dims);
    if (!checkedChannel) {
      if (!Number.isInteger(opts.channel) || opts.channel < 0 || opts.channel >= channels) {
        throw new RangeError(`channel ${opts.channel} does not exist in "${resolved.tensor}" (it has ${channels} channels: 0–${channels - 1})`);
      }
      spatial = out.dims.length === 4 ? [out.dims[2]!, out.dims[3]!] : [1, plane];
      checkedChannel = true;
    }
    const perImage = channels * plane;
    for (let j = 0; j < m; j++) {
      const base = j * perImage + opts.channel * plane;
      let best = -Infinity, pos = 0;
      for (let p = 0; p < plane; p++) { const v = out.data[base + p]!; if (v > best) { best = v; pos = p; } }
      scores.push({ index: start + j, value: best, pos });
    }
    opts.onProgress?.(start + m, count);
  }
  // Highest first; ties keep dataset order so results are reproducible.
  scores.sort((a, b) => b.value - a.value || a.index - b.index);
  const examples: DatasetExample[] = [];
  for (const s of scores.slice(0, n)) {
    const uy = Math.floor(s.pos / spatial[1]), ux = s.pos % spatial[1];
    const win = rf && spatial[0] * spatial[1] > 1 ? unitWindow(rf, uy, ux, H, W) : unitWindow({ size: [H, W], jump: [1, 1], start: [(H - 1) / 2, (W - 1) / 2] }, 0, 0, H, W);
    const { tensor } = await grayToInput(ds.pixels(s.index), ds.width, ds.height, prep);
    examples.push({ index: s.index, label: ds.label(s.index), value: s.value, unit: [uy, ux], window: win, patch: cropPreview(tensor, prep, win) });
  }
  return { tensor: resolved.tensor, channel: opts.channel, evaluated: count, examples };
}

/** The normalised input tensor → [0, 1] pixels of the window, interleaved 8-bit. */
export function cropPreview(t: FloatTensor, prep: Pick<Preprocessing, 'mean' | 'std'>, win: Pick<UnitWindow, 'top' | 'left' | 'height' | 'width'>): Preview {
  const [C, H, W] = t.dims.slice(-3) as [number, number, number];
  const out = new Uint8Array(win.height * win.width * C);
  for (let y = 0; y < win.height; y++) for (let x = 0; x < win.width; x++) for (let c = 0; c < C; c++) {
    const m = prep.mean[c] ?? prep.mean[0] ?? 0, s = prep.std[c] ?? prep.std[0] ?? 1;
    const v = t.data[c * H * W + (win.top + y) * W + win.left + x]! * s + m;
    out[(y * win.width + x) * C + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return { width: win.width, height: win.height, channels: C === 1 ? 1 : 3, data: out };
}
