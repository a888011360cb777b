// Minibatch training of an ONNX model by gradients w.r.t. its initializers.
// The gradient model is built once (trainable initializers become graph inputs, the loss is a graph
// output); one onnxruntime session runs it each step with the batch, labels and current weights, and the
// optimiser updates the weights in JS. Evaluation uses the forward model with the same weights fed as inputs.
// BatchNormalization is trained in inference form: running mean/variance stay fixed (excluded from training),
// scale and bias are trained. Models without BN (the zoo's lenet5/autoencoder, fashion-cnn) are unaffected.
import * as ort from 'onnxruntime-node';
import { toBinary, ModelProtoSchema } from '../onnx/proto.ts';
import type { ModelProto } from '../onnx/proto.ts';
import type { Preprocessing } from '../data/types.ts';
import { buildTrainingModel, type TrainingGraph } from './gradient.ts';
import { makeBatch, normaliser, type ImageSet } from './batches.ts';
import { countCorrect, perItemMse, type LossKind } from './losses.ts';
import { makeOptimizer, type OptimizerConfig, type ParamSet } from './optimizers.ts';
import { learningRate, type ScheduleConfig } from './schedule.ts';
import { permutation, Rng } from './rng.ts';
import { initializersToInputs, modelWithWeights, readWeights, trainableInitializers } from './weights.ts';
import { saveModelAtomic } from './save.ts';
import { bufferNames } from '../zoo/params.ts';

export type TrainTask = 'classification' | 'reconstruction';

export interface TrainProgress {
  phase: 'step' | 'epoch';
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** Steps done in this epoch, and steps per epoch. */
  step: number;
  steps: number;
  /** Mean training loss over the epoch so far. */
  loss: number;
  /** Training accuracy over the epoch so far (classification). */
  accuracy?: number;
  lr: number;
  /** At phase 'epoch' when a test set is given. */
  testAccuracy?: number;
  testMse?: number;
  testLoss?: number;
  seconds: number;
}

export interface TrainConfig {
  model: ModelProto;
  task: TrainTask;
  loss: LossKind;
  train: ImageSet;
  test?: ImageSet;
  /** Normalisation applied to pixel bytes (the model's recorded preprocessing). */
  preprocessing: Pick<Preprocessing, 'mean' | 'std'>;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerConfig;
  schedule?: ScheduleConfig;
  seed: number;
  /** Model input / output tensor (default: the first graph input / output). */
  input?: string;
  output?: string;
  /** Per-sample dims of the reconstruction target when the output is not shaped like the input
   *  (same values, e.g. a flattened [N, 784] output of a [N, 1, 28, 28] input). */
  targetDims?: number[];
  /** Initializers not to train besides BN running statistics. */
  frozen?: string[];
  /** Cap on steps per epoch (quick runs and tests). */
  maxStepsPerEpoch?: number;
  evalBatchSize?: number;
  /** Emit a 'step' progress event every this many steps (default 10). */
  progressEvery?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Write the trained model here (atomically) at the end and on cancel. */
  outPath?: string;
  metadata?: Record<string, string>;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** Stop (and save) once training has run this long; the partial epoch is still evaluated. */
  timeBudgetSeconds?: number;
}

export interface EpochRecord { epoch: number; trainLoss: number; trainAccuracy?: number; testAccuracy?: number; testMse?: number; testLoss?: number; seconds: number }

export interface TrainResult {
  model: ModelProto;
  weights: ParamSet;
  history: EpochRecord[];
  cancelled: boolean;
  /** Stopped by timeBudgetSeconds. */
  stoppedEarly: boolean;
  /** Wall time of the whole run, including evaluation. */
  seconds: number;
  steps: number;
  savedTo?: string;
  savedBytes?: number;
  trainable: string[];
  notes: string[];
}


function sessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  if (threads) o.intraOpNumThreads = threads;
  return o;
}

function sampleDims(s: ImageSet): number[] { return [s.channels, s.height, s.width]; }

