// Feature visualisation end to end: the objective climbs on the trained LeNet-5, a known kernel is
// recovered as the optimised image, and the TV penalty smooths the result.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { loadModelFile } from '../../core/onnx/load.ts';
import { GraphBuilder } from '../../core/onnx/builder.ts';
import { visualizeFeature, totalVariation, VisualizeError } from '../../core/visualize/index.ts';
import { Runtime } from '../../core/runtime/index.ts';

const MODEL = new URL('../../resources/models/lenet5-mnist.onnx', import.meta.url).pathname;

/** 16×16 input, one 16×16 Conv → a single number <k, x>: its maximiser is the kernel's sign pattern. */
function edgeModel(): { model: ReturnType<GraphBuilder['build']>; kernel: Float32Array } {
  const n = 16, k = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const r2 = (y - 7.5) ** 2 + (x - 7.5) ** 2;
    k[y * n + x] = Math.sign(x - 7.5) * Math.exp(-r2 / (2 * 3 ** 2)); // vertical edge, Gaussian window
  }
  const b = new GraphBuilder('edge');
  const x = b.input('x', [1, 1, n, n]);
  const wt = b.initializer('w', k, [1, 1, n, n]);
  const y = b.op('Conv', [x, wt], { kernel_shape: [n, n] }, 'edge');
  b.output(y, [1, 1, 1, 1]);
  return { model: b.build(), kernel: k };
}

function corr(a: ArrayLike<number>, b: ArrayLike<number>, idx: number[]): number {
  const ma = idx.reduce((s, i) => s + a[i]!, 0) / idx.length, mb = idx.reduce((s, i) => s + b[i]!, 0) / idx.length;
  let ab = 0, aa = 0, bb = 0;
  for (const i of idx) { const da = a[i]! - ma, db = b[i]! - mb; ab += da * db; aa += da * da; bb += db * db; }
  return ab / Math.sqrt(aa * bb);
}

