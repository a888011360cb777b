// Cascading randomisation (Adebayo et al. 2018) on the trained LeNet-5: Guided Backprop is flagged
// (its map survives randomising the top layers), Grad-CAM is not. Faithfulness through the model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Runtime } from '../../core/runtime/index.ts';
import { loadModelFile } from '../../core/onnx/load.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { sanityCheck, cascadeLayers, randomizeInitializers } from '../../core/explain/sanity.ts';
import { ExplainModel, withPlainRawData } from '../../core/explain/model.ts';
import { explainImage } from '../../core/explain/explain.ts';
import { faithfulness } from '../../core/explain/faithfulness-run.ts';
import { tensorFloats } from '../../core/onnx/tensor-proto.ts';
import { buildZooModel } from '../../core/zoo/index.ts';

const MODEL = new URL('../../resources/models/lenet5-mnist.onnx', import.meta.url).pathname;
let runtime: Runtime;
beforeAll(async () => { runtime = await Runtime.create({ provider: 'cpu' }); });
afterAll(async () => { await runtime.dispose(); });

const digit = (i: number) => {
  const d = loadMnist('test');
  return Float32Array.from(d.images.subarray(i * 784, (i + 1) * 784), (v) => (v / 255 - 0.1307) / 0.3081);
};

describe.skipIf(!existsSync(MODEL))('sanity check on the trained LeNet-5', () => {
  it('flags Guided Backprop and passes Grad-CAM', async () => {
    const model = loadModelFile(MODEL).model;
    const x = digit(0);
    const gb = await sanityCheck(model, runtime, x, 'guided-backprop');
    const gc = await sanityCheck(model, runtime, x, 'gradcam');
    expect(gb.layers).toEqual(['classifier.4', 'classifier.2', 'classifier.0', 'features.3', 'features.0']);
    expect(gb.steps.length).toBe(5);
    expect(gb.steps[0]!.randomized).toEqual(['classifier.4']);
    expect(gb.flagged).toBe(true);
    expect(gc.flagged).toBe(false);
    expect(gb.score).toBeGreaterThan(0.8);
    expect(gc.score).toBeLessThan(0.5);
    // With everything random, even Guided Backprop drifts away from the trained map.
    expect(gb.steps[4]!.spearmanAbs).toBeLessThan(gb.steps[0]!.spearmanAbs);
    for (const s of [...gb.steps, ...gc.steps]) {
      expect(s.spearmanAbs).toBeGreaterThanOrEqual(-1);
      expect(s.spearmanAbs).toBeLessThanOrEqual(1);
      expect(Number.isFinite(s.ssim)).toBe(true);
    }
    expect(gb.verdict).toMatch(/hardly changes/);
  });

  it('randomises exactly the chosen layers, keeping the others, reproducibly', () => {
    const model = withPlainRawData(loadModelFile(MODEL).model);
    const layers = cascadeLayers(model);
    const names = new Set(layers[0]!.tensors);
    const a = randomizeInitializers(model, names, 7), b = randomizeInitializers(model, names, 7);
    for (const [i, t] of model.graph!.initializer.entries()) {
      const ta = a.graph!.initializer[i]!;
      if (names.has(t.name)) {
        expect(Array.from(tensorFloats(ta))).toEqual(Array.from(tensorFloats(b.graph!.initializer[i]!)));
        expect(Array.from(tensorFloats(ta))).not.toEqual(Array.from(tensorFloats(t)));
      } else expect(ta).toBe(t);
    }
  });

  it('faithfulness: Grad-CAM beats its own inverse on deletion and insertion', async () => {
    const em = ExplainModel.create(loadModelFile(MODEL).model, runtime);
    const x = digit(1);
    const r = await explainImage(em, x, { methods: ['gradcam'] });
    const map = r.results[0]!.map;
    const good = await faithfulness(em, x, map, r.target.index, { steps: 20 });
    const bad = await faithfulness(em, x, map.map((v) => -v), r.target.index, { steps: 20 });
    expect(good.deletionAuc).toBeLessThan(bad.deletionAuc);
    expect(good.insertionAuc).toBeGreaterThan(bad.insertionAuc);
    expect(good.road.morfAuc).toBeLessThan(bad.road.morfAuc);
    await em.dispose();
  });
});

describe('zoo model defaults', () => {
  it('picks the last spatial activation as the default layer (ResNet-18: the final block ReLU, 7×7)', () => {
    const m = buildZooModel('resnet18');
    const em = ExplainModel.create(m, runtime);
    const l = em.defaultLayer();
    expect([l.op, l.channels, l.height, l.width]).toEqual(['Relu', 512, 7, 7]);
    const gap = m.graph!.node.find((n) => n.opType === 'GlobalAveragePool')!;
    expect(gap.input[0]).toBe(l.tensor);
  });
});
