// A model prepared for explaining: which tensor holds the class scores, which layers are spatial,
// and onnxruntime sessions for the variants explainers need (forward with a layer exposed,
// gradient graphs from core/autodiff, guided gradients, channel ablation), built on first use and
// run in bounded chunks so memory stays flat however many samples a method asks for.

import type { ModelProto } from '../onnx/proto.ts';
import { saveModelBytes } from '../onnx/save.ts';
import { exposeOutputs } from '../onnx/expose.ts';
import { analyzeModel } from '../analysis/summary.ts';
import type { ModelSummary } from '../analysis/types.ts';
import { modelInput } from '../data/preprocessing.ts';
import { buildGradientModel } from '../autodiff/index.ts';
import type { Runtime, RuntimeModel, Feeds } from '../runtime/index.ts';
import { CancelledError } from '../runtime/index.ts';
import { guideReluGradients, insertChannelMask, selfTargetWeights } from './graph-edits.ts';

export interface SpatialLayer {
  /** The activation tensor (what the explainer reads). */
  tensor: string;
  /** The node producing it (what the user sees in the graph). */
  node: string;
  op: string;
  channels: number;
  height: number;
  width: number;
}

export interface ChunkOptions { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }

export interface GradientRequestSpec {
  layer?: string;
  input?: boolean;
  guided?: boolean;
  /** Differentiate each sample's own top-1 class, chosen inside the graph (classOf is ignored). */
  autoTarget?: boolean;
}

export interface GradientChunk {
  start: number;
  count: number;
  /** [count, K] class scores (pre-softmax). */
  scores: Float32Array;
  /** [count] the differentiated scalar per sample (the weighted score). */
  target: Float32Array;
  /** [count] the class differentiated for each sample. */
  classes: Int32Array;
  act?: Float32Array;
  gradLayer?: Float32Array;
  gradInput?: Float32Array;
}

const WEIGHTS_INPUT = 'receptive_explain_class_weights';
const MASK_INPUT = 'receptive_explain_channel_mask';
// Activation ops a user means by "the last convolutional layer" (pooling is skipped on purpose:
// the CAM papers take the conv block output before it).
const DEFAULT_LAYER_OPS = new Set(['Conv', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Clip', 'Sigmoid', 'Tanh', 'HardSwish', 'Mish', 'Gelu', 'BatchNormalization', 'Add', 'Concat', 'Sum']);

/** Index of the largest of k values from offset (the first one on ties, as ONNX ArgMax). */
export function argmax(v: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let i = 1; i < k; i++) if (v[offset + i]! > v[offset + best]!) best = i;
  return best;
}

export function softmaxRow(scores: ArrayLike<number>, offset: number, k: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < k; i++) max = Math.max(max, scores[offset + i]!);
  const e = new Float64Array(k);
  let z = 0;
  for (let i = 0; i < k; i++) z += (e[i] = Math.exp(scores[offset + i]! - max));
  for (let i = 0; i < k; i++) e[i]! /= z;
  return e;
}

export class ExplainModel {
  private readonly sessions = new Map<string, Promise<RuntimeModel>>();
  private readonly gradNames = new Map<string, { target: string; layerGrad?: string; inputGrad?: string }>();
  readonly layers: SpatialLayer[];
  /** Largest batch per run for forward-only and for gradient graphs (these hold every activation). */
  readonly forwardBatch: number;
  readonly gradientBatch: number;
  classes: number;

