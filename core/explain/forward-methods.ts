// Explainers that need only forward passes, batched: Score-CAM, Ablation-CAM, Eigen-CAM,
// occlusion and RISE. Perturbation scores use the softmax probability of the class, as the papers do.
import { eigenCam, weightedSum } from './cam.ts';
import { resizeBilinear } from './resize.ts';
import { Rng } from './rng.ts';
import { softmaxRow } from './model.ts';
import { layerActivations, type MethodContext, type MethodOutput } from './context.ts';

function dims(ctx: MethodContext) {
  const [C, H, W] = ctx.em.inputShape;
  return { C, H, W, hw: H * W, size: C * H * W };
}

function probsOf(scores: Float32Array, count: number, target: number): Float64Array {
  const k = scores.length / count, out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = softmaxRow(scores, i * k, k)[target]!;
  return out;
}

function camOutput(ctx: MethodContext, low: Float32Array, h: number, w: number): MethodOutput {
  const { H, W } = dims(ctx);
  return { map: resizeBilinear(low, h, w, H, W), layerMap: { data: low, height: h, width: w }, signed: false };
}

/** Eigen-CAM (Muhammad & Yeasin 2020): first principal component of the layer's activations. */
export async function eigenCamMethod(ctx: MethodContext): Promise<MethodOutput> {
  const a = await layerActivations(ctx);
  return camOutput(ctx, eigenCam(a), a.height, a.width);
}

/** Channels with some activation (an all-zero channel adds nothing to Σ α_k A_k whatever α_k is). */
function liveChannels(act: Float32Array, K: number, hw: number, max: number): number[] {
  const means: [number, number][] = [];
  for (let k = 0; k < K; k++) {
    let s = 0, any = false;
    for (let i = 0; i < hw; i++) { const v = act[k * hw + i]!; s += v; if (v !== 0) any = true; }
    if (any) means.push([k, s / hw]);
  }
  if (means.length > max) means.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return means.slice(0, max).map(([k]) => k).sort((a, b) => a - b);
}

/**
 * Score-CAM (Wang et al. 2020, eq. 5–8, as the authors' code): each channel A_k, upsampled to the
 * input and min–max scaled to [0, 1], masks the image; α_k = softmax(f(x ⊙ H_k))_c;
 * L = ReLU(Σ α_k A_k). A channel with a constant upsampled map gives an all-zero mask.
 */
export async function scoreCam(ctx: MethodContext): Promise<MethodOutput> {
  const a = await layerActivations(ctx);
  const { C, H, W, hw, size } = dims(ctx);
  const lhw = a.height * a.width;
  const chans = liveChannels(a.act, a.channels, lhw, ctx.options.scorecam.maxChannels);
  const alpha = new Float64Array(a.channels);
  await ctx.em.forward(chans.length, (start, count) => {
    const b = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const k = chans[start + i]!;
      const up = resizeBilinear(a.act.subarray(k * lhw, (k + 1) * lhw), a.height, a.width, H, W);
      let lo = Infinity, hi = -Infinity;
      for (const v of up) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const span = hi - lo;
      for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) {
        b[i * size + c * hw + p] = span > 0 ? ctx.x[c * hw + p]! * ((up[p]! - lo) / span) : 0;
      }
    }
    return b;
  }, (start, count, scores) => {
    const p = probsOf(scores, count, ctx.target);
    for (let i = 0; i < count; i++) alpha[chans[start + i]!] = p[i]!;
  }, { signal: ctx.signal, onProgress: ctx.progress });
  return camOutput(ctx, weightedSum(a.act, alpha, a.channels, lhw), a.height, a.width);
}

/**
 * Ablation-CAM (Desai & Ramaswamy 2020, eq. 3): α_k = (y_c − y_c^k) / y_c, y_c^k the class score
 * with channel k of the layer set to zero; L = ReLU(Σ α_k A_k).
 */
export async function ablationCam(ctx: MethodContext): Promise<MethodOutput> {
  const a = await layerActivations(ctx);
  const K = a.channels, lhw = a.height * a.width;
  const chans = liveChannels(a.act, K, lhw, Infinity);
  const masks = new Float32Array(chans.length * K).fill(1);
  chans.forEach((k, i) => { masks[i * K + k] = 0; });
  const base = await ctx.em.scores(ctx.x, 1, { signal: ctx.signal });
  const yc = base[ctx.target]!;
  const scores = await ctx.em.ablate(ctx.layer, ctx.x, masks, chans.length, { signal: ctx.signal, onProgress: ctx.progress });
  const nk = scores.length / Math.max(1, chans.length);
  const alpha = new Float64Array(K);
  chans.forEach((k, i) => { alpha[k] = (yc - scores[i * nk + ctx.target]!) / (Math.abs(yc) > 1e-12 ? yc : 1e-12); });
  return camOutput(ctx, weightedSum(a.act, alpha, K, lhw), a.height, a.width);
}

