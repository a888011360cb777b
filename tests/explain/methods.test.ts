// Explainers on constructed models whose right answer is known, and against independent
// computations (finite differences, direct onnxruntime runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Runtime } from '../../core/runtime/index.ts';
import { ExplainModel } from '../../core/explain/model.ts';
import { explainImage } from '../../core/explain/explain.ts';
import { gradCam } from '../../core/explain/cam.ts';
import { resizeBilinear } from '../../core/explain/resize.ts';
import { saveModelBytes } from '../../core/onnx/save.ts';
import { exposeOutputs } from '../../core/onnx/expose.ts';
import { Rng } from '../../core/explain/rng.ts';
import { quadrantModel, smallNet } from './models.ts';

let runtime: Runtime;
beforeAll(async () => { runtime = await Runtime.create({ provider: 'cpu' }); });
afterAll(async () => { await runtime.dispose(); });

const S = 32;
/** Share of the map's mass (above its median: RISE has a constant floor E[f] where the model ignores pixels) in the top-left quadrant. */
function quadrantShare(map: Float32Array, border = 0): number {
  const sorted = Float32Array.from(map).sort();
  const med = sorted[sorted.length >> 1]!;
  let inside = 0, total = 0;
  map.forEach((v, i) => {
    const w = Math.max(0, v - med);
    total += w;
    if (((i / S) | 0) < S / 2 + border && i % S < S / 2 + border) inside += w;
  });
  return inside / total;
}

describe('a network that only looks at one quadrant', () => {
  it('puts ≥ 90 % of Grad-CAM, occlusion, RISE and IG mass in that quadrant', async () => {
    const em = ExplainModel.create(quadrantModel(S), runtime);
    const rng = new Rng(5);
    const x = Float32Array.from({ length: S * S }, () => rng.next());
    expect(em.defaultLayer().node).toBe('feat');
    const r = await explainImage(em, x, {
      methods: ['gradcam', 'occlusion', 'rise', 'ig', 'hirescam', 'scorecam', 'ablationcam', 'saliency'], target: 0,
      options: { rise: { masks: 4000, cell: 4 }, occlusion: { patch: 4, stride: 4 }, ig: { steps: 16 } },
    });
    const shares = Object.fromEntries(r.results.map((m) => [m.method, quadrantShare(m.map)]));
    for (const m of ['gradcam', 'occlusion', 'ig', 'hirescam', 'scorecam', 'ablationcam', 'saliency']) expect(shares[m], m).toBeGreaterThanOrEqual(0.9);
    // RISE's masks are grids of 4-pixel cells upsampled bilinearly and shifted, so its map cannot be
    // sharper than one cell (Petsiuk et al. §3.2): ≥ 90 % within one cell of the quadrant, ≥ 80 % strictly inside.
    const rise = r.results.find((m) => m.method === 'rise')!.map;
    expect(quadrantShare(rise, 4)).toBeGreaterThanOrEqual(0.9);
    expect(shares.rise).toBeGreaterThanOrEqual(0.8);
    // Exact zeros where the model cannot look (gradient methods and occlusion).
    const gc = r.results.find((m) => m.method === 'gradcam')!;
    expect(gc.layerMap!.height).toBe(16);
    for (let y = 0; y < 16; y++) for (let i = 0; i < 16; i++) if (y >= 8 || i >= 8) expect(gc.layerMap!.data[y * 16 + i]).toBe(0);
    await em.dispose();
  });
});

