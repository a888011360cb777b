// The autoencoder workbench's part of the API: request schemas and response types, merged into
// contract.ts. Every image, map, score list and curve is a typed array (binary on every wire).
// This file imports nothing from contract.ts at run time (contract.ts imports it).
import { z } from 'zod';
import type { Shape } from '../../core/analysis/types.ts';

const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const tensorName = z.string().min(1).max(1024);
/** Images to feed: a shipped dataset sample, a granted file, or dropped bytes (small). */
export const aeInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample'), dataset: z.enum(['mnist-test', 'fashion-test']), index: z.number().int().min(0).max(1_000_000) }).strict(),
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ kind: z.literal('bytes'), name: z.string().min(1).max(256), data: z.instanceof(Uint8Array) }).strict(),
]);
export type AeInput = z.infer<typeof aeInputSchema>;

/** A set to score: shipped datasets concatenated (items labelled by dataset), or a granted folder / CSV / IDX file. */
export const aeSetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('builtin'),
    parts: z.array(z.enum(['mnist-test', 'fashion-test', 'mnist-train', 'fashion-train'])).min(1).max(4),
    limit: z.number().int().min(1).max(60_000).optional(),
  }).strict(),
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096), labelsPath: z.string().min(1).max(4096).optional(), limit: z.number().int().min(1).max(1_000_000).optional() }).strict(),
]);
export type AeSet = z.infer<typeof aeSetSchema>;

const scoreKind = z.enum(['mean', 'max-smoothed', 'ssim']);
const errorKind = z.enum(['l1', 'l2', 'ssim']);
const base = { modelId: idSchema, bottleneck: tensorName.optional() };

export const aeRequestSchemas = {
  /** Bottleneck, encoder/decoder split and compression ratio. */
  aeInfo: z.object(base).strict(),
  /** Input, reconstruction, error map and the three scores for up to 64 images. */
  aeReconstruct: z.object({ ...base, inputs: z.array(aeInputSchema).min(1).max(64), error: errorKind.optional() }).strict(),
  /** Score a set in batches (progress under jobId; cancel stops it). */
  aeScoreSet: z.object({
    ...base, set: aeSetSchema, score: scoreKind.optional(), error: errorKind.optional(), normalLabels: z.array(z.string().min(1).max(256)).max(1000).optional(),
    targetFpr: z.number().min(0).max(1).optional(), worst: z.number().int().min(0).max(64).optional(), bins: z.number().int().min(1).max(1000).optional(),
    batchSize: z.number().int().min(1).max(4096).optional(), jobId: idSchema.optional(),
  }).strict(),
  /** Bottleneck codes of a set (the embedding cloud). */
  aeLatents: z.object({ ...base, set: aeSetSchema, jobId: idSchema.optional() }).strict(),
  /** Decode evenly spaced codes between two images' codes. */
  aeInterpolate: z.object({ ...base, a: aeInputSchema, b: aeInputSchema, steps: z.number().int().min(2).max(64) }).strict(),
  /** Decode an image's code with one latent axis swept over a range. */
  aeWalk: z.object({ ...base, input: aeInputSchema, axis: z.number().int().min(0).max(1_000_000), from: z.number().finite(), to: z.number().finite(), steps: z.number().int().min(2).max(64) }).strict(),
  /** AE vs PCA with as many components (fitted on training images of the shipped set). */
  aeCompareWithPca: z.object({
    ...base, train: z.enum(['mnist-train', 'fashion-train']).optional(), test: z.enum(['mnist-test', 'fashion-test']).optional(),
    trainCount: z.number().int().min(10).max(60_000).optional(), testCount: z.number().int().min(1).max(10_000).optional(),
    k: z.number().int().min(1).max(4096).optional(), keep: z.number().int().min(0).max(64).optional(), jobId: idSchema.optional(),
  }).strict(),
  /** Corrupt images (seeded) and restore them with the AE. */
  aeDenoise: z.object({ ...base, inputs: z.array(aeInputSchema).min(1).max(64), kind: z.enum(['gaussian', 'salt-pepper', 'masking']), amount: z.number().min(0).max(10), seed: z.number().int().min(0).max(2 ** 31) }).strict(),
  /** Train the zoo autoencoder (mode 'scratch', the default: latent and depth required), or fine-tune the open
   *  model modelId (mode 'finetune': all weights, or the decoder's with part 'decoder'; images read at the
   *  model's size). Returns the ONNX bytes (and writes them to a granted path). */
  aeTrain: z.object({
    mode: z.enum(['scratch', 'finetune']).optional(), modelId: idSchema.optional(), bottleneck: tensorName.optional(),
    data: z.union([z.enum(['mnist', 'fashion']), z.object({ path: z.string().min(1).max(4096) }).strict()]),
    latent: z.number().int().min(1).max(4096).optional(), depth: z.number().int().min(1).max(6).optional(), epochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(4096).optional(), lr: z.number().positive().max(10).optional(), seed: z.number().int().min(0).max(2 ** 31).optional(),
    maxStepsPerEpoch: z.number().int().min(1).optional(), size: z.number().int().min(4).max(256).optional(), outPath: z.string().min(1).max(4096).optional(), jobId: idSchema.optional(),
    part: z.enum(['all', 'decoder']).optional(), classes: z.array(z.number().int().min(0).max(255)).min(1).max(256).optional(), limit: z.number().int().min(2).max(1_000_000).optional(),
  }).strict().superRefine((r, ctx) => {
    const need = (ok: boolean, path: string, message: string) => { if (!ok) ctx.addIssue({ code: 'custom', path: [path], message }); };
    if (r.mode === 'finetune') {
      need(r.modelId !== undefined, 'modelId', 'fine-tuning needs modelId (the open model to fine-tune)');
      for (const k of ['latent', 'depth', 'size'] as const) need(r[k] === undefined, k, `${k} applies to training from scratch; fine-tuning keeps the model's architecture and input size`);
    } else {
      need(r.latent !== undefined && r.depth !== undefined, 'latent', 'training from scratch needs latent and depth');
      for (const k of ['modelId', 'bottleneck', 'part', 'classes', 'limit'] as const) need(r[k] === undefined, k, `${k} applies to fine-tuning (mode 'finetune')`);
    }
  }),
} as const;