/** Top-left corners of patches covering [0, n) with the last patch flush with the edge. */
function positions(n: number, patch: number, stride: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + patch < n; p += stride) out.push(p);
  out.push(Math.max(0, n - patch));
  return [...new Set(out)];
}

/**
 * Occlusion (Zeiler & Fergus 2014, §4.2): slide a patch of `baseline` over the image; a pixel's
 * attribution is the mean drop in class probability over the patches covering it.
 */
export async function occlusion(ctx: MethodContext): Promise<MethodOutput> {
  const { C, H, W, hw, size } = dims(ctx);
  const { patch, stride, baseline } = ctx.options.occlusion;
  const ph = Math.min(patch, H), pw = Math.min(patch, W);
  const ys = positions(H, ph, stride), xs = positions(W, pw, stride);
  const spots = ys.flatMap((y) => xs.map((x) => [y, x] as const));
  const p0 = probsOf(await ctx.em.scores(ctx.x, 1, { signal: ctx.signal }), 1, ctx.target)[0]!;
  const sum = new Float64Array(hw), cnt = new Float64Array(hw);
  await ctx.em.forward(spots.length, (start, count) => {
    const b = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      b.set(ctx.x, i * size);
      const [y0, x0] = spots[start + i]!;
      for (let c = 0; c < C; c++) for (let y = y0; y < y0 + ph; y++) b.fill(baseline, i * size + c * hw + y * W + x0, i * size + c * hw + y * W + x0 + pw);
    }
    return b;
  }, (start, count, scores) => {
    const p = probsOf(scores, count, ctx.target);
    for (let i = 0; i < count; i++) {
      const [y0, x0] = spots[start + i]!;
      const d = p0 - p[i]!;
      for (let y = y0; y < y0 + ph; y++) for (let x = x0; x < x0 + pw; x++) { sum[y * W + x]! += d; cnt[y * W + x]! += 1; }
    }
  }, { signal: ctx.signal, onProgress: ctx.progress });
  return { map: Float32Array.from(sum, (s, i) => (cnt[i] ? s / cnt[i]! : 0)), signed: true, extra: { patches: spots.length } };
}

/**
 * One RISE mask (Petsiuk et al. 2018, §3.2): a random s×s binary grid (cells kept with probability
 * p), bilinearly upsampled to (s+1)·cell, shifted by a random offset in [0, cell) and cropped to H×W.
 */
export function riseMask(rng: Rng, H: number, W: number, cell: number, p: number): Float32Array {
  const sh = Math.ceil(H / cell), sw = Math.ceil(W / cell);
  const grid = new Float32Array(sh * sw);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() < p ? 1 : 0;
  const UH = (sh + 1) * cell, UW = (sw + 1) * cell;
  const dy = Math.floor(rng.next() * cell), dx = Math.floor(rng.next() * cell);
  const out = new Float32Array(H * W);
  // Bilinear upsampling of the grid to UH×UW (half-pixel centres), sampled only where the crop needs it.
  for (let y = 0; y < H; y++) {
    const fy = Math.min(sh - 1, Math.max(0, (y + dy + 0.5) * (sh / UH) - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(sh - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(sw - 1, Math.max(0, (x + dx + 0.5) * (sw / UW) - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(sw - 1, x0 + 1), tx = fx - x0;
      out[y * W + x] = (grid[y0 * sw + x0]! * (1 - tx) + grid[y0 * sw + x1]! * tx) * (1 - ty) + (grid[y1 * sw + x0]! * (1 - tx) + grid[y1 * sw + x1]! * tx) * ty;
    }
  }
  return out;
}

/** RISE (Petsiuk et al. 2018, eq. 6): S = (1 / (N·p)) Σ_i f_c(x ⊙ M_i) · M_i. Masks are made per chunk. */
export async function rise(ctx: MethodContext): Promise<MethodOutput> {
  const { C, H, W, hw, size } = dims(ctx);
  const { masks: N, cell, p, seed } = ctx.options.rise;
  const rng = new Rng(seed);
  const acc = new Float64Array(hw);
  let current: Float32Array[] = [];
  await ctx.em.forward(N, (_start, count) => {
    current = Array.from({ length: count }, () => riseMask(rng, H, W, cell, p));
    const b = new Float32Array(count * size);
    for (let i = 0; i < count; i++) for (let c = 0; c < C; c++) for (let q = 0; q < hw; q++) b[i * size + c * hw + q] = ctx.x[c * hw + q]! * current[i]![q]!;
    return b;
  }, (_start, count, scores) => {
    const pr = probsOf(scores, count, ctx.target);
    for (let i = 0; i < count; i++) { const m = current[i]!; const s = pr[i]!; for (let q = 0; q < hw; q++) acc[q]! += s * m[q]!; }
  }, { signal: ctx.signal, onProgress: ctx.progress });
  return { map: Float32Array.from(acc, (v) => v / (N * p)), signed: false };
}