describe('visualizeFeature', () => {
  it('recovers a vertical-edge kernel at the centre (and not its transpose)', async () => {
    const { model, kernel } = edgeModel();
    const kt = new Float32Array(256);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) kt[y * 16 + x] = kernel[x * 16 + y]!;
    const centre: number[] = [];
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) centre.push(y * 16 + x);
    for (const param of ['pixel', 'fourier'] as const) {
      const r = await visualizeFeature(model, undefined, { layer: 'edge', channel: 0, steps: 96, param, seed: 3, mean: [0], std: [1] });
      expect(r.dims).toEqual([1, 16, 16]);
      expect(r.image.every((v) => v >= 0 && v <= 1)).toBe(true);
      const c = corr(r.image, kernel, centre), ct = corr(r.image, kt, centre);
      expect(c, `${param}: correlation with the kernel`).toBeGreaterThan(0.8);
      expect(Math.abs(ct), `${param}: with its transpose`).toBeLessThan(0.3);
      // The objective is <k, x>: check the reported value independently.
      let dot = 0;
      for (let i = 0; i < 256; i++) dot += kernel[i]! * r.image[i]!;
      expect(r.objective).toBeCloseTo(dot, 3);
      expect(r.objective).toBeGreaterThan(r.initialObjective + 5);
    }
  });

  it('RGB: through the colour decorrelation, each channel takes its own kernel sign', async () => {
    // Channel weights +1, −1, +0.5 on one vertical edge: the optimum is that edge in red and blue, inverted in green.
    const { kernel } = edgeModel();
    const k3 = new Float32Array(3 * 256);
    [1, -1, 0.5].forEach((s, ch) => { for (let i = 0; i < 256; i++) k3[ch * 256 + i] = s * kernel[i]!; });
    const b = new GraphBuilder('edge3');
    const x = b.input('x', [1, 3, 16, 16]);
    const y = b.op('Conv', [x, b.initializer('w', k3, [1, 3, 16, 16])], { kernel_shape: [16, 16] }, 'edge');
    b.output(y, [1, 1, 1, 1]);
    const r = await visualizeFeature(b.build(), undefined, { layer: 'edge', channel: 0, steps: 96, seed: 4, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    expect(r.dims).toEqual([3, 16, 16]);
    const centre: number[] = [];
    for (let yy = 4; yy < 12; yy++) for (let xx = 4; xx < 12; xx++) centre.push(yy * 16 + xx);
    const plane = (ch: number) => r.image.subarray(ch * 256, (ch + 1) * 256);
    expect(corr(plane(0), kernel, centre)).toBeGreaterThan(0.7);
    expect(corr(plane(1), kernel, centre)).toBeLessThan(-0.7);
    expect(corr(plane(2), kernel, centre)).toBeGreaterThan(0.5);
    expect(r.objective).toBeGreaterThan(r.initialObjective + 20);
  });

  it('runs the same through a core Runtime (worker) as in-process', async () => {
    const { model } = edgeModel();
    const opts = { layer: 'edge', channel: 0, steps: 12, seed: 9, mean: [0], std: [1] };
    const runtime = await Runtime.create({ provider: 'cpu' });
    try {
      const a = await visualizeFeature(model, runtime, opts);
      const b = await visualizeFeature(model, undefined, opts);
      expect(a.history).toHaveLength(12);
      a.history.forEach((v, i) => expect(v).toBeCloseTo(b.history[i]!, 3));
      expect(a.objective).toBeCloseTo(b.objective, 3);
    } finally { await runtime.dispose(); }
  });

  describe.skipIf(!existsSync(MODEL))('trained LeNet-5', () => {
    const model = existsSync(MODEL) ? loadModelFile(MODEL).model : undefined!;

    it('raises a conv channel mean far above its start, and a class logit', async () => {
      const steps: number[] = [];
      const r = await visualizeFeature(model, undefined, { layer: 'features.4', channel: 3, steps: 96, seed: 1, onProgress: (p) => steps.push(p.step) });
      expect(r.tensor).toBe('features.4');
      expect(r.history).toHaveLength(96);
      expect(steps).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
      expect(r.objective).toBeGreaterThan(10 * Math.max(r.initialObjective, 0.05));
      expect(r.objective - r.initialObjective).toBeGreaterThan(1);
      const tail = r.history.slice(-10).reduce((a, b) => a + b, 0) / 10, head = r.history.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
      expect(tail).toBeGreaterThan(5 * head);
      const k = await visualizeFeature(model, undefined, { class: 3, steps: 64, seed: 1 });
      expect(k.tensor).toBe('logits');
      expect(k.objective).toBeGreaterThan(k.initialObjective + 10);
    });

    it('a total-variation penalty lowers the total variation at the same seed, and the channel still fires', async () => {
      for (const param of ['pixel', 'fourier'] as const) {
        const base = { layer: 'features.4', channel: 3, steps: 96, seed: 5, param };
        const a = await visualizeFeature(model, undefined, base);
        const b = await visualizeFeature(model, undefined, { ...base, tv: 5 });
        const tvA = totalVariation(a.image, 1, 28, 28), tvB = totalVariation(b.image, 1, 28, 28);
        expect(tvB, param).toBeLessThan(0.7 * tvA);
        expect(b.objective, param).toBeGreaterThan(10 * Math.max(b.initialObjective, 0.05));
      }
    });

    it('rejects a bad layer, channel or size with a clear error', async () => {
      await expect(visualizeFeature(model, undefined, { layer: 'nope', channel: 0 })).rejects.toThrow(/"nope" is neither a node nor a tensor/);
      await expect(visualizeFeature(model, undefined, { layer: 'features.4', channel: 99 })).rejects.toThrow(/channel 99 is out of range; "features.4" has 16/);
      await expect(visualizeFeature(model, undefined, { class: 3, size: [32, 32] })).rejects.toBeInstanceOf(VisualizeError);
    });
  });
});