export interface AeTensorSize { tensor: string; shape: Shape; elements: number }

/** One node's side of the encoder/bottleneck/decoder split (core/autoencoder/bottleneck.ts partsOfNodes). */
export interface AeNodePart { node: string; output: string; part: 'encoder' | 'bottleneck' | 'decoder' }

export interface AeInfo {
  input: AeTensorSize;
  output: AeTensorSize;
  bottleneck: AeTensorSize;
  compressionRatio: number;
  trueBottleneck: boolean;
  chosen: boolean;
  note?: string;
  encoderNodes: string[];
  decoderNodes: string[];
  candidates: AeTensorSize[];
  smallest: AeTensorSize;
  /** Every node's part of the split, in graph order; views match a node by its first output tensor. */
  nodeParts: AeNodePart[];
  preprocessing: { size: [number, number]; channels: 1 | 3; mean: number[]; std: number[]; preset: string };
}

/** n images of dims [C, H, W] as [0, 1] pixels (n × C×H×W); error maps n × H×W. */
export interface AeReconstruction {
  dims: [number, number, number];
  n: number;
  names: string[];
  input: Float32Array;
  recon: Float32Array;
  errorMaps: Float32Array;
  scores: { mean: Float32Array; maxSmoothed: Float32Array; ssim: Float32Array };
  latents: Float32Array;
  latentSize: number;
}

export interface AeWorstItem { index: number; name: string; label?: string; score: number; input: Float32Array; recon: Float32Array; errorMap: Float32Array }

export interface AeScoreSetResult {
  count: number;
  dims: [number, number, number];
  scores: Float32Array;
  /** Distinct labels and each item's index into them (absent for unlabelled sets). */
  labelNames?: string[];
  labelIndex?: Uint16Array;
  /** 1 = anomalous. */
  anomalous?: Uint8Array;
  labelNote?: string;
  evaluation?: {
    auroc: number; averagePrecision: number; threshold: number; targetFpr: number; normalCount: number; anomalousCount: number;
    confusion: { tp: number; fp: number; tn: number; fn: number; tpr: number; fpr: number; precision: number };
    roc: { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array };
    pr: { recall: Float64Array; precision: Float64Array; thresholds: Float64Array };
  };
  histogram: { edges: Float64Array; normal: Uint32Array; anomalous: Uint32Array; all: Uint32Array };
  worst: AeWorstItem[];
  seconds: number;
}

export interface AeLatentsResult { n: number; k: number; latents: Float32Array; labelNames?: string[]; labelIndex?: Uint16Array }
export interface AeDecoded { dims: [number, number, number]; steps: number; images: Float32Array; codes: Float32Array; t: Float32Array }
export interface AePcaResult {
  k: number; trainCount: number; testCount: number; aeMse: Float32Array; pcaMse: Float32Array; aeMeanMse: number; pcaMeanMse: number;
  aeWins: number; explainedVariance: number; dims: [number, number, number];
  examples: { count: number; input: Float32Array; ae: Float32Array; pca: Float32Array };
}
export interface AeDenoiseResult { dims: [number, number, number]; n: number; clean: Float32Array; noisy: Float32Array; restored: Float32Array; noisyMse: Float32Array; restoredMse: Float32Array }
export interface AeTrainResult {
  model: Uint8Array; savedTo?: string; cancelled: boolean; steps: number; seconds: number;
  history: { epoch: number; trainLoss: number; testMse?: number; seconds: number }[];
  mode?: 'scratch' | 'finetune';
  /** Fine-tuning: held-out reconstruction MSE of the model before it was touched, and what was done to fit the data. */
  testMseBefore?: number;
  notes?: string[];
}

export interface AeResponses {
  aeInfo: AeInfo;
  aeReconstruct: AeReconstruction;
  aeScoreSet: AeScoreSetResult;
  aeLatents: AeLatentsResult;
  aeInterpolate: AeDecoded;
  aeWalk: AeDecoded;
  aeCompareWithPca: AePcaResult;
  aeDenoise: AeDenoiseResult;
  aeTrain: AeTrainResult;
}

export const AE_METHOD_NAMES = {
  aeInfo: true, aeReconstruct: true, aeScoreSet: true, aeLatents: true, aeInterpolate: true, aeWalk: true, aeCompareWithPca: true, aeDenoise: true, aeTrain: true,
} as const;