describe('against independent computations', () => {
  it('Grad-CAM from the autodiff graph equals Grad-CAM from finite-difference gradients', async () => {
    const { full, tail } = smallNet(3);
    const em = ExplainModel.create(full, runtime);
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) + 0.3);
    const r = await explainImage(em, x, { methods: ['gradcam', 'hirescam'], layer: 'feat', target: 1 });
    // Activations of "feat" straight from onnxruntime, then central differences through the tail.
    const head = await ort.InferenceSession.create(saveModelBytes(exposeOutputs(full, ['feat_out'])));
    const act = (await head.run({ input: new ort.Tensor('float32', x, [1, 1, 8, 8]) })).feat_out!.data as Float32Array;
    const t = await ort.InferenceSession.create(saveModelBytes(tail));
    const n = act.length, eps = 1e-2;
    const batch = new Float32Array(2 * n * n);
    for (let j = 0; j < n; j++) {
      batch.set(act, (2 * j) * n); batch[(2 * j) * n + j]! += eps;
      batch.set(act, (2 * j + 1) * n); batch[(2 * j + 1) * n + j]! -= eps;
    }
    const out = (await t.run({ feat: new ort.Tensor('float32', batch, [2 * n, 3, 8, 8]) })).fc_out!.data as Float32Array;
    const grad = Float32Array.from({ length: n }, (_, j) => (out[(2 * j) * 3 + 1]! - out[(2 * j + 1) * 3 + 1]!) / (2 * eps));
    const want = gradCam({ act, grad, channels: 3, height: 8, width: 8 });
    const got = r.results[0]!.layerMap!.data;
    const scale = Math.max(...want);
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < 64; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(2e-3 * scale + 1e-5);
    // The upsampled map is the layer map resized (8×8 → 8×8 here: identical).
    expect(Array.from(r.results[0]!.map)).toEqual(Array.from(got));
    await em.dispose();
  });

  it('Integrated Gradients: completeness within 1 % (Σ IG = f(x) − f(baseline))', async () => {
    const { full } = smallNet(4);
    const em = ExplainModel.create(full, runtime);
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.3) * 1.5);
    const r = await explainImage(em, x, { methods: ['ig'], options: { ig: { steps: 128 } } });
    const e = r.results[0]!.extra!;
    const scores = await em.scores(x, 1);
    const s0 = await em.scores(new Float32Array(64), 1);
    const c = r.target.index;
    expect(e.scoreDifference).toBeCloseTo(scores[c]! - s0[c]!, 4);
    expect(Math.abs(e.scoreDifference!)).toBeGreaterThan(0.05);
    expect(e.completenessError).toBeLessThan(0.01);
    const sum = r.results[0]!.map.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(e.attributionSum!, 3);
    await em.dispose();
  });

  it('Score-CAM and Eigen-CAM match a direct computation on a tiny model', async () => {
    const { full } = smallNet(5);
    const em = ExplainModel.create(full, runtime);
    const x = Float32Array.from({ length: 64 }, (_, i) => ((i * 37) % 11) / 5 - 1);
    const r = await explainImage(em, x, { methods: ['scorecam', 'eigencam'], layer: 'feat' });
    const c = r.target.index;
    const sess = await ort.InferenceSession.create(saveModelBytes(exposeOutputs(full, ['feat_out'])));
    const act = (await sess.run({ input: new ort.Tensor('float32', x, [1, 1, 8, 8]) })).feat_out!.data as Float32Array;
    // Score-CAM: mask by each min-max-scaled channel (8×8 layer = input size: no upsampling).
    const alpha: number[] = [];
    for (let k = 0; k < 3; k++) {
      const a = act.slice(k * 64, (k + 1) * 64);
      const lo = Math.min(...a), hi = Math.max(...a);
      const masked = Float32Array.from(x, (v, i) => (hi > lo ? v * (a[i]! - lo) / (hi - lo) : 0));
      const o = (await sess.run({ input: new ort.Tensor('float32', masked, [1, 1, 8, 8]) })).fc_out!.data as Float32Array;
      const z = Array.from(o).map((v) => Math.exp(v - Math.max(...o)));
      alpha.push(hi === 0 && lo === 0 ? 0 : z[c]! / z.reduce((s, v) => s + v, 0));
    }
    const want = Array.from({ length: 64 }, (_, i) => Math.max(0, alpha.reduce((s, a, k) => s + a * act[k * 64 + i]!, 0)));
    const got = r.results[0]!.map;
    for (let i = 0; i < 64; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    // Eigen-CAM: projection on the top eigenvector of the 3×3 channel covariance (power iteration here).
    const X = [0, 1, 2].map((k) => { const a = Array.from(act.slice(k * 64, (k + 1) * 64)); const m = a.reduce((s, v) => s + v, 0) / 64; return a.map((v) => v - m); });
    const C = X.map((a) => X.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
    let v = [1, 0.5, 0.25];
    for (let it = 0; it < 500; it++) { const nv = C.map((row) => row.reduce((s, cij, j) => s + cij * v[j]!, 0)); const n = Math.hypot(...nv); v = nv.map((q) => q / n); }
    let proj = Array.from({ length: 64 }, (_, i) => X.reduce((s, a, k) => s + a[i]! * v[k]!, 0));
    if (proj.reduce((s, p, i) => s + p * (act[i]! + act[64 + i]! + act[128 + i]!), 0) < 0) proj = proj.map((p) => -p);
    const eig = r.results[1]!.map;
    for (let i = 0; i < 64; i++) expect(eig[i]).toBeCloseTo(Math.max(0, proj[i]!), 3);
    await em.dispose();
  });

  it('CAMs at a coarser layer are upsampled bilinearly to the input', async () => {
    const em = ExplainModel.create(quadrantModel(S), runtime);
    const x = Float32Array.from({ length: S * S }, (_, i) => (i % 7) / 7);
    const r = await explainImage(em, x, { methods: ['gradcam'], target: 0 });
    const m = r.results[0]!;
    expect(Array.from(m.map)).toEqual(Array.from(resizeBilinear(m.layerMap!.data, 16, 16, S, S)));
    await em.dispose();
  });
});

