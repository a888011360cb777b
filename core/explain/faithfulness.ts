// Faithfulness of a saliency map: does removing what the map calls important change the model's
// output? Deletion and insertion curves with their AUC (Petsiuk, Das & Saenko 2018, "RISE"), and
// ROAD — Remove And Debias — with noisy linear imputation (Rong et al. 2022), which fills removed
// pixels from their neighbours so the model cannot read the removal mask itself.

/** Target-class probability (or score) for each image of a batch (NCHW, float32). */
export type Predict = (batch: Float32Array, count: number) => Promise<Float32Array>;

export interface Image { data: Float32Array; channels: number; height: number; width: number }
export interface Curve { fractions: Float64Array; scores: Float64Array; auc: number }

/** Trapezoidal area under a curve sampled at increasing x in [0, 1]. */
export function trapezoidAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += (x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!) / 2;
  return a;
}

/** Pixel indices sorted by decreasing saliency (ties by index, so the order is deterministic). */
export function saliencyOrder(map: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(map.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => (map[b]! - map[a]!) || a - b);
}

function checkImage(img: Image, map: ArrayLike<number>): void {
  if (img.data.length !== img.channels * img.height * img.width) throw new Error('faithfulness: image data does not match its size');
  if (map.length !== img.height * img.width) throw new Error(`faithfulness: the map has ${map.length} values but the image is ${img.height}×${img.width}; resize the map to the input first`);
}

async function runCurve(img: Image, map: ArrayLike<number>, predict: Predict, start: Float32Array, end: Float32Array, steps: number, batchSize: number, signal?: AbortSignal): Promise<Curve> {
  checkImage(img, map);
  if (!Number.isInteger(steps) || steps < 1 || steps > 10_000) throw new Error('faithfulness: steps must be between 1 and 10,000');
  const hw = img.height * img.width, size = img.data.length;
  const order = saliencyOrder(map);
  const fractions = new Float64Array(steps + 1), scores = new Float64Array(steps + 1);
  const current = Float32Array.from(start);
  let placed = 0;
  const batch = new Float32Array(Math.min(batchSize, steps + 1) * size);
  let inBatch = 0, first = 0;
  const flush = async () => {
    if (!inBatch) return;
    const out = await predict(batch.subarray(0, inBatch * size), inBatch);
    for (let k = 0; k < inBatch; k++) scores[first + k] = out[k]!;
    first += inBatch; inBatch = 0;
  };
  for (let s = 0; s <= steps; s++) {
    if (signal?.aborted) throw new Error('cancelled');
    const upto = Math.round((s / steps) * hw);
    for (; placed < upto; placed++) {
      const p = order[placed]!;
      for (let c = 0; c < img.channels; c++) current[c * hw + p] = end[c * hw + p]!;
    }
    fractions[s] = upto / hw;
    batch.set(current, inBatch * size);
    if (++inBatch * size >= batch.length) await flush();
  }
  await flush();
  return { fractions, scores, auc: trapezoidAuc(fractions, scores) };
}

/** Deletion: start from the image, replace the most salient pixels by `substrate` first. Lower AUC = more faithful. */
export function deletionCurve(img: Image, map: ArrayLike<number>, predict: Predict, opts: { steps?: number; substrate?: Float32Array; batchSize?: number; signal?: AbortSignal } = {}): Promise<Curve> {
  const sub = opts.substrate ?? new Float32Array(img.data.length);
  return runCurve(img, map, predict, img.data, sub, opts.steps ?? 50, opts.batchSize ?? 16, opts.signal);
}

/** Insertion: start from `substrate` (default a blurred copy), put back the most salient pixels first. Higher AUC = more faithful. */
export function insertionCurve(img: Image, map: ArrayLike<number>, predict: Predict, opts: { steps?: number; substrate?: Float32Array; batchSize?: number; signal?: AbortSignal } = {}): Promise<Curve> {
  const sub = opts.substrate ?? blurImage(img, Math.max(1, Math.min(img.height, img.width) / 16));
  return runCurve(img, map, predict, sub, img.data, opts.steps ?? 50, opts.batchSize ?? 16, opts.signal);
}

/** Gaussian-blurred copy (per channel, separable, clamped borders): the insertion substrate RISE uses. */
export function blurImage(img: Image, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += (k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  const { height: h, width: w } = img, hw = h * w;
  const out = new Float32Array(img.data.length), tmp = new Float64Array(hw);
  const cl = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let c = 0; c < img.channels; c++) {
    const src = img.data.subarray(c * hw, (c + 1) * hw);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let a = 0; for (let j = -r; j <= r; j++) a += k[j + r]! * src[y * w + cl(x + j, w)]!; tmp[y * w + x] = a;
    }
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let a = 0; for (let j = -r; j <= r; j++) a += k[j + r]! * tmp[cl(y + j, h) * w + x]!; out[c * hw + y * w + x] = a;
    }
  }
  return out;
}