  private constructor(
    readonly model: ModelProto,
    readonly runtime: Runtime,
    readonly summary: ModelSummary,
    readonly inputName: string,
    /** [C, H, W] */
    readonly inputShape: [number, number, number],
    /** Pre-softmax class scores: the model output, or the input of a final Softmax. */
    readonly scoreTensor: string,
    readonly outputProbabilities: boolean,
    maxBatch: number | undefined,
  ) {
    this.layers = spatialLayers(summary);
    const scoreShape = summary.layers.flatMap((l) => l.outputs.map((o, i) => [o, l.outputShapes[i]] as const)).find(([o]) => o === scoreTensor)?.[1];
    const k = scoreShape?.[scoreShape.length - 1];
    this.classes = typeof k === 'number' ? k : 0;
    const elems = inputShape[0] * inputShape[1] * inputShape[2];
    const fixedOne = maxBatch === 1;
    this.forwardBatch = fixedOne ? 1 : Math.max(1, Math.min(maxBatch ?? 64, Math.floor(2e6 / elems)));
    this.gradientBatch = fixedOne ? 1 : Math.max(1, Math.min(maxBatch ?? 64, Math.floor(4e5 / elems)));
  }

  /** Prepare `model` (an NCHW image classifier) for explaining. `output` picks the class-score output. */
  static create(model: ModelProto, runtime: Runtime, opts: { output?: string; maxBatch?: number; summary?: ModelSummary } = {}): ExplainModel {
    const g = model.graph;
    if (!g) throw new Error('explain: the model has no graph');
    const input = modelInput(model);
    if (!input) throw new Error('explain: the model has no input');
    const [n, c, h, w] = input.dims;
    if (input.dims.length !== 4 || typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') {
      throw new Error(`explain: saliency needs an image input [N, C, H, W] with fixed C, H, W; "${input.name}" is [${input.dims.join(', ')}]`);
    }
    if (typeof n === 'number' && n !== 1) throw new Error(`explain: the input batch size is fixed at ${n}; export the model with batch 1 or a symbolic batch`);
    const outName = opts.output ?? g.output[0]?.name;
    if (!outName || !g.output.some((o) => o.name === outName)) throw new Error(`explain: the model has no output "${outName}" (outputs: ${g.output.map((o) => o.name).join(', ')})`);
    const producer = g.node.find((x) => x.output.includes(outName));
    // Grad-CAM and friends differentiate the class score before softmax (Selvaraju et al. §3).
    const viaSoftmax = producer && (producer.opType === 'Softmax' || producer.opType === 'LogSoftmax');
    const scoreTensor = viaSoftmax ? producer.input[0]! : outName;
    const summary = opts.summary ?? analyzeModel(model);
    return new ExplainModel(withPlainRawData(model), runtime, summary, input.name, [c, h, w], scoreTensor, !!viaSoftmax, typeof n === 'number' ? 1 : opts.maxBatch);
  }

  get inputSize(): number { return this.inputShape[0] * this.inputShape[1] * this.inputShape[2]; }

  /** The layer a CAM uses unless told: the last spatial conv/activation output. */
  defaultLayer(): SpatialLayer {
    const c = [...this.layers].reverse().find((l) => DEFAULT_LAYER_OPS.has(l.op) && l.height * l.width > 1) ?? this.layers[this.layers.length - 1];
    if (!c) throw new Error('explain: the model has no spatial layer (no 4-D activation with known size) for a class activation map');
    return c;
  }

  /** A layer by tensor name or node name (undefined → the default). */
  layer(name?: string): SpatialLayer {
    if (name === undefined || name === '') return this.defaultLayer();
    const hit = this.layers.find((l) => l.tensor === name) ?? this.layers.find((l) => l.node === name);
    if (!hit) {
      const some = this.layers.slice(-6).map((l) => l.node).join(', ');
      throw new Error(`explain: "${name}" is not a spatial layer of this model (a node or tensor with a [N, C, H, W] output); spatial layers include: ${some}`);
    }
    return hit;
  }

