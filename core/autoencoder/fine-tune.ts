// Fine-tuning an existing autoencoder: its float initializers (all, or the decoder's only) are trained
// further with core/train on a set of normal images, keeping the graph, input size and preprocessing.
// The result is a new ONNX model whose metadata records what it was fine-tuned from and on what.
// Cancelling keeps the last completed step (train's rule); it is saved like a finished run.
import { createHash } from 'node:crypto';
import type { ModelProto } from '../onnx/proto.ts';
import { PREPROCESSING_KEY, type Preprocessing } from '../data/types.ts';
import { modelInput } from '../data/preprocessing.ts';
import { saveModelBytes } from '../onnx/save.ts';
import { bufferNames } from '../zoo/params.ts';
import { buildTrainingModel } from '../train/gradient.ts';
import { Evaluator, train, type TrainProgress, type TrainResult } from '../train/trainer.ts';
import { readWeights, trainableInitializers } from '../train/weights.ts';
import { saveModelAtomic } from '../train/save.ts';
import { create, StringStringEntryProtoSchema, TensorProto_DataType as DT } from '../onnx/proto.ts';
import type { ImageSet } from '../train/batches.ts';
import { findBottleneck, splitAt } from './bottleneck.ts';
import type { TrainingData } from './train-ae.ts';

/** Which weights move: every float initializer, or only those the encoder does not read. */
export type FineTunePart = 'all' | 'decoder';
/** Metadata key of the fine-tuning record (JSON, see FineTuneRecord). */
export const FINETUNE_KEY = 'receptive.autoencoder.finetune';

export class NotTrainableError extends Error {
  readonly code = 'not-trainable';
  constructor(message: string) { super(message); this.name = 'NotTrainableError'; }
}

export interface FineTunePlan {
  input: string;
  output: string;
  /** Per-sample input dims [C, H, W]. */
  sampleDims: [number, number, number];
  /** Per-sample output dims when they differ from the input's (same element count). */
  targetDims?: number[];
  /** The model's fixed batch size, when its input declares one. */
  fixedBatch?: number;
  trainable: string[];
  frozen: string[];
  notes: string[];
}

const shapeText = (d: readonly (number | string)[]) => `[${d.join(', ')}]`;

/**
 * Can this model be fine-tuned as an autoencoder with this preprocessing? Returns what will be trained,
 * or throws NotTrainableError naming the problem (input not an image, output not input-sized,
 * no float initializers, an op autodiff cannot differentiate).
 */
