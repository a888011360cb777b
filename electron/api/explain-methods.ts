// The saliency methods of the service: listExplainers, explain, sanityCheck, faithfulness. Per open
// model it keeps one ExplainModel (its gradient/forward sessions live on the model's runtime
// worker). Long work reports progress under its jobId and stops on cancel.
import type { ModelProto } from '../../core/onnx/proto.ts';
import type { Preprocessing } from '../../core/data/types.ts';
import type { ExplainModel } from '../../core/explain/model.ts';
import type { ExplainInput } from '../../core/explain/input.ts';
import type { Runtime } from './core-adapter.ts';
import type { ApiRequest, ApiResponse } from './contract.ts';
import type { ExplainInputSource, ExplainResponses } from './explain-contract.ts';
import { runJob, type JobHandle, type JobProgress } from './jobs.ts';
import { ApiFailure, rethrowCoreError } from './errors.ts';
import type { CallContext } from './service.ts';
import { embedPointResolver, type EmbedPointResolver } from './embed-point.ts';

export interface ExplainModelRef { id: string; name: string; bytes: Uint8Array; runtime: Runtime | null }
export type ExplainJobHandle = JobHandle;
export interface ExplainDeps {
  model(id: string): ExplainModelRef;
  isGranted(path: string): boolean;
  jobs: Map<string, ExplainJobHandle>;
  /** The image behind an embedding point (`{ kind: 'embedding' }` inputs); absent = no embeddings. */
  embedPoint?: EmbedPointResolver;
}

type Method = keyof ExplainResponses;
export type ExplainHandlers = { [M in Method]: (req: ApiRequest<M>, ctx: CallContext) => Promise<ApiResponse<M>> };
export interface ExplainMethods { handlers: ExplainHandlers; drop(modelId: string): Promise<void>; close(): Promise<void> }

const core = {
  explain: () => import('../../core/explain/index.ts'),
  load: () => import('../../core/onnx/load.ts'),
  preprocessing: () => import('../../core/data/preprocessing.ts'),
  samples: () => import('../../core/activations/input.ts'),
};

const asApi = (e: unknown, what: string): never => rethrowCoreError(e, what, { message: (m) => m.replace(/^explain: /, '') });

interface Prepared { em: ExplainModel; model: ModelProto; prep: Preprocessing; labels?: string[] }