/** Forward-only evaluator with weights fed as inputs, so it follows training without rebuilding. */
export class Evaluator {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly input: string,
    private readonly output: string,
    private readonly params: { name: string; dims: number[] }[],
  ) {}

  static async create(model: ModelProto, trainable: readonly string[], input: string, output: string, threads?: number): Promise<Evaluator> {
    const fwd = initializersToInputs(model, trainable);
    const params = trainableInitializers(model).filter((p) => trainable.includes(p.name));
    const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, fwd), sessionOptions(threads));
    return new Evaluator(session, input, output, params);
  }

  /** Model output for `n` preprocessed items `x`. */
  async run(x: Float32Array, n: number, dims: number[], weights: ParamSet): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = { [this.input]: new ort.Tensor('float32', x, [n, ...dims]) };
    for (const p of this.params) feeds[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.dims);
    const res = await this.session.run(feeds, [this.output]);
    return res[this.output]!.data as Float32Array;
  }

  /** Accuracy (classification) or per-item reconstruction MSE over a whole set. */
  async evaluate(task: TrainTask, set: ImageSet, pre: Pick<Preprocessing, 'mean' | 'std'>, weights: ParamSet, batch = 500, signal?: AbortSignal): Promise<{ accuracy?: number; mse?: number; perItemMse?: Float64Array }> {
    const norm = normaliser(pre, set.channels);
    const idx = Uint32Array.from({ length: set.count }, (_, i) => i);
    let correct = 0;
    const items = new Float64Array(set.count);
    for (let from = 0; from < set.count; from += batch) {
      if (signal?.aborted) break;
      const to = Math.min(set.count, from + batch);
      const b = makeBatch(set, idx, from, to, norm);
      const y = await this.run(b.x, b.n, sampleDims(set), weights);
      if (task === 'classification') {
        if (!b.labels) throw new Error('classification evaluation needs a labelled set');
        correct += countCorrect(y, b.labels, y.length / b.n);
      } else {
        items.set(perItemMse(y, b.x, b.n), from);
      }
    }
    if (task === 'classification') return { accuracy: correct / set.count };
    let s = 0;
    for (const v of items) s += v;
    return { mse: s / set.count, perItemMse: items };
  }

  async release(): Promise<void> { await this.session.release(); }
}

