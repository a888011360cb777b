// The built-in model zoo: classic CNNs and an autoencoder built as ONNX graphs with seeded He
// initialisation, plus trained models found in resources/models (see trained.ts).
import type { ModelProto } from '../onnx/proto.ts';
import type { Dim } from '../onnx/builder.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY, type Preprocessing } from '../data/types.ts';
import { Net, ShapeError, type Act } from './net.ts';
import { checkSeed } from './rng.ts';
import { BUFFERS_KEY, trainableParamCount } from './params.ts';
import { DIGIT_CLASS_NAMES, IMAGENET_CLASS_NAMES, imagenetPreprocessing, mnistPreprocessing, unitPreprocessing } from './presets.ts';
import { lenet5 } from './lenet5.ts';
import { alexnet } from './alexnet.ts';
import { zfnet } from './zfnet.ts';
import { googlenet } from './googlenet.ts';
import { vgg16 } from './vgg.ts';
import { resnet18, resnet50 } from './resnet.ts';
import { densenet121 } from './densenet.ts';
import { autoencoder, AUTOENCODER_DEFAULTS } from './autoencoder.ts';
import { describeFromModel, loadTrainedModel, readSidecar, trainedNames } from './trained.ts';

export { trainableParamCount, bufferNames, BUFFERS_KEY } from './params.ts';
export { trainedModelsDir, setTrainedModelsDir, type TrainedSidecar } from './trained.ts';

export interface ZooBuildOptions {
  seed?: number;
  batch?: number | 'N';
  /** Square H=W override where the net allows (see ZooSpec.minInputSize). */
  inputSize?: number;
  /** Autoencoder only. */
  latent?: number;
  depth?: number;
}

export interface ZooSpec {
  name: string;
  title: string;
  task: 'classifier' | 'autoencoder';
  /** Default input, C,H,W. */
  inputShape: number[];
  description: string;
  preprocessing: Preprocessing;
  classNames?: string[];
  /** Trainable parameters at the default options. */
  expectedParams?: number;
  /** Trained weights from resources/models (true) or He-initialised on demand (absent/false). */
  trained?: boolean;
  /** Smallest inputSize accepted (autoencoder: at the default depth); absent when the input size is fixed. */
  minInputSize?: number;
  build(opts?: ZooBuildOptions): ModelProto;
}

export const DEFAULT_SEED = 0;
export const ZOO_KEY = 'receptive.zoo';
const MAX_INPUT_SIZE = 1024;

interface Builtin {
  name: string;
  title: string;
  task: 'classifier' | 'autoencoder';
  inputShape: [number, number, number];
  description: string;
  preprocessing: (size: number) => Preprocessing;
  classNames?: readonly string[];
  expectedParams: number;
  resizable: boolean;
  arch: (net: Net, x: Act, o: { latent: number; depth: number }) => Act;
}

const IMAGENET = { inputShape: [3, 224, 224] as [number, number, number], preprocessing: imagenetPreprocessing, classNames: IMAGENET_CLASS_NAMES, resizable: true, task: 'classifier' as const };
const UNTRAINED = 'Untrained (He-initialised) — for exploring the architecture, not its predictions.';

