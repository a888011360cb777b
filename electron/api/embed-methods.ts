// The embedding methods of the service (embeddings helper): embedStart, embedThumbnail,
// embedNeighbors, embedExportCsv. Features go through a FeatureCache (memory + disk); the last few
// embeddings are kept so thumbnails and neighbour queries can follow. Cancel during t-SNE/UMAP keeps
// the last layout (the view's Stop button); cancel during extraction fails the call. The projection
// and its quality figures run in a worker thread (project-off-thread.ts), never on the host's loop.
import { randomBytes } from 'node:crypto';
import type { ApiRequest, ApiResponse } from './contract.ts';
import type { EmbedResponses } from './embed-contract.ts';
import type { Runtime } from './core-adapter.ts';
import type { FeatureCache, Features, ImageSet, Quality } from '../../core/features/index.ts';
import { ApiFailure, rethrowCoreError } from './errors.ts';
import { beginJob, type JobHandle } from './jobs.ts';
import { projectOffThread } from './project-off-thread.ts';
import type { CallContext } from './service.ts';

export interface EmbedModelRef { id: string; name: string; bytes: Uint8Array; runtime: Runtime | null }
export type EmbedJobHandle = JobHandle;
export interface EmbedDeps {
  model(id: string): EmbedModelRef;
  isGranted(path: string): boolean;
  jobs: Map<string, EmbedJobHandle>;
  /** Feature cache folder; null = memory only (default: core/features defaultCacheDir()). */
  cacheDir?: string | null;
}

type Method = keyof EmbedResponses;
export type EmbedHandlers = { [M in Method]: (req: ApiRequest<M>, ctx: CallContext) => Promise<ApiResponse<M>> };
export interface EmbedMethods {
  handlers: EmbedHandlers; drop(modelId: string): Promise<void>; close(): Promise<void>;
  /** The set and index behind one point of a kept embedding (opened in Activations/Heatmaps: embed-point.ts). */
  point(embeddingId: string, index: number): { set: ImageSet; index: number };
}

interface Kept { id: string; modelId: string | null; set: ImageSet; feats: Features; coords: Float32Array; dims: 2 | 3; classNames: string[] | null }
const KEEP = 4;

const core = {
  features: () => import('../../core/features/index.ts'),
  load: () => import('../../core/onnx/load.ts'),
  preprocessing: () => import('../../core/data/preprocessing.ts'),
};

const asApi = (e: unknown, what: string): never => rethrowCoreError(e, what, { notFound: ['LayerNotFoundError', 'FeatureLayerError'] });

/** L2 norm of each of n rows of length d. */
function rowNorms(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += x[j]! * x[j]!;
    out[i] = Math.sqrt(s);
  }
  return out;
}

