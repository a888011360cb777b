// On-demand activations of one model. Each request compiles (once, then cached) a sub-model that
// computes only the requested tensors (submodel.ts), runs it on the runtime's worker thread, and
// caches the result per (input hash, tensor) under a byte budget, so clicking back to a layer or
// re-selecting an input costs no inference.
import { analyzeModel } from '../analysis/summary.ts';
import type { LayerInfo, ModelSummary, ReceptiveField } from '../analysis/types.ts';
import { modelInput } from '../data/preprocessing.ts';
import type { ModelProto } from '../onnx/proto.ts';
import { encodeModel } from './encode.ts';
import type { Runtime, RuntimeModel } from '../runtime/index.ts';
import type { FloatTensor, Tensor } from '../tensor.ts';
import { channelStats, zeroFraction, type ChannelStats } from '../viz/normalize.ts';
import { ByteLru } from './lru.ts';
import { resolveLayer, type ResolvedLayer } from './layers.ts';
import { extractSubModel } from './submodel.ts';
import { exposeOutputs } from '../onnx/expose.ts';
import { tensorHash } from './input.ts';
import { topK, type Prediction } from './topk.ts';

export interface ActivationSessionOptions {
  model: ModelProto;
  runtime: Runtime;
  name?: string;
  /** The model's analysis (receptive fields, formulas); computed on first need when absent. */
  summary?: ModelSummary;
  /** Budget of the activation cache (default 512 MB: all layers of VGG16 for one input take about 120 MB). */
  cacheBytes?: number;
  /**
   * Budget for compiled sub-models, in model bytes (default 1 GiB; each also counts 1/16 of the budget,
   * so at most 16 are kept). The least recently used is released beyond it; a sub-model larger than
   * the whole budget (late layers of VGG16) is compiled for each request and released after it.
   */
  sessionBytes?: number;
  /**
   * 'layer': each request compiles a sub-model for just that tensor (cheap for early layers of big nets).
   * 'all': one session exposing every layer, compiled once; one run per input fills the cache for all
   * layers, so clicking through layers costs no further inference. 'auto' (default) picks 'all' when a
   * full forward pass is cheap (≤ ALL_LAYERS_MAX_MACS), else 'layer'.
   */
  strategy?: 'auto' | 'all' | 'layer';
}

