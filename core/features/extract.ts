// Feature extraction for embeddings: one layer's output (default: the penultimate representation)
// for every item of an image set, run in batches on the runtime worker with progress and cancel;
// optional global average pooling; the model's predicted class per item. `pixels` mode skips the
// model and uses the [0, 1] pixels. Results go through the FeatureCache.
import { createHash } from 'node:crypto';
import type { ModelProto } from '../onnx/proto.ts';
import { exposeOutputs } from '../onnx/expose.ts';
import { saveModelBytes } from '../onnx/save.ts';
import { resolveLayer } from '../activations/layers.ts';
import { grayToInput } from '../activations/input.ts';
import { loadImage } from '../data/image.ts';
import { preprocessingOf } from '../data/preprocessing.ts';
import type { Preprocessing } from '../data/types.ts';
import type { Runtime, Feeds } from '../runtime/index.ts';
import { CancelledError } from '../runtime/index.ts';
import { floatTensor, type FloatTensor } from '../tensor.ts';
import { globalAveragePool } from './pool.ts';
import { outputScalars } from './output-scalars.ts';
import { defaultFeatureLayer } from './layer.ts';
import { featureKey, type CachedFeatures, type FeatureCache } from './cache.ts';
import type { ImageSet } from './image-set.ts';

export interface ExtractOptions {
  /** Layer (tensor or node name); default: the input of the last Gemm/MatMul. */
  layer?: string;
  /** Average spatial maps to one value per channel. */
  pool?: boolean;
  batchSize?: number;
  /** Preprocessing to use instead of the model's recorded one. */
  preprocessing?: Preprocessing;
  /** The model file's path, for its preprocessing sidecar. */
  modelPath?: string;
  cache?: FeatureCache;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface Features extends CachedFeatures {
  labels: Int32Array | null;
  /** 1 where prediction = label, 0 where not; null without labels or predictions. */
  correct: Uint8Array | null;
  /** The layer as resolved (pixels mode: "pixels"). */
  layer: string;
  cached: boolean;
  ms: number;
}

export const DEFAULT_BATCH = 64;

function finish(set: ImageSet, v: CachedFeatures, layer: string, cached: boolean, t0: number): Features {
  const labels = set.labels;
  let correct: Uint8Array | null = null;
  if (labels && v.predictions.some((p) => p >= 0)) {
    correct = new Uint8Array(v.n);
    for (let i = 0; i < v.n; i++) correct[i] = v.predictions[i] === labels[i] ? 1 : 0;
  }
  return { ...v, labels, correct, layer, cached, ms: performance.now() - t0 };
}

async function itemTensor(set: ImageSet, i: number, prep: Preprocessing): Promise<FloatTensor> {
  if (set.kind === 'gray') return (await grayToInput(set.pixels(i), set.width, set.height, prep)).tensor;
  return (await loadImage(set.paths[i]!, prep, { name: set.paths[i] })).tensor;
}

const argmax = (a: Float32Array, off: number, k: number): number => {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[off + j]! > a[off + best]!) best = j;
  return best;
};

