// The API behind both hosts: one implementation of every contract method, host-agnostic.
// Hosts validate requests (dispatch.ts) and deliver events; the service keeps the registry of
// opened models, file grants and running jobs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ModelSummary } from '../../core/analysis/types.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY } from '../../core/data/types.ts';
import type {
  ApiEvents, ApiMethod, ApiRequest, ApiResponse, AppInfo, OpenedModel, ProviderChoice, ProviderReport, ZooEntry,
} from './contract.ts';
import { ApiFailure } from './errors.ts';
import { beginJob, type JobHandle } from './jobs.ts';
import { modelZoo, runtimeModule, type Runtime } from './core-adapter.ts';
import { OffThreadOpener, type WorkerScript } from './off-thread.ts';
import { runOpenJob, type OpenJobResult, type ProgressFn } from './open-model.ts';
import { PathGrants } from '../security/grants.ts';
import { listDataDir, MAX_DATA_ENTRIES } from './data-paths.ts';
// --- review workspaces (workspace/report helper) ---
import { createReviewHandlers, type ReviewOptions } from './review-service.ts';
import { createActivationMethods } from './activation-methods.ts';
// --- autoencoder workbench (autoencoder helper) ---
import { createAutoencoderMethods } from './autoencoder-methods.ts';
// --- saliency explainers (explain helper) ---
import { createExplainMethods } from './explain-methods.ts';
// --- embedding clouds (embeddings helper) ---
import { createEmbedMethods } from './embed-methods.ts';
import { embedPointResolver } from './embed-point.ts';
// --- radiograph review display (heatmaps helper) ---
import { createImageReviewMethods } from './image-review-methods.ts';

/** Per-call context from the host: where this caller's events go. */
export interface CallContext {
  emit?: <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void;
  /** Aborted when the caller goes away (socket closed, window destroyed): its jobs stop. */
  signal?: AbortSignal;
}

export type ApiHandlers = { [M in ApiMethod]: (req: ApiRequest<M>, ctx: CallContext) => Promise<ApiResponse<M>> };
/**
 * Note: openModel with a `bytes` source (or `bytes` parts of an `encoder-decoder` source) takes
 * ownership of `data` (its buffer moves to the worker, avoiding a copy of up to 2 GB); hosts pass
 * freshly decoded buffers.
 */
export interface ApiService extends ApiHandlers {
  /** Stop workers and forget models (the host is closing). */
  close(): Promise<void>;
}

export interface ServiceOptions {
  host: AppInfo['host'];
  /** App version; read from package.json when omitted. */
  version?: string;
  /** Paths the user chose in a file dialog; openModel({kind:'path'}) accepts only these. */
  grants?: PathGrants;
  /** The host's file dialog (Electron); absent in the browser host, where chooseModelFile returns null. */
  chooseModelFile?: (purpose?: 'model' | 'encoder' | 'decoder') => Promise<string | null>;
  /** The host's dialog for the user's own data set (Electron); absent in the browser host (chooseDataPath → null). */
  chooseDataPath?: (kind: 'folder' | 'idx' | 'csv') => Promise<string | null>;
  /** The browser host's data folder (`--data DIR`): listDataPaths lists and grants the data sets in it. */
  dataDir?: string | null;
  /** Where open jobs run: 'auto' = the worker thread for all but small zoo nets. */
  offThread?: 'auto' | 'always' | 'never';
  workerScript?: WorkerScript;
  /** Open models are held in memory (VGG16 is 553 MB); beyond this many, close one first. */
  maxOpenModels?: number;
  /** How activations are computed (core/activations/session.ts); 'auto' by default. */
  activationStrategy?: 'auto' | 'all' | 'layer';
  // --- review workspaces (workspace/report helper) ---
  /** Workspace/review settings: browser host's workspaces folder, recent list, dialogs, PDF printer. */
  review?: Omit<ReviewOptions, 'host' | 'grants'>;
  // --- embedding clouds (embeddings helper) ---
  /** Feature cache folder for embeddings; null = memory only; default ~/.cache/receptive/features. */
  embedCacheDir?: string | null;
}

