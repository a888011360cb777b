// The saliency explainers' part of the API: request schemas and response types, merged into
// contract.ts. Maps are Float32Arrays (binary on every wire). Imports nothing from contract.ts at
// run time (contract.ts imports this file).
import { z } from 'zod';

const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const MAX_EXPLAIN_INPUT_BYTES = 128 * 1024 ** 2; // = contract MAX_IMAGE_BYTES

/** A DICOM VOI window chosen by the reviewer: the model is fed the image as windowed on screen. */
export const voiWindowSchema = z.object({
  center: z.number().finite(), width: z.number().finite().positive().max(1e9), fn: z.enum(['LINEAR', 'LINEAR_EXACT', 'SIGMOID']),
}).strict();

/** A point of a kept embedding (embed-contract embedStart): the image behind it, opened from the cloud.
 *  Shared with contract.ts's inputSourceSchema (setInput). */
export const embeddingInputSchema = z.object({ kind: z.literal('embedding'), embeddingId: idSchema, index: z.number().int().min(0).max(10_000_000) }).strict();

/** What to explain: a shipped dataset sample, a granted file (image, DICOM, .npy), dropped bytes or an embedding point. */
export const explainInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample'), dataset: z.enum(['mnist-test', 'fashion-test']), index: z.number().int().min(0).max(1_000_000) }).strict(),
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096), window: voiWindowSchema.optional() }).strict(),
  z.object({ kind: z.literal('bytes'), name: z.string().min(1).max(256), data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_EXPLAIN_INPUT_BYTES, 'input too large'), window: voiWindowSchema.optional() }).strict(),
  embeddingInputSchema,
]);
export type ExplainInputSource = z.infer<typeof explainInputSchema>;

const count = (max: number) => z.number().int().min(1).max(max);
/** Per-method settings (core/explain/options.ts); ranges are checked again by the core. */
export const explainOptionsSchema = z.object({
  smoothgrad: z.object({ samples: count(1000).optional(), noise: z.number().min(0).max(10).optional(), seed: z.number().int().min(0).max(2 ** 31).optional() }).strict().optional(),
  ig: z.object({ steps: count(1000).optional(), baseline: z.union([z.literal('zero'), z.literal('blur'), z.number().finite()]).optional() }).strict().optional(),
  occlusion: z.object({ patch: count(4096).optional(), stride: count(4096).optional(), baseline: z.number().finite().optional() }).strict().optional(),
  rise: z.object({ masks: count(20_000).optional(), cell: count(4096).optional(), p: z.number().min(0.01).max(1).optional(), seed: z.number().int().min(0).max(2 ** 31).optional() }).strict().optional(),
  scorecam: z.object({ maxChannels: count(100_000).optional() }).strict().optional(),
}).strict();

const methodName = z.string().min(1).max(32);
const layerName = z.string().min(1).max(1024);
const targetSchema = z.union([z.literal('top1'), z.number().int().min(0).max(1_000_000)]);

export const explainRequestSchemas = {
  /** Names, kinds, defaults and papers of the explainers. */
  listExplainers: z.object({}).strict(),
  /** Saliency maps for one input by several methods (progress under jobId; cancel stops it). */
  explain: z.object({
    modelId: idSchema, input: explainInputSchema, methods: z.array(methodName).min(1).max(16),
    layer: layerName.optional(), target: targetSchema.optional(), options: explainOptionsSchema.optional(), jobId: idSchema.optional(),
  }).strict(),
  /** Cascading randomisation (Adebayo et al. 2018) for one method on one input. */
  sanityCheck: z.object({
    modelId: idSchema, input: explainInputSchema, method: methodName, layer: layerName.optional(), target: targetSchema.optional(),
    steps: count(32).optional(), threshold: z.number().min(-1).max(1).optional(), options: explainOptionsSchema.optional(), jobId: idSchema.optional(),
  }).strict(),
  /** Deletion/insertion AUC and ROAD for a map (at model-input resolution) of one input. */
  faithfulness: z.object({
    modelId: idSchema, input: explainInputSchema, map: z.instanceof(Float32Array).refine((m) => m.length <= 4096 * 4096, 'map too large (at most 4096×4096 values)'),
    target: targetSchema.optional(), steps: count(1000).optional(), jobId: idSchema.optional(),
  }).strict(),
} as const;

export interface ExplainerDescription {
  name: string;
  title: string;
  kind: 'gradient-cam' | 'forward-cam' | 'input-gradient' | 'perturbation';
  usesLayer: boolean;
  manyPasses: boolean;
  defaults: Record<string, number | string>;
  paper: string;
}

export interface ExplainGeometry {
  original: { width: number; height: number };
  resized: { width: number; height: number };
  crop: { left: number; top: number; width: number; height: number };
  scale: { x: number; y: number };
}

export interface ExplainMap {
  method: string;
  /** Raw values, height×width at model-input resolution. */
  map: Float32Array;
  width: number;
  height: number;
  /** Negative values are evidence against the class (IG, gradient × input, occlusion). */
  signed: boolean;
  /** The layer (node name) of CAM methods, and the map on its grid before upsampling. */
  layer?: string;
  layerMap?: { data: Float32Array; width: number; height: number };
  /** The map resampled onto the original image (0 outside the model's crop; sampled every `step` pixels for huge images). */
  original: { data: Float32Array; width: number; height: number; step: number; coverage: number };
  targetClass: number;
  ms: number;
  extra?: Record<string, number>;
}

export interface ExplainResult {
  input: string;
  predicted: { index: number; probability: number; label?: string };
  target: { index: number; probability: number; score: number; label?: string };
  forwardMs: number;
  geometry: ExplainGeometry;
  maps: ExplainMap[];
}

export interface SanityCheckResult {
  method: string;
  targetClass: number;
  layers: string[];
  steps: { randomized: string[]; fraction: number; spearmanAbs: number; spearman: number; ssim: number }[];
  score: number;
  flagged: boolean;
  threshold: number;
  verdict: string;
}

export interface FaithfulnessResult {
  targetClass: number;
  deletionAuc: number;
  insertionAuc: number;
  road: { percentages: number[]; morf: number[]; lerf: number[]; morfAuc: number; lerfAuc: number };
}

export interface ExplainResponses {
  listExplainers: ExplainerDescription[];
  explain: ExplainResult;
  sanityCheck: SanityCheckResult;
  faithfulness: FaithfulnessResult;
}
