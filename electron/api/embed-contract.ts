// The embedding clouds' part of the API (embeddings helper): request schemas and response types,
// merged into contract.ts. Coordinates, labels and predictions are typed arrays (binary on every
// wire). Imports nothing from contract.ts at run time (contract.ts imports this file).
import { z } from 'zod';

const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
/** `mnist-fashion-test`: MNIST and Fashion-MNIST test images alternating, labelled by source (autoencoder normal vs anomalous). */
/** `mnist-all` / `fashion-all`: all 70,000 images, test first, then train. */
export const EMBED_DATASETS = ['mnist-test', 'mnist-train', 'mnist-all', 'fashion-test', 'fashion-train', 'fashion-all', 'mnist-fashion-test'] as const;
/** Most points one embedding may hold (MNIST train + test). */
export const MAX_EMBED_POINTS = 70_000;
/** Selected indices accepted by embedExportCsv (larger selections: export client-side). */
export const MAX_EXPORT_SELECTION = 10_000;

export const embedDatasetSchema = z.union([
  z.enum(EMBED_DATASETS),
  /** A folder of class sub-folders, an IDX file or a CSV list the user chose in the host's dialog. */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
]);
export type EmbedDataset = z.infer<typeof embedDatasetSchema>;

export const embedParamsSchema = z.object({
  perplexity: z.number().min(1).max(500).optional(),
  /** t-SNE iterations / UMAP epochs. */
  iterations: z.number().int().min(1).max(10_000).optional(),
  nNeighbors: z.number().int().min(2).max(200).optional(),
  minDist: z.number().min(0).max(10).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** Intermediate layouts (embedLayout events) every this many iterations (default 25). */
  every: z.number().int().min(1).max(1000).optional(),
}).strict();

export const embedRequestSchemas = {
  /** Extract features (or pixels) for a dataset and project them; progress events carry intermediate layouts (`layout`) under jobId; `cancel` stops it. */
  embedStart: z.object({
    modelId: idSchema.optional(), dataset: embedDatasetSchema, limit: z.number().int().min(3).max(MAX_EMBED_POINTS).optional(),
    layer: z.string().min(1).max(1024).optional(), pixels: z.boolean().optional(), pool: z.boolean().optional(),
    method: z.enum(['pca', 'tsne', 'umap']), dims: z.union([z.literal(2), z.literal(3)]).optional(),
    params: embedParamsSchema.optional(), jobId: idSchema.optional(),
  }).strict(),
  /** The image of one point (8-bit, as stored in the dataset). */
  embedThumbnail: z.object({ embeddingId: idSchema, index: z.number().int().min(0).max(10_000_000) }).strict(),
  /** k nearest neighbours of one point in the ORIGINAL feature space (not the projection). */
  embedNeighbors: z.object({ embeddingId: idSchema, index: z.number().int().min(0).max(10_000_000), k: z.number().int().min(1).max(100) }).strict(),
  /** The embedding as CSV text (id,label,prediction,x,y[,z][,selected]). */
  embedExportCsv: z.object({ embeddingId: idSchema, selected: z.instanceof(Int32Array).refine((s) => s.length <= MAX_EXPORT_SELECTION, `at most ${MAX_EXPORT_SELECTION} selected indices`).optional() }).strict(),
} as const;

export interface EmbedQuality { trustworthiness: number; knnAccuracy: number | null; k: number; sampled: number }

export interface EmbedResult {
  embeddingId: string;
  n: number;
  /** Feature width (after pooling). */
  d: number;
  layer: string;
  method: 'pca' | 'tsne' | 'umap';
  dims: 2 | 3;
  /** n×dims, row-major. */
  coords: Float32Array;
  labels: Int32Array | null;
  /** Argmax of the model output; null for --pixels or non-classifiers. */
  predictions: Int32Array | null;
  classNames: string[] | null;
  quality: EmbedQuality;
  /** Features came from the cache (no inference ran). */
  cached: boolean;
  ms: { extract: number; project: number };
  /** Stopped early by cancel during t-SNE/UMAP: coords are the last layout. */
  stopped: boolean;
  /**
   * Per-point scalars to colour by (each of length n): `norm` (L2 norm of the feature vector) always;
   * `confidence` (max softmax probability) and `entropy` (of the prediction, nats) for a classifier;
   * `anomaly` (mean squared reconstruction error, model space) for an autoencoder.
   */
  scalars: Record<string, Float32Array>;
}

/** Intermediate layout while t-SNE/UMAP iterate: rides on the progress event (done = iteration) of the embedStart job. */
export interface EmbedLayout { dims: 2 | 3; coords: Float32Array }

export interface EmbedThumbnail { index: number; width: number; height: number; channels: 1 | 3; data: Uint8Array; label: number | null; prediction: number | null }

export interface EmbedResponses {
  embedStart: EmbedResult;
  embedThumbnail: EmbedThumbnail;
  embedNeighbors: { index: number; indices: Int32Array; distances: Float32Array };
  embedExportCsv: { name: string; csv: string };
}