export function planFineTune(model: ModelProto, prep: Preprocessing, o: { part?: FineTunePart; bottleneck?: string } = {}): FineTunePlan {
  const g = model.graph;
  if (!g) throw new NotTrainableError('the model has no graph');
  const inp = modelInput(model);
  if (!inp) throw new NotTrainableError('the model has no input to feed images to');
  const d = inp.dims;
  if (d.length !== 4 || (d[1] !== 1 && d[1] !== 3)) {
    throw new NotTrainableError(`the model input "${inp.name}" is ${shapeText(d)}; fine-tuning needs images [N, C, H, W] with 1 or 3 channels`);
  }
  const [, c, h, w] = d;
  if (c !== prep.channels || (typeof h === 'number' && h !== prep.size[0]) || (typeof w === 'number' && w !== prep.size[1])) {
    throw new NotTrainableError(`the model takes ${shapeText(d.slice(1))} images but its preprocessing says ${prep.channels}×${prep.size[0]}×${prep.size[1]}; fix the sidecar or metadata`);
  }
  const sampleDims: [number, number, number] = [prep.channels, prep.size[0], prep.size[1]];
  const notes: string[] = [];
  const bn = [...bufferNames(model)];
  if (!trainableInitializers(model, bn).length) {
    const types = [...new Set(g.initializer.map((t) => DT[t.dataType] ?? String(t.dataType)))];
    throw new NotTrainableError(g.initializer.length === 0
      ? 'the model has no initializers to train (are its weights stored as Constant nodes? re-export with weights as initializers)'
      : `the model has no float32 initializers to train (initializer types: ${types.join(', ')}); fine-tuning needs float32 weights (not quantized or float16)`);
  }
  let split;
  try {
    split = o.bottleneck ? splitAt(model, o.bottleneck) : findBottleneck(model);
  } catch (e) {
    throw new NotTrainableError(`cannot find the autoencoder's input→output path: ${(e as Error).message}`);
  }
  const output = split.output.tensor;
  const inElems = sampleDims[0] * sampleDims[1] * sampleDims[2];
  const outDims = split.output.shape.slice(1);
  const outElems = outDims.every((x) => typeof x === 'number') ? (outDims as number[]).reduce((a, b) => a * b, 1) : split.output.elements;
  if (outElems !== inElems) {
    throw new NotTrainableError(`the output "${output}" is ${shapeText(split.output.shape)} (${outElems} values per image) but the input holds ${inElems}; an autoencoder reconstructs its input`);
  }
  const sameShape = outDims.length === 3 && outDims.every((x, i) => x === sampleDims[i]);
  const targetDims = sameShape ? undefined : (outDims as number[]);
  const fixedBatch = typeof d[0] === 'number' && d[0] > 0 ? d[0] : undefined;
  if (fixedBatch) notes.push(`the model's batch size is fixed at ${fixedBatch}; training uses batches of ${fixedBatch}`);

  const frozen: string[] = [];
  if (o.part === 'decoder') {
    const enc = new Set(split.encoderNodes);
    const read = new Set<string>();
    g.node.forEach((n, i) => { if (enc.has(n.name !== '' ? n.name : `#${i}`)) for (const x of n.input) read.add(x); });
    for (const t of g.initializer) if (read.has(t.name)) frozen.push(t.name);
    notes.push(`encoder frozen: ${frozen.length} initializer(s) up to the bottleneck "${split.bottleneck.tensor}" keep their values`);
  }
  const trainable = trainableInitializers(model, [...bn, ...frozen]).map((p) => p.name);
  if (!trainable.length) throw new NotTrainableError('the decoder has no float32 initializers to train; fine-tune the whole model instead');
  if (bn.length) notes.push('BatchNormalization running statistics stay fixed; its scale and bias are trained');
  try {
    buildTrainingModel(model, { output, loss: 'mse', trainable });
  } catch (e) {
    throw new NotTrainableError(`this model cannot be fine-tuned: ${(e as Error).message.replace(/^autodiff: /, '')}`);
  }
  return { input: inp.name, output, sampleDims, targetDims, fixedBatch, trainable, frozen, notes };
}

/** What the saved model's FINETUNE_KEY metadata holds. */
export interface FineTuneRecord {
  from: string;
  fromSha256: string;
  data: string;
  classes?: number[];
  trainImages: number;
  testImages: number;
  part: FineTunePart;
  epochs: number;
  steps: number;
  batchSize: number;
  lr: number;
  cancelled: boolean;
  testMseBefore?: number;
  testMseAfter?: number;
  at: string;
}

export interface FineTuneOptions {
  model: ModelProto;
  preprocessing: Preprocessing;
  /** Name (file name or path) of the model being fine-tuned, for the record. */
  from: string;
  /** The model file's bytes, hashed for the record (default: the serialised model). */
  fromBytes?: Uint8Array;
  data: TrainingData & { classes?: number[] };
  part?: FineTunePart;
  bottleneck?: string;
  epochs: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  maxStepsPerEpoch?: number;
  outPath?: string;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  threads?: number;
}

