// The autoencoder workbench methods of the service. Per open model it keeps one AutoencoderWorkbench
// (full model with the bottleneck exposed + decoder half) on the model's runtime worker. Long jobs
// (scoring a set, latents, PCA, training) report progress under their jobId and stop on cancel.
import type { ModelProto } from '../../core/onnx/proto.ts';
import type { Runtime } from './core-adapter.ts';
import type { AutoencoderWorkbench } from '../../core/autoencoder/workbench.ts';
import type { ImageSetSource } from '../../core/autoencoder/image-sets.ts';
import type { ApiRequest, ApiResponse } from './contract.ts';
import type { AeInput, AeResponses, AeSet } from './autoencoder-contract.ts';
import { runJob, type JobHandle, type JobProgress } from './jobs.ts';
import { ApiFailure, rethrowCoreError } from './errors.ts';
import type { CallContext } from './service.ts';

export interface AeModelRef { id: string; name: string; bytes: Uint8Array; runtime: Runtime | null }
export type AeJobHandle = JobHandle;
export interface AeDeps {
  model(id: string): AeModelRef;
  isGranted(path: string): boolean;
  jobs: Map<string, AeJobHandle>;
}

type Method = keyof AeResponses;
export type AeHandlers = { [M in Method]: (req: ApiRequest<M>, ctx: CallContext) => Promise<ApiResponse<M>> };
export interface AeMethods { handlers: AeHandlers; drop(modelId: string): Promise<void>; close(): Promise<void> }

const core = {
  workbench: () => import('../../core/autoencoder/workbench.ts'),
  sets: () => import('../../core/autoencoder/image-sets.ts'),
  scoring: () => import('../../core/autoencoder/scoring.ts'),
  latent: () => import('../../core/autoencoder/latent.ts'),
  pca: () => import('../../core/autoencoder/pca-compare.ts'),
  denoise: () => import('../../core/autoencoder/denoise.ts'),
  train: () => import('../../core/autoencoder/train-ae.ts'),
  fineTune: () => import('../../core/autoencoder/fine-tune.ts'),
  load: () => import('../../core/onnx/load.ts'),
  input: () => import('../../core/activations/input.ts'),
};

/** Core errors about the request (labels, sets, sizes) become invalid-request; cancellation stays cancellation. */
const asApi = (e: unknown, what: string): never => rethrowCoreError(e, what);

const trainMessage = (p: { epoch: number; epochs: number; loss: number; testMse?: number }) =>
  `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(5)}${p.testMse !== undefined ? ` test mse ${p.testMse.toFixed(5)}` : ''}`;

const labelsOf = (labels: readonly string[] | undefined) => {
  if (!labels) return {};
  const names = [...new Set(labels)];
  if (names.length > 65_535) return {};
  const at = new Map(names.map((n, i) => [n, i]));
  return { labelNames: names, labelIndex: Uint16Array.from(labels, (l) => at.get(l)!) };
};