/** Models up to this many multiply-accumulates per image use the all-layers session under 'auto' (ResNet-18: 1.8 G). */
export const ALL_LAYERS_MAX_MACS = 2.5e9;
/** Ops whose outputs are shape bookkeeping, not activations worth caching. */
const NOT_ACTIVATIONS = new Set(['Constant', 'Shape', 'ConstantOfShape', 'Size', 'Range', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast']);

export interface LayerActivations {
  layer: ResolvedLayer;
  /** Dims of the tensor for one input, batch axis included (e.g. [1, 64, 112, 112]). */
  dims: number[];
  data: Float32Array;
  /** How the tensor splits into channels for statistics: C planes of `plane` values. */
  channels: number;
  plane: number;
  stats: ChannelStats[];
  zeroFraction: number;
  receptiveField: ReceptiveField | null;
  formula?: string;
  /** True when served from the cache without running the model. */
  cached: boolean;
}

export interface SessionCounters { runs: number; compiles: number; hits: number; misses: number }

interface Compiled { model: Promise<RuntimeModel>; last: Promise<unknown> }

function release(c: Compiled): void {
  void c.last.catch(() => undefined).then(() => c.model).then((m) => m.dispose(), () => undefined);
}

/** C and H·W of a per-input tensor: [1,C,H,W] → C planes of H·W; [1,F] → F planes of 1. */
export function channelLayout(dims: readonly number[]): { channels: number; plane: number } {
  const d = dims.length > 1 ? dims.slice(1) : [...dims];
  if (d.length === 0) return { channels: 1, plane: 1 };
  const channels = d[0]!;
  const plane = d.slice(1).reduce((a, b) => a * b, 1);
  return { channels: Math.max(1, channels), plane: channels === 0 ? 0 : plane };
}

function asFloat(t: Tensor, name: string): FloatTensor {
  if (t.data instanceof Float32Array) return { dtype: 'float32', dims: [...t.dims], data: t.data, layout: t.layout };
  if (t.data instanceof BigInt64Array) return { dtype: 'float32', dims: [...t.dims], data: Float32Array.from(t.data, Number) };
  if (t.data instanceof Int32Array || t.data instanceof Uint8Array) return { dtype: 'float32', dims: [...t.dims], data: Float32Array.from(t.data) };
  throw new Error(`tensor "${name}" has type ${t.dtype}, which cannot be shown as an activation`);
}

export class ActivationSession {
  readonly model: ModelProto;
  readonly name: string;
  readonly inputName: string;
  readonly inputDims: (number | string)[];
  readonly counters: SessionCounters = { runs: 0, compiles: 0, hits: 0, misses: 0 };
  private readonly runtime: Runtime;
  private summaryValue: ModelSummary | undefined;
  private readonly cache: ByteLru<FloatTensor>;
  private readonly compiled: ByteLru<Compiled>;
  private readonly sessionBudget: number;
  private readonly strategyOption: 'auto' | 'all' | 'layer';
  private allLayers: { names: string[]; set: Set<string>; compiled: Promise<RuntimeModel> } | undefined;
  /** Set when the all-layers session could not be compiled (an exposed tensor of an odd type): per-layer from then on. */
  private allFailed = false;
  private readonly statsOf = new WeakMap<Float32Array, ChannelStats[]>();
  private disposed = false;

  constructor(opts: ActivationSessionOptions) {
    this.model = opts.model;
    this.runtime = opts.runtime;
    this.name = opts.name ?? (opts.model.graph?.name || 'model');
    this.summaryValue = opts.summary;
    const input = modelInput(opts.model);
    if (!input) throw new Error(`${this.name} has no input to feed`);
    this.inputName = input.name;
    this.inputDims = input.dims;
    this.cache = new ByteLru<FloatTensor>(opts.cacheBytes ?? 512 * 1024 ** 2);
    // Released once its last run settles, so an eviction never pulls a session from under a run.
    this.sessionBudget = opts.sessionBytes ?? 1024 ** 3;
    this.compiled = new ByteLru<Compiled>(this.sessionBudget, (_k, c) => release(c));
    this.strategyOption = opts.strategy ?? 'auto';
  }

  /** The strategy in effect ('auto' resolved by the model's cost). */
  get strategy(): 'all' | 'layer' {
    if (this.allFailed) return 'layer';
    if (this.strategyOption !== 'auto') return this.strategyOption;
    return this.summary.totals.macs > 0 && this.summary.totals.macs <= ALL_LAYERS_MAX_MACS ? 'all' : 'layer';
  }

  /** Every tensor the all-layers session outputs: node outputs that are activations, in graph order. */
  layerTensors(): string[] {
    const g = this.model.graph!;
    const inits = new Set(g.initializer.map((t) => t.name));
    const constant = new Set<string>(inits);
    const out: string[] = [];
    for (const n of g.node) {
      const fromConstants = n.input.every((i) => i === '' || constant.has(i));
      for (const o of n.output) {
        if (o === '') continue;
        // Outputs computed only from weights/constants (folded shapes, reshaped weights) are not activations.
        if (fromConstants || NOT_ACTIVATIONS.has(n.opType)) { constant.add(o); continue; }
        out.push(o);
      }
    }
    return out;
  }

  private allSession(): { names: string[]; set: Set<string>; compiled: Promise<RuntimeModel> } {
    if (this.allLayers) return this.allLayers;
    this.counters.compiles++;
    const names = this.layerTensors();
    for (const o of this.model.graph!.output) if (!names.includes(o.name)) names.push(o.name);
    const bytes = encodeModel(exposeOutputs(this.model, names));
    const compiled = this.runtime.load(bytes, { name: `${this.name}[all layers]` });
    const entry = { names, set: new Set(names), compiled };
    compiled.catch(() => { if (this.allLayers === entry) this.allLayers = undefined; });
    this.allLayers = entry;
    return entry;
  }

  get summary(): ModelSummary {
    return (this.summaryValue ??= analyzeModel(this.model));
  }

  /** Largest batch the input accepts (1 when the batch axis is fixed at 1). */
  get maxBatch(): number {
    const b = this.inputDims.length === 4 ? this.inputDims[0] : undefined;
    return typeof b === 'number' && b > 0 ? b : Infinity;
  }

  resolve(layer: string): ResolvedLayer { return resolveLayer(this.model, layer); }

  /** The analysed layer (node) that produces `tensor`. */
  layerInfo(tensor: string): LayerInfo | undefined {
    return this.summary.layers.find((l) => l.outputs.includes(tensor));
  }

  /** Activations of one layer for one [1, C, H, W] input, with per-channel statistics. */
  async activations(input: FloatTensor, layer: string, opts: { signal?: AbortSignal; hash?: string } = {}): Promise<LayerActivations> {
    const resolved = this.resolve(layer);
    const hitsBefore = this.counters.hits;
    const out = (await this.tensors(input, [resolved.tensor], opts))[resolved.tensor]!;
    const { channels, plane } = channelLayout(out.dims);
    // Statistics of a cached tensor are kept with it (VGG's first layers: 3.2 M values, tens of ms each time).
    let stats = this.statsOf.get(out.data);
    if (!stats) { stats = channelStats(out.data, channels); this.statsOf.set(out.data, stats); }
    const info = this.layerInfo(resolved.tensor);
    return {
      layer: resolved, dims: [...out.dims], data: out.data, channels, plane, stats,
      zeroFraction: zeroFraction(stats, plane),
      receptiveField: info?.receptiveField ?? null,
      ...(info?.formula ? { formula: info.formula } : {}),
      cached: this.counters.hits > hitsBefore,
    };
  }

  /** Several tensors for one input; cached per (input, tensor). Only missing ones are computed. */
  async tensors(input: FloatTensor, names: readonly string[], opts: { signal?: AbortSignal; hash?: string } = {}): Promise<Record<string, FloatTensor>> {
    const hash = opts.hash ?? tensorHash(input);
    const out: Record<string, FloatTensor> = {};
    const missing: string[] = [];
    for (const n of names) {
      const hit = this.cache.get(`${hash}\u0000${n}`);
      if (hit) { out[n] = hit; this.counters.hits++; } else { missing.push(n); this.counters.misses++; }
    }
    if (missing.length && this.strategy === 'all') {
      const all = this.allSession();
      const compiled = await all.compiled.then(() => true, () => { this.allFailed = true; return false; });
      if (compiled && missing.every((n) => all.set.has(n))) {
        const res = await this.runOn(all.compiled, input, all.names, opts.signal, new Set(missing));
        // Every layer of this input is cached now; the requested ones are returned even if the budget dropped them.
        for (const [n, t] of Object.entries(res)) this.cache.set(`${hash}\u0000${n}`, t, t.data.byteLength);
        for (const n of missing) out[n] = res[n]!;
        return out;
      }
    }
    if (missing.length) {
      const fresh = await this.runBatch(input, missing, opts);
      for (const n of missing) {
        out[n] = fresh[n]!;
        this.cache.set(`${hash}\u0000${n}`, fresh[n]!, fresh[n]!.data.byteLength);
      }
    }
    return out;
  }

  /** Run an [N, C, H, W] batch for the given tensors, uncached (dataset examples). */
  async runBatch(batch: FloatTensor, names: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<Record<string, FloatTensor>> {
    if (this.disposed) throw new Error(`the activation session of ${this.name} was closed`);
    const unique = [...new Set(names)].sort();
    const key = unique.join('\u0000');
    let c = this.compiled.get(key);
    let transient = false;
    if (!c) {
      this.counters.compiles++;
      const sub = extractSubModel(this.model, unique);
      const bytes = encodeModel(sub);
      const model = this.runtime.load(bytes, { name: `${this.name}[${unique.join(',')}]` });
      c = { model, last: Promise.resolve() };
      transient = !this.compiled.set(key, c, bytes.length + this.sessionBudget / 16);
      model.catch(() => this.compiled.delete(key));
    }
    const run = this.runOn(c.model, batch, unique, opts.signal);
    c.last = run.catch(() => undefined);
    if (transient) release(c);
    return run;
  }

  /** Runs and converts outputs to float32; a tensor that cannot be (strings, float16) is an error only when `required` names it. */
  private async runOn(compiled: Promise<RuntimeModel>, batch: FloatTensor, unique: readonly string[], signal?: AbortSignal, required?: ReadonlySet<string>): Promise<Record<string, FloatTensor>> {
    const feed: FloatTensor = this.inputDims.length === 3 ? { ...batch, dims: batch.dims.slice(1) } : batch;
    const res = await (await compiled).run({ [this.inputName]: feed }, { outputs: [...unique], signal });
    this.counters.runs++;
    const out: Record<string, FloatTensor> = {};
    for (const n of unique) {
      const t = res[n];
      if (!t) throw new Error(`the runtime returned no tensor "${n}"`);
      let f: FloatTensor;
      try { f = asFloat(t, n); } catch (e) { if (!required || required.has(n)) throw e; continue; }
      // A model with a fixed 3-D input returns tensors without the batch axis; put it back.
      out[n] = this.inputDims.length === 3 ? { ...f, dims: [1, ...f.dims] } : f;
    }
    return out;
  }

  /** Top-k classes from the model's first output (softmax unless it already sums to 1). */
  async predictions(input: FloatTensor, k: number, labels?: readonly string[], opts: { signal?: AbortSignal; hash?: string } = {}): Promise<{ output: string; top: Prediction[]; softmax: boolean } | null> {
    const outName = this.model.graph?.output[0]?.name;
    if (!outName) return null;
    const t = (await this.tensors(input, [outName], opts))[outName]!;
    // Class scores: one non-trivial axis. Autoencoders (image out) get no predictions.
    if (t.dims.slice(1).filter((d) => d > 1).length !== 1) return null;
    return { output: outName, ...topK(t.data, k, labels) };
  }

  get cacheBytes(): number { return this.cache.bytes; }

  clearCache(): void { this.cache.clear(); }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    const all = this.compiled.values();
    this.compiled.clear();
    if (this.allLayers) all.push({ model: this.allLayers.compiled, last: Promise.resolve() });
    this.allLayers = undefined;
    await Promise.all(all.map((c) => c.last.then(() => c.model).then((m) => m.dispose(), () => undefined)));
  }
}
