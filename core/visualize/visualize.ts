// Feature visualisation (Olah et al., "Feature Visualization", Distill 2017; Lucid/Microscope):
// synthesise an input that maximises a channel's mean activation or a class score by gradient ascent
// on a parameterised image. Per step: parameters → (Fourier synthesis) → colour decorrelation →
// sigmoid to [0, 1] → random roll/scale/rotate → normalise → model; the gradient from core/autodiff
// comes back through the transpose of each stage, minus a total-variation penalty, into Adam.
import type { ModelProto } from '../onnx/proto.ts';
import { saveModelBytes } from '../onnx/save.ts';
import { exposeOutputs } from '../onnx/expose.ts';
import { buildGradientModel } from '../autodiff/index.ts';
import { modelInput, preprocessingOf } from '../data/preprocessing.ts';
import { withPlainRawData } from '../explain/model.ts';
import { CancelledError, type Runtime } from '../runtime/index.ts';
import { openSession, type VizSession } from './session.ts';
import { FourierBasis } from './fourier.ts';
import { IDENTITY3, applyColour, colourAdjoint, sampleColourMatrix } from './colour.ts';
import { adjointDraw, applyDraw, drawTransform } from './transforms.ts';

export interface VisualizeProgress { step: number; steps: number; objective: number; image?: Float32Array }

export interface VisualizeOptions {
  /** Tensor or node name whose channel to maximise; defaults to the class-score tensor with `class`. */
  layer?: string;
  channel?: number;
  /** Maximise this class score (pre-softmax; with `layer`, that layer's channel) instead of a layer channel. */
  class?: number;
  steps?: number;
  /** Adam step size (default 0.05). */
  lr?: number;
  /** [H, W] when the model input has a symbolic size; must match a fixed one. */
  size?: [number, number];
  param?: 'pixel' | 'fourier';
  /** Largest shift in pixels (default ≈ size/28, at least 1). */
  jitter?: number;
  /** Largest relative scale change (default 0.05). */
  scale?: number;
  /** Largest rotation in degrees (default 5). */
  rotate?: number;
  /** Weight of the total-variation penalty (mean |neighbour difference| of the [0, 1] image; default 0). */
  tv?: number;
  seed?: number;
  /** Pixel normalisation fed to the model (default: the model's preprocessing). */
  mean?: number[];
  std?: number[];
  /** Colour decorrelation for 3-channel inputs (default true). */
  decorrelate?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: VisualizeProgress) => void;
  /** Send `image` with onProgress every this many steps (default 16; the last step always has it). */
  previewEvery?: number;
}

export interface VisualizeResult {
  /** C×H×W in pixel units [0, 1]. */
  image: Float32Array;
  dims: [number, number, number];
  /** Model objective (without penalty) per step, on the transformed image. */
  history: number[];
  /** Objective of the final, untransformed image (and of the initial one). */
  objective: number;
  initialObjective: number;
  /** The tensor and channel optimised. */
  tensor: string;
  channel: number;
  notes: string[];
}

export class VisualizeError extends Error {}

const WEIGHTS = 'receptive_visualize_weights';

/** Mulberry32: small, seedable, good enough for jitter draws and the initial noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Anisotropic total variation Σ |x[y, x+1] − x[y, x]| + |x[y+1, x] − x[y, x]| over planes; adds its subgradient × k to `grad`. */
export function totalVariation(x: Float32Array, c: number, h: number, w: number, grad?: Float32Array, k = 1): number {
  let tv = 0;
  for (let ch = 0; ch < c; ch++) {
    const b = ch * h * w;
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      const i = b + y * w + xx;
      if (xx + 1 < w) {
        const d = x[i + 1]! - x[i]!;
        tv += Math.abs(d);
        if (grad) { const s = Math.sign(d) * k; grad[i + 1]! += s; grad[i]! -= s; }
      }
      if (y + 1 < h) {
        const d = x[i + w]! - x[i]!;
        tv += Math.abs(d);
        if (grad) { const s = Math.sign(d) * k; grad[i + w]! += s; grad[i]! -= s; }
      }
    }
  }
  return tv;
}

/** The tensor a name refers to: a tensor produced by a node, or a node's first output. */
export function resolveTensor(model: ModelProto, name: string): string {
  const g = model.graph!;
  if (g.node.some((n) => n.output.includes(name))) return name;
  const node = g.node.find((n) => n.name === name);
  if (node?.output[0]) return node.output[0];
  const some = g.node.filter((n) => n.name).slice(0, 8).map((n) => n.name).join(', ');
  throw new VisualizeError(`visualize: "${name}" is neither a node nor a tensor of this model; nodes include: ${some || '(unnamed nodes; use tensor names)'}`);
}

