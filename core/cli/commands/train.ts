// `receptive train MODEL --out OUT.onnx [--data mnist|fashion|IMAGES.idx] …`: trains a zoo model or an ONNX
// file with core/train and writes the result atomically. Ctrl-C stops after the current step and saves the
// weights reached so far (a second Ctrl-C quits without saving). Heavy modules load inside run().
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../registry.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { ModelProto } from '../../onnx/proto.ts';
import type { LabelledImages } from '../../data/idx.ts';
import type { Preprocessing } from '../../data/types.ts';
import type { TrainProgress, TrainTask } from '../../train/trainer.ts';
import type { LossKind } from '../../train/losses.ts';
import type { OptimizerConfig } from '../../train/optimizers.ts';
import type { ScheduleConfig } from '../../train/schedule.ts';

const CMD = 'train';

function num(ctx: CommandContext, name: string, dflt: number, ok: (x: number) => boolean, what: string): number {
  const v = ctx.values[name];
  if (v === undefined) return dflt;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} must be ${what} (got "${String(v)}")`, CMD);
  return x;
}

const str = (ctx: CommandContext, name: string): string | undefined => {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
};

interface LoadedModel { model: ModelProto; task: TrainTask; preprocessing: Preprocessing; classNames?: string[] }

const UNIT: Preprocessing = { size: [28, 28], channels: 1, mean: [0], std: [1], preset: 'unit', resize: 'stretch' };

async function loadModel(spec: string, seed: number, latent?: number, depth?: number): Promise<LoadedModel> {
  // arch:NAME = a freshly initialised architecture (fashion-cnn or a zoo builtin); zoo:NAME = the zoo entry,
  // which for trained models (lenet5-mnist, fashion-cnn, …) means fine-tuning their weights.
  const arch = spec.startsWith('arch:');
  const name = arch ? spec.slice(5) : spec.startsWith('zoo:') ? spec.slice(4) : spec;
  if (arch && name === 'fashion-cnn') {
    const { buildFashionCnn } = await import('../../train/fashion-cnn.ts');
    const { FASHION_CLASS_NAMES } = await import('../../data/fashion.ts');
    return { model: buildFashionCnn({ seed }), task: 'classification', preprocessing: { ...UNIT, preset: 'custom', mean: [0.286], std: [0.353] }, classNames: [...FASHION_CLASS_NAMES] };
  }
  if (arch || spec.startsWith('zoo:') || !/\.onnx$/i.test(spec)) {
    const zoo = await import('../../zoo/index.ts');
    const known = zoo.zooNames();
    if (!known.includes(name) || (arch && zoo.zooSpec(name).trained)) {
      const archs = [...known.filter((n) => !zoo.zooSpec(n).trained), 'fashion-cnn'].map((n) => `arch:${n}`);
      throw new UsageError(`"${spec}" is not a model: use ${archs.join(', ')}, zoo:NAME (${known.join(', ')}) or an .onnx file`, CMD);
    }
    const z = zoo.zooSpec(name);
    const task: TrainTask = z.task === 'autoencoder' ? 'reconstruction' : 'classification';
    if (z.trained) return { model: zoo.buildZooModel(name), task, preprocessing: z.preprocessing, classNames: z.classNames };
    const model = z.task === 'autoencoder' ? zoo.buildZooModel(name, { seed, batch: 'N', latent, depth }) : zoo.buildZooModel(name, { seed, batch: 'N' });
    return { model, task, preprocessing: z.preprocessing, classNames: z.classNames };
  }
  const { openModel } = await import('../model-source.ts');
  const { PREPROCESSING_KEY, CLASS_NAMES_KEY } = await import('../../data/types.ts');
  const src = await openModel(spec);
  const model = src.model;
  const meta = <T>(key: string): T | undefined => {
    const v = model.metadataProps.find((p) => p.key === key)?.value;
    try { return v ? (JSON.parse(v) as T) : undefined; } catch { return undefined; }
  };
  // An output shaped like the input is a reconstruction; anything else is treated as class logits.
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const dimsOf = (vi: (typeof g.input)[number] | undefined): string => {
    const t = vi?.type?.value;
    if (t?.case !== 'tensorType') return '';
    return (t.value.shape?.dim ?? []).slice(1).map((d) => String(d.value.value)).join('x');
  };
  const inDims = dimsOf(g.input.find((i) => !inits.has(i.name))), outDims = dimsOf(g.output[0]);
  return { model, task: inDims && inDims === outDims ? 'reconstruction' : 'classification', preprocessing: meta<Preprocessing>(PREPROCESSING_KEY) ?? UNIT, classNames: meta<string[]>(CLASS_NAMES_KEY) };
}

async function loadData(data: string, labels: string | undefined, split: 'train' | 'test'): Promise<LabelledImages> {
  if (data === 'mnist') return (await import('../../data/idx.ts')).loadMnist(split);
  if (data === 'fashion') return (await import('../../data/fashion.ts')).loadFashion(split);
  const { readIdx } = await import('../../data/idx.ts');
  const img = readIdx(resolve(data));
  if (img.dims.length !== 3) throw new UsageError(`${data}: expected an IDX image file [count, height, width], got ${img.dims.length} dimensions`, CMD);
  const count = img.dims[0]!;
  let lab: Uint8Array = new Uint8Array(count);
  if (labels) {
    const l = readIdx(resolve(labels));
    if (l.dims.length !== 1 || l.dims[0] !== count) throw new UsageError(`${labels}: expected ${count} labels to match ${data}`, CMD);
    lab = l.data;
  }
  return { images: img.data, labels: lab, count, height: img.dims[1]!, width: img.dims[2]! };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export async function runTrain(ctx: CommandContext, signal?: AbortSignal): Promise<number> {
  const outArg = str(ctx, 'out');
  if (!outArg) throw new UsageError('--out OUT.onnx is required', CMD);
  const seed = num(ctx, 'seed', 0, Number.isSafeInteger, 'an integer');
  const epochs = num(ctx, 'epochs', 5, (x) => Number.isInteger(x) && x >= 1 && x <= 10_000, 'an integer from 1 to 10000');
  const batch = num(ctx, 'batch', 64, (x) => Number.isInteger(x) && x >= 1 && x <= 65_536, 'an integer from 1 to 65536');
  const lr = num(ctx, 'lr', 1e-3, (x) => x > 0 && x < 100, 'a positive number below 100');
  const wd = num(ctx, 'weight-decay', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const maxSteps = ctx.values['steps-per-epoch'] === undefined ? undefined : num(ctx, 'steps-per-epoch', 0, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const threads = ctx.values.threads === undefined ? undefined : num(ctx, 'threads', 0, (x) => Number.isInteger(x) && x >= 1 && x <= 256, 'an integer from 1 to 256');
  const latent = ctx.values.latent === undefined ? undefined : num(ctx, 'latent', 0, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const depth = ctx.values.depth === undefined ? undefined : num(ctx, 'depth', 0, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const optName = str(ctx, 'optimizer') ?? 'adam';
  let optimizer: OptimizerConfig;
  if (optName === 'adam') optimizer = { kind: 'adam', weightDecay: wd };
  else if (optName === 'sgd') optimizer = { kind: 'sgd', momentum: num(ctx, 'momentum', 0.9, (x) => x >= 0 && x < 1, 'in [0, 1)'), nesterov: ctx.values.nesterov === true, weightDecay: wd };
  else throw new UsageError(`--optimizer must be adam or sgd (got "${optName}")`, CMD);
  const sched = str(ctx, 'schedule') ?? 'cosine';
  let schedule: ScheduleConfig;
  if (sched === 'cosine') schedule = { kind: 'cosine', minFactor: 0.02 };
  else if (sched === 'step') schedule = { kind: 'step', everyEpochs: Math.max(1, Math.round(epochs / 3)), gamma: 0.1 };
  else if (sched === 'constant') schedule = { kind: 'constant' };
  else throw new UsageError(`--schedule must be constant, step or cosine (got "${sched}")`, CMD);

  const m = await loadModel(ctx.args[0]!, seed, latent, depth);
  const lossArg = str(ctx, 'loss') ?? (m.task === 'classification' ? 'ce' : 'mse');
  const lossOf: Record<string, LossKind> = { ce: 'softmax-cross-entropy', mse: 'mse', l1: 'l1' };
  const loss = lossOf[lossArg];
  if (!loss) throw new UsageError(`--loss must be ce, mse or l1 (got "${lossArg}")`, CMD);
  const task: TrainTask = loss === 'softmax-cross-entropy' ? 'classification' : 'reconstruction';
  const data = str(ctx, 'data') ?? 'mnist';
  const builtin = data === 'mnist' || data === 'fashion';
  if (task === 'classification' && !builtin && !str(ctx, 'labels')) throw new UsageError('classification on an IDX file needs --labels LABELS.idx', CMD);
  const trainData = await loadData(data, str(ctx, 'labels'), 'train');
  const testPath = str(ctx, 'test-data');
  const testData = builtin ? await loadData(data, undefined, 'test') : testPath ? await loadData(testPath, str(ctx, 'test-labels'), 'test') : undefined;
  const [h, w] = m.preprocessing.size;
  if (trainData.height !== h || trainData.width !== w) throw new UsageError(`the model expects ${h}×${w} images but the data has ${trainData.height}×${trainData.width}`, CMD);
  if (m.preprocessing.channels !== 1) throw new UsageError('the training data is gray (1 channel) but this model expects 3 channels', CMD);

  const [{ train }, { imageSet }, { createProgress }, types] = await Promise.all([
    import('../../train/trainer.ts'), import('../../train/batches.ts'), import('../progress.ts'), import('../../data/types.ts'),
  ]);
  const out = resolve(outArg);
  ctx.out.info(`training ${ctx.args[0]} on ${data} (${trainData.count} images${testData ? `, test ${testData.count}` : ''}): ${epochs} epochs, batch ${batch}, ${optName} lr ${lr}, loss ${lossArg}; Ctrl-C saves and stops`);
  const metadata: Record<string, string> = { [types.PREPROCESSING_KEY]: JSON.stringify(m.preprocessing) };
  if (m.classNames && task === 'classification') metadata[types.CLASS_NAMES_KEY] = JSON.stringify(m.classNames);

  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.cancelled); // second Ctrl-C: leave now
    ctx.out.info('\nstopping after this step and saving… (Ctrl-C again to quit without saving)');
    ac.abort();
  };
  const onOuterAbort = () => ac.abort();
  if (signal?.aborted) ac.abort();
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  process.on('SIGINT', onSigint);
  let bar: ReturnType<typeof createProgress> | undefined;
  const line = (p: TrainProgress) => `loss ${p.loss.toFixed(4)}${p.accuracy !== undefined ? ` acc ${pct(p.accuracy)}` : ''}`;
  try {
    const r = await train({
      model: m.model, task, loss, train: imageSet(trainData), test: testData ? imageSet(testData) : undefined,
      preprocessing: m.preprocessing, epochs, batchSize: batch, lr, optimizer, schedule, seed, threads, maxStepsPerEpoch: maxSteps,
      signal: ac.signal, outPath: out, metadata, progressEvery: 5,
      onProgress: (p) => {
        bar ??= createProgress({ total: p.epochs * p.steps, label: 'train', stream: ctx.out.stderr, silent: ctx.json });
        if (p.phase === 'step') { bar.update((p.epoch - 1) * p.steps + p.step, `epoch ${p.epoch}/${p.epochs} ${line(p)}`); return; }
        const test = p.testAccuracy !== undefined ? `, test acc ${pct(p.testAccuracy)}` : p.testMse !== undefined ? `, test mse ${p.testMse.toFixed(5)}` : '';
        const partial = p.step < p.steps ? ` (partial: ${p.step}/${p.steps} steps)` : '';
        bar.update((p.epoch - 1) * p.steps + p.step, `epoch ${p.epoch}/${p.epochs} ${line(p)}${test}`);
        if (!ctx.json && !ctx.out.stderr.isTTY) ctx.out.info(`epoch ${p.epoch}/${p.epochs}${partial}: ${line(p)}${test} (${p.seconds.toFixed(0)} s)`);
      },
    });
    bar?.done(r.cancelled ? 'cancelled' : undefined);
    const last = r.history[r.history.length - 1];
    if (ctx.json) {
      ctx.out.json({ out, bytes: r.savedBytes, cancelled: r.cancelled, steps: r.steps, seconds: r.seconds, history: r.history, notes: r.notes });
    } else {
      const metric = last?.testAccuracy !== undefined ? `, test accuracy ${pct(last.testAccuracy)}` : last?.testMse !== undefined ? `, test mse ${last.testMse.toFixed(5)}` : '';
      ctx.out.line(`${r.cancelled ? 'cancelled; saved' : 'saved'} ${out} (${r.savedBytes} bytes, ${r.steps} steps, ${r.seconds.toFixed(1)} s${metric})`);
      for (const n of r.notes) ctx.out.info(`note: ${n}`);
    }
    return r.cancelled ? EXIT.cancelled : EXIT.ok;
  } finally {
    process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', onOuterAbort);
  }
}

export const trainCommand: Command = {
  name: CMD,
  summary: 'train a zoo model or an .onnx file on MNIST, Fashion-MNIST or IDX images',
  usage: 'receptive train arch:NAME|zoo:NAME|MODEL.onnx --out OUT.onnx [--data mnist|fashion|IMAGES.idx] [--epochs E] [--batch B] [--lr LR] [--optimizer adam|sgd] [--loss ce|mse|l1]',
  description: [
    'MODEL is arch:NAME for a freshly initialised architecture (arch:lenet5, arch:autoencoder, arch:fashion-cnn, …),',
    'zoo:NAME for a zoo model (trained ones such as zoo:lenet5-mnist are fine-tuned), or an .onnx file.',
    'All float initializers are trained (BatchNormalization running statistics stay fixed). The model is written',
    'atomically to --out at the end, and also when you press Ctrl-C (the weights reached so far).',
    'Weight decay: decoupled (AdamW) with adam, L2 with sgd; biases are not decayed.',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: 'MODEL' },
  options: {
    out: { type: 'string', short: 'o', arg: 'OUT.onnx', description: 'where the trained model is written (required)' },
    data: { type: 'string', arg: 'D', description: 'mnist (default), fashion, or an IDX images file (28×28 gray)' },
    labels: { type: 'string', arg: 'F', description: 'IDX labels file for --data IMAGES.idx (classification)' },
    'test-data': { type: 'string', arg: 'F', description: 'IDX test images for a custom --data (evaluated each epoch)' },
    'test-labels': { type: 'string', arg: 'F', description: 'IDX test labels' },
    epochs: { type: 'string', arg: 'E', description: 'epochs (default 5)' },
    batch: { type: 'string', arg: 'B', description: 'minibatch size (default 64)' },
    lr: { type: 'string', arg: 'LR', description: 'learning rate (default 0.001)' },
    optimizer: { type: 'string', arg: 'O', description: 'adam (default) or sgd' },
    momentum: { type: 'string', arg: 'M', description: 'sgd momentum (default 0.9)' },
    nesterov: { type: 'boolean', description: 'sgd: Nesterov momentum' },
    'weight-decay': { type: 'string', arg: 'W', description: 'weight decay (default 0)' },
    schedule: { type: 'string', arg: 'S', description: 'learning-rate schedule: cosine (default), step, constant' },
    loss: { type: 'string', arg: 'L', description: 'ce, mse or l1 (default: ce for classifiers, mse for autoencoders)' },
    seed: { type: 'string', arg: 'N', description: 'seed for weights and shuffling (default 0)' },
    'steps-per-epoch': { type: 'string', arg: 'N', description: 'cap on steps per epoch (quick runs)' },
    threads: { type: 'string', arg: 'N', description: 'onnxruntime threads' },
    latent: { type: 'string', arg: 'N', description: 'zoo:autoencoder latent size' },
    depth: { type: 'string', arg: 'N', description: 'zoo:autoencoder depth' },
  },
  run: (ctx) => runTrain(ctx),
};
