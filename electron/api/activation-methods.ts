// The activation, filter and dataset-example methods of the service. Per open model it keeps an
// ActivationSession (compiled sub-models + activation cache) and the inputs set for it. Inference
// runs on the runtime's worker thread; core modules are imported on first use (like core-adapter).
import { randomBytes } from 'node:crypto';
import type { ModelSummary } from '../../core/analysis/types.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import type { Preprocessing } from '../../core/data/types.ts';
import type { ActivationSession, InputSource as CoreInputSource, PreparedInput } from '../../core/activations/index.ts';
import type {
  ApiRequest, ApiResponse, ColormapInfo, DatasetExamplesResult, InputSet, LayerActivationsResult, LayerFiltersResult, SampleSetInfo,
} from './contract.ts';
import { ApiFailure } from './errors.ts';
import { beginJob, type JobHandle } from './jobs.ts';
import type { Runtime } from './core-adapter.ts';
import type { CallContext } from './service.ts';
import { embedPointResolver, type EmbedPointImage, type EmbedPointResolver } from './embed-point.ts';

/** What these methods need to know about an open model. */
export interface ActivationModelRef { id: string; name: string; bytes: Uint8Array; summary: ModelSummary; runtime: Runtime | null }

/** A cancellable job, shared with the service's `cancel`. */
export type { JobHandle };

export interface ActivationDeps {
  model(id: string): ActivationModelRef;
  isGranted(path: string): boolean;
  jobs: Map<string, JobHandle>;
  strategy?: 'auto' | 'all' | 'layer';
  /** The image behind an embedding point (`{ kind: 'embedding' }` inputs); absent = no embeddings. */
  embedPoint?: EmbedPointResolver;
}

type Activations = typeof import('../../core/activations/index.ts');
const core = {
  activations: lazy(() => import('../../core/activations/index.ts'), 'activations'),
  filters: lazy(() => import('../../core/filters/index.ts'), 'filters'),
  preprocessing: lazy(() => import('../../core/data/preprocessing.ts'), 'preprocessing'),
  proto: lazy(() => import('../../core/onnx/proto.ts'), 'the ONNX reader'),
  colormap: lazy(() => import('../../core/viz/colormap.ts'), 'colour maps'),
  visualize: lazy(() => import('../../core/visualize/index.ts'), 'feature visualisation'),
};

function lazy<T>(load: () => Promise<T>, what: string): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= load().catch((e: unknown) => {
    p = undefined;
    throw new ApiFailure('internal', `the ${what} module could not be loaded (${(e as Error).message}); this installation is incomplete — run \`npm run setup\``);
  }));
}

interface ModelState { model: ModelProto; session: ActivationSession }
interface InputEntry { modelId: string; input: PreparedInput; prep: Preprocessing }

/** Inputs kept per service (each holds one normalised tensor; VGG-size inputs are 600 kB). */
const MAX_INPUTS = 64;

export interface ActivationMethods {
  setInput(req: ApiRequest<'setInput'>, ctx: CallContext): Promise<ApiResponse<'setInput'>>;
  getActivations(req: ApiRequest<'getActivations'>, ctx: CallContext): Promise<ApiResponse<'getActivations'>>;
  getFilters(req: ApiRequest<'getFilters'>, ctx: CallContext): Promise<ApiResponse<'getFilters'>>;
  datasetExamples(req: ApiRequest<'datasetExamples'>, ctx: CallContext): Promise<ApiResponse<'datasetExamples'>>;
  listSamples(req: ApiRequest<'listSamples'>, ctx: CallContext): Promise<ApiResponse<'listSamples'>>;
  getColormaps(req: ApiRequest<'getColormaps'>, ctx: CallContext): Promise<ApiResponse<'getColormaps'>>;
  visualizeChannel(req: ApiRequest<'visualizeChannel'>, ctx: CallContext): Promise<ApiResponse<'visualizeChannel'>>;
  /** Forget a closed model's session and inputs. */
  drop(modelId: string): Promise<void>;
  close(): Promise<void>;
}