export function createExplainMethods(deps: ExplainDeps): ExplainMethods {
  const prepared = new Map<string, Promise<Prepared>>();

  const preparedOf = (modelId: string): Promise<Prepared> => {
    const ref = deps.model(modelId);
    if (!ref.runtime) throw new ApiFailure('provider', 'no inference runtime is available for this model (see getInfo providers); saliency maps need onnxruntime');
    const hit = prepared.get(modelId);
    if (hit) return hit;
    const p = (async () => {
      const [{ ExplainModel }, { loadModelBytes }, { preprocessingOf, classNamesOf }] = await Promise.all([
        core.explain(), core.load(), core.preprocessing(),
      ]);
      const model = loadModelBytes(ref.bytes, { name: ref.name }).model;
      const em = ExplainModel.create(model, ref.runtime!);
      return { em, model, prep: preprocessingOf(model).preprocessing, labels: classNamesOf(model) };
    })().catch((e: unknown) => asApi(e, 'preparing the model for saliency'));
    p.catch(() => prepared.delete(modelId));
    prepared.set(modelId, p);
    return p;
  };

  const inputOf = async (p: Prepared, s: ExplainInputSource): Promise<ExplainInput> => {
    try {
      if (s.kind === 'sample') {
        const { prepareInput } = await core.samples();
        const r = await prepareInput(s, p.prep);
        return { name: r.name, x: r.tensor.data, geometry: r.geometry, kind: 'image' };
      }
      if (s.kind === 'embedding') {
        const pt = (deps.embedPoint ?? embedPointResolver(undefined))(s.embeddingId, s.index);
        if (pt.kind === 'gray') {
          // The same path as a dataset sample, so a shipped-set point gives the sample's map exactly.
          const { prepareInput } = await core.samples();
          const r = await prepareInput({ kind: 'gray', name: pt.name, width: pt.width, height: pt.height, pixels: pt.pixels }, p.prep);
          return { name: r.name, x: r.tensor.data, geometry: r.geometry, kind: 'image' };
        }
        // Folder/CSV sets: the original file (it came from a granted set), at full size.
        const { loadExplainInput } = await core.explain();
        return await loadExplainInput(pt.path, p.prep, p.em.inputShape, { name: pt.name });
      }
      if (s.kind === 'path' && !deps.isGranted(s.path)) throw new ApiFailure('forbidden', 'this file was not chosen through the file dialog; choose it there or drop it on the window');
      const { loadExplainInput } = await core.explain();
      return await loadExplainInput(s.kind === 'path' ? s.path : s.data, p.prep, p.em.inputShape, { name: s.kind === 'bytes' ? s.name : undefined, window: s.window });
    } catch (e) { return asApi(e, 'reading the input'); }
  };

  const job = <T>(jobId: string | undefined, ctx: CallContext, what: string, work: (signal: AbortSignal, progress: JobProgress) => Promise<T>): Promise<T> =>
    runJob(deps.jobs, jobId, ctx, (e) => asApi(e, what), work);

  const targetOf = (t: 'top1' | number | undefined) => t ?? 'top1';

  const handlers: ExplainHandlers = {
    async listExplainers() {
      const { listExplainers } = await core.explain();
      return listExplainers();
    },

    async explain(req, ctx) {
      const p = await preparedOf(req.modelId);
      const input = await inputOf(p, req.input);
      const { explainImage, mapToOriginal } = await core.explain();
      return job(req.jobId, ctx, 'the explanation', async (signal, progress) => {
        const n = req.methods.length;
        const r = await explainImage(p.em, input.x, {
          methods: req.methods, layer: req.layer, target: targetOf(req.target), options: req.options, signal,
          onProgress: (q) => progress(q.methodIndex * 1000 + Math.round((1000 * q.done) / Math.max(1, q.total)), n * 1000, q.method),
        });
        return {
          input: input.name,
          predicted: { ...r.predicted, ...(p.labels?.[r.predicted.index] !== undefined ? { label: p.labels[r.predicted.index] } : {}) },
          target: { ...r.target, ...(p.labels?.[r.target.index] !== undefined ? { label: p.labels[r.target.index] } : {}) },
          forwardMs: r.forwardMs,
          geometry: input.geometry,
          maps: r.results.map((m) => ({
            method: m.method, map: m.map, width: m.width, height: m.height, signed: m.signed,
            ...(m.layer ? { layer: m.layer } : {}),
            ...(m.layerMap ? { layerMap: m.layerMap } : {}),
            original: mapToOriginal(m.map, input.geometry),
            targetClass: m.targetClass, ms: m.ms, ...(m.extra ? { extra: m.extra } : {}),
          })),
        };
      });
    },

    async sanityCheck(req, ctx) {
      const p = await preparedOf(req.modelId);
      const input = await inputOf(p, req.input);
      const { sanityCheck } = await core.explain();
      return job(req.jobId, ctx, 'the sanity check', (signal, progress) => sanityCheck(p.model, p.em.runtime, input.x, req.method, {
        layer: req.layer, target: targetOf(req.target), steps: req.steps, threshold: req.threshold, options: req.options, signal,
        onProgress: (d, t) => progress(d, t, `randomised ${d} of ${t} steps`),
      }));
    },

    async faithfulness(req, ctx) {
      const p = await preparedOf(req.modelId);
      const input = await inputOf(p, req.input);
      const [, H, W] = p.em.inputShape;
      if (req.map.length !== H * W) throw new ApiFailure('invalid-request', `the map has ${req.map.length} values; it must be at model-input resolution (${H}×${W} = ${H * W})`);
      const { faithfulness, pickTarget, softmaxRow } = await core.explain();
      return job(req.jobId, ctx, 'the faithfulness scores', async (signal, progress) => {
        const scores = await p.em.scores(input.x, 1, { signal });
        const target = pickTarget(softmaxRow(scores, 0, scores.length), targetOf(req.target));
        progress(0, 1, 'deletion, insertion, ROAD');
        const f = await faithfulness(p.em, input.x, req.map, target, { steps: req.steps, signal });
        progress(1, 1, 'done');
        return { targetClass: target, deletionAuc: f.deletionAuc, insertionAuc: f.insertionAuc, road: f.road };
      });
    },
  };

  return {
    handlers,
    async drop(modelId) {
      const p = prepared.get(modelId);
      if (!p) return;
      prepared.delete(modelId);
      await p.then((x) => x.em.dispose(), () => undefined);
    },
    async close() {
      const all = [...prepared.values()];
      prepared.clear();
      await Promise.all(all.map((p) => p.then((x) => x.em.dispose(), () => undefined)));
    },
  };
}