// Measured on the 2-core dev machine: building zoo nets takes LeNet-5 50 ms, DenseNet-121 1.1 s,
// ResNet-50 2.5 s, VGG16 17 s; in the worker, VGG16 cost the host's event loop at most 50 ms of
// lag. Analysis itself is fast (DenseNet-121: 23 ms). Only small zoo nets (our own code, known
// cost) are built inline; every model from outside (bytes, files) is parsed in the worker, which
// also keeps a hostile file that exhausts memory from taking the host down with it.
/** Zoo nets above this many parameters are built in the worker. */
export const INLINE_MAX_ZOO_PARAMS = 1_000_000;
export const DEFAULT_MODEL = 'lenet5';

interface OpenModelEntry {
  id: string;
  name: string;
  bytes: Uint8Array;
  sha256: string;
  summary: ModelSummary;
  provider: ProviderReport;
  runtime: Runtime | null;
  warnings: string[];
}

/** A running open job; `abort` stops its worker (inline work just has its result dropped). */
type Job = JobHandle;

const preprocessingSchema = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  channels: z.union([z.literal(1), z.literal(3)]),
  mean: z.array(z.number()).min(1).max(3),
  std: z.array(z.number().positive()).min(1).max(3),
  preset: z.string().max(32),
  resize: z.enum(['stretch', 'center-crop']).optional(),
  resizeShorter: z.number().int().positive().optional(),
});
const classNamesSchema = z.array(z.string().max(256)).max(100_000);