/** Features of a model layer for every item of `set`. */
export async function extractFeatures(model: ModelProto, runtime: Runtime, set: ImageSet, opts: ExtractOptions = {}): Promise<Features> {
  const t0 = performance.now();
  const tensor = opts.layer ? resolveLayer(model, opts.layer).tensor : defaultFeatureLayer(model);
  const prep = opts.preprocessing ?? preprocessingOf(model, { modelPath: opts.modelPath }).preprocessing;
  const bytes = saveModelBytes(model);
  const modelSha = createHash('sha256').update(bytes).digest('hex');
  const key = featureKey({ modelSha256: modelSha, layer: `${tensor}|${JSON.stringify(prep)}`, pool: !!opts.pool, dataset: set.fingerprint });
  const hit = opts.cache?.get(key);
  // Entries from before output scalars existed lack them: recompute once rather than colour by nothing.
  if (hit && hit.n === set.count && hit.scalars) { opts.onProgress?.(set.count, set.count); return finish(set, hit, tensor, true, t0); }

  const classOut = model.graph!.output[0]?.name;
  const outputs = [...new Set([tensor, ...(classOut ? [classOut] : [])])];
  const exposed = exposeOutputs(model, [tensor]);
  const rm = await runtime.load(saveModelBytes(exposed), { name: 'features' });
  try {
    const input = rm.inputs[0]!;
    const fixedBatch = typeof input.dims[0] === 'number' && input.dims[0] > 0 ? input.dims[0] : undefined;
    const bs = fixedBatch ?? Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
    if (fixedBatch !== undefined && fixedBatch !== 1) throw new Error(`the model's input has a fixed batch of ${fixedBatch}; feature extraction needs a batch of 1 or a free batch axis`);
    const batches = Math.ceil(set.count / bs);
    let features: Float32Array | undefined, itemDims: number[] = [], d = 0;
    const predictions = new Int32Array(set.count).fill(-1);
    const scalars: Record<string, Float32Array> = {};
    for (let b = 0; b < batches; b++) {
      if (opts.signal?.aborted) throw new CancelledError(`feature extraction was cancelled after ${b * bs} of ${set.count} items`);
      const i0 = b * bs, i1 = Math.min(set.count, i0 + bs);
      const items = await Promise.all(Array.from({ length: i1 - i0 }, (_, j) => itemTensor(set, i0 + j, prep)));
      const per = items[0]!.data.length;
      const x = new Float32Array(per * items.length);
      items.forEach((t, j) => x.set(t.data, j * per));
      const feeds: Feeds = { [input.name]: floatTensor(x, [items.length, ...items[0]!.dims.slice(1)]) };
      const out = await rm.run(feeds, { outputs, signal: opts.signal });
      const f = out[tensor]!;
      const fd = f.data as Float32Array;
      let rows = fd, rowDims = [...f.dims];
      if (opts.pool && f.dims.length > 2) ({ data: rows, dims: rowDims } = globalAveragePool(fd, f.dims));
      if (!features) {
        itemDims = f.dims.slice(1);
        d = rowDims.slice(1).reduce((a, c) => a * c, 1);
        features = new Float32Array(set.count * d);
      }
      if (rows.length !== items.length * d) throw new Error(`layer "${tensor}" changed size between batches (${rows.length / items.length} vs ${d} values per item)`);
      features.set(rows, i0 * d);
      const logits = classOut && classOut !== tensor ? out[classOut] : classOut === tensor ? f : undefined;
      if (logits && logits.dims.length === 2 && logits.dims[1]! > 1) {
        const k = logits.dims[1]!, ld = logits.data as Float32Array;
        for (let j = 0; j < items.length; j++) predictions[i0 + j] = argmax(ld, j * k, k);
      }
      if (logits && logits.dtype === 'float32') {
        const s = outputScalars(x, feeds[input.name]!.dims, logits.data as Float32Array, logits.dims);
        // A name seen in one batch must be in every batch (same model, same shapes); zero-filled otherwise.
        for (const [name, v] of Object.entries(s)) (scalars[name] ??= new Float32Array(set.count)).set(v, i0);
      }
      opts.onProgress?.(i1, set.count);
    }
    const v: CachedFeatures = { features: features ?? new Float32Array(0), n: set.count, d, predictions, itemDims, tensor, scalars };
    opts.cache?.set(key, v);
    return finish(set, v, tensor, false, t0);
  } finally {
    await rm.dispose();
  }
}

/** Raw [0, 1] pixels as features (gray sets as they are; files resized to `size`, gray). */
export async function pixelFeatures(set: ImageSet, opts: { size?: [number, number]; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Features> {
  const t0 = performance.now();
  const prep: Preprocessing = { size: opts.size ?? (set.kind === 'gray' ? [set.height, set.width] : [28, 28]), channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' };
  const d = prep.size[0] * prep.size[1];
  const features = new Float32Array(set.count * d);
  for (let i = 0; i < set.count; i++) {
    if (opts.signal?.aborted) throw new CancelledError(`reading pixels was cancelled after ${i} of ${set.count} items`);
    if (set.kind === 'gray' && set.height === prep.size[0] && set.width === prep.size[1]) {
      const p = set.pixels(i);
      for (let j = 0; j < d; j++) features[i * d + j] = p[j]! / 255;
    } else features.set((await itemTensor(set, i, prep)).data, i * d);
    if ((i + 1) % 256 === 0 || i + 1 === set.count) opts.onProgress?.(i + 1, set.count);
  }
  const v: CachedFeatures = { features, n: set.count, d, predictions: new Int32Array(set.count).fill(-1), itemDims: [1, prep.size[0], prep.size[1]], tensor: 'pixels', scalars: {} };
  return finish(set, v, 'pixels', false, t0);
}