const BUILTINS: Builtin[] = [
  { name: 'lenet5', title: 'LeNet-5', task: 'classifier', inputShape: [1, 28, 28], preprocessing: mnistPreprocessing, classNames: DIGIT_CLASS_NAMES,
    expectedParams: 61_706, resizable: false, arch: lenet5,
    description: `LeCun's LeNet-5 for 28×28 digits (ReLU and max pooling). ${UNTRAINED}` },
  { name: 'alexnet', title: 'AlexNet', ...IMAGENET, expectedParams: 61_100_840, arch: alexnet,
    description: `AlexNet as in torchvision (Krizhevsky et al. 2012, single tower). ${UNTRAINED}` },
  { name: 'zfnet', title: 'ZFNet', ...IMAGENET, expectedParams: 62_357_608, arch: zfnet,
    description: `ZFNet (Zeiler & Fergus 2013): 7×7 stride-2 first layer, contrast normalisation after layers 1–2. ${UNTRAINED}` },
  { name: 'googlenet', title: 'GoogLeNet (Inception v1)', ...IMAGENET, expectedParams: 6_624_904, arch: googlenet,
    description: `GoogLeNet as in torchvision (BatchNorm, no auxiliary heads). ${UNTRAINED}` },
  { name: 'vgg16', title: 'VGG-16', ...IMAGENET, expectedParams: 138_357_544, arch: vgg16,
    description: `VGG-16 as in torchvision (13 conv 3×3 layers, 3 fully connected). ${UNTRAINED}` },
  { name: 'resnet18', title: 'ResNet-18', ...IMAGENET, expectedParams: 11_689_512, arch: resnet18,
    description: `ResNet-18 as in torchvision (basic residual blocks). ${UNTRAINED}` },
  { name: 'resnet50', title: 'ResNet-50', ...IMAGENET, expectedParams: 25_557_032, arch: resnet50,
    description: `ResNet-50 as in torchvision (bottleneck blocks, v1.5). ${UNTRAINED}` },
  { name: 'densenet121', title: 'DenseNet-121', ...IMAGENET, expectedParams: 7_978_856, arch: densenet121,
    description: `DenseNet-121 as in torchvision (growth rate 32). ${UNTRAINED}` },
  { name: 'autoencoder', title: 'Convolutional autoencoder', task: 'autoencoder', inputShape: [1, 28, 28], preprocessing: (s) => unitPreprocessing(s, 1),
    expectedParams: 111_521, resizable: true, arch: (net, x, o) => autoencoder(net, x, o.latent, o.depth),
    description: `Conv+ReLU+MaxPool encoder, dense latent bottleneck (options latent, depth), ConvTranspose decoder with Sigmoid output; for 28×28 gray images in [0, 1]. ${UNTRAINED}` },
];
const BY_NAME = new Map(BUILTINS.map((b) => [b.name, b]));

/** Built-in names, then trained models whose sidecar is valid (see zooWarnings for the others). */
export function zooNames(): string[] {
  return [...BUILTINS.map((b) => b.name), ...trainedNames().filter((n) => !BY_NAME.has(n) && sidecarProblem(n) === undefined)];
}

/** Why trained model files were left out of zooNames(), one line each (for a log or the UI). */
export function zooWarnings(): string[] {
  return trainedNames().flatMap((n) => {
    if (BY_NAME.has(n)) return [`trained model ${n}: the name is taken by a built-in model; rename the files`];
    const p = sidecarProblem(n);
    return p ? [p] : [];
  });
}

function sidecarProblem(name: string): string | undefined {
  try { readSidecar(name); return undefined; } catch (e) { return (e as Error).message; }
}

export function zooSpec(name: string): ZooSpec {
  const b = BY_NAME.get(name);
  if (b) return builtinSpec(b);
  if (trainedNames().includes(name)) return trainedSpec(name);
  throw new Error(`unknown zoo model "${name}"; available: ${zooNames().join(', ')}`);
}

export function buildZooModel(name: string, opts: ZooBuildOptions = {}): ModelProto {
  return zooSpec(name).build(opts);
}

function builtinSpec(b: Builtin): ZooSpec {
  return {
    name: b.name, title: b.title, task: b.task, inputShape: [...b.inputShape], description: b.description,
    preprocessing: b.preprocessing(b.inputShape[1]), classNames: b.classNames ? [...b.classNames] : undefined,
    expectedParams: b.expectedParams,
    // computed on first read (dry runs, ~10 ms per model) so listing the zoo stays instant
    get minInputSize() { return b.resizable ? minInputSize(b) : undefined; },
    build: (opts) => buildBuiltin(b, opts ?? {}),
  };
}

function resolveOptions(b: Builtin, opts: ZooBuildOptions) {
  const seed = checkSeed(opts.seed ?? DEFAULT_SEED);
  const batch: number | 'N' = opts.batch ?? 'N';
  if (batch !== 'N' && (!Number.isInteger(batch) || batch < 1)) throw new Error(`${b.name}: batch must be a positive integer or 'N' (got ${String(batch)})`);
  const size = opts.inputSize ?? b.inputShape[1];
  if (size !== b.inputShape[1] && !b.resizable) throw new Error(`${b.name}: the input size is fixed at ${b.inputShape[1]}×${b.inputShape[2]} (got inputSize ${size})`);
  if (!Number.isInteger(size) || size < 1 || size > MAX_INPUT_SIZE) throw new Error(`${b.name}: inputSize must be an integer from 1 to ${MAX_INPUT_SIZE} (got ${size})`);
  if (b.task !== 'autoencoder' && (opts.latent !== undefined || opts.depth !== undefined)) throw new Error(`${b.name}: latent and depth apply to the autoencoder only`);
  const latent = opts.latent ?? AUTOENCODER_DEFAULTS.latent, depth = opts.depth ?? AUTOENCODER_DEFAULTS.depth;
  return { seed, batch, size, latent, depth };
}