export function createService(opts: ServiceOptions): ApiService {
  const grants = opts.grants ?? new PathGrants();
  // The data folder's listing is granted apart from dialog choices, so 200 listed sets never push a
  // chosen model out of `grants` (which forgets its oldest beyond its limit); re-listing replaces it.
  const dataGrants = new PathGrants(MAX_DATA_ENTRIES);
  const isGranted = (p: string): boolean => grants.isGranted(p) || dataGrants.isGranted(p);
  const maxOpen = opts.maxOpenModels ?? 8;
  const models = new Map<string, OpenModelEntry>();
  const jobs = new Map<string, Job>();
  let opener: OffThreadOpener | undefined;
  const runtimes = new Map<ProviderChoice, Promise<Runtime>>();
  const version = opts.version ?? readVersion();
  // --- review workspaces (workspace/report helper) ---
  const review = createReviewHandlers({ ...opts.review, host: opts.host, grants });
  // An embedding point opened in Activations/Heatmaps (issue #6 §3); `embeddings` is made below, looked up at call time.
  const embedPoint = embedPointResolver((id, i) => embeddings.point(id, i));
  const activations = createActivationMethods({ model: (id) => modelOrThrow(id), isGranted, jobs, strategy: opts.activationStrategy, embedPoint });
  // --- autoencoder workbench (autoencoder helper) ---
  const autoencoder = createAutoencoderMethods({ model: (id) => modelOrThrow(id), isGranted, jobs });
  // --- saliency explainers (explain helper) ---
  const explainers = createExplainMethods({ model: (id) => modelOrThrow(id), isGranted, jobs, embedPoint });
  // --- embedding clouds (embeddings helper) ---
  const embeddings = createEmbedMethods({ model: (id) => modelOrThrow(id), isGranted, jobs, cacheDir: opts.embedCacheDir });
  // --- radiograph review display (heatmaps helper) ---
  const imageReview = createImageReviewMethods({ isGranted, embedPoint });

  // One Runtime per provider choice: creating one probes the providers, so it is reused.
  const runtimeFor = (provider: ProviderChoice): Promise<Runtime> => {
    const hit = runtimes.get(provider);
    if (hit) return hit;
    const r = runtimeModule().then((m) => m.Runtime.create({ provider }));
    r.catch(() => runtimes.delete(provider));
    runtimes.set(provider, r);
    return r;
  };

  const providerReport = async (provider: ProviderChoice): Promise<{ report: ProviderReport; runtime: Runtime | null }> => {
    try {
      const runtime = await runtimeFor(provider);
      return { report: runtime.report, runtime };
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return { report: { chosen: 'none', attempts: [{ provider, ok: false, reason }] }, runtime: null };
    }
  };

  const goesOffThread = async (req: ApiRequest<'openModel'>): Promise<boolean> => {
    const mode = opts.offThread ?? 'auto';
    if (mode !== 'auto') return mode === 'always';
    const s = req.source;
    if (s.kind !== 'zoo') return true;
    const spec = await zooEntry(s.name).catch(() => null);
    return !spec || spec.params > INLINE_MAX_ZOO_PARAMS;
  };

  const runInline = (_job: Job, _signal: AbortSignal, req: ApiRequest<'openModel'>, progress: ProgressFn): Promise<OpenJobResult> => runOpenJob(req.source, progress);

  const runOffThread = (job: Job, signal: AbortSignal, req: ApiRequest<'openModel'>, progress: ProgressFn): Promise<OpenJobResult> => {
    opener ??= new OffThreadOpener(opts.workerScript);
    const o = opener;
    // Cancel (or the caller going away) stops the worker's job.
    signal.addEventListener('abort', () => { o.cancel(job.id); }, { once: true });
    if (signal.aborted) o.cancel(job.id);
    return o.run(job.id, req.source, progress);
  };

  const service: ApiService = {
    async getInfo() {
      const names = await modelZoo().then((z) => z.zooNames()).catch(() => [] as string[]);
      const { report } = await providerReport('auto');
      return {
        version,
        host: opts.host,
        providers: report,
        defaultModel: names.includes(DEFAULT_MODEL) ? DEFAULT_MODEL : (names[0] ?? DEFAULT_MODEL),
      };
    },

    async listZoo() {
      const zoo = await modelZoo();
      return Promise.all(zoo.zooNames().map((n) => zooEntry(n)));
    },

    async openModel(req, ctx) {
      if (req.source.kind === 'path' && !grants.isGranted(req.source.path)) {
        throw new ApiFailure('forbidden', 'this file was not chosen through the file dialog; open it with "Open model…" (chooseModelFile) or drop it on the window');
      }
      if (req.source.kind === 'encoder-decoder') {
        for (const [role, part] of [['encoder', req.source.encoder], ['decoder', req.source.decoder]] as const) {
          if (part.kind === 'path' && !grants.isGranted(part.path)) {
            throw new ApiFailure('forbidden', `the ${role} file was not chosen through the file dialog; choose it with "Open encoder + decoder…" (chooseModelFile) or pick it in the browser`);
          }
        }
      }
      if (models.size >= maxOpen) {
        throw new ApiFailure('invalid-request', `${models.size} models are open, the most this host keeps in memory; close one (closeModel) and try again`);
      }
      // Registered before the first await so a cancel (or a duplicate id) is seen at once.
      const { jobId, job, ac, end } = beginJob(jobs, req.jobId ?? newId('job'), ctx);
      const progress: ProgressFn = (done, total, message) => { if (!job.cancelled) ctx.emit?.('progress', { jobId, done, total, message }); };
      const checkCancelled = () => { if (job.cancelled) throw new ApiFailure('cancelled', 'opening the model was cancelled'); };
      try {
        const offThread = await goesOffThread(req);
        checkCancelled();
        const opened = await (offThread ? runOffThread : runInline)(job, ac.signal, req, progress);
        checkCancelled();
        const { report, runtime } = await providerReport(req.provider ?? 'auto');
        if (models.size >= maxOpen) throw new ApiFailure('invalid-request', `${models.size} models are open, the most this host keeps in memory; close one (closeModel) and try again`);
        const id = newId('m');
        const name = req.source.kind === 'zoo' ? req.source.name : opened.name;
        models.set(id, { id, name, bytes: opened.bytes, sha256: opened.sha256, summary: opened.summary, provider: report, runtime, warnings: opened.warnings });
        progress(3, 3, 'opened');
        const out: OpenedModel = { modelId: id, name, summary: opened.summary, provider: report };
        const pre = parseMeta(opened.summary.metadata[PREPROCESSING_KEY], preprocessingSchema);
        if (pre) out.preprocessing = pre;
        const classes = parseMeta(opened.summary.metadata[CLASS_NAMES_KEY], classNamesSchema);
        if (classes) out.classNames = classes;
        if (opened.warnings.length) out.warnings = [...opened.warnings];
        return out;
      } finally {
        end();
      }
    },

    async closeModel(req) {
      const m = models.get(req.modelId);
      if (!m) return { closed: false };
      models.delete(req.modelId);
      await activations.drop(req.modelId);
      await autoencoder.drop(req.modelId);
      await explainers.drop(req.modelId);
      await embeddings.drop(req.modelId); // embedding clouds (embeddings helper)
      return { closed: true };
    },

    async getSummary(req) {
      return modelOrThrow(req.modelId).summary;
    },

    async chooseModelFile(req) {
      if (!opts.chooseModelFile) return null;
      const path = await opts.chooseModelFile(req.purpose);
      if (!path) return null;
      return { path: grants.grant(path) };
    },

    async chooseDataPath(req) {
      if (!opts.chooseDataPath) return null;
      const path = await opts.chooseDataPath(req.kind);
      if (!path) return null;
      return { path: grants.grant(path) };
    },

    async listDataPaths() {
      if (!opts.dataDir) return { root: null, entries: [] };
      const listed = listDataDir(opts.dataDir);
      dataGrants.revokeAll();
      for (const e of listed.entries) dataGrants.grant(e.path);
      return listed;
    },

    async cancel(req) {
      const job = jobs.get(req.jobId);
      if (!job || job.cancelled) return { cancelled: false };
      job.cancelled = true;
      job.abort();
      return { cancelled: true };
    },

    setInput: (req, ctx) => activations.setInput(req, ctx),
    getActivations: (req, ctx) => activations.getActivations(req, ctx),
    getFilters: (req, ctx) => activations.getFilters(req, ctx),
    datasetExamples: (req, ctx) => activations.datasetExamples(req, ctx),
    listSamples: (req, ctx) => activations.listSamples(req, ctx),
    getColormaps: (req, ctx) => activations.getColormaps(req, ctx),
    visualizeChannel: (req, ctx) => activations.visualizeChannel(req, ctx),

    // --- review workspaces (workspace/report helper) ---
    ...review.handlers,

    // --- autoencoder workbench (autoencoder helper) ---
    ...autoencoder.handlers,

    // --- saliency explainers (explain helper) ---
    ...explainers.handlers,

    // --- embedding clouds (embeddings helper) ---
    ...embeddings.handlers,

    // --- radiograph review display (heatmaps helper) ---
    loadImageForReview: (req) => imageReview.loadImageForReview(req),

    async close() {
      review.close();
      for (const j of jobs.values()) { j.cancelled = true; j.abort(); }
      models.clear();
      await activations.close();
      await autoencoder.close();
      await explainers.close();
      await embeddings.close(); // embedding clouds (embeddings helper)
      const rts = [...runtimes.values()];
      runtimes.clear();
      await Promise.all([
        opener?.close(),
        ...rts.map((r) => r.then((rt) => rt.dispose(), () => undefined)),
      ]);
    },
  };

  function modelOrThrow(id: string): OpenModelEntry {
    const m = models.get(id);
    if (!m) throw new ApiFailure('not-found', `no open model with id "${id}"; it may have been closed — open it again`);
    return m;
  }

  return service;
}

const zooCache = new Map<string, ZooEntry>();

async function zooEntry(name: string): Promise<ZooEntry> {
  const hit = zooCache.get(name);
  if (hit) return hit;
  const zoo = await modelZoo();
  if (!zoo.zooNames().includes(name)) throw new ApiFailure('not-found', `no zoo model named "${name}"; choose one of: ${zoo.zooNames().join(', ')}`);
  const s = zoo.zooSpec(name);
  const e: ZooEntry = {
    name,
    title: s.title,
    task: s.task,
    inputShape: [...s.inputShape],
    params: s.expectedParams ?? 0,
    trained: s.trained === true,
    description: s.description,
  };
  zooCache.set(name, e);
  return e;
}

function parseMeta<T>(raw: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!raw) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch { return undefined; }
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch { return '0.0.0'; }
}
