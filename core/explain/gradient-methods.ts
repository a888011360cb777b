// Explainers that need gradients (core/autodiff graphs run in onnxruntime): the gradient CAMs at a
// layer and the input-attribution methods.
import { CAM_FORMULAS, type GradientCamName } from './cam.ts';
import { resizeBilinear } from './resize.ts';
import { blurImage } from './faithfulness.ts';
import { Rng } from './rng.ts';
import {
  layerGradient, inputGradient, maxAbsOverChannels, sumOverChannels, type MethodContext, type MethodOutput,
} from './context.ts';

function inputDims(ctx: MethodContext) {
  const [C, H, W] = ctx.em.inputShape;
  return { C, H, W, hw: H * W, size: C * H * W };
}

/** Grad-CAM, Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM: formula at the layer, then bilinear to the input. */
export async function gradientCam(ctx: MethodContext, name: GradientCamName): Promise<MethodOutput> {
  const maps = await layerGradient(ctx);
  const low = CAM_FORMULAS[name](maps);
  const { H, W } = inputDims(ctx);
  return { map: resizeBilinear(low, maps.height, maps.width, H, W), layerMap: { data: low, height: maps.height, width: maps.width }, signed: false };
}

/** Vanilla gradient (Simonyan et al. 2014, §3.1): max_c |∂S_c/∂x|. */
export async function vanillaGradient(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw } = inputDims(ctx);
  return { map: maxAbsOverChannels(await inputGradient(ctx, false), C, hw), signed: false };
}

/** Gradient × input (Shrikumar et al. 2016, as used by Ancona et al. 2018), summed over channels. */
export async function gradientTimesInput(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw } = inputDims(ctx);
  const g = await inputGradient(ctx, false);
  const p = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) p[i] = g[i]! * ctx.x[i]!;
  return { map: sumOverChannels(p, C, hw), signed: true };
}

/** Guided Backpropagation (Springenberg et al. 2015): gradient with ReLUs passing only positive signal. */
export async function guidedBackprop(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw } = inputDims(ctx);
  return { map: maxAbsOverChannels(await inputGradient(ctx, true), C, hw), signed: false };
}

/** Guided Grad-CAM (Selvaraju et al. 2017, §3.1): guided backprop ⊙ upsampled Grad-CAM, per channel. */
export async function guidedGradCam(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw } = inputDims(ctx);
  const [gb, cam] = await Promise.all([inputGradient(ctx, true), gradientCam(ctx, 'gradcam')]);
  const p = new Float32Array(gb.length);
  for (let c = 0; c < C; c++) for (let i = 0; i < hw; i++) p[c * hw + i] = gb[c * hw + i]! * cam.map[i]!;
  return { map: maxAbsOverChannels(p, C, hw), signed: false };
}

/**
 * SmoothGrad (Smilkov et al. 2017, eq. 3): M̂ = (1/n) Σ ∇S_c(x + N(0, σ²)), σ = noise·(max x − min x);
 * shown as max_c |M̂| like the vanilla gradient. Samples are made per chunk (bounded memory).
 */
export async function smoothGrad(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw, size } = inputDims(ctx);
  const { samples, noise, seed } = ctx.options.smoothgrad;
  let lo = Infinity, hi = -Infinity;
  for (const v of ctx.x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const sigma = noise * (hi - lo || 1);
  const rng = new Rng(seed);
  const acc = new Float64Array(size);
  await ctx.em.gradients({ input: true }, samples, (_s, count) => {
    const b = new Float32Array(count * size);
    for (let i = 0; i < count; i++) for (let j = 0; j < size; j++) b[i * size + j] = ctx.x[j]! + sigma * rng.normal();
    return b;
  }, () => ctx.target, (c) => {
    for (let i = 0; i < c.count; i++) for (let j = 0; j < size; j++) acc[j]! += c.gradInput![i * size + j]!;
  }, { signal: ctx.signal, onProgress: ctx.progress });
  const mean = Float32Array.from(acc, (v) => v / samples);
  return { map: maxAbsOverChannels(mean, C, hw), signed: false, extra: { sigma } };
}

/** The IG baseline x′ for this image. */
export function igBaseline(ctx: MethodContext): Float32Array {
  const { C, H, W, size } = inputDims(ctx);
  const b = ctx.options.ig.baseline;
  if (b === 'zero') return new Float32Array(size);
  if (b === 'blur') return blurImage({ data: ctx.x, channels: C, height: H, width: W }, Math.max(1, Math.min(H, W) / 16));
  return new Float32Array(size).fill(b);
}

/**
 * Integrated Gradients (Sundararajan et al. 2017, eq. 1), trapezoid rule on m steps:
 * IG = (x − x′) ⊙ (1/m) Σ_k w_k ∇S_c(x′ + (k/m)(x − x′)), w_0 = w_m = ½. Map = Σ_channels IG (signed).
 * Completeness (their Prop. 1): Σ IG ≈ S_c(x) − S_c(x′); reported as extra.
 */
export async function integratedGradients(ctx: MethodContext): Promise<MethodOutput> {
  const { C, hw, size } = inputDims(ctx);
  const m = ctx.options.ig.steps;
  const base = igBaseline(ctx);
  const acc = new Float64Array(size);
  let sAtX = NaN, sAtBase = NaN;
  await ctx.em.gradients({ input: true }, m + 1, (start, count) => {
    const b = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const a = (start + i) / m;
      for (let j = 0; j < size; j++) b[i * size + j] = base[j]! + a * (ctx.x[j]! - base[j]!);
    }
    return b;
  }, () => ctx.target, (c) => {
    for (let i = 0; i < c.count; i++) {
      const k = c.start + i;
      const w = k === 0 || k === m ? 0.5 : 1;
      for (let j = 0; j < size; j++) acc[j]! += w * c.gradInput![i * size + j]!;
      if (k === 0) sAtBase = c.target[i]!;
      if (k === m) sAtX = c.target[i]!;
    }
  }, { signal: ctx.signal, onProgress: ctx.progress });
  const ig = new Float32Array(size);
  let total = 0;
  for (let j = 0; j < size; j++) { ig[j] = (ctx.x[j]! - base[j]!) * acc[j]! / m; total += ig[j]!; }
  const delta = sAtX - sAtBase;
  return {
    map: sumOverChannels(ig, C, hw), signed: true,
    extra: { attributionSum: total, scoreDifference: delta, completenessError: Math.abs(total - delta) / Math.max(Math.abs(delta), 1e-12) },
  };
}