function checkConfig(c: TrainConfig): void {
  if (!Number.isInteger(c.epochs) || c.epochs < 1) throw new Error(`epochs must be a positive integer (got ${c.epochs})`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new Error(`batch size must be a positive integer (got ${c.batchSize})`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) throw new Error(`learning rate must be a positive number (got ${c.lr})`);
  if (c.train.count < 1) throw new Error('the training set is empty');
  if (c.task === 'classification' && !c.train.labels) throw new Error('classification training needs labels');
  if (c.task === 'classification' && c.loss !== 'softmax-cross-entropy') throw new Error(`a classifier trains with softmax-cross-entropy, not ${c.loss}`);
  if (c.task === 'reconstruction' && c.loss === 'softmax-cross-entropy') throw new Error('a reconstruction model trains with mse or l1, not cross-entropy');
}

export async function train(c: TrainConfig): Promise<TrainResult> {
  checkConfig(c);
  const t0 = performance.now();
  const g = c.model.graph;
  if (!g) throw new Error('model has no graph');
  const initNames = new Set(g.initializer.map((t) => t.name));
  const input = c.input ?? g.input.find((i) => !initNames.has(i.name))?.name;
  const output = c.output ?? g.output[0]?.name;
  if (!input || !output) throw new Error('model needs an input and an output');

  const notes: string[] = [];
  const bnStats = [...bufferNames(c.model)];
  if (c.model.graph!.node.some((nd) => nd.opType === 'BatchNormalization')) notes.push('BatchNormalization is trained in inference form: running mean/variance stay at their stored values.');
  const trainable = trainableInitializers(c.model, [...bnStats, ...(c.frozen ?? [])]).map((p) => p.name);
  if (!trainable.length) throw new Error('model has no trainable float initializers');
  const weights = readWeights(c.model, trainable);
  // Biases and other 1-D parameters get no weight decay (the usual practice).
  const noDecay = new Set(trainableInitializers(c.model).filter((p) => p.dims.length <= 1).map((p) => p.name));
  const opt = makeOptimizer(c.optimizer, noDecay);

  const tg: TrainingGraph = buildTrainingModel(c.model, { output, loss: c.loss, trainable });
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, tg.model), sessionOptions(c.threads));
  const evaluator = c.test ? await Evaluator.create(c.model, trainable, input, output, c.threads) : undefined;

  const paramDims = new Map(trainableInitializers(c.model).map((p) => [p.name, p.dims]));
  const norm = normaliser(c.preprocessing, c.train.channels);
  const rng = new Rng(c.seed);
  const n = c.train.count;
  const steps = Math.min(Math.ceil(n / c.batchSize), c.maxStepsPerEpoch ?? Infinity);
  const totalSteps = steps * c.epochs;
  const schedule = c.schedule ?? { kind: 'constant' };
  const every = c.progressEvery ?? 10;
  const fetches = [tg.lossOutput, ...trainable.map((p) => tg.gradients[p]!), ...(c.task === 'classification' ? [output] : [])];
  const history: EpochRecord[] = [];
  let cancelled = false, stoppedEarly = false, globalStep = 0;

  try {
    for (let epoch = 1; epoch <= c.epochs && !cancelled && !stoppedEarly; epoch++) {
      const te = performance.now();
      const order = permutation(n, rng);
      let lossSum = 0, seen = 0, correct = 0, lr = c.lr;
      for (let s = 0; s < steps; s++) {
        if (c.signal?.aborted) { cancelled = true; break; }
        if (c.timeBudgetSeconds !== undefined && (performance.now() - t0) / 1000 > c.timeBudgetSeconds) { stoppedEarly = true; break; }
        const from = s * c.batchSize, to = Math.min(n, from + c.batchSize);
        const b = makeBatch(c.train, order, from, to, norm);
        const feeds: Record<string, ort.Tensor> = { [input]: new ort.Tensor('float32', b.x, [b.n, ...sampleDims(c.train)]) };
        feeds[tg.labelsInput] = c.task === 'classification'
          ? new ort.Tensor('int64', b.labels!, [b.n])
          : new ort.Tensor('float32', b.x, [b.n, ...(c.targetDims ?? sampleDims(c.train))]);
        for (const p of trainable) feeds[p] = new ort.Tensor('float32', weights.get(p)!, paramDims.get(p)!);
        const res = await session.run(feeds, fetches);
        const loss = Number((res[tg.lossOutput]!.data as Float32Array)[0]);
        if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch}, step ${s + 1} (loss ${loss}); lower the learning rate`);
        const grads: ParamSet = new Map(trainable.map((p) => [p, res[tg.gradients[p]!]!.data as Float32Array]));
        lr = learningRate(c.lr, schedule, globalStep, totalSteps, steps);
        opt.step(weights, grads, lr);
        globalStep++;
        lossSum += loss * b.n; seen += b.n;
        if (c.task === 'classification') {
          const logits = res[output]!.data as Float32Array;
          correct += countCorrect(logits, b.labels!, logits.length / b.n);
        }
        if (c.onProgress && ((s + 1) % every === 0 || s + 1 === steps)) {
          c.onProgress({
            phase: 'step', epoch, epochs: c.epochs, step: s + 1, steps, loss: lossSum / seen, lr,
            accuracy: c.task === 'classification' ? correct / seen : undefined, seconds: (performance.now() - t0) / 1000,
          });
        }
      }
      if (!seen) break;
      const rec: EpochRecord = {
        epoch, trainLoss: lossSum / seen, trainAccuracy: c.task === 'classification' ? correct / seen : undefined,
        seconds: (performance.now() - te) / 1000,
      };
      if (evaluator && c.test && !cancelled) {
        const ev = await evaluator.evaluate(c.task, c.test, c.preprocessing, weights, c.evalBatchSize, c.signal);
        if (!c.signal?.aborted) { rec.testAccuracy = ev.accuracy; rec.testMse = ev.mse; }
      }
      history.push(rec);
      c.onProgress?.({
        phase: 'epoch', epoch, epochs: c.epochs, step: seen === n ? steps : Math.ceil(seen / c.batchSize), steps,
        loss: rec.trainLoss, accuracy: rec.trainAccuracy, lr, testAccuracy: rec.testAccuracy, testMse: rec.testMse,
        seconds: (performance.now() - t0) / 1000,
      });
    }
  } finally {
    await session.release();
    await evaluator?.release();
  }

  const model = modelWithWeights(c.model, weights, c.metadata);
  const result: TrainResult = { model, weights, history, cancelled, stoppedEarly, seconds: (performance.now() - t0) / 1000, steps: globalStep, trainable, notes };
  if (c.outPath) {
    result.savedBytes = saveModelAtomic(c.outPath, model);
    result.savedTo = c.outPath;
  }
  return result;
}