function buildBuiltin(b: Builtin, opts: ZooBuildOptions): ModelProto {
  const o = resolveOptions(b, opts);
  const shape = [b.inputShape[0], o.size, o.size];
  // A dry run checks every layer's size before any weights are generated (VGG16: 553 MB).
  if (o.size !== b.inputShape[1]) tryArch(b, shape, o, true);
  const net = new Net(b.name, o.seed);
  const out = tryArch(b, shape, o, false, net);
  net.output(out, o.batch);
  const metadata: Record<string, string> = {
    [PREPROCESSING_KEY]: JSON.stringify(b.preprocessing(o.size)),
    [BUFFERS_KEY]: JSON.stringify(net.buffers),
    [ZOO_KEY]: JSON.stringify({ name: b.name, seed: o.seed, inputSize: o.size, ...(b.task === 'autoencoder' ? { latent: o.latent, depth: o.depth } : {}) }),
  };
  if (b.classNames) metadata[CLASS_NAMES_KEY] = JSON.stringify(b.classNames);
  const model = net.g.build({ doc: b.description, metadata });
  model.graph!.valueInfo = net.valueInfo(o.batch);
  return model;
}

function tryArch(b: Builtin, shape: number[], o: ReturnType<typeof resolveOptions>, dry: boolean, net = new Net(b.name, o.seed, dry)): Act {
  const x = net.input(shape, o.batch);
  try {
    return b.arch(net, x, o);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const min = b.resizable ? minInputSize(b, o) : undefined;
    throw new Error(`${b.name}: input size ${shape[1]} is too small (${e.message})${min ? `; the smallest input size is ${min}` : ''}`);
  }
}

const minCache = new Map<string, number | undefined>();

/** Smallest square input every layer accepts, found by shape-only dry runs (no weights). */
function minInputSize(b: Builtin, o?: { latent: number; depth: number }): number | undefined {
  const key = b.task === 'autoencoder' ? `${b.name}/${o?.depth ?? AUTOENCODER_DEFAULTS.depth}` : b.name;
  if (minCache.has(key)) return minCache.get(key);
  const opts = { seed: 0, batch: 1 as Dim, size: 0, latent: o?.latent ?? AUTOENCODER_DEFAULTS.latent, depth: o?.depth ?? AUTOENCODER_DEFAULTS.depth };
  let found: number | undefined;
  for (let s = 1; s <= MAX_INPUT_SIZE && found === undefined; s++) {
    const net = new Net(b.name, 0, true);
    try {
      b.arch(net, net.input([b.inputShape[0], s, s], 1), opts);
      found = s;
    } catch (e) {
      if (!(e instanceof ShapeError)) break; // e.g. an option is invalid at any size
    }
  }
  minCache.set(key, found);
  return found;
}

function trainedSpec(name: string): ZooSpec {
  const sc = readSidecar(name);
  let fromModel: ReturnType<typeof describeFromModel> | undefined;
  const model = () => (fromModel ??= describeFromModel(loadTrainedModel(name)));
  const preprocessing = sc.preprocessing ?? model().preprocessing ?? unitPreprocessing();
  const inputShape = sc.inputShape ?? (sc.preprocessing ? [preprocessing.channels, ...preprocessing.size] : model().inputShape ?? [preprocessing.channels, ...preprocessing.size]);
  return {
    name, title: sc.title ?? name, task: sc.task ?? 'classifier', inputShape, description: sc.description ?? `Trained model ${name}.`,
    preprocessing, classNames: sc.classNames ?? (sc.task === 'autoencoder' ? undefined : model().classNames), expectedParams: sc.params, trained: true,
    build: (opts = {}) => {
      for (const k of ['inputSize', 'latent', 'depth'] as const) {
        if (opts[k] !== undefined) throw new Error(`${name}: a trained model cannot change ${k}; build the untrained architecture instead`);
      }
      return loadTrainedModel(name); // seed and batch do not apply to stored weights
    },
  };
}

/** Trainable parameters of a built zoo model (same as trainableParamCount; used by the CLI and build scripts). */
export function zooParamCount(model: ModelProto): number { return trainableParamCount(model); }