export function createAutoencoderMethods(deps: AeDeps): AeMethods {
  const benches = new Map<string, Promise<AutoencoderWorkbench>>();

  const benchOf = async (modelId: string, bottleneck?: string): Promise<AutoencoderWorkbench> => {
    const ref = deps.model(modelId);
    if (!ref.runtime) throw new ApiFailure('provider', 'no inference runtime is available for this model (see getInfo providers); the autoencoder workbench needs onnxruntime');
    const key = `${modelId}\u0000${bottleneck ?? ''}`;
    const hit = benches.get(key);
    if (hit) return hit;
    const p = (async () => {
      const [{ AutoencoderWorkbench }, { loadModelBytes }] = await Promise.all([core.workbench(), core.load()]);
      const model: ModelProto = loadModelBytes(ref.bytes, { name: ref.name }).model;
      return AutoencoderWorkbench.open(ref.runtime!, model, { name: ref.name, bottleneck });
    })().catch((e: unknown) => asApi(e, 'opening the autoencoder'));
    p.catch(() => benches.delete(key));
    benches.set(key, p);
    return p;
  };

  const images = async (wb: AutoencoderWorkbench, inputs: readonly AeInput[]): Promise<{ x: Float32Array; names: string[] }> => {
    const { prepareInput } = await core.input();
    const per = wb.sampleSize, x = new Float32Array(inputs.length * per), names: string[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const s = inputs[i]!;
      if (s.kind === 'path' && !deps.isGranted(s.path)) throw new ApiFailure('forbidden', 'this image was not chosen through the file dialog; choose it there or drop it on the window');
      const p = await prepareInput(s, wb.preprocessing).catch((e: unknown) => asApi(e, 'reading the image'));
      if (p.tensor.data.length !== per) throw new ApiFailure('invalid-request', `${p.name}: the prepared image has ${p.tensor.data.length} values, the model takes ${per}`);
      x.set(p.tensor.data, i * per);
      names.push(p.name);
    }
    return { x, names };
  };

  const setOf = async (wb: AutoencoderWorkbench, s: AeSet): Promise<ImageSetSource> => {
    const sets = await core.sets();
    try {
      if (s.kind === 'builtin') return sets.openImageSet(s.parts.join('+'), wb.preprocessing, { limit: s.limit });
      for (const p of [s.path, s.labelsPath]) {
        if (p !== undefined && !deps.isGranted(p)) throw new ApiFailure('forbidden', `"${p}" was not chosen through the file dialog; choose the folder or file there`);
      }
      return sets.openImageSet(s.path, wb.preprocessing, { labelsPath: s.labelsPath, limit: s.limit });
    } catch (e) { return asApi(e, 'opening the set'); }
  };

  /** Run `work` as a cancellable job: progress events under jobId; cancel or the caller going away aborts it. */
  const job = <T>(jobId: string | undefined, ctx: CallContext, what: string, work: (signal: AbortSignal, progress: JobProgress) => Promise<T>): Promise<T> =>
    runJob(deps.jobs, jobId, ctx, (e) => asApi(e, what), work);

  /** Fine-tune the open model: its graph, input size and preprocessing stay; the job reports reading, then steps. */
  const fineTune = async (req: ApiRequest<'aeTrain'>, ctx: CallContext): Promise<ApiResponse<'aeTrain'>> => {
    const ref = deps.model(req.modelId!);
    const [{ loadModelBytes }, { preprocessingOf }, ft, { loadFineTuneData }, { saveModelBytes }] = await Promise.all([
      core.load(), import('../../core/data/preprocessing.ts'), core.fineTune(), import('../../core/autoencoder/fine-tune-data.ts'), import('../../core/onnx/save.ts'),
    ]);
    const model = loadModelBytes(ref.bytes, { name: ref.name }).model;
    const prep = preprocessingOf(model).preprocessing;
    try {
      ft.planFineTune(model, prep, { part: req.part, bottleneck: req.bottleneck });
    } catch (e) {
      if (e instanceof ft.NotTrainableError) throw new ApiFailure('bad-model', `${ref.name}: ${e.message}`);
      asApi(e, 'checking the model');
    }
    return job(req.jobId, ctx, 'fine-tuning', async (signal, progress) => {
      progress(0, 1, 'reading images');
      const data = await loadFineTuneData(typeof req.data === 'string' ? req.data : req.data.path, prep, {
        classes: req.classes, limit: req.limit, signal, onProgress: (d, t) => progress(d, t, `read ${d} of ${t} images`),
      });
      const r = await ft.fineTuneAutoencoder({
        model, preprocessing: prep, from: ref.name, fromBytes: ref.bytes, data, part: req.part, bottleneck: req.bottleneck,
        epochs: req.epochs, batchSize: req.batchSize, lr: req.lr, seed: req.seed, maxStepsPerEpoch: req.maxStepsPerEpoch, outPath: req.outPath, signal,
        onProgress: (p) => progress((p.epoch - 1) * p.steps + p.step, p.epochs * p.steps, trainMessage(p)),
      });
      return {
        model: saveModelBytes(r.model), savedTo: r.savedTo, cancelled: r.cancelled, steps: r.steps, seconds: r.seconds, mode: 'finetune' as const,
        history: r.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, testMse: h.testMse, seconds: h.seconds })),
        testMseBefore: r.testMseBefore, notes: [...data.notes, ...r.notes],
      };
    });
  };

  const handlers: AeHandlers = {
    async aeInfo(req) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const p = wb.preprocessing;
      return { ...wb.split, preprocessing: { size: [p.size[0], p.size[1]], channels: p.channels, mean: [...p.mean], std: [...p.std], preset: p.preset } };
    },

    async aeReconstruct(req) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const { x, names } = await images(wb, req.inputs);
      const { reconstructItems } = await core.scoring();
      const n = req.inputs.length, per = wb.sampleSize, [, h, w] = wb.sampleDims;
      const items = await reconstructItems(wb, x, n, req.error ?? 'l2').catch((e: unknown) => asApi(e, 'reconstruction'));
      const out = {
        dims: wb.sampleDims, n, names, input: wb.toPixels(x), recon: new Float32Array(n * per), errorMaps: new Float32Array(n * h * w),
        scores: { mean: new Float32Array(n), maxSmoothed: new Float32Array(n), ssim: new Float32Array(n) }, latents: new Float32Array(n * wb.latentSize), latentSize: wb.latentSize,
      };
      items.forEach((it, i) => {
        out.recon.set(wb.toPixels(it.recon), i * per);
        out.errorMaps.set(it.errorMap, i * h * w);
        out.scores.mean[i] = it.scores.mean; out.scores.maxSmoothed[i] = it.scores['max-smoothed']; out.scores.ssim[i] = it.scores.ssim;
        out.latents.set(it.latent, i * wb.latentSize);
      });
      return out;
    },

    async aeScoreSet(req, ctx) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const set = await setOf(wb, req.set);
      const { scoreSet } = await core.scoring();
      return job(req.jobId, ctx, 'scoring the set', async (signal, progress) => {
        progress(0, set.count, `scoring ${set.count} images`);
        const r = await scoreSet(wb, set, {
          score: req.score, error: req.error, normalLabels: req.normalLabels, targetFpr: req.targetFpr, worst: req.worst, bins: req.bins, batchSize: req.batchSize,
          signal, onProgress: (d, t) => progress(d, t, `scored ${d} of ${t} images`),
        });
        const ev = r.evaluation;
        return {
          count: set.count, dims: wb.sampleDims, scores: r.scores, ...labelsOf(r.labels), anomalous: r.anomalous, labelNote: r.labelNote,
          evaluation: ev && {
            auroc: ev.auroc, averagePrecision: ev.averagePrecision, threshold: ev.threshold, targetFpr: ev.targetFpr, normalCount: ev.normalCount, anomalousCount: ev.anomalousCount,
            confusion: ev.confusion, roc: { fpr: ev.roc.fpr, tpr: ev.roc.tpr, thresholds: ev.roc.thresholds }, pr: { recall: ev.pr.recall, precision: ev.pr.precision, thresholds: ev.pr.thresholds },
          },
          histogram: r.histogram,
          worst: r.worst.map((w) => ({ index: w.index, name: w.name, label: w.label, score: w.score, input: wb.toPixels(w.input), recon: wb.toPixels(w.recon), errorMap: w.errorMap })),
          seconds: r.seconds,
        };
      });
    },

    async aeLatents(req, ctx) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const set = await setOf(wb, req.set);
      if (set.count > 100_000) throw new ApiFailure('invalid-request', `the set has ${set.count} images; limit it to 100,000 for the embedding cloud`);
      const { latentsOf } = await core.latent();
      return job(req.jobId, ctx, 'computing latent codes', async (signal, progress) => {
        const r = await latentsOf(wb, set, { signal, onProgress: (d, t) => progress(d, t, `encoded ${d} of ${t} images`) });
        return { n: r.n, k: r.k, latents: r.latents, ...labelsOf(r.labels) };
      });
    },

    async aeInterpolate(req) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const { x } = await images(wb, [req.a, req.b]);
      const { interpolate } = await core.latent();
      const per = wb.sampleSize;
      const r = await interpolate(wb, x.subarray(0, per), x.subarray(per), req.steps).catch((e: unknown) => asApi(e, 'interpolation'));
      return { dims: wb.sampleDims, steps: req.steps, images: wb.toPixels(r.images), codes: r.codes, t: r.t };
    },

    async aeWalk(req) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const { x } = await images(wb, [req.input]);
      const { latentWalk } = await core.latent();
      const r = await latentWalk(wb, x, req.axis, [req.from, req.to], req.steps).catch((e: unknown) => asApi(e, 'the latent walk'));
      const k = wb.latentSize, codes = new Float32Array(req.steps * k);
      for (let s = 0; s < req.steps; s++) { codes.set(r.base, s * k); codes[s * k + req.axis] = r.values[s]!; }
      return { dims: wb.sampleDims, steps: req.steps, images: wb.toPixels(r.images), codes, t: r.values };
    },

    async aeCompareWithPca(req, ctx) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const sets = await core.sets();
      const train = sets.openImageSet(req.train ?? 'mnist-train', wb.preprocessing, { limit: req.trainCount ?? 10_000 });
      const test = sets.openImageSet(req.test ?? 'mnist-test', wb.preprocessing, { limit: req.testCount ?? 10_000 });
      const { compareWithPca } = await core.pca();
      return job(req.jobId, ctx, 'the PCA comparison', async (signal, progress) => {
        const c = await compareWithPca(wb, train, test, { k: req.k, keep: req.keep, signal, onProgress: progress });
        return {
          k: c.k, trainCount: c.trainCount, testCount: c.testCount, aeMse: c.aeMse, pcaMse: c.pcaMse, aeMeanMse: c.aeMeanMse, pcaMeanMse: c.pcaMeanMse,
          aeWins: c.aeWins, explainedVariance: c.explainedVariance, dims: wb.sampleDims,
          examples: { count: c.examples.count, input: wb.toPixels(c.examples.input), ae: wb.toPixels(c.examples.ae), pca: wb.toPixels(c.examples.pca) },
        };
      });
    },

    async aeDenoise(req) {
      const wb = await benchOf(req.modelId, req.bottleneck);
      const { x } = await images(wb, req.inputs);
      const { denoise } = await core.denoise();
      const r = await denoise(wb, x, req.inputs.length, { kind: req.kind, amount: req.amount, seed: req.seed }).catch((e: unknown) => asApi(e, 'denoising'));
      return { dims: wb.sampleDims, n: req.inputs.length, ...r };
    },

    async aeTrain(req, ctx) {
      if (typeof req.data === 'object' && !deps.isGranted(req.data.path)) throw new ApiFailure('forbidden', 'the training folder was not chosen through the file dialog; choose it there');
      if (req.outPath !== undefined && !deps.isGranted(req.outPath)) throw new ApiFailure('forbidden', 'the output path was not chosen through the file dialog; choose it there (or save the returned bytes)');
      if (req.mode === 'finetune') return fineTune(req, ctx);
      const { loadTrainingData, trainAutoencoder } = await core.train();
      return job(req.jobId, ctx, 'training', async (signal, progress) => {
        const data = await loadTrainingData(typeof req.data === 'string' ? req.data : req.data.path, req.size ?? 28);
        const r = await trainAutoencoder({
          data, latent: req.latent!, depth: req.depth!, epochs: req.epochs, batchSize: req.batchSize, lr: req.lr, seed: req.seed,
          maxStepsPerEpoch: req.maxStepsPerEpoch, outPath: req.outPath, signal,
          onProgress: (p) => progress((p.epoch - 1) * p.steps + p.step, p.epochs * p.steps, trainMessage(p)),
        });
        const { saveModelBytes } = await import('../../core/onnx/save.ts');
        return {
          model: saveModelBytes(r.model), savedTo: r.savedTo, cancelled: r.cancelled, steps: r.steps, seconds: r.seconds, mode: 'scratch' as const,
          history: r.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, testMse: h.testMse, seconds: h.seconds })),
        };
      });
    },
  };

  return {
    handlers,
    async drop(modelId) {
      for (const [k, p] of [...benches]) {
        if (!k.startsWith(`${modelId}\u0000`)) continue;
        benches.delete(k);
        await p.then((wb) => wb.dispose(), () => undefined);
      }
    },
    async close() {
      const all = [...benches.values()];
      benches.clear();
      await Promise.all(all.map((p) => p.then((wb) => wb.dispose(), () => undefined)));
    },
  };
}