function scoreTensor(model: ModelProto): string {
  const g = model.graph!;
  const out = g.output[0]?.name;
  if (!out) throw new VisualizeError('visualize: the model has no output');
  const p = g.node.find((n) => n.output.includes(out));
  return p && (p.opType === 'Softmax' || p.opType === 'LogSoftmax') ? p.input[0]! : out;
}

export async function visualizeFeature(model: ModelProto, runtime?: Runtime, opts: VisualizeOptions = {}): Promise<VisualizeResult> {
  if (!model.graph) throw new VisualizeError('visualize: the model has no graph');
  const notes: string[] = [];
  const input = modelInput(model);
  if (!input) throw new VisualizeError('visualize: the model has no input');
  const [n, c, dh, dw] = input.dims;
  if (input.dims.length !== 4 || typeof c !== 'number' || (typeof n === 'number' && n !== 1)) {
    throw new VisualizeError(`visualize: needs an image input [1 or N, C, H, W] with a fixed C; "${input.name}" is [${input.dims.join(', ')}]`);
  }
  let h: number, w: number;
  if (typeof dh === 'number' && typeof dw === 'number') {
    if (opts.size && (opts.size[0] !== dh || opts.size[1] !== dw)) throw new VisualizeError(`visualize: the model input is fixed at ${dh}×${dw}; drop --size or pass ${dh}`);
    [h, w] = [dh, dw];
  } else {
    if (!opts.size) throw new VisualizeError(`visualize: the model input size is symbolic ([${input.dims.join(', ')}]); pass a size (e.g. --size 224)`);
    [h, w] = opts.size;
  }
  if (!(h >= 4 && w >= 4 && h <= 512 && w <= 512)) throw new VisualizeError(`visualize: size ${h}×${w} is out of range (4–512 px per side)`);

  if (opts.class !== undefined && opts.channel !== undefined) throw new VisualizeError('visualize: pass either a channel or a class, not both');
  const tensor = opts.layer ? resolveTensor(model, opts.layer) : opts.class !== undefined ? scoreTensor(model) : undefined;
  if (!tensor) throw new VisualizeError('visualize: pass a layer (with a channel) or a class');
  const channel = opts.class ?? opts.channel ?? 0;
  const steps = opts.steps ?? 256;
  if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) throw new VisualizeError(`visualize: steps must be an integer from 1 to 100000 (got ${steps})`);
  const lr = opts.lr ?? 0.05;
  const prep = opts.mean && opts.std ? undefined : preprocessingOf(model).preprocessing;
  const mean = opts.mean ?? prep!.mean, std = opts.std ?? prep!.std;
  const plane = h * w, size = c * plane;
  const dims = [1, c, h, w];
  const plain = withPlainRawData(model);

  const sessions: VizSession[] = [];
  try {
    // The layer's shape (for the weights input) from one forward pass on a gray image.
    const probe = await openSession(saveModelBytes(exposeOutputs(plain, [tensor])), runtime, `visualize-probe:${tensor}`);
    sessions.push(probe);
    const gray = new Float32Array(size);
    for (let i = 0; i < size; i++) gray[i] = (0.5 - mean[Math.floor(i / plane) % mean.length]!) / std[Math.floor(i / plane) % std.length]!;
    const tdims = (await probe.run({ [input.name]: { data: gray, dims } }, [tensor]))[tensor]!.dims;
    if (tdims.length < 2) throw new VisualizeError(`visualize: "${tensor}" has shape [${tdims.join(', ')}]; need [1, C, …]`);
    const channels = tdims[1]!, rest = tdims.slice(2).reduce((a, b) => a * b, 1);
    if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
      throw new VisualizeError(`visualize: ${opts.class !== undefined ? 'class' : 'channel'} ${channel} is out of range; "${tensor}" has ${channels} (0–${channels - 1})`);
    }
    // Channel mean: weight 1/(H·W) on that channel's positions, 0 elsewhere (one-hot for a vector).
    const weights = new Float32Array(tdims.reduce((a, b) => a * b, 1));
    weights.fill(1 / rest, channel * rest, (channel + 1) * rest);

    const gm = buildGradientModel(plain, { target: { kind: 'weighted-sum', tensor, weightsInput: WEIGHTS }, wrt: [input.name], keepOutputs: false });
    const gradName = gm.gradients[input.name]!;
    const sess = await openSession(saveModelBytes(gm.model), runtime, `visualize:${tensor}`);
    sessions.push(sess);
    const evaluate = async (x01: Float32Array): Promise<{ objective: number; grad: Float32Array }> => {
      const xin = new Float32Array(size);
      for (let k = 0; k < c; k++) {
        const m = mean[k % mean.length]!, s = std[k % std.length]!;
        for (let i = 0; i < plane; i++) xin[k * plane + i] = (x01[k * plane + i]! - m) / s;
      }
      const out = await sess.run({ [input.name]: { data: xin, dims }, [WEIGHTS]: { data: new Float32Array(weights), dims: tdims } }, [gm.targetOutput, gradName]);
      const g = out[gradName]!.data, grad = new Float32Array(size);
      // d/dx01 of the normalised input: divide by std.
      for (let k = 0; k < c; k++) { const s = std[k % std.length]!; for (let i = 0; i < plane; i++) grad[k * plane + i] = g[k * plane + i]! / s; }
      return { objective: out[gm.targetOutput]!.data[0]!, grad };
    };

    // Parameterisation.
    const fourier = (opts.param ?? 'fourier') === 'fourier' ? new FourierBasis(c, h, w) : undefined;
    let colour: Float64Array = IDENTITY3;
    if (c === 3 && opts.decorrelate !== false) {
      const cm = await sampleColourMatrix();
      colour = cm.matrix;
      if (cm.note) notes.push(cm.note);
    }
    const toImage = (p: Float32Array): Float32Array => {
      let s = fourier ? fourier.toImage(p) : p;
      if (c === 3) s = applyColour(s, plane, colour);
      const img = new Float32Array(size);
      for (let i = 0; i < size; i++) img[i] = 1 / (1 + Math.exp(-s[i]!));
      return img;
    };
    const back = (img: Float32Array, gImg: Float32Array): Float32Array => {
      let g: Float32Array = new Float32Array(size);
      for (let i = 0; i < size; i++) g[i] = gImg[i]! * img[i]! * (1 - img[i]!);
      if (c === 3) g = colourAdjoint(g, plane, colour);
      return fourier ? fourier.adjoint(g) : g;
    };

    const rand = rng(opts.seed ?? 0);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const p = new Float32Array(size);
    for (let i = 0; i < size; i++) p[i] = 0.01 * normal();
    const tf = { jitter: opts.jitter ?? Math.max(1, Math.round(Math.min(h, w) / 28)), scale: opts.scale ?? 0.05, rotate: opts.rotate ?? 5 };
    const tv = opts.tv ?? 0;
    const m1 = new Float32Array(size), m2 = new Float32Array(size);
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const history: number[] = [];
    const initialObjective = (await evaluate(toImage(p))).objective;
    const every = Math.max(1, opts.previewEvery ?? 16);

    for (let step = 1; step <= steps; step++) {
      if (opts.signal?.aborted) throw new CancelledError();
      const img = toImage(p);
      const d = drawTransform(h, w, tf, rand);
      const { objective, grad } = await evaluate(applyDraw(img, c, h, w, d, 0.5));
      if (!Number.isFinite(objective)) throw new VisualizeError(`visualize: the objective became ${objective} at step ${step}; lower the step size (lr)`);
      history.push(objective);
      const gImg = adjointDraw(grad, c, h, w, d);
      if (tv > 0) totalVariation(img, c, h, w, gImg, -tv / size);
      const g = back(img, gImg);
      if (!g.every(Number.isFinite)) throw new VisualizeError(`visualize: the gradient became non-finite at step ${step}; lower the step size (lr)`);
      // Adam, ascending.
      const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
      for (let i = 0; i < size; i++) {
        m1[i] = b1 * m1[i]! + (1 - b1) * g[i]!;
        m2[i] = b2 * m2[i]! + (1 - b2) * g[i]! * g[i]!;
        p[i]! += (lr * (m1[i]! / bc1)) / (Math.sqrt(m2[i]! / bc2) + eps);
      }
      opts.onProgress?.({ step, steps, objective, image: step % every === 0 || step === steps ? toImage(p) : undefined });
    }
    const image = toImage(p);
    const objective = (await evaluate(image)).objective;
    return { image, dims: [c, h, w], history, objective, initialObjective, tensor, channel, notes };
  } finally {
    for (const s of sessions) await s.dispose().catch(() => undefined);
  }
}