export function createEmbedMethods(deps: EmbedDeps): EmbedMethods {
  const kept = new Map<string, Kept>();
  let cache: FeatureCache | undefined;
  const cacheOf = async () => {
    if (cache) return cache;
    const f = await core.features();
    cache = new f.FeatureCache(deps.cacheDir === undefined ? f.defaultCacheDir() : deps.cacheDir);
    return cache;
  };
  const keptOrThrow = (id: string): Kept => {
    const k = kept.get(id);
    if (!k) throw new ApiFailure('not-found', `no embedding "${id}"; it was dropped (only the last ${KEEP} are kept) — run embedStart again`);
    return k;
  };
  const indexOk = (k: Kept, i: number) => {
    if (i >= k.feats.n) throw new ApiFailure('invalid-request', `index ${i} is out of range: the embedding has ${k.feats.n} points`);
  };

  const handlers: EmbedHandlers = {
    async embedStart(req, ctx) {
      if (!req.pixels && !req.modelId) throw new ApiFailure('invalid-request', 'give a modelId, or pixels: true to embed raw pixels');
      const ref = req.modelId && !req.pixels ? deps.model(req.modelId) : null;
      if (ref && !ref.runtime) throw new ApiFailure('provider', 'no inference runtime is available for this model (see getInfo providers); embeddings of a layer need onnxruntime');
      if (typeof req.dataset === 'object' && !deps.isGranted(req.dataset.path)) throw new ApiFailure('forbidden', 'this dataset was not chosen through the file dialog; choose it there');
      const f = await core.features();
      const { jobId: id, job: handle, ac, end } = beginJob(deps.jobs, req.jobId, ctx);
      const progress = (done: number, total: number, message: string) => { if (!handle.cancelled) ctx.emit?.('progress', { jobId: id, done, total, message }); };
      try {
        let set: ImageSet, feats: Features, classNames: string[] | null;
        try {
          set = f.limitSet(f.openImageSet(typeof req.dataset === 'string' ? req.dataset : req.dataset.path), req.limit);
          if (set.count > 70_000) set = f.limitSet(set, 70_000);
          classNames = set.classNames;
          if (ref) {
            const [{ loadModelBytes }, { classNamesOf }] = await Promise.all([core.load(), core.preprocessing()]);
            const model = loadModelBytes(ref.bytes, { name: ref.name }).model;
            classNames ??= classNamesOf(model) ?? null;
            feats = await f.extractFeatures(model, ref.runtime!, set, {
              layer: req.layer, pool: req.pool, cache: await cacheOf(), signal: ac.signal,
              onProgress: (done, total) => progress(done, total, 'extracting features'),
            });
          } else {
            feats = await f.pixelFeatures(set, { signal: ac.signal, onProgress: (done, total) => progress(done, total, 'reading pixels') });
          }
        } catch (e) { return asApi(handle.cancelled ? Object.assign(new Error('cancelled'), { name: 'AbortError' }) : e, 'the embedding'); }

        const dims = req.dims ?? 2;
        // Off the host's thread (project-off-thread.ts): the last layout shown is what Stop keeps.
        let last: Float32Array | null = null;
        let coords: Float32Array, projectMs: number, stopped: boolean, q: Quality;
        try {
          const p = await projectOffThread(feats.features, feats.n, feats.d, feats.labels, { method: req.method, dims, ...req.params }, {
            stop: ac.signal, kill: ctx.signal, lastLayout: () => last,
            onLayout: (l) => {
              if (handle.cancelled) return;
              last = l.coords;
              ctx.emit?.('progress', { jobId: id, done: l.iteration, total: l.total, message: req.method, layout: { dims, coords: l.coords } });
            },
          });
          ({ coords, stopped, quality: q } = p);
          projectMs = p.ms;
        } catch (e) {
          return asApi(handle.cancelled ? Object.assign(new Error('cancelled'), { name: 'AbortError' }) : e, 'the embedding');
        }
        const embeddingId = `e_${randomBytes(6).toString('hex')}`;
        kept.set(embeddingId, { id: embeddingId, modelId: ref?.id ?? null, set, feats, coords, dims, classNames });
        while (kept.size > KEEP) kept.delete(kept.keys().next().value as string);
        const hasPred = feats.predictions.some((v) => v >= 0);
        const scalars: Record<string, Float32Array> = { ...feats.scalars, norm: rowNorms(feats.features, feats.n, feats.d) };
        return {
          embeddingId, n: feats.n, d: feats.d, layer: feats.layer, method: req.method, dims, coords,
          labels: feats.labels ? Int32Array.from(feats.labels) : null, predictions: hasPred ? Int32Array.from(feats.predictions) : null,
          classNames, quality: q, cached: feats.cached, ms: { extract: Math.round(feats.ms), project: Math.round(projectMs) }, stopped, scalars,
        };
      } finally {
        end();
      }
    },

    async embedThumbnail(req) {
      const k = keptOrThrow(req.embeddingId);
      indexOk(k, req.index);
      const label = k.feats.labels?.[req.index] ?? null;
      const pred = k.feats.predictions[req.index]!;
      const base = { index: req.index, label: label !== null && label >= 0 ? label : null, prediction: pred >= 0 ? pred : null };
      if (k.set.kind === 'gray') return { ...base, width: k.set.width, height: k.set.height, channels: 1, data: Uint8Array.from(k.set.pixels(req.index)) };
      const sharp = (await import('sharp')).default;
      const { data, info } = await sharp(k.set.paths[req.index]!).resize(64, 64, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
        .catch((e: unknown) => asApi(e, 'reading the image'));
      const channels = info.channels === 1 ? 1 : 3;
      let px = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (info.channels !== channels) { const o = new Uint8Array(info.width * info.height * 3); for (let i = 0; i < info.width * info.height; i++) for (let c = 0; c < 3; c++) o[i * 3 + c] = px[i * info.channels + c]!; px = o; }
      return { ...base, width: info.width, height: info.height, channels, data: Uint8Array.from(px) };
    },

    async embedNeighbors(req) {
      const k = keptOrThrow(req.embeddingId);
      indexOk(k, req.index);
      const { n, d, features } = k.feats;
      const kk = Math.min(req.k, n - 1);
      // One query: a linear scan (n·d) and a partial sort beats building an index.
      const dist = new Float64Array(n);
      const q = req.index * d;
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) { const t = features[o + j]! - features[q + j]!; s += t * t; }
        dist[i] = s;
      }
      const order = Array.from({ length: n }, (_, i) => i).filter((i) => i !== req.index).sort((a, b) => dist[a]! - dist[b]! || a - b).slice(0, kk);
      return { index: req.index, indices: Int32Array.from(order), distances: Float32Array.from(order.map((i) => Math.sqrt(dist[i]!))) };
    },

    async embedExportCsv(req) {
      const k = keptOrThrow(req.embeddingId);
      const f = await core.features();
      const selected = req.selected ? new Set(Array.from(req.selected)) : undefined;
      const hasPred = k.feats.predictions.some((v) => v >= 0);
      const csv = f.embeddingCsv({ coords: k.coords, dims: k.dims, labels: k.feats.labels, predictions: hasPred ? k.feats.predictions : null, classNames: k.classNames, ids: k.set.kind === 'files' ? k.set.paths : undefined, selected });
      return { name: `embedding-${k.set.name}-${k.feats.layer.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`, csv };
    },
  };

  return {
    handlers,
    async drop(modelId) { for (const [id, k] of kept) if (k.modelId === modelId) kept.delete(id); },
    async close() { kept.clear(); },
    point(embeddingId, index) { const k = keptOrThrow(embeddingId); indexOk(k, index); return { set: k.set, index }; },
  };
}