export function createActivationMethods(deps: ActivationDeps): ActivationMethods {
  const states = new Map<string, Promise<ModelState>>();
  const inputs = new Map<string, InputEntry>();

  // The parsed model (ModelProto) is made on first use from the bytes the service keeps.
  const stateOf = (ref: ActivationModelRef): Promise<ModelState> => {
    const hit = states.get(ref.id);
    if (hit) return hit;
    const runtime = ref.runtime;
    if (!runtime) throw new ApiFailure('provider', 'no inference runtime is available for this model (see getInfo providers); activations need onnxruntime');
    const p = (async () => {
      const [{ ModelProtoSchema, fromBinary }, { ActivationSession }] = await Promise.all([core.proto(), core.activations()]);
      const model = fromBinary(ModelProtoSchema, ref.bytes);
      return { model, session: new ActivationSession({ model, runtime, name: ref.name, summary: ref.summary, strategy: deps.strategy }) };
    })();
    p.catch(() => states.delete(ref.id));
    states.set(ref.id, p);
    return p;
  };

  const inputOf = (modelId: string, inputId: string): InputEntry => {
    const e = inputs.get(inputId);
    if (!e || e.modelId !== modelId) throw new ApiFailure('not-found', `no input "${inputId}" for this model; set one with setInput first`);
    inputs.delete(inputId); inputs.set(inputId, e); // most recently used last
    return e;
  };

  const asLayerError = (e: unknown): never => {
    if (e instanceof Error && (e.name === 'LayerNotFoundError' || e.name === 'FilterError')) throw new ApiFailure(e.name === 'FilterError' ? 'invalid-request' : 'not-found', e.message);
    throw e;
  };

  return {
    async setInput(req) {
      const ref = deps.model(req.modelId);
      const src = req.source;
      if (src.kind === 'path' && !deps.isGranted(src.path)) {
        throw new ApiFailure('forbidden', 'this image was not chosen through the file dialog; choose it there or drop it on the window');
      }
      const act = await core.activations();
      // Resolved before any model work: a dropped embedding or a bad index fails fast.
      const point = src.kind === 'embedding' ? embedPointOf(deps, src.embeddingId, src.index) : undefined;
      if (src.kind === 'sample') {
        const ds = act.sampleDataset(src.dataset);
        if (src.index >= ds.count) throw new ApiFailure('invalid-request', `${ds.title} has ${ds.count} images; index ${src.index} is out of range (0–${ds.count - 1})`);
      }
      const state = await stateOf(ref);
      const { preprocessingOf, validatePreprocessing } = await core.preprocessing();
      let prep: Preprocessing;
      try {
        prep = validatePreprocessing(preprocessingOf(state.model, { overrides: req.preprocessing }).preprocessing, 'preprocessing');
      } catch (e) { throw new ApiFailure('invalid-request', (e as Error).message); }
      checkInputFits(state.session.inputDims, prep);
      const coreSource = src.kind === 'bytes' ? { kind: 'bytes' as const, name: src.name, data: src.data } : src.kind === 'embedding' ? pointSource(point!) : src;
      const input = await act.prepareInput(coreSource, prep).catch((e: unknown) => {
        // A folder/CSV file may have moved since it was embedded: say which point it was.
        if (point && e instanceof Error && !(e instanceof ApiFailure)) throw new ApiFailure('invalid-request', `embedding point ${point.name}: ${e.message}`);
        throw e;
      });
      const inputId = `in_${randomBytes(8).toString('hex')}`;
      inputs.set(inputId, { modelId: ref.id, input, prep });
      while (inputs.size > MAX_INPUTS) inputs.delete(inputs.keys().next().value as string);
      const names = parseClassNames(ref.summary.metadata['receptive.class_names']);
      const predictions = await state.session.predictions(input.tensor, req.topK ?? 5, names, { hash: input.hash });
      const out: InputSet = {
        inputId, name: input.name, preview: input.preview, geometry: input.geometry,
        preprocessing: { ...prep, size: [prep.size[0], prep.size[1]] }, inputDims: [...input.tensor.dims], predictions,
      };
      if (input.label !== undefined && src.kind === 'sample') {
        out.label = input.label;
        out.labelName = act.sampleDataset(src.dataset).classNames[input.label];
      }
      if (src.kind === 'sample') out.sample = { dataset: src.dataset, index: src.index };
      if (point?.label !== undefined) { out.label = point.label; out.labelName = point.labelName; }
      if (point?.sample) out.sample = point.sample;
      if (point) out.name = point.name;
      return out;
    },

    async getActivations(req) {
      const t0 = performance.now();
      const ref = deps.model(req.modelId);
      const entry = inputOf(req.modelId, req.inputId);
      const { session } = await stateOf(ref);
      const a = await session.activations(entry.input.tensor, req.layer, { hash: entry.input.hash }).catch(asLayerError);
      const out: LayerActivationsResult = {
        tensor: a.layer.tensor, dims: a.dims, data: a.data, channels: a.channels, plane: a.plane, stats: a.stats,
        zeroFraction: a.zeroFraction, receptiveField: a.receptiveField, cached: a.cached, ms: 0,
      };
      if (a.layer.node) out.node = a.layer.node;
      if (a.layer.op) out.op = a.layer.op;
      if (a.formula) out.formula = a.formula;
      out.ms = performance.now() - t0;
      return out;
    },

    async getFilters(req) {
      const ref = deps.model(req.modelId);
      const { model } = await stateOf(ref);
      const { layerFilters } = await core.filters();
      let f: ReturnType<typeof layerFilters>;
      try { f = layerFilters(model, req.layer, { bins: req.bins }); } catch (e) { return asLayerError(e); }
      const out: LayerFiltersResult = {
        layer: f.layer, op: f.op, weight: f.weight, via: f.via, dims: f.dims, data: f.data, groups: f.groups, view: f.view,
        histogram: f.histogram, norms: f.norms,
      };
      if (f.bias) out.bias = f.bias;
      return out;
    },

    async visualizeChannel(req, ctx) {
      const ref = deps.model(req.modelId);
      if (req.channel === undefined && req.class === undefined) throw new ApiFailure('invalid-request', 'choose a channel (with a layer) or a class to visualise');
      const { jobId, job, ac, end } = beginJob(deps.jobs, req.jobId, ctx);
      try {
        const { model } = await stateOf(ref);
        const vis = await core.visualize();
        const steps = req.steps ?? 256;
        // Preview dims: the model input without its batch axis (symbolic sizes are resolved by the core;
        // previews are then sent only with the final result).
        const inShape = ref.summary.inputs[0]?.shape?.slice(1) ?? [];
        let dims: number[] = inShape.every((d) => typeof d === 'number') ? (inShape as number[]) : [];
        const r = await vis.visualizeFeature(model, ref.runtime ?? undefined, {
          layer: req.layer, channel: req.channel, class: req.class, steps, param: req.param, tv: req.tv, seed: req.seed,
          signal: ac.signal, previewEvery: Math.max(1, Math.floor(steps / 16)),
          onProgress: (p) => {
            if (job.cancelled) return;
            ctx.emit?.('progress', {
              jobId, done: p.step, total: p.steps, message: `step ${p.step} of ${p.steps}: objective ${p.objective.toFixed(4)}`,
              ...(p.image && dims.length ? { preview: { dims, data: Float32Array.from(p.image) } } : {}),
            });
          },
        }).catch((e: unknown) => {
          if ((e as Error).name === 'AbortError' || job.cancelled) throw new ApiFailure('cancelled', 'feature visualisation was cancelled');
          throw new ApiFailure('invalid-request', (e as Error).message);
        });
        dims = [...r.dims];
        return { tensor: r.tensor, channel: r.channel, dims, image: r.image, history: Float32Array.from(r.history), objective: r.objective, initialObjective: r.initialObjective, notes: r.notes };
      } finally {
        end();
      }
    },

    async datasetExamples(req, ctx) {
      const ref = deps.model(req.modelId);
      const { jobId, job, ac, end } = beginJob(deps.jobs, req.jobId, ctx);
      try {
        const act = await core.activations();
        const ds = act.sampleDataset(req.dataset);
        const { session, model } = await stateOf(ref);
        const { preprocessingOf } = await core.preprocessing();
        const prep = preprocessingOf(model).preprocessing;
        checkInputFits(session.inputDims, prep);
        const count = Math.min(req.count, ds.count);
        ctx.emit?.('progress', { jobId, done: 0, total: count, message: `scoring ${count} images` });
        const r = await act.datasetExamples(session, ds, {
          layer: req.layer, channel: req.channel, count, n: req.n, preprocessing: prep, signal: ac.signal,
          onProgress: (done, total) => { if (!job.cancelled) ctx.emit?.('progress', { jobId, done, total, message: `scored ${done} of ${total} images` }); },
        }).catch((e: unknown) => {
          if (e instanceof RangeError) throw new ApiFailure('invalid-request', e.message);
          if ((e as Error).name === 'AbortError' || job.cancelled) throw new ApiFailure('cancelled', 'finding dataset examples was cancelled');
          return asLayerError(e);
        });
        const out: DatasetExamplesResult = {
          tensor: r.tensor, channel: r.channel, dataset: req.dataset, evaluated: r.evaluated,
          examples: r.examples.map((x) => ({
            index: x.index, label: x.label, labelName: ds.classNames[x.label] ?? String(x.label), value: x.value, unit: x.unit,
            window: { top: x.window.top, left: x.window.left, height: x.window.height, width: x.window.width }, patch: x.patch,
          })),
        };
        return out;
      } finally {
        end();
      }
    },

    async listSamples() {
      const act = await core.activations();
      return act.SAMPLE_DATASETS.map((id): SampleSetInfo => act.sampleDatasetInfo(id));
    },

    async getColormaps() {
      const { COLORMAP_NAMES, colormapLut } = await core.colormap();
      return COLORMAP_NAMES.map((name): ColormapInfo => ({ name, lut: colormapLut(name).slice() }));
    },

    async drop(modelId) {
      for (const [k, e] of inputs) if (e.modelId === modelId) inputs.delete(k);
      const st = states.get(modelId);
      states.delete(modelId);
      if (st) await st.then((s) => s.session.dispose(), () => undefined);
    },

    async close() {
      inputs.clear();
      const all = [...states.values()];
      states.clear();
      await Promise.all(all.map((p) => p.then((s) => s.session.dispose(), () => undefined)));
    },
  };
}