/**
 * Noisy linear imputation (Rong et al. 2022): each removed pixel takes the weighted mean of its
 * 8 neighbours — direct neighbours weight 1/6, diagonal 1/12, renormalised at borders — solved
 * jointly for all removed pixels (a diagonally dominant sparse system, by successive
 * over-relaxation), then Gaussian noise of std `noise` is added to the imputed values.
 */
export function noisyLinearImpute(img: Image, removed: Uint8Array, opts: { noise?: number; seed?: number; tolerance?: number; maxIterations?: number } = {}): Float32Array {
  const { height: h, width: w } = img, hw = h * w;
  if (removed.length !== hw) throw new Error('imputation mask must have one entry per pixel');
  const out = Float32Array.from(img.data);
  const unknown: number[] = [];
  for (let p = 0; p < hw; p++) if (removed[p]) unknown.push(p);
  if (!unknown.length) return out;
  const nb: [number, number, number][] = [[-1, 0, 1 / 6], [1, 0, 1 / 6], [0, -1, 1 / 6], [0, 1, 1 / 6], [-1, -1, 1 / 12], [-1, 1, 1 / 12], [1, -1, 1 / 12], [1, 1, 1 / 12]];
  const tol = opts.tolerance ?? 1e-5, maxIt = opts.maxIterations ?? 2000, omega = 1.8;
  for (let c = 0; c < img.channels; c++) {
    const ch = out.subarray(c * hw, (c + 1) * hw);
    let mean = 0, known = 0;
    for (let p = 0; p < hw; p++) if (!removed[p]) { mean += ch[p]!; known++; }
    mean = known ? mean / known : 0;
    for (const p of unknown) ch[p] = mean; // start from the mean of what is known
    for (let it = 0; it < maxIt; it++) {
      let maxDelta = 0;
      for (const p of unknown) {
        const y = (p / w) | 0, x = p - y * w;
        let acc = 0, wsum = 0;
        for (const [dy, dx, wt] of nb) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          acc += wt * ch[yy * w + xx]!; wsum += wt;
        }
        const target = acc / wsum;
        const next = ch[p]! + omega * (target - ch[p]!);
        maxDelta = Math.max(maxDelta, Math.abs(next - ch[p]!));
        ch[p] = next;
      }
      if (maxDelta < tol) break;
    }
  }
  const sd = opts.noise ?? 0.01;
  if (sd > 0) {
    let s = (opts.seed ?? 1) >>> 0 || 1;
    const u = () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
    for (let c = 0; c < img.channels; c++) for (const p of unknown) {
      out[c * hw + p]! += sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    }
  }
  return out;
}

export interface RoadResult { percentages: number[]; morf: number[]; lerf: number[]; morfAuc: number; lerfAuc: number }

/**
 * ROAD: for each percentage p, remove the p% most salient pixels (MoRF) or least salient (LeRF),
 * impute them, and record the model's score. A faithful map makes MoRF fall fast (low) and LeRF
 * stay high.
 */
export async function road(img: Image, map: ArrayLike<number>, predict: Predict, opts: { percentages?: number[]; noise?: number; seed?: number; signal?: AbortSignal } = {}): Promise<RoadResult> {
  checkImage(img, map);
  const pcts = opts.percentages ?? [10, 20, 30, 40, 50, 60, 70, 80, 90];
  const hw = img.height * img.width, size = img.data.length;
  const order = saliencyOrder(map);
  const batch = new Float32Array(2 * pcts.length * size);
  pcts.forEach((p, i) => {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const k = Math.round((p / 100) * hw);
    const most = new Uint8Array(hw), least = new Uint8Array(hw);
    for (let j = 0; j < k; j++) { most[order[j]!] = 1; least[order[hw - 1 - j]!] = 1; }
    batch.set(noisyLinearImpute(img, most, { noise: opts.noise, seed: (opts.seed ?? 1) + i }), (2 * i) * size);
    batch.set(noisyLinearImpute(img, least, { noise: opts.noise, seed: (opts.seed ?? 1) + 1000 + i }), (2 * i + 1) * size);
  });
  const out = await predict(batch, 2 * pcts.length);
  const morf = pcts.map((_, i) => out[2 * i]!), lerf = pcts.map((_, i) => out[2 * i + 1]!);
  const xs = pcts.map((p) => p / 100);
  return { percentages: pcts, morf, lerf, morfAuc: trapezoidAuc(xs, morf), lerfAuc: trapezoidAuc(xs, lerf) };
}
