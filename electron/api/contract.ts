// The one API the renderer may call, defined once. Hosts (Electron IPC, browser HTTP/WS) validate
// every request against `requestSchemas` before it reaches the service; the renderer imports the
// types only. Tensors are typed arrays (binary on every wire), never JSON number arrays.
import { z } from 'zod';
import type { ModelSummary, Shape } from '../../core/analysis/types.ts';
import type { Tensor } from '../../core/tensor.ts';

export const MAX_NAME = 256;
export const MAX_PATH = 4096;
/** Largest model accepted from the renderer as bytes (drag and drop). */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

export const providerSchema = z.enum(['auto', 'cuda', 'dml', 'webgpu', 'cpu']);
export type ProviderChoice = z.infer<typeof providerSchema>;

const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const modelSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zoo'), name: z.string().min(1).max(MAX_NAME).regex(/^[a-z0-9_-]+$/) }).strict(),
  /** A path the user chose through the host's file dialog (the host checks it was granted). */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(MAX_PATH) }).strict(),
  /** Bytes from drag and drop. */
  z.object({ kind: z.literal('bytes'), name: z.string().min(1).max(MAX_NAME), data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_MODEL_BYTES, 'model too large') }).strict(),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

export const requestSchemas = {
  getInfo: z.object({}).strict(),
  listZoo: z.object({}).strict(),
  /** `jobId` (chosen by the caller) names the work for progress events and `cancel`. */
  openModel: z.object({ source: modelSourceSchema, provider: providerSchema.optional(), jobId: idSchema.optional() }).strict(),
  closeModel: z.object({ modelId: idSchema }).strict(),
  getSummary: z.object({ modelId: idSchema }).strict(),
  /** Choose a model file through the host's dialog; resolves to a granted path or null. */
  chooseModelFile: z.object({}).strict(),
  cancel: z.object({ jobId: idSchema }).strict(),
} as const;

export type ApiMethod = keyof typeof requestSchemas;
export type ApiRequest<M extends ApiMethod> = z.infer<(typeof requestSchemas)[M]>;

export interface ProviderAttempt { provider: string; ok: boolean; reason: string }
export interface ProviderReport { chosen: string; attempts: ProviderAttempt[] }

export interface ZooEntry {
  name: string;
  title: string;
  task: 'classifier' | 'autoencoder';
  inputShape: number[];
  params: number;
  /** Trained weights shipped in resources/models (vs He-initialised, built on demand). */
  trained: boolean;
  description: string;
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'browser';
  providers: ProviderReport;
  defaultModel: string;
}

export interface OpenedModel {
  modelId: string;
  name: string;
  summary: ModelSummary;
  provider: ProviderReport;
  /** Preprocessing recorded with the model (sidecar or metadata), if any. */
  preprocessing?: { size: [number, number]; channels: 1 | 3; mean: number[]; std: number[]; preset: string; resize?: 'stretch' | 'center-crop'; resizeShorter?: number };
  classNames?: string[];
}

export interface ApiResponses {
  getInfo: AppInfo;
  listZoo: ZooEntry[];
  openModel: OpenedModel;
  closeModel: { closed: boolean };
  getSummary: ModelSummary;
  chooseModelFile: { path: string } | null;
  cancel: { cancelled: boolean };
}

export type ApiResponse<M extends ApiMethod> = ApiResponses[M];

/** Events pushed from host to renderer. */
export interface ApiEvents {
  progress: { jobId: string; done: number; total: number; message: string };
}

/** The renderer-side view: one async function per method. */
export type ReceptiveApi = {
  [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>>;
} & {
  on<E extends keyof ApiEvents>(event: E, fn: (payload: ApiEvents[E]) => void): () => void;
};

/** Errors cross the wire as { code, message }; the message says what to do next. */
export interface ApiError { code: 'invalid-request' | 'not-found' | 'bad-model' | 'provider' | 'cancelled' | 'internal' | 'forbidden'; message: string }

export type { Tensor, Shape };