function embedPointOf(deps: ActivationDeps, embeddingId: string, index: number): EmbedPointImage {
  return (deps.embedPoint ?? embedPointResolver(undefined))(embeddingId, index);
}

/** The core input for an embedding point: the stored gray plane, or the original file (trusted: it came from a granted set). */
function pointSource(p: EmbedPointImage): CoreInputSource {
  return p.kind === 'gray' ? { kind: 'gray', name: p.name, width: p.width, height: p.height, pixels: p.pixels, ...(p.label !== undefined ? { label: p.label } : {}) } : { kind: 'path', path: p.path };
}

/** A fixed input shape must agree with the preprocessing (channels and size). */
function checkInputFits(dims: readonly (number | string)[], prep: Preprocessing): void {
  if (dims.length !== 4) return;
  const [, c, h, w] = dims;
  if (typeof c === 'number' && c !== prep.channels) {
    throw new ApiFailure('invalid-request', `the model takes ${c} channel${c === 1 ? '' : 's'} but the preprocessing gives ${prep.channels}; drop the channels override`);
  }
  if ((typeof h === 'number' && h !== prep.size[0]) || (typeof w === 'number' && w !== prep.size[1])) {
    throw new ApiFailure('invalid-request', `the model takes ${h}×${w} images but the preprocessing size is ${prep.size[0]}×${prep.size[1]}; drop the size override`);
  }
}

function parseClassNames(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch { return undefined; }
}

export type { Activations };