export interface FineTuneResult extends TrainResult {
  /** Held-out reconstruction MSE before and after (when the data has a held-out part). */
  testMseBefore?: number;
  testMseAfter?: number;
  record: FineTuneRecord;
  plan: FineTunePlan;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function trimTo(s: ImageSet, multiple: number): ImageSet {
  const k = Math.floor(s.count / multiple) * multiple, per = s.channels * s.height * s.width;
  return { ...s, count: k, images: s.images.subarray(0, k * per), labels: s.labels?.subarray(0, k) };
}

export const FINETUNE_DEFAULT_LR = 1e-3;

export async function fineTuneAutoencoder(o: FineTuneOptions): Promise<FineTuneResult> {
  const prep = o.preprocessing;
  const plan = planFineTune(o.model, prep, { part: o.part, bottleneck: o.bottleneck });
  const tr = o.data.train;
  if (tr.channels !== plan.sampleDims[0] || tr.height !== plan.sampleDims[1] || tr.width !== plan.sampleDims[2]) {
    throw new Error(`the training images are ${tr.channels}×${tr.height}×${tr.width}; the model needs ${plan.sampleDims.join('×')} (read them at the model's size)`);
  }
  let batchSize = plan.fixedBatch ?? o.batchSize ?? 32;
  let maxSteps = o.maxStepsPerEpoch;
  let test = o.data.test;
  if (plan.fixedBatch) {
    // A fixed batch cannot take a smaller last batch: drop the remainder.
    if (tr.count < batchSize) throw new Error(`the model's batch size is fixed at ${batchSize} but only ${tr.count} training images were given`);
    maxSteps = Math.min(maxSteps ?? Infinity, Math.floor(tr.count / batchSize));
    if (test) { test = trimTo(test, batchSize); if (!test.count) test = undefined; }
  }
  batchSize = Math.min(batchSize, tr.count);
  const lr = o.lr ?? FINETUNE_DEFAULT_LR;
  // Adam's first steps move every weight by about lr whatever its gradient: a warm-up keeps them
  // from knocking a trained model off its minimum before the moment estimates settle.
  const total = o.epochs * Math.min(Math.ceil(tr.count / batchSize), maxSteps ?? Infinity);
  const warmupSteps = Math.max(1, Math.min(50, Math.round(total / 5)));

  let testMseBefore: number | undefined;
  if (test) {
    const ev = await Evaluator.create(o.model, plan.trainable, plan.input, plan.output, o.threads);
    try {
      testMseBefore = (await ev.evaluate('reconstruction', test, prep, readWeights(o.model, plan.trainable), plan.fixedBatch ?? 500, o.signal)).mse;
    } finally { await ev.release(); }
  }

  const r = await train({
    model: o.model, task: 'reconstruction', loss: 'mse', train: tr, test, preprocessing: prep, input: plan.input, output: plan.output,
    targetDims: plan.targetDims, frozen: plan.frozen, epochs: o.epochs, batchSize, lr, optimizer: { kind: 'adam' },
    schedule: { kind: 'cosine', minFactor: 0.05, warmupSteps }, seed: o.seed ?? 0, maxStepsPerEpoch: maxSteps, evalBatchSize: plan.fixedBatch,
    signal: o.signal, onProgress: o.onProgress, threads: o.threads, progressEvery: 5,
  });
  const last = r.history[r.history.length - 1];
  const record: FineTuneRecord = {
    from: o.from, fromSha256: sha256(o.fromBytes ?? saveModelBytes(o.model)), data: o.data.source, classes: o.data.classes,
    trainImages: tr.count, testImages: test?.count ?? 0, part: o.part ?? 'all', epochs: o.epochs, steps: r.steps, batchSize, lr,
    cancelled: r.cancelled, testMseBefore, testMseAfter: last?.testMse, at: new Date().toISOString(),
  };
  const meta = { [PREPROCESSING_KEY]: JSON.stringify(prep), [FINETUNE_KEY]: JSON.stringify(record) };
  const props = r.model.metadataProps.filter((p) => !(p.key in meta));
  for (const [key, value] of Object.entries(meta)) props.push(create(StringStringEntryProtoSchema, { key, value }));
  r.model.metadataProps = props;
  const result: FineTuneResult = { ...r, testMseBefore, testMseAfter: last?.testMse, record, plan, notes: [...plan.notes, ...r.notes] };
  // A run stopped before its first step holds the original weights: nothing worth writing.
  if (o.outPath && r.steps > 0) {
    result.savedBytes = saveModelAtomic(o.outPath, r.model);
    result.savedTo = o.outPath;
  } else if (o.outPath) {
    result.notes.push('stopped before the first step; nothing was saved');
  }
  return result;
}