  private session(key: string, make: () => ModelProto): Promise<RuntimeModel> {
    let s = this.sessions.get(key);
    if (!s) {
      s = Promise.resolve().then(() => this.runtime.load(saveModelBytes(make()), { name: `explain:${key}` }));
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  private feed(data: Float32Array, count: number): Feeds {
    return { [this.inputName]: { dtype: 'float32', dims: [count, ...this.inputShape], data } };
  }

  private async chunks(total: number, size: number, opts: ChunkOptions, one: (start: number, count: number) => Promise<void>): Promise<void> {
    for (let start = 0; start < total; start += size) {
      if (opts.signal?.aborted) throw new CancelledError();
      const count = Math.min(size, total - start);
      await one(start, count);
      opts.onProgress?.(start + count, total);
    }
  }

  /**
   * Forward passes over `total` inputs made on demand by `make(start, count)` (NCHW, count images);
   * `onChunk` receives class scores [count, K] and, with `layer`, its activations.
   */
  async forward(total: number, make: (start: number, count: number) => Float32Array, onChunk: (start: number, count: number, scores: Float32Array, act?: Float32Array) => void, opts: ChunkOptions & { layer?: SpatialLayer } = {}): Promise<void> {
    const layer = opts.layer;
    const key = layer ? `fwd:${layer.tensor}` : 'fwd';
    const s = await this.session(key, () => exposeOutputs(this.model, layer ? [this.scoreTensor, layer.tensor] : [this.scoreTensor]));
    const outputs = layer ? [this.scoreTensor, layer.tensor] : [this.scoreTensor];
    await this.chunks(total, this.forwardBatch, opts, async (start, count) => {
      const out = await s.run(this.feed(make(start, count), count), { outputs, signal: opts.signal });
      const scores = out[this.scoreTensor]!.data as Float32Array;
      this.noteClasses(scores.length / count);
      onChunk(start, count, scores, layer ? out[layer.tensor]!.data as Float32Array : undefined);
    });
  }

  /** Class scores [n, K] for n images (NCHW). */
  async scores(x: Float32Array, n: number, opts: ChunkOptions = {}): Promise<Float32Array> {
    const size = this.inputSize;
    let out: Float32Array | undefined;
    await this.forward(n, (s, c) => x.subarray(s * size, (s + c) * size), (s, c, scores) => {
      const k = scores.length / c;
      out ??= new Float32Array(n * k);
      out.set(scores, s * k);
    }, opts);
    return out!;
  }

  /**
   * Gradients of score_c (one class per sample, from `classOf`) w.r.t. a layer and/or the input,
   * over `total` inputs made on demand, one chunk at a time.
   */
  async gradients(spec: GradientRequestSpec, total: number, make: (start: number, count: number) => Float32Array, classOf: (index: number) => number, onChunk: (c: GradientChunk) => void, opts: ChunkOptions = {}): Promise<void> {
    const layer = spec.layer ? this.layer(spec.layer) : undefined;
    if (!layer && !spec.input) throw new Error('explain: a gradient needs a layer or the input');
    const wrt = [...(layer ? [layer.tensor] : []), ...(spec.input ? [this.inputName] : [])];
    if (spec.autoTarget && this.classes === 0) this.classes = (await this.scores(make(0, 1), 1)).length;
    const auto = !!spec.autoTarget;
    const key = `grad:${wrt.join('|')}:${spec.guided ? 'guided' : 'plain'}${auto ? ':auto' : ''}`;
    const s = await this.session(key, () => {
      const gm = buildGradientModel(this.model, { target: { kind: 'weighted-sum', tensor: this.scoreTensor, weightsInput: WEIGHTS_INPUT }, wrt });
      this.gradNames.set(key, { target: gm.targetOutput, layerGrad: layer ? gm.gradients[layer.tensor] : undefined, inputGrad: spec.input ? gm.gradients[this.inputName] : undefined });
      let m = exposeOutputs(gm.model, [this.scoreTensor, ...(layer ? [layer.tensor] : [])]);
      if (spec.guided) m = guideReluGradients(m, this.model).model;
      if (auto) m = selfTargetWeights(m, this.scoreTensor, WEIGHTS_INPUT, this.classes);
      return m;
    });
    const names = this.gradNames.get(key)!;
    if (this.classes === 0) this.classes = (await this.scores(make(0, 1), 1)).length;
    const K = this.classes;
    const outputs = [this.scoreTensor, names.target, ...(layer ? [layer.tensor, names.layerGrad!] : []), ...(spec.input ? [names.inputGrad!] : [])];
    await this.chunks(total, this.gradientBatch, opts, async (start, count) => {
      const w = new Float32Array(auto ? 0 : count * K);
      if (!auto) for (let i = 0; i < count; i++) {
        const c = classOf(start + i);
        if (!(Number.isInteger(c) && c >= 0 && c < K)) throw new Error(`explain: class ${c} is outside 0–${K - 1}`);
        w[i * K + c] = 1;
      }
      const feeds = auto ? this.feed(make(start, count), count)
        : { ...this.feed(make(start, count), count), [WEIGHTS_INPUT]: { dtype: 'float32' as const, dims: [count, K], data: w } };
      const out = await s.run(feeds, { outputs, signal: opts.signal });
      const scores = out[this.scoreTensor]!.data as Float32Array;
      // The target output is Σ over the batch; per-sample values come from the scores.
      const target = new Float32Array(count), classes = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        classes[i] = auto ? argmax(scores, i * K, K) : classOf(start + i);
        target[i] = scores[i * K + classes[i]!]!;
      }
      onChunk({
        start, count, scores, target, classes,
        act: layer ? out[layer.tensor]!.data as Float32Array : undefined,
        gradLayer: layer ? out[names.layerGrad!]!.data as Float32Array : undefined,
        gradInput: spec.input ? out[names.inputGrad!]!.data as Float32Array : undefined,
      });
    });
  }

  /**
   * Class scores of one image with channels of `layer` scaled by masks (Ablation-CAM): masks is
   * [m, K] (1 keeps a channel, 0 removes it), run in chunks.
   */
  async ablate(layer: SpatialLayer, x: Float32Array, masks: Float32Array, m: number, opts: ChunkOptions = {}): Promise<Float32Array> {
    const s = await this.session(`ablate:${layer.tensor}`, () => exposeOutputs(insertChannelMask(this.model, layer.tensor, MASK_INPUT, layer.channels), [this.scoreTensor]));
    const size = this.inputSize;
    let out: Float32Array | undefined;
    await this.chunks(m, this.forwardBatch, opts, async (start, count) => {
      const batch = new Float32Array(count * size);
      for (let i = 0; i < count; i++) batch.set(x.subarray(0, size), i * size);
      const feeds = { ...this.feed(batch, count), [MASK_INPUT]: { dtype: 'float32' as const, dims: [count, layer.channels, 1, 1], data: masks.slice(start * layer.channels, (start + count) * layer.channels) } };
      const r = await s.run(feeds, { outputs: [this.scoreTensor], signal: opts.signal });
      const scores = r[this.scoreTensor]!.data as Float32Array;
      const k = scores.length / count;
      out ??= new Float32Array(m * k);
      out.set(scores, start * k);
    });
    return out!;
  }

  private noteClasses(k: number): void { if (!this.classes) this.classes = k; }

  /** Release the sessions this model created (the runtime stays). */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.dispose(), () => undefined)));
  }
}

/**
 * Models read with readFileSync hold initializer raw_data as Node Buffer views into one pool;
 * Buffer#slice does not copy, so decoders that do `rawData.slice().buffer` see the whole pool.
 * Give such initializers a plain copy (weights of models built in memory are left alone).
 */
export function withPlainRawData(model: ModelProto): ModelProto {
  const g = model.graph!;
  if (!g.initializer.some((t) => Buffer.isBuffer(t.rawData))) return model;
  const initializer = g.initializer.map((t) => (Buffer.isBuffer(t.rawData) ? ({ ...t, rawData: new Uint8Array(t.rawData) }) : t));
  return { ...model, graph: { ...g, initializer } };
}

function spatialLayers(summary: ModelSummary): SpatialLayer[] {
  const out: SpatialLayer[] = [];
  for (const l of summary.layers) {
    l.outputs.forEach((t, i) => {
      const s = l.outputShapes[i];
      if (!s || s.length !== 4) return;
      const [, c, h, w] = s;
      if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') return;
      out.push({ tensor: t, node: l.name, op: l.op, channels: c, height: h, width: w });
    });
  }
  return out;
}