describe('cancellation and errors', () => {
  it('a long RISE run stops when its signal is aborted', async () => {
    const em = ExplainModel.create(quadrantModel(S), runtime, { maxBatch: 4 });
    const ac = new AbortController();
    let seen = 0;
    const p = explainImage(em, new Float32Array(S * S).fill(0.5), {
      methods: ['rise'], options: { rise: { masks: 20_000 } }, signal: ac.signal,
      onProgress: (q) => { seen = q.done; if (q.done >= 40) ac.abort(); },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBeLessThan(200);
    await em.dispose();
  });
  it('rejects unknown methods, layers and classes with a clear message', async () => {
    const em = ExplainModel.create(quadrantModel(S), runtime);
    const x = new Float32Array(S * S);
    await expect(explainImage(em, x, { methods: ['gradkam'] })).rejects.toThrow(/unknown method "gradkam"; choose from/);
    await expect(explainImage(em, x, { methods: ['gradcam'], layer: 'nope' })).rejects.toThrow(/not a spatial layer/);
    await expect(explainImage(em, x, { methods: ['gradcam'], target: 5 })).rejects.toThrow(/outside 0–1/);
    await expect(explainImage(em, new Float32Array(3), { methods: ['gradcam'] })).rejects.toThrow(/takes \[1, 32, 32\]/);
    await em.dispose();
  });
});

describe('guided backpropagation graph rewrite', () => {
  it('masks negative gradient signal at ReLUs (Springenberg et al. 2015), unlike the plain gradient', async () => {
    const { GraphBuilder } = await import('../../core/onnx/builder.ts');
    const W1 = [1, -2, 0.5, 1, /**/ -1, 1, 2, 0.5, /**/ 0.3, 0.3, -0.4, 1];
    const W2 = [1, -1, 2, /**/ -1, 2, 0.5];
    const b = new GraphBuilder('mlp');
    const x = b.input('input', ['N', 1, 2, 2]);
    const f = b.op('Flatten', [x], { axis: 1 });
    const h = b.op('Relu', [b.op('Gemm', [f, b.initializer('w1', Float32Array.from(W1), [3, 4])], { transB: 1 })]);
    b.output(b.op('Gemm', [h, b.initializer('w2', Float32Array.from(W2), [2, 3])], { transB: 1 }), ['N', 2]);
    const em = ExplainModel.create(b.build(), runtime);
    const xv = Float32Array.from([1, 0.5, 1, 1]);
    const pre = [0, 1, 2].map((j) => W1.slice(4 * j, 4 * j + 4).reduce((s, w, i) => s + w * xv[i]!, 0)); // [0, 2, 1.2]: unit 0 is off
    const r = await explainImage(em, xv, { methods: ['guided-backprop', 'saliency'], target: 0 });
    const plain = [0, 1, 2, 3].map((i) => [0, 1, 2].reduce((s, j) => s + W1[4 * j + i]! * (pre[j]! > 0 ? W2[j]! : 0), 0));
    const guided = [0, 1, 2, 3].map((i) => [0, 1, 2].reduce((s, j) => s + W1[4 * j + i]! * (pre[j]! > 0 ? Math.max(0, W2[j]!) : 0), 0));
    expect(plain).not.toEqual(guided);
    expect(Array.from(r.results[0]!.map)).toEqual(guided.map((v) => expect.closeTo(Math.abs(v), 5)));
    expect(Array.from(r.results[1]!.map)).toEqual(plain.map((v) => expect.closeTo(Math.abs(v), 5)));
    await em.dispose();
  });
});

describe('top-1 target picked inside the gradient pass', () => {
  it('gives the same maps as choosing the class first and then differentiating it', async () => {
    const { full } = smallNet(6);
    const em = ExplainModel.create(full, runtime);
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.3));
    for (const m of ['gradcam', 'saliency', 'guided-backprop']) {
      const fused = await explainImage(em, x, { methods: [m, 'hirescam'] });
      const probs = fused.probabilities;
      const top = probs.indexOf(Math.max(...probs));
      expect(fused.target.index).toBe(top);
      const plain = await explainImage(em, x, { methods: [m, 'hirescam'], target: top });
      expect(plain.target.probability).toBeCloseTo(fused.target.probability, 6);
      for (let k = 0; k < 2; k++) expect(Array.from(fused.results[k]!.map)).toEqual(Array.from(plain.results[k]!.map).map((v) => expect.closeTo(v, 6)));
    }
    await em.dispose();
  });
});
